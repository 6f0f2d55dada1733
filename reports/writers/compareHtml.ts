import { sideHistograms, type CompareResult, type CompareRow } from '../compareRuns.js';
import { percentileChart } from '../percentileChart.js';
import type { RunDirectory } from '../readRunDirectory.js';
import { chartColor, chartSlot, escapeHtml, htmlPage, type ChartSpec } from './htmlPage.js';
import { formatNs } from './summaryText.js';

/** The comparison page's default file name (written in the current directory by `matchbench compare`). */
export const COMPARE_HTML_FILE = 'compare.html';

/** Histograms drawn as overlaid percentile curves, when both sides have them: the corrected round trips, then the engine's own time. */
const CHARTED = ['order_rtt', 'fill_rtt', 'cancel_rtt', 'replace_rtt', 'order_service_time'] as const;

/** Colours of the two sides (the first two chart colours: blue baseline, red candidate). */
const BASELINE_COLOR = chartColor(0);
const CANDIDATE_COLOR = chartColor(1);

/** The row's class in the table: a regression, a significant change for the better or worse, or none. */
function rowClass(row: CompareRow): string {
  if (row.regression !== null) return 'regression';
  if (row.verdict === 'significantly higher' || row.verdict === 'significantly lower') {
    const worse = row.name === 'throughput' ? row.verdict === 'significantly lower' : row.verdict === 'significantly higher';
    return worse ? 'significant' : 'improvement';
  }
  return '';
}

/** A difference in ns with its sign (formatNs reads magnitudes). */
export function formatDifferenceNs(ns: number): string {
  return ns < 0 ? `−${formatNs(-ns)}` : `+${formatNs(ns)}`;
}

function value(row: CompareRow, v: number): string {
  return row.unit === 'ns' ? formatNs(v) : row.unit === 'per-second' ? `${v.toFixed(1)}/s` : v.toFixed(1);
}

/** The percentile charts of a comparison: baseline (dashed) and candidate curves per histogram both sides have. */
export function compareCharts(baseline: readonly RunDirectory[], candidate: readonly RunDirectory[], warmupSeconds: number): ChartSpec[] {
  const a = sideHistograms(baseline, warmupSeconds);
  const b = sideHistograms(candidate, warmupSeconds);
  const charts: ChartSpec[] = [];
  for (const metric of CHARTED) {
    const ha = a.find(metric);
    const hb = b.find(metric);
    if (ha === undefined || hb === undefined || ha.totalCount === 0 || hb.totalCount === 0) continue;
    charts.push(percentileChart({ id: `compare-${metric.replace(/_/g, '-')}`, title: `${metric}: baseline vs candidate`,
      note: `percentile distribution of each side's runs added together (${baseline.length} vs ${candidate.length} runs), warm-up left out` },
    [{ label: `baseline ${metric}`, color: BASELINE_COLOR, dash: true, histogram: ha },
      { label: `candidate ${metric}`, color: CANDIDATE_COLOR, histogram: hb }]));
  }
  return charts;
}

/**
 * compare.html: the verdict, the gates and the decision rule, overlaid percentile curves of the two
 * sides ({@link compareCharts}), and the table of every row with regressions (red), other
 * significant worsenings (yellow) and improvements (green) highlighted. Self-contained: see
 * {@link htmlPage}.
 */
export function compareHtml(result: CompareResult, baseline: readonly RunDirectory[], candidate: readonly RunDirectory[]): string {
  const charts = compareCharts(baseline, candidate, result.warmupSeconds);
  const verdict = result.regressions.length > 0 ? { text: `REGRESSION (${result.regressions.length})`, css: 'bad' }
    : result.decided ? { text: 'no significant regression', css: 'good' } : { text: 'too little data to decide', css: 'warn' };
  const body: string[] = [];
  body.push(`<h1>matchbench compare <span class="verdict ${verdict.css}">${escapeHtml(verdict.text)}</span></h1>`);
  const list = (dirs: readonly string[]): string => dirs.map((d) => `<code>${escapeHtml(d)}</code>`).join(', ');
  body.push(`<dl class="identity"><dt>baseline</dt><dd>${list(result.baseline)}</dd><dt>candidate</dt><dd>${list(result.candidate)}</dd>` +
    `<dt>gates</dt><dd>${escapeHtml(result.gates.join(', '))}</dd>` +
    `<dt>significance</dt><dd>Mann-Whitney U over one value per run, Holm-adjusted, family-wise alpha ${result.alpha}; ` +
    `a regression is significant, beyond its gate, and (p99) its bootstrap interval excludes 0</dd></dl>`);
  if (result.regressions.length > 0) body.push(`<ul>${result.regressions.map((r) => `<li><b>${escapeHtml(r)}</b></li>`).join('')}</ul>`);
  if (result.notes.length > 0) body.push(`<ul class="muted">${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  body.push('<h2>Latency percentiles</h2>');
  body.push(charts.length === 0 ? '<p class="muted">No latency histogram on both sides.</p>' : `<div class="grid">${charts.map(chartSlot).join('')}</div>`);
  body.push('<h2>Every metric</h2>');
  const head = ['metric', 'baseline', 'candidate', 'change', 'p', 'p (Holm)', 'verdict', 'gate', 'runs', 'p99 diff 95% CI'];
  const rows = result.rows.map((r) => {
    const cells = [r.name, value(r, r.baseline), value(r, r.candidate),
      r.changePct === null ? '–' : `${r.changePct > 0 ? '+' : ''}${r.changePct.toFixed(1)}%`,
      r.pValue === null ? '–' : r.pValue.toPrecision(2), r.pAdjusted === null ? '–' : r.pAdjusted.toPrecision(2),
      r.regression === null ? r.verdict : `REGRESSION (${r.verdict})`, r.gate ?? '', `${r.baselineRuns.length}/${r.candidateRuns.length}`,
      r.p99DifferenceCi === null ? '' : `${formatDifferenceNs(r.p99DifferenceCi.lowNs)} … ${formatDifferenceNs(r.p99DifferenceCi.highNs)}`];
    const css = rowClass(r);
    return `<tr${css === '' ? '' : ` class="${css}"`}>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  body.push(`<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
  return htmlPage({ title: `matchbench compare — ${verdict.text}`, bodyHtml: body.join('\n'), charts });
}
