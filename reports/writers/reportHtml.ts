import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readRunDirectory, type RunDirectory } from '../readRunDirectory.js';
import { reportCharts } from '../reportCharts.js';
import type { RunResult } from '../RunResult.js';
import { chartSlot, escapeHtml, htmlPage } from './htmlPage.js';
import { profileLinksHtml } from './profileLinks.js';
import { feedLayoutLines, formatNs } from './summaryText.js';
import { intendedArrivalsText } from './intendedArrivalsText.js';

/** The report's file name in a run directory. */
export const REPORT_FILE = 'report.html';

const VERDICT_TEXT: Record<RunResult['verdict'], { readonly text: string; readonly css: string }> = {
  passed: { text: 'PASSED', css: 'good' },
  'thresholds-failed': { text: 'FAILED: thresholds', css: 'bad' },
  'invariant-failed': { text: 'FAILED: invariants', css: 'bad' },
  error: { text: 'FAILED: error', css: 'bad' },
};

/** An HTML table; cells are escaped text, or `{ html }` for markup built here. */
type Cell = string | number | { readonly html: string; readonly css?: string };

function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (c: Cell): string => (typeof c === 'object'
    ? `<td${c.css === undefined ? '' : ` class="${c.css}"`}>${c.html}</td>` : `<td>${escapeHtml(String(c))}</td>`);
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

function rate(perSecond: number): string {
  return perSecond >= 10_000 ? `${(perSecond / 1_000).toFixed(1)} k/s` : `${perSecond.toFixed(0)}/s`;
}

