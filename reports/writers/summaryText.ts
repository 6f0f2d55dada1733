import type { RunFeedLayout, RunResult } from '../RunResult.js';
import { intendedArrivalsText } from './intendedArrivalsText.js';

/** ns as a short human duration: 850 ns, 12.3 µs, 4.56 ms, 1.20 s. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${Math.round(ns)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

function rate(perSecond: number): string {
  return perSecond >= 10_000 ? `${(perSecond / 1_000).toFixed(1)} k/s` : `${perSecond.toFixed(0)}/s`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/**
 * A run's layout feed (target `md-layout=`) in plain lines: the figures a layout reader adds to the
 * feed table (checksum failures, heartbeats and silences, frames per type, how the reads ended),
 * then what could not be checked on the feed. summary.md and report.html both show them.
 */
export function feedLayoutLines(result: RunResult): { readonly figures: readonly string[]; readonly notChecked: readonly string[] } | undefined {
  const layout: RunFeedLayout | undefined = result.feedLayout;
  if (layout === undefined) return undefined;
  const figures = [`feed read with layout ${layout.name} (${layout.file}), not matchbench's protocol`];
  for (const [c, f] of Object.entries(result.feed).sort(([a], [b]) => a.localeCompare(b))) {
    if (f.checksumFailures === undefined) continue;
    figures.push(`${c}: ${f.frames} frames, ${f.gaps} gaps (${f.gapFrames} frames missed), ${f.checksumFailures} checksum failures, ` +
      `${f.sequenceRegressions ?? 0} sequence regressions, ${f.heartbeats ?? 0} heartbeats, ${f.heartbeatSilences ?? 0} heartbeat silences`);
  }
  const m = layout.mold;
  if (m !== undefined) {
    figures.push(`MoldUDP64: ${m.packets} packets (${m.heartbeats} heartbeats), ${m.gaps} gaps (${m.gapMessages} messages): ` +
      `${m.recoveredMessages} recovered, ${m.lostMessages} lost, ${m.missingMessages} still missing at the end; ` +
      `${m.duplicateMessages} duplicates; ${m.requestsSent} re-requests (${m.requestRetries} retries); ` +
      `${m.malformedPackets} malformed packets, ${m.otherSessionPackets} of another session`);
  }
  const types = Object.entries(layout.framesByType);
  if (types.length > 0) figures.push(`frames by type: ${types.map(([t, n]) => `${t} ${n}`).join(', ')}`);
  const verdicts = Object.entries(layout.verdicts);
  if (verdicts.length > 0) figures.push(`reads ended: ${verdicts.map(([v, n]) => `${v} ${n}`).join(', ')}`);
  return { figures, notChecked: layout.notChecked };
}

/**
 * The key numbers of a run as Markdown: the verdict, identity, per-phase rates, latency
 * percentiles, feed, thresholds and problems. The same text is `summary.md` (for CI job summaries)
 * and the console summary at the end of a run.
 */
