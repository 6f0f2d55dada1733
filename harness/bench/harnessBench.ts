import { measureFlowRate, type FlowRateResult } from '../generate/measureFlowRate.js';
import { HistogramSet } from '../record/HistogramSet.js';
import { IntervalSeries } from '../record/IntervalSeries.js';

/** Options of {@link runHarnessBench}; each documents its default. */
export interface HarnessBenchOptions {
  /** Values recorded per repetition of the recording measurement. Default 5,000,000. */
  readonly values: number;
  /** Repetitions of each measurement; the median is reported. Default 5. */
  readonly repetitions: number;
  readonly seed: number;
  /** Orders generated per repetition of the flow measurement; default the example scenario's whole run. */
  readonly flowOrders?: number;
}

export const HARNESS_BENCH_DEFAULTS: HarnessBenchOptions = { values: 5_000_000, repetitions: 5, seed: 1 };

export interface HarnessBenchResult {
  /** Order generation: ClientFlow over the example scenario, everything a run does per order (hash included). */
  readonly flow: FlowRateResult;
  /** ns per value recorded the way a driver records it (total histogram + per-second interval). */
  readonly recordNsRuns: readonly number[];
  readonly recordNs: number;
  /** Values recorded, to prove the work was done (every repetition must hold all of them). */
  readonly recordedPerRun: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/**
 * What the harness itself costs per order: orders generated per second, and the cost of recording
 * one latency value (into the run's histogram and its per-second interval, as OrderEntryDriver
 * does). Values follow a log-normal-ish spread from µs to tens of ms so the histogram's buckets
 * are exercised as in a real run.
 */
export function runHarnessBench(overrides: Partial<HarnessBenchOptions> = {}): HarnessBenchResult {
  const o = { ...HARNESS_BENCH_DEFAULTS, ...overrides };
  const flow = measureFlowRate({ seed: o.seed, repetitions: o.repetitions, ...(o.flowOrders === undefined ? {} : { maxOrders: o.flowOrders }) });
  const runs: number[] = [];
  let recordedPerRun = 0;
  for (let r = 0; r < o.repetitions + 1; r++) {
    const total = new HistogramSet();
    const intervals = new IntervalSeries();
    const values = new Float64Array(4096);
    let x = o.seed * 2654435761 % 4294967296;
    for (let i = 0; i < values.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      values[i] = Math.exp(7 + 10 * (x / 2147483648));
    }
    const start = performance.now();
    for (let i = 0; i < o.values; i++) {
      const v = values[i & 4095] as number;
      total.record('order_rtt', v);
      intervals.record(i / 1_000, 'order_rtt', v);
    }
    const ns = ((performance.now() - start) * 1e6) / o.values;
    recordedPerRun = total.get('order_rtt').totalCount;
    if (recordedPerRun !== o.values) throw new Error(`recorded ${recordedPerRun} of ${o.values} values`);
    if (r > 0) runs.push(ns);
  }
  return { flow, recordNsRuns: runs, recordNs: median(runs), recordedPerRun };
}
