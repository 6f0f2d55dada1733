import type { HistoryResult, MetricHistory, ScenarioHistory } from '../history/buildHistory.js';
import { chartColor, chartSlot, escapeHtml, htmlPage, type ChartSeries, type ChartSpec } from './htmlPage.js';
import { changePointsCell, changePointText, formatHistoryValue } from './historyText.js';

/** The history page's file name, written in the history directory by default. */
export const HISTORY_HTML_FILE = 'history.html';

const NS_PER_MS = 1_000_000;
const MEDIAN_COLOR = chartColor(0);
const SEGMENT_COLOR = chartColor(1);
const SPREAD_COLOR = chartColor(8);

/** Element id of a metric's chart (unique per scenario and metric). */
export function historyChartId(scenario: string, metric: string): string {
  return `history-${scenario}-${metric}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * A metric's chart over nights: the mean of each segment between change points (red), the fastest
 * and slowest repeat of each night (grey, dashed, when nights have repeats), the nightly median
 * (blue), and a marker at every change point.
 */
export function metricChart(scenario: ScenarioHistory, m: MetricHistory): ChartSpec {
  const scale = (v: number | null): number | null => (v === null ? null : m.unit === 'ns' ? v / NS_PER_MS : v);
  // The nightly median last, so that it is drawn on top where the other lines meet it.
  const series: ChartSeries[] = [{ label: 'segment mean', color: SEGMENT_COLOR, values: m.segmentMeans.map(scale) }];
  if (m.runValues.some((vs) => vs.length > 1)) {
    series.push({ label: 'fastest repeat', color: SPREAD_COLOR, dash: true, values: m.runValues.map((vs) => (vs.length === 0 ? null : scale(Math.min(...vs)))) });
    series.push({ label: 'slowest repeat', color: SPREAD_COLOR, dash: true, values: m.runValues.map((vs) => (vs.length === 0 ? null : scale(Math.max(...vs)))) });
  }
  series.push({ label: 'nightly median', color: MEDIAN_COLOR, values: m.values.map(scale) });
  const x = scenario.nights.map((_, i) => i);
  return {
    id: historyChartId(scenario.scenario, m.metric), title: `${scenario.scenario}: ${m.metric}`,
    note: m.changePoints.length === 0 ? 'no change point' : m.changePoints.map((c) => changePointText(c, m.unit)).join('; '),
    xAxis: 'night', xLabels: scenario.nights.map((n) => n.key), xRange: [-0.5, Math.max(0.5, x.length - 0.5)],
    yAxis: m.unit === 'ns' ? 'latency-ms' : m.unit === 'per-second' ? 'rate' : 'count', yLog: false, x, series,
    // Between the last night of the old segment and the first of the new.
    markers: m.changePoints.map((c) => ({ x: c.index - 0.5,
      label: `${c.regression ? 'worse' : 'better'}${c.changePct === null ? '' : ` ${c.changePct > 0 ? '+' : '−'}${Math.abs(c.changePct).toFixed(1)}%`}` })),
  };
}

/** Every chart of the page, scenario by scenario, metric by metric. */
export function historyCharts(history: HistoryResult): ChartSpec[] {
  return history.scenarios.flatMap((s) => s.metrics.map((m) => metricChart(s, m)));
}

function table(head: readonly string[], rows: readonly { cells: readonly string[]; css?: string }[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr${r.css === undefined || r.css === '' ? '' : ` class="${r.css}"`}>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>';
}

/**
 * history.html: per scenario its nights (start, commits, runs), the trend table (a metric's
 * latest segment regressed: red; an earlier regression: yellow) and one chart per metric over the
 * nights with its change points marked. Self-contained: see {@link htmlPage}.
 */
export function historyHtml(history: HistoryResult, dir: string): string {
  const charts = historyCharts(history);
  const verdict = history.regressions.length > 0 ? { text: `REGRESSION (${history.regressions.length})`, css: 'bad' }
    : { text: 'latest segments not worse', css: 'good' };
  const body: string[] = [`<h1>matchbench history <span class="verdict ${verdict.css}">${escapeHtml(verdict.text)}</span></h1>`];
  body.push(`<dl class="identity"><dt>runs</dt><dd><code>${escapeHtml(dir)}</code></dd>` +
    `<dt>change points</dt><dd>E-divisive means (Matteson &amp; James 2014) over the nightly medians, permutation test: ` +
    `${history.permutations} permutations, alpha ${history.alpha}, seed ${history.seed}, at least ${history.minNights} nights a side</dd>` +
    `<dt>warm-up</dt><dd>the first ${history.warmupSeconds} s of every run left out, as compare does</dd></dl>`);
  if (history.regressions.length > 0) body.push(`<ul>${history.regressions.map((r) => `<li><b>${escapeHtml(r)}</b></li>`).join('')}</ul>`);
  const byId = new Map(charts.map((c) => [c.id, c]));
  for (const s of history.scenarios) {
    body.push(`<h2>${escapeHtml(s.scenario)}</h2>`);
    if (s.notes.length > 0) body.push(`<ul class="muted">${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
    body.push('<div class="tables">');
    body.push(table(['night', 'started', 'commit', 'runs', 'seeds'], s.nights.map((n) => ({
      cells: [n.key, n.startedAt, n.commits.map((c) => c.slice(0, 12)).join(', '), String(n.runs.length), n.seeds.join(', ')] }))));
    body.push(table(['metric', 'first', 'last', 'min', 'max', 'change points'], s.metrics.map((m) => ({
      cells: [m.metric, formatHistoryValue(m.unit, m.first), formatHistoryValue(m.unit, m.last), formatHistoryValue(m.unit, m.min),
        formatHistoryValue(m.unit, m.max), changePointsCell(m)],
      css: m.latestRegression !== null ? 'regression' : m.changePoints.some((c) => c.regression) ? 'significant' : '' }))));
    body.push('</div>');
    const slots = s.metrics.map((m) => byId.get(historyChartId(s.scenario, m.metric))).filter((c): c is ChartSpec => c !== undefined);
    body.push(`<div class="grid">${slots.map(chartSlot).join('')}</div>`);
  }
  return htmlPage({ title: `matchbench history — ${verdict.text}`, bodyHtml: body.join('\n'), charts });
}