export function summaryText(result: RunResult): string {
  const out: string[] = [];
  const verdictWord = { passed: 'PASSED', 'thresholds-failed': 'FAILED (thresholds)', 'invariant-failed': 'FAILED (invariants)',
    error: 'FAILED (error)' }[result.verdict];
  out.push(`## matchbench run: ${result.scenario.name} — ${verdictWord}${result.interrupted ? ' (interrupted)' : ''}`);
  out.push('');
  out.push(`seed ${result.seed} · target ${result.target.description} · stream ${result.streamHash.slice(0, 16)} · ` +
    `scenario ${result.scenario.hash.slice(0, 16)}`);
  out.push(`commit ${result.identity.gitCommit} · Node ${result.identity.nodeVersion} · ${result.identity.cpuCount} x ` +
    `${result.identity.cpuModel} · ${result.startedAt}`);
  out.push('');
  out.push(table(['phase', 'duration', 'offered', 'achieved', 'sent', 'order_rtt p50', 'p99', 'p99.9'],
    result.phases.map((p) => {
      const rtt = p.latency.order_rtt;
      return [p.name, `${(p.durationMs / 1_000).toFixed(1)} s`, rate(p.offeredRate), rate(p.achievedRate), String(p.sent),
        rtt === undefined || rtt.count === 0 ? '–' : formatNs(rtt.p50Ns),
        rtt === undefined || rtt.count === 0 ? '–' : formatNs(rtt.p99Ns),
        rtt === undefined || rtt.count === 0 ? '–' : formatNs(rtt.p999Ns)];
    })));
  out.push('');
  const metrics = Object.keys(result.latency).sort();
  if (metrics.length > 0) {
    out.push(table(['latency', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
      metrics.map((m) => {
        const s = result.latency[m];
        return s === undefined ? [m] : [m, String(s.count), formatNs(s.p50Ns), formatNs(s.p90Ns), formatNs(s.p99Ns),
          formatNs(s.p999Ns), formatNs(s.maxNs)];
      })));
    out.push('');
  }
  const o = result.orders;
  out.push(`orders: ${o.sent} sent of ${o.generated} generated · ${o.acked} acked · ${o.fills} fills · ${o.canceled} canceled · ` +
    `${o.replaced} replaced · ${o.rejected} rejected${o.rejected > 0 ? ` (${Object.entries(o.rejectsByReason).map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}` +
    ` · ${o.unanswered} unanswered · ${o.backpressured} held back`);
  out.push(`arrivals: KS D=${result.arrivals.ksStatistic.toFixed(4)} p=${result.arrivals.pValue.toFixed(3)} over ` +
    `${result.arrivals.samples} gaps — ${result.arrivals.passed ? 'Poisson' : 'NOT Poisson'}${result.arrivals.note === '' ? '' : ` (${result.arrivals.note})`}`);
  const intended = intendedArrivalsText(result.arrivals);
  if (intended !== '') out.push(`  ${intended}`);
  const cpu = result.processCpu;
  out.push(`cpu: ${cpu.coresUsed.toFixed(2)} cores over the run (user ${cpu.userMs} ms, system ${cpu.systemMs} ms), ` +
    `${cpu.engineInProcess ? 'harness and engine together' : 'harness only'}`);
  const classes = Object.keys(result.feed).sort();
  if (classes.length > 0) {
    out.push('');
    out.push(table(['feed', 'subscribers', 'frames', 'MB', 'gaps', 'drops', 'disconnects', 'reconnects', 'errors'],
      classes.map((c) => {
        const f = result.feed[c];
        return f === undefined ? [c] : [c, String(f.subscribers), String(f.frames), (f.bytes / 1e6).toFixed(1), String(f.gaps),
          String(f.drops), String(f.disconnects), String(f.reconnects), String(f.protocolErrors)];
      })));
  }
  const layoutLines = feedLayoutLines(result);
  if (layoutLines !== undefined) {
    out.push('');
    out.push(...layoutLines.figures.map((line, i) => (i === 0 ? line : `- ${line}`)));
    out.push('');
    out.push('not checked on this feed:');
    for (const line of layoutLines.notChecked) out.push(`- ${line}`);
  }
  out.push('');
  out.push(`invariants (${result.invariants.checked}): ${result.invariants.violations.length === 0 ? 'all held'
    : `${result.invariants.violations.length} violated — ${result.invariants.violations.slice(0, 3).join('; ')}`}`);
  const fuzz = result.fuzz;
  if (fuzz !== undefined) {
    out.push(`fuzz clients (${fuzz.sessions} sessions, up to ${fuzz.rateHz} cases/s): ${fuzz.cases} cases, ` +
      `${fuzz.failed === 0 ? 'all passed' : `${fuzz.failed} FAILED`} (${fuzz.classes.map((c) => `${c.class} ${c.passed}/${c.cases}`).join(', ')})`);
    for (const f of fuzz.failures.slice(0, 5)) {
      out.push(`- ${f.id}: expected ${f.expected}; ${f.observed}; bytes${f.login ? ' (after LOGIN)' : ''} ${f.hex.slice(0, 120)}${f.hex.length > 120 ? '…' : ''}`);
    }
  }
  if (result.thresholds.length > 0) {
    out.push('');
    out.push(table(['threshold', 'actual', 'verdict'], result.thresholds.map((t) =>
      [`\`${t.source}\``, t.actual === null ? 'not measured' : String(Number(t.actual.toPrecision(4))), t.passed ? 'pass' : '**FAIL**'])));
  }
  if (result.knee !== null) {
    out.push('');
    out.push(`knee (${result.knee.metric} p99 over ${result.knee.p99LimitMs} ms): ${result.knee.kneePhase ?? 'not reached'}`);
    out.push(table(['phase', 'offered', 'achieved', 'p50 ms', 'p99 ms', 'p99.9 ms'], result.knee.rows.map((r) =>
      [r.phase, rate(r.offeredRate), rate(r.achievedRate), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3), r.p999Ms.toFixed(3)])));
  }
  if (result.errors.length > 0) {
    out.push('');
    out.push(`problems (${result.errors.length}):`);
    for (const e of result.errors.slice(0, 20)) out.push(`- ${e}`);
  }
  return `${out.join('\n')}\n`;
}
