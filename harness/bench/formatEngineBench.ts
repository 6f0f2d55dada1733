import type { LatencySummary } from '../record/HistogramSet.js';
import type { EngineBenchResult } from './engineBench.js';

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
/** ns as µs with one decimal. */
const us = (ns: number): string => `${(ns / 1_000).toFixed(1)} µs`;
const row = (name: string, s: LatencySummary): string =>
  `  ${name.padEnd(26)} p50 ${us(s.p50Ns).padStart(11)}  p99 ${us(s.p99Ns).padStart(11)}  p99.9 ${us(s.p999Ns).padStart(11)}  ` +
  `max ${us(s.maxNs).padStart(11)}  (${int(s.count)} round trips)`;
const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}x` : 'n/a');
const rejects = (r: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(r);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${int(v)}`).join(', ');
};

/** The engine benchmark's result as console text. */
export function formatEngineBench(result: EngineBenchResult, machine: string): string {
  const o = result.options;
  const t = result.throughput;
  const l = result.latency;
  const lines = [
    `engine benchmark (TCP order entry): ${o.connections} connections on ${o.clientThreads} load thread(s), seed ${o.seed}, ` +
      `${o.symbols} symbol(s), journal ${o.journal ? o.durability : 'off'}; ${machine}`,
    `flow: limit orders around mid ${result.flow.midPrice} (sigma ${result.flow.priceSigmaTicks} ticks, ${result.flow.iocFraction * 100}% IOC), ` +
      `quantity 1..${result.flow.maxQuantity}, ${result.flow.cancelFraction * 100}% cancels of own resting orders`,
    '',
    `maximum throughput (${o.window} outstanding per connection, ${t.measuredMs} ms after a ${o.warmupMs} ms warm-up):`,
    `  ${int(t.requestsPerSecond)} requests/s end to end   (target ${int(result.targets.requestsPerSecond)}: ` +
      `${result.targets.throughputMet ? 'met' : 'NOT met'})`,
    `  sent ${int(t.newOrdersSent)} new orders + ${int(t.cancelsSent)} cancels, ${int(t.completed)} answered; rejects: ${rejects(t.rejects)}`,
  ];
  if (l === undefined) lines.push('', 'latency phase: not run');
  else {
    lines.push(
      '',
      `latency at ${o.latencyLoadFraction * 100}% of the maximum (Poisson arrivals, ${int(l.targetRateHz)} requests/s offered, ` +
        `${int(l.achievedRateHz)} sent/s, ${o.latencyDurationMs} ms):`,
      row('from intended send time', l.intendedNs),
      row('from actual send time', l.serviceNs),
      `  p99 target ${us(result.targets.latencyP99Ns)} from the intended time: ${result.targets.latencyMet ? 'met' : 'NOT met'}; ` +
        `skipped (backpressure) ${int(l.skippedBackpressure)}; rejects: ${rejects(l.rejects)}`,
    );
    const p = result.peer;
    if (p === undefined) lines.push('', 'echo peer: not run');
    else {
      lines.push(
        '',
        `trivial echo peer at the same offered rate (${int(p.targetRateHz)} requests/s offered, ${int(p.achievedRateHz)} sent/s, ` +
          `${o.latencyDurationMs} ms; same connections, seeds and load thread; a net server on the engine's thread answering each ` +
          'request with one ACK or CANCELED, no matcher, ring or worker):',
        row('from intended send time', p.intendedNs),
        row('from actual send time', p.serviceNs),
        `  engine p99 / peer p99: ${ratio(p.engineP99Ratio.intended)} from the intended send time, ` +
          `${ratio(p.engineP99Ratio.service)} from the actual send time; skipped (backpressure) ${int(p.skippedBackpressure)}`,
        `  not checked against the peer: ${p.notChecked}`,
      );
    }
  }
  lines.push(
    '',
    `engine: ${int(result.engine.processed)} commands processed, ${int(result.engine.restingOrders)} orders resting at the end, ` +
      `state hash ${result.engine.stateHash.slice(0, 16)}`,
    result.problems.length === 0
      ? 'check: every request answered with its echoed timestamp, sequences contiguous, sessions ended by LOGOUT, book ' +
        'invariants hold, final books equal the clients\' view from their reports' +
        (result.peer === undefined ? '' : '; echo peer: every request answered once with its echoed timestamp, sessions ended by LOGOUT')
      : `check FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  return lines.join('\n');
}
