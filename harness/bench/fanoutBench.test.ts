import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';
import { emptyFeedCounts } from '../clients/FeedSubscriber.js';
import { encodeLatency, type SubscriberClassResult } from '../clients/SubscriberPoolResult.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import { FANOUT_BENCH_DEFAULTS, fanoutBenchProblems, runFanoutBench, summarizeRun, type FanoutStep } from './fanoutBench.js';
import { formatFanoutBench } from './formatFanoutBench.js';

// The engine process, the pool threads and the CLI run from dist/ (npm test builds first).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const tiny = { subscribers: 20, ratesHz: [500, 1_000], stepMs: 300, warmupMs: 100, drainMs: 300, feedOperationsPerSymbol: 2_000, feedSymbols: 2, workers: 1,
  slowFillMs: 1_500, slowFillRateHz: 5_000, ratioWindows: 3, ratioWindowMs: 300, ratioRounds: 2 };

describe('fan-out benchmark', () => {
  it('runs a tiny fan-out: two rounds without and with the slow ones, then two steps, every check passing', async () => {
    const lines: string[] = [];
    const result = await runFanoutBench({ ...tiny, progress: (line) => lines.push(line) });
    expect(result.problems).toEqual([]);
    expect(result.counts).toEqual({ fast: 15, slow: 4, stalled: 1 });
    expect(result.baseline.withSlow).toBe(false);
    expect(result.baseline.classes.fast?.subscribers).toBe(15);
    expect(result.baseline.classes.slow).toBeUndefined();
    expect(result.steps.map((s) => [s.rateHz, s.withSlow])).toEqual([[500, true], [1_000, true]].slice(0, result.steps.length));
    const first = result.steps[0];
    expect(first?.classes.slow?.subscribers).toBe(4);
    expect(first?.classes.stalled?.subscribers).toBe(1);
    // Every frame the engine published in the step reached every fast subscriber.
    for (const s of [result.baseline, ...result.steps.filter((x) => x.keptUp)]) {
      expect(s.classes.fast?.feedFrames).toBe(15 * s.play.frames);
      expect(s.classes.fast?.latency.count).toBe(15 * s.play.frames);
      expect(s.classes.fast?.behindHeadFrames).toBe(0);
      expect(s.deliveredFrames).toBeGreaterThanOrEqual(15 * s.play.frames);
    }
    expect(result.books.compared).toBe(15 * 2);
    expect(result.books.equal).toBe(result.books.compared);
    expect(result.engineRss.limitBytes).toBe(20 * FANOUT_BENCH_DEFAULTS.capBytes + 200 * 1024 * 1024);
    expect(result.engineRss.maxBytes).toBeGreaterThan(0);
    // Round 1: baseline, then step 1 with a first set of slow ones; they were disconnected, and round 2 ran without them
    // (the engine had the fast ones only), then with a fresh set: the ladder's step 1.
    const [with1, without2] = result.ratioRounds;
    expect(result.ratioRounds.map((s) => [s.rateHz, s.withSlow])).toEqual([[500, true], [500, false]]);
    expect(with1?.classes.slow?.subscribers).toBe(4);
    expect(without2?.classes.slow).toBeUndefined();
    expect(without2?.engine.subscribers).toBe(15);
    expect(first?.engine.subscribers).toBe(20);
    // Each ran three windows; the ratio is of the medians of both rounds' windows, with over without.
    const median = (xs: readonly number[]): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      return ((sorted[2] as number) + (sorted[3] as number)) / 2;
    };
    for (const s of [result.baseline, with1, without2, first]) expect(s?.fastWindowP99Ns).toHaveLength(3);
    expect(result.steps[1]?.fastWindowP99Ns).toBeUndefined();
    const withP99 = median([...(with1?.fastWindowP99Ns ?? []), ...(first?.fastWindowP99Ns ?? [])]);
    const withoutP99 = median([...(result.baseline.fastWindowP99Ns ?? []), ...(without2?.fastWindowP99Ns ?? [])]);
    expect(result.fastP99RatioWithSlow).toBeCloseTo(withP99 / withoutP99, 9);
    expect(lines.filter((l) => l.startsWith('baseline (fast only) (round ')).length).toBe(2);
    expect(lines.filter((l) => l.startsWith('fill: ')).length).toBe(2);
    // The fill ran after the slow and stalled subscribers connected, in whole plays of at most 1.5 s in all (plus one play's overrun).
    expect(result.slowFill).toMatchObject({ rateHz: 5_000, subscribers: 5 });
    expect(result.slowFill?.ms).toBeGreaterThanOrEqual(1_000);
    expect(result.slowFill?.ms).toBeLessThan(4_000);
    expect(lines.some((l) => l.startsWith('fill: 5.0 k/s for '))).toBe(true);
    const text = formatFanoutBench(result, 'test machine');
    expect(text).toContain('| baseline (fast only) (round 2 of 2) | 15');
    expect(text).toContain('in each of 2 rounds');
    expect(text).toContain('check: no CRC or protocol error');
  });

  it('fails the checks on a fast gap while keeping up, a protocol error or a book that differs from the engine\'s', () => {
    const step = (name: string, keptUp: boolean, fastGaps: number): FanoutStep => ({
      name, rateHz: 1_000, withSlow: true, play: { offeredRateHz: 1_000, frames: 100, elapsedMs: 100, achievedRateHz: 1_000, flushes: 10, lastSequence: 100 },
      deliveredFrames: 100, deliveredFramesPerSecond: 1_000, engineFramesSentPerSecond: 1_000, keptUp, notKeptUpBecause: keptUp ? [] : ['slow'],
      classes: { fast: { subscribers: 1, active: 1, feedFrames: 100, gaps: fastGaps, gapFrames: fastGaps * 3, protocolErrors: 0, snapshotsReceived: 0,
        disconnects: 0, behindHeadFrames: 0, latency: { count: 1, minNs: 1, meanNs: 1, p50Ns: 1, p90Ns: 1, p99Ns: 1, p999Ns: 1, p9999Ns: 1, maxNs: 1 } } },
      engine: { rssBytes: 1, maxRssBytes: 1, lastSequence: 100, subscribers: 1, framesSent: 100, bytesSent: 1, framesDropped: 0, snapshotsAnswered: 0,
        maxQueuedBytes: 0, disconnects: {}, subscribersDropping: 0 },
    });
    const fast = (books: Record<string, Record<string, number>>, protocolErrors = 0): SubscriberClassResult => ({
      class: 'fast', subscribers: 1, active: 1, counts: { ...emptyFeedCounts(), protocolErrors, checksumErrors: protocolErrors }, endReasons: {},
      errors: protocolErrors > 0 ? ['client 1: ChecksumMismatch: …'] : [], latencyHistogram: encodeLatency(latencyHistogram()),
      minLastFeedSequence: 100, maxLastFeedSequence: 100, books, inexactBooks: 0,
    });
    const base = { options: FANOUT_BENCH_DEFAULTS, counts: { fast: 1, slow: 0, stalled: 0 }, feed: { frames: 1, symbols: 1 }, engineClockOffsetNs: 0,
      digests: { 1: 'a' }, caughtUp: true, finalSample: step('x', true, 0).engine, slowFill: null, ratioRounds: [] };
    const ok = summarizeRun({ ...base, baseline: step('baseline', true, 0), steps: [step('step 1', true, 0), step('step 2', false, 9)], finals: [fast({ 1: { a: 1 } })] });
    expect(ok.problems).toEqual([]);
    expect(ok.highestKeptUpRateHz).toBe(1_000);
    expect(ok.fastGaps).toBe(0);
    const bad = summarizeRun({ ...base, baseline: step('baseline', true, 0), steps: [step('step 1', true, 2)], finals: [fast({ 1: { b: 1 } }, 1)] });
    expect(bad.problems).toEqual([
      'fast subscribers: 1 protocol errors (1 CRC): client 1: ChecksumMismatch: …',
      'step 1: fast subscribers saw 2 gaps (6 frames) while keeping up',
      '1 fast subscribers\' rebuilt book of symbol 1 (b) differs from the engine\'s (a)',
    ]);
    // Every round counts: a gap in an earlier round fails the run, and the ratio pools the rounds' windows.
    const windowed = (name: string, withSlow: boolean, p99s: number[], gaps = 0): FanoutStep => ({ ...step(name, true, gaps), withSlow, fastWindowP99Ns: p99s });
    const rounds = summarizeRun({ ...base, baseline: windowed('baseline', false, [10, 30]),
      ratioRounds: [windowed('step 1 (round 1)', true, [40, 12], 1), windowed('baseline (round 2)', false, [20, 50])],
      steps: [windowed('step 1 (round 2)', true, [14, 100])], finals: [fast({ 1: { a: 1 } })] });
    expect(rounds.problems).toEqual(['step 1 (round 1): fast subscribers saw 1 gaps (3 frames) while keeping up']);
    expect(rounds.fastP99RatioWithSlow).toBeCloseTo(((14 + 40) / 2) / ((20 + 30) / 2), 9);
  });

  it('names every bad option', () => {
    expect(fanoutBenchProblems({ ...FANOUT_BENCH_DEFAULTS, subscribers: 0, ratesHz: [10, 5], slowFraction: 0.9, stalledFraction: 0.2 })).toEqual([
      'subscribers must be an integer ≥ 1, got 0',
      'slowFraction + stalledFraction must leave fast subscribers, got 1.1',
      'ratesHz must be ascending',
    ]);
  });

  it('prints one JSON object from `matchbench bench fanout --json` and exits 0; bad flags exit 2', () => {
    const r = spawnSync(process.execPath, [cli, 'bench', 'fanout', '--subscribers', '10', '--rates', '500', '--step-ms', '200', '--warmup-ms', '0',
      '--ratio-windows', '1', '--ratio-window-ms', '200', '--slow-fill-ms', '0', '--json'],
      { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toContain('baseline (fast only)');
    expect(r.status).toBe(ExitCode.Ok);
    const result = JSON.parse(r.stdout) as { benchmark: string; problems: string[]; steps: unknown[] };
    expect(result.benchmark).toBe('fanout');
    expect(result.problems).toEqual([]);
    expect(result.steps).toHaveLength(1);
    const bad = spawnSync(process.execPath, [cli, 'bench', 'fanout', '--subscribers', '0', '--rates', '5', '2'], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(ExitCode.Usage);
    expect(bad.stderr).toMatch(/--subscribers must be an integer ≥ 1, got 0/);
    expect(bad.stderr).toMatch(/--rates must be ascending/);
  });
});