function identity(r: RunResult): string {
  const rows: [string, string][] = [
    ['scenario', `${r.scenario.name} (${r.scenario.file}) — ${r.scenario.description}`],
    ['scenario hash', r.scenario.hash],
    ['seed', String(r.seed)],
    ['stream hash', r.streamHash],
    ['final state hash', r.finalStateHash ?? 'not reported by this target'],
    ['target', r.target.description],
    ['commit', r.identity.gitCommit],
    ['matchbench', r.identity.matchbenchVersion],
    ['Node', r.identity.nodeVersion],
    ['machine', `${r.identity.cpuCount} x ${r.identity.cpuModel}, ${(r.identity.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ${r.identity.platform}`],
    ['started', `${r.startedAt} (ran ${(r.durationMs / 1_000).toFixed(1)} s${r.interrupted ? ', interrupted' : ''})`],
    ['command', r.identity.command],
  ];
  return `<dl class="identity">${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/**
 * report.html for a run directory: verdict and identity, the charts of {@link reportCharts}, and
 * the tables (phases, latency, orders, feed gaps/drops/disconnects, invariants, thresholds, knee,
 * problems). Self-contained: see {@link htmlPage}.
 */
export function reportHtml(run: RunDirectory): string {
  const r = run.result;
  const charts = reportCharts(run);
  const slot = (id: string): string => {
    const spec = charts.find((c) => c.id === id);
    return spec === undefined ? '' : chartSlot(spec);
  };
  const verdict = VERDICT_TEXT[r.verdict];
  const body: string[] = [];
  body.push(`<h1>matchbench run: ${escapeHtml(r.scenario.name)} <span class="verdict ${verdict.css}">${verdict.text}</span>` +
    `${r.interrupted ? ' <span class="verdict warn">interrupted</span>' : ''}</h1>`);
  body.push(identity(r), profileLinksHtml(run.dir));

  body.push('<h2>Latency</h2>');
  body.push(`<div class="grid">${slot('latency-percentiles')}${slot('latency-over-time')}</div>`);
  const metrics = Object.keys(r.latency).sort();
  body.push(table(['histogram', 'count', 'min', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max'], metrics.map((m) => {
    const s = r.latency[m];
    return s === undefined ? [m] : [m, s.count, formatNs(s.minNs), formatNs(s.p50Ns), formatNs(s.p90Ns), formatNs(s.p99Ns), formatNs(s.p999Ns),
      formatNs(s.p9999Ns), formatNs(s.maxNs)];
  })));

  body.push('<h2>Load</h2>');
  body.push(slot('rate-over-time'));
  body.push('<div class="tables">');
  body.push(table(['phase', 'start', 'duration', 'offered', 'achieved', 'sent', 'order_rtt p50', 'p99', 'p99.9'], r.phases.map((p) => {
    const rtt = p.latency['order_rtt'];
    const at = (ns: number | undefined): string => (rtt === undefined || rtt.count === 0 || ns === undefined ? '–' : formatNs(ns));
    return [p.name, `${(p.startMs / 1_000).toFixed(1)} s`, `${(p.durationMs / 1_000).toFixed(1)} s`, rate(p.offeredRate), rate(p.achievedRate),
      p.sent, at(rtt?.p50Ns), at(rtt?.p99Ns), at(rtt?.p999Ns)];
  })));
  const o = r.orders;
  body.push(table(['orders', 'count'], [
    ['generated', o.generated], ['sent', o.sent], ...Object.entries(o.byKind).map(([k, n]): Cell[] => [`  sent: ${k}`, n]),
    ['acked', o.acked], ['fills', o.fills], ['canceled', o.canceled], ['replaced', o.replaced], ['rejected', o.rejected],
    ...Object.entries(o.rejectsByReason).map(([k, n]): Cell[] => [`  rejected: ${k}`, n]),
    ['unanswered', o.unanswered], ['held back (backpressure)', o.backpressured],
  ]));
  body.push('</div>');
  body.push(`<p>arrivals: KS D=${r.arrivals.ksStatistic.toFixed(4)}, p=${r.arrivals.pValue.toFixed(3)} over ${r.arrivals.samples} gaps — ` +
    `<b>${r.arrivals.passed ? 'Poisson' : 'not Poisson'}</b>${r.arrivals.note === '' ? '' : ` (${escapeHtml(r.arrivals.note)})`}<br>` +
    (r.arrivals.intended === undefined ? '' : `${escapeHtml(intendedArrivalsText(r.arrivals))}<br>`) +
    `cpu: ${r.processCpu.coresUsed.toFixed(2)} cores (user ${r.processCpu.userMs} ms, system ${r.processCpu.systemMs} ms), ` +
    `${r.processCpu.engineInProcess ? 'harness and engine together' : 'harness only'}</p>`);

  body.push('<h2>Market-data feed</h2>');
  const classes = Object.keys(r.feed).sort();
  if (classes.length === 0) {
    body.push(`<p class="muted">No market-data subscribers in this run (target ${escapeHtml(r.target.kind)}).</p>`);
  } else {
    body.push(`<div class="grid">${slot('feed-percentiles')}${slot('feed-over-time')}</div>`);
    const bad = (n: number): Cell => ({ html: String(n), ...(n > 0 ? { css: 'fail' } : {}) });
    body.push(table(['class', 'subscribers', 'frames', 'MB', 'gaps', 'frames missed', 'drops', 'disconnects', 'reconnects', 'snapshots',
      'protocol errors', 'p99', 'max'], classes.map((c) => {
      const f = r.feed[c];
      const lat = r.latency[`feed_latency.${c}`];
      return f === undefined ? [c] : [c, f.subscribers, f.frames, (f.bytes / 1e6).toFixed(2), bad(f.gaps), f.gapFrames, f.drops, f.disconnects,
        f.reconnects, f.snapshots, bad(f.protocolErrors), lat === undefined || lat.count === 0 ? '–' : formatNs(lat.p99Ns),
        lat === undefined || lat.count === 0 ? '–' : formatNs(lat.maxNs)];
    })));
  }
  const layoutLines = feedLayoutLines(r);
  if (layoutLines !== undefined) {
    body.push(`<p>${layoutLines.figures.map(escapeHtml).join('<br>')}</p>`);
    body.push(`<p>Not checked on this feed:</p><ul>${layoutLines.notChecked.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
  }

  body.push('<h2>Checks</h2>');
  const violations = r.invariants.violations;
  body.push(`<p>invariants (${escapeHtml(r.invariants.checked)}): ${violations.length === 0
    ? '<span class="verdict good">all held</span>'
    : `<span class="verdict bad">${violations.length} violated</span></p><ul>${violations.map((v) => `<li><code>${escapeHtml(v)}</code></li>`).join('')}</ul><p>`}</p>`);
  if (violations.some((v) => v.startsWith('session report:') || v.startsWith('differential:') || v.startsWith('feed:'))) {
    body.push('<p class="muted"><code>violation.json</code> in the run directory: the first execution-report (or else differential, or else feed) violation and the command that reproduces it.</p>');
  }
  if (r.thresholds.length === 0) body.push('<p class="muted">The scenario has no thresholds.</p>');
  else {
    body.push(table(['threshold', 'actual', 'verdict'], r.thresholds.map((t) => [{ html: `<code>${escapeHtml(t.source)}</code>` },
      t.actual === null ? 'not measured' : String(Number(t.actual.toPrecision(4))),
      { html: t.passed ? 'pass' : 'FAIL', css: t.passed ? 'pass' : 'fail' }])));
  }
  body.push(fuzzHtml(r));
  if (r.knee !== null) {
    body.push(`<h2>Knee</h2><p>${escapeHtml(r.knee.metric)} p99 over ${r.knee.p99LimitMs} ms: <b>${escapeHtml(r.knee.kneePhase ?? 'not reached')}</b></p>`);
    body.push(table(['phase', 'offered', 'achieved', 'p50 ms', 'p99 ms', 'p99.9 ms'], r.knee.rows.map((k) =>
      [k.phase, rate(k.offeredRate), rate(k.achievedRate), k.p50Ms.toFixed(3), k.p99Ms.toFixed(3), k.p999Ms.toFixed(3)])));
  }
  if (r.errors.length > 0) {
    body.push(`<h2>Problems (${r.errors.length})</h2><ul>${r.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`);
  }
  return htmlPage({ title: `matchbench ${r.scenario.name} seed ${r.seed} — ${verdict.text}`, bodyHtml: body.join('\n'), charts });
}

