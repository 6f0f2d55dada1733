import * as hdr from 'hdr-histogram-js';
import { Rng } from '../harness/generate/Rng.js';

/** Options of {@link bootstrapPercentileDifference}; each documents its default. */
export interface BootstrapOptions {
  /** Resamples. Default {@link BOOTSTRAP_DEFAULTS}. */
  readonly resamples?: number;
  /** Two-sided confidence level. Default 0.95. */
  readonly confidence?: number;
  /** Seed of the resampling (harness/generate/Rng.ts): the same inputs and seed give the same interval. Default 1. */
  readonly seed?: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 1_000, confidence: 0.95, seed: 1 } as const satisfies Required<BootstrapOptions>;

/** A confidence interval of candidate − baseline, in ns. */
export interface DifferenceInterval {
  readonly lowNs: number;
  readonly highNs: number;
  readonly confidence: number;
}

/** A histogram's recorded values as parallel arrays (bucket value, count): the resampling works on these. */
function buckets(histogram: hdr.Histogram): { values: number[]; counts: number[] } {
  const values: number[] = [];
  const counts: number[] = [];
  if (!(histogram instanceof hdr.JsHistogram)) throw new TypeError('bootstrapPercentileDifference needs JS histograms');
  const it = histogram.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    values.push(histogram.highestEquivalentValue(v.valueIteratedTo));
    counts.push(v.countAtValueIteratedTo);
  }
  return { values, counts };
}

/** The value at `percentile` of the blocks picked, added together (a sort of their buckets, then a walk). */
function percentileOf(blocks: readonly { values: number[]; counts: number[] }[], picks: Int32Array, percentile: number): number {
  const merged = new Map<number, number>();
  let total = 0;
  for (const index of picks) {
    const block = blocks[index];
    if (block === undefined) continue;
    for (let i = 0; i < block.values.length; i++) {
      const v = block.values[i] as number;
      const c = block.counts[i] as number;
      merged.set(v, (merged.get(v) ?? 0) + c);
      total += c;
    }
  }
  const target = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (const v of [...merged.keys()].sort((x, y) => x - y)) {
    seen += merged.get(v) as number;
    if (seen >= target) return v;
  }
  return 0;
}

/**
 * A bootstrap confidence interval for the difference of one percentile (candidate − baseline)
 * between two sets of per-second histograms: each resample draws as many seconds as each side has,
 * with replacement (a block bootstrap with 1 s blocks, which keeps the within-second correlation
 * of latencies), adds them and reads the percentile; the interval is the percentile interval of
 * the differences. Hand-written over bucket arrays because adding whole HdrHistograms a thousand
 * times per metric is too slow. Null when a side has fewer than 2 non-empty seconds.
 */
export function bootstrapPercentileDifference(baseline: readonly hdr.Histogram[], candidate: readonly hdr.Histogram[], percentile: number,
  options: BootstrapOptions = {}): DifferenceInterval | null {
  const a = baseline.filter((h) => h.totalCount > 0).map(buckets);
  const b = candidate.filter((h) => h.totalCount > 0).map(buckets);
  if (a.length < 2 || b.length < 2) return null;
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const confidence = options.confidence ?? BOOTSTRAP_DEFAULTS.confidence;
  const rng = new Rng(options.seed ?? BOOTSTRAP_DEFAULTS.seed);
  const pa = new Int32Array(a.length);
  const pb = new Int32Array(b.length);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < pa.length; i++) pa[i] = rng.int(0, a.length - 1);
    for (let i = 0; i < pb.length; i++) pb[i] = rng.int(0, b.length - 1);
    differences[r] = percentileOf(b, pb, percentile) - percentileOf(a, pa, percentile);
  }
  differences.sort();
  const tail = (1 - confidence) / 2;
  const at = (q: number): number => differences[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return { lowNs: at(tail), highNs: at(1 - tail), confidence };
}
