import { formatRate, type FanoutBenchResult, type FanoutStep } from './fanoutBench.js';

const us = (ns: number): string => (ns / 1e3 >= 100 ? (ns / 1e3).toFixed(0) : (ns / 1e3).toFixed(1));
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const count = (x: number): string => x.toLocaleString('en-US');
/** Windowed steps' fast p99 per window, µs (steps separated by `;`). */
const windows = (steps: readonly FanoutStep[]): string =>
  steps.map((s) => (s.fastWindowP99Ns ?? []).map((ns) => us(ns)).join(' ')).filter((w) => w !== '').join('; ') || '-';

/** The fan-out benchmark's result as text: one row per step, then the targets of issue 3 and the checks. */
export function formatFanoutBench(result: FanoutBenchResult, machine: string): string {
  const o = result.options;
  const header = ['step', 'subscribers', 'offered/s', 'published/s', 'delivered frames/s', 'fast p50 µs', 'fast p99 µs', 'fast p99.9 µs',
    'fast gaps', 'slow gaps', 'engine RSS', 'kept up'];
  const row = (s: FanoutStep): string[] => {
    const fast = s.classes.fast;
    const subscribers = (fast?.subscribers ?? 0) + (s.classes.slow?.subscribers ?? 0) + (s.classes.stalled?.subscribers ?? 0);
    return [
      s.name, count(subscribers), formatRate(s.rateHz), formatRate(s.play.achievedRateHz), formatRate(s.deliveredFramesPerSecond),
      us(fast?.latency.p50Ns ?? 0), us(fast?.latency.p99Ns ?? 0), us(fast?.latency.p999Ns ?? 0), count(fast?.gaps ?? 0),
      s.classes.slow === undefined ? '-' : count(s.classes.slow.gaps), mib(s.engine.maxRssBytes), s.keptUp ? 'yes' : `no: ${s.notKeptUpBecause.join('; ')}`,
    ];
  };
  const rows = [result.baseline, ...result.ratioRounds, ...result.steps].map(row);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  const ratio = result.fastP99RatioWithSlow;
  const withSlow = result.ratioRounds.filter((s) => s.withSlow);
  const withoutSlow = result.ratioRounds.filter((s) => !s.withSlow);
  const rounds = 1 + withSlow.length;
  const rss = result.engineRss;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const delivered = result.deliveredFramesPerSecond;
  return [
    `fan-out benchmark: ${count(o.subscribers)} subscribers (${result.counts.fast} fast, ${result.counts.slow} slow at ` +
      `${count(o.slowBytesPerSecond)} B/s, ${result.counts.stalled} stalled); ${machine}`,
    `engine: the reference broadcaster in its own process, cap ${count(o.capBytes)} bytes per subscriber, policy ${o.policy}; ` +
      `feed: ${count(result.feed.frames)} recorded TRADE/LEVEL_UPDATE/QUOTE frames of a seeded matcher flow over ${result.feed.symbols} symbols (seed ${o.seed}), looped`,
    `subscribers on ${o.workers} + 1 worker threads check framing and sequence on every frame; ` +
      `${Math.min(o.auditedFast, result.counts.fast) === result.counts.fast ? 'all' : count(Math.min(o.auditedFast, result.counts.fast))} fast ones ` +
      `(and every slow one) also check every CRC and rebuild every book; each step ${o.stepMs} ms, ` +
      `kept up = published ≥ ${o.minAchievedRatio * 100}% of offered and every fast subscriber at the head ${o.drainMs} ms after the step`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ...(result.slowFill === null ? [] : [`before step 1: the feed played at ${formatRate(result.slowFill.rateHz)}/s for ${count(result.slowFill.ms)} ms, ` +
      `until the engine had dropped frames for ${result.slowFill.dropping} of the ${result.slowFill.subscribers} slow and stalled subscribers ` +
      `(their socket buffers full: the steady state the steps measure)`]),
    `highest rate kept up: ${result.highestKeptUpRateHz === null ? 'none' : `${formatRate(result.highestKeptUpRateHz)} frames/s to each subscriber`}`,
    `delivered in total at that rate: ${delivered === null ? '-' : `${formatRate(delivered)} frames/s`} (target ≥ 20 M: ${verdict(delivered !== null && delivered >= 20e6)})`,
    `fast p99 with the slow and stalled subscribers / without, at ${formatRate(o.ratesHz[0] ?? 0)}/s ` +
      `(medians of ${o.ratioWindows} windows of ${count(o.ratioWindowMs)} ms ${rounds === 1 ? 'in one round' : `in each of ${rounds} rounds`}: ` +
      `${windows([...withSlow, ...result.steps.slice(0, 1)])} / ${windows([result.baseline, ...withoutSlow])} µs): ` +
      `${ratio === null ? '-' : `${ratio.toFixed(2)}x`} (target ≤ 1.10: ${[result.baseline, ...result.ratioRounds].every((s) => s.keptUp) && result.steps[0]?.keptUp === true
        ? verdict(ratio !== null && ratio <= 1.1) : 'not comparable, the baseline or the first step was not kept up'})`,
    `fast gaps while keeping up: ${result.fastGaps} (target 0: ${verdict(result.fastGaps === 0)})`,
    `engine RSS, highest sampled: ${mib(rss.maxBytes)} (target < caps + 200 MB = ${mib(rss.limitBytes)}: ${verdict(rss.maxBytes < rss.limitBytes)})`,
    `books: ${result.books.equal} of ${result.books.compared} fast subscribers' exact books equal the engine's` +
      `${result.books.inexact > 0 ? `; ${result.books.inexact} not exact at the end` : ''}${result.books.caughtUp ? '' : '; the fast subscribers had not all caught up'}`,
    '',
    result.problems.length === 0
      ? 'check: no CRC or protocol error, no snapshot mismatch, no fast gap while keeping up, every fast book equal to the engine\'s'
      : `check FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
  ].join('\n');
}
