import path from 'node:path';
import { Rng } from '../../harness/generate/Rng.js';
import { HistogramSet } from '../../harness/record/HistogramSet.js';
import { IntervalSeries } from '../../harness/record/IntervalSeries.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, type RunResult } from '../RunResult.js';
import { writeRunDirectory } from '../writers/writeRunDirectory.js';

/** What a synthetic run measured; each field documents its default. */
export interface SyntheticRun {
  readonly scenario: string;
  readonly seed: number;
  /** ISO start time. */
  readonly startedAt: string;
  /** Default 'c0ffee'. */
  readonly gitCommit?: string;
  /** Centre of the order round trips, ns: values are spread uniformly over ±20% of it. */
  readonly orderRttNs: number;
  /** Order answers per second (what compare and history read as throughput). Default 100. */
  readonly ratePerSecond?: number;
  /** Seconds of the run (the last is partial, as in a real run). Default 4. */
  readonly seconds?: number;
  /** Feed counts per subscriber class. Default none. */
  readonly feed?: Readonly<Record<string, { readonly gaps: number; readonly drops: number }>>;
  /** Default none. */
  readonly errors?: readonly string[];
}

/**
 * Writes a run directory (with {@link writeRunDirectory}, as `matchbench run` does) for a run that
 * never happened: a RunResult whose histograms and interval log hold seeded order round trips at
 * the given centre and rate. For tests of what reads run directories (history, compare).
 */
export function writeSyntheticRun(dir: string, run: SyntheticRun): void {
  const rng = new Rng(run.seed, 7);
  const seconds = run.seconds ?? 4;
  const rate = run.ratePerSecond ?? 100;
  const intervals = new IntervalSeries();
  for (let s = 0; s < seconds; s++) {
    // The last second is partial: a quarter of the rate.
    const count = s === seconds - 1 ? Math.ceil(rate / 4) : rate;
    for (let k = 0; k < count; k++) {
      const atMs = s * 1_000 + (1_000 * k) / count;
      const rttNs = run.orderRttNs * (0.8 + 0.4 * rng.next());
      intervals.record(atMs, 'order_rtt', rttNs);
      intervals.record(atMs, 'order_service_time', rttNs * 0.9);
    }
  }
  const histograms = new HistogramSet();
  for (const { set } of intervals.entries()) histograms.add(set);
  const feed = Object.fromEntries(Object.entries(run.feed ?? {}).map(([c, f]) => [c, { subscribers: 1, frames: 1_000, bytes: 100_000,
    gaps: f.gaps, gapFrames: f.gaps, drops: f.drops, disconnects: 0, reconnects: 0, snapshots: 0, protocolErrors: 0 }]));
  const startMs = Date.parse(run.startedAt);
  const durationMs = seconds * 1_000 - 750;
  const sent = histograms.get('order_rtt').totalCount;
  const result: RunResult = {
    schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION, verdict: 'passed',
    identity: { matchbenchVersion: '0.1.0', gitCommit: run.gitCommit ?? 'c0ffee', nodeVersion: process.version, cpuModel: 'synthetic',
      cpuCount: 2, platform: 'linux', totalMemoryBytes: 1, command: 'synthetic' },
    scenario: { name: run.scenario, file: `${run.scenario}.yaml`, hash: `hash-${run.scenario}`, description: 'synthetic' },
    seed: run.seed, streamHash: 'synthetic', target: { kind: 'inproc', description: 'synthetic' }, finalStateHash: null,
    startedAt: run.startedAt, endedAt: new Date(startMs + durationMs).toISOString(), durationMs, interrupted: false,
    phases: [{ name: 'only', startMs: 0, durationMs, offered: sent, offeredRate: rate, sent, achievedRate: rate, latency: {} }],
    orders: { generated: sent, sent, byKind: { limit: sent }, acked: sent, fills: 0, canceled: 0, replaced: 0, rejected: 0, rejectsByReason: {},
      unanswered: 0, backpressured: 0 },
    arrivals: { samples: sent, ksStatistic: 0.01, pValue: 0.5, passed: true, note: '' },
    latency: histograms.summaries(), histograms: histograms.encode(), feed,
    invariants: { checked: 'synthetic', violations: [] }, thresholds: [], knee: null,
    processCpu: { userMs: 1, systemMs: 1, coresUsed: 0.1, engineInProcess: true }, errors: [...(run.errors ?? [])],
  };
  writeRunDirectory(dir, result, intervals, startMs);
}

/** The start of night `k` after `firstNight` (a UTC date), at 02:00 plus `minutes`. */
export function nightStart(firstNight: string, k: number, minutes = 0): string {
  return new Date(Date.parse(`${firstNight}T02:00:00Z`) + k * 86_400_000 + minutes * 60_000).toISOString();
}

/** The shape of {@link writeSyntheticNightly}'s history. */
export const NIGHTLY = { nights: 14, stepNight: 8, rateStepNight: 6 } as const;
const { nights: NIGHTS, stepNight: STEP_NIGHT, rateStepNight: RATE_STEP_NIGHT } = NIGHTLY;

/**
 * Two scenarios, laid out as a nightly job does (`<night>/<scenario>-<seed>/`), two repeats a night:
 * `steady-x`, whose order round trip rises by 30% from night 8 (built from another commit), and
 * `rate-y`, whose throughput falls from 100/s to 80/s from night 6 while its latency improves (20%).
 * The night directories are named so that their names sort differently from their dates.
 */
export function writeSyntheticNightly(root: string): void {
  for (let night = 0; night < NIGHTS; night++) {
    const dir = path.join(root, `night-${(NIGHTS - night) * 7}`);
    for (let repeat = 0; repeat < 2; repeat++) {
      const seed = 1_000 + night * 10 + repeat;
      const startedAt = nightStart('2026-11-01', night, repeat * 5);
      writeSyntheticRun(path.join(dir, `steady-x-${seed}`), { scenario: 'steady-x', seed, startedAt,
        gitCommit: night >= STEP_NIGHT ? 'bbbbbbbbbbbbbbbb' : 'aaaaaaaaaaaaaaaa', orderRttNs: night >= STEP_NIGHT ? 1_300_000 : 1_000_000,
        feed: { fast: { gaps: 0, drops: 0 } } });
      writeSyntheticRun(path.join(dir, `rate-y-${seed}`), { scenario: 'rate-y', seed, startedAt,
        ratePerSecond: night >= RATE_STEP_NIGHT ? 80 : 100, orderRttNs: night >= RATE_STEP_NIGHT ? 800_000 : 1_000_000 });
    }
  }
}

