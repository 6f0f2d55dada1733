import type { MatcherBenchResult } from './matcherBench.js';

const millions = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

/** The matcher benchmark's result as the table the README quotes. */
export function formatMatcherBench(result: MatcherBenchResult, machine: string): string {
  const f = result.flow;
  const n = result.operations;
  const rows = result.implementations.map((impl) => [
    impl.name,
    `${millions(impl.opsPerSecond)}`,
    impl.runsOpsPerSecond.map((r) => (r / 1e6).toFixed(2)).join(' '),
    `${impl.latencyNs.p50}`,
    `${impl.latencyNs.p99}`,
    `${impl.latencyNs.p999}`,
    `${impl.ratioToPeer.toFixed(impl.ratioToPeer < 10 ? 2 : 1)}x`,
  ]);
  const header = ['implementation', 'ops/s (median)', 'runs (M ops/s)', 'p50 ns', 'p99 ns', 'p99.9 ns', 'vs peer'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  const traded = result.implementations.map((i) => i.tradedQuantity);
  const first = result.implementations[0];
  return [
    `matcher benchmark: ${n.toLocaleString('en-US')} operations, seed ${result.seed}, median of ${result.repetitions} repetitions; ${machine}`,
    `flow: ${pct(f.limit, n)} GTC limit, ${pct(f.ioc, n)} IOC limit, ${pct(f.market, n)} market, ${pct(f.cancel, n)} cancel of a resting order; ` +
      `peak ${f.peakResting.toLocaleString('en-US')} resting orders`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    result.problems.length === 0
      ? `check: all agree: traded quantity ${traded[0]?.toLocaleString('en-US')}, ${first?.bidLevels} bid and ${first?.askLevels} ask levels resting; ` +
        'fast book equals the oracle event by event; invariants hold'
      : `check FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
    `latency: a separate pass reads process.hrtime.bigint() before and after every operation; the median cost of an ` +
      `empty timed region (${result.timerOverheadNs} ns, measured in this run) is subtracted from each sample.`,
  ].join('\n');
}