/** The fuzz clients' outcome (`clients.fuzz`): cases per class, then each failure with its id, expectation and bytes. */
function fuzzHtml(r: RunResult): string {
  const f = r.fuzz;
  if (f === undefined) return '<p class="muted">Fuzzer outcomes: this run did not fuzz.</p>';
  const bad = (n: number): Cell => ({ html: String(n), ...(n > 0 ? { css: 'fail' } : {}) });
  return `<p>fuzz clients (${f.sessions} sessions, up to ${f.rateHz} cases/s): ${f.cases} cases, ` +
    `${f.failed === 0 ? '<span class="verdict good">all passed</span>' : `<span class="verdict bad">${f.failed} failed</span>`}</p>` +
    table(['fuzz class', 'cases', 'passed', 'failed'], f.classes.map((c) => [c.class, c.cases, c.passed, bad(c.failed)])) +
    (f.failures.length === 0 ? '' : `<ul>${f.failures.map((x) => `<li><code>${escapeHtml(x.id)}</code>: ${escapeHtml(x.description)}<br>` +
      `expected: ${escapeHtml(x.expected)}<br>observed: ${escapeHtml(x.observed)}<br>` +
      `bytes${x.login ? ' (after LOGIN)' : ''}: <code>${escapeHtml(x.hex)}</code></li>`).join('')}</ul>`);
}

/** Reads the run directory `dir` and writes its report.html; returns the file written. */
export function writeReport(dir: string): string {
  const file = path.join(dir, REPORT_FILE);
  writeFileSync(file, reportHtml(readRunDirectory(dir)));
  return file;
}
