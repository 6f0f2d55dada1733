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

/** A second's buckets as positions in the shared, sorted list of every bucket value (see {@link percentileOf}). */
interface Block {
  readonly slots: Int32Array;
  readonly counts: Float64Array;
  readonly total: number;
}

/**
 * Turns per-second bucket lists into {@link Block}s over one sorted list of every bucket value seen,
 * so that a resample adds counts into a flat array and walks it once: no map, no sort per resample.
 */
function toBlocks(lists: readonly { values: number[]; counts: number[] }[], slotOf: ReadonlyMap<number, number>): Block[] {
  return lists.map((l) => ({
    slots: Int32Array.from(l.values, (v) => slotOf.get(v) as number),
    counts: Float64Array.from(l.counts),
    total: l.counts.reduce((t, c) => t + c, 0),
  }));
}

/**
 * The value at `percentile` of the blocks picked, added together. Hand-written over flat arrays
 * because it runs resamples × metrics times (a thousand per p99 row): adding HdrHistograms, or a
 * Map and a sort per resample, made `matchbench compare` of ten runs take seconds.
 */
function percentileOf(blocks: readonly Block[], picks: Int32Array, percentile: number, values: Float64Array, scratch: Float64Array): number {
  scratch.fill(0);
  let total = 0;
  for (const index of picks) {
    const block = blocks[index] as Block;
    for (let i = 0; i < block.slots.length; i++) {
      const slot = block.slots[i] as number;
      scratch[slot] = (scratch[slot] as number) + (block.counts[i] as number);
    }
    total += block.total;
  }
  const target = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (let slot = 0; slot < scratch.length; slot++) {
    seen += scratch[slot] as number;
    if (seen >= target) return values[slot] as number;
  }
  return 0;
}

/**
 * A bootstrap confidence interval for the difference of one percentile (candidate − baseline)
 * between two sets of per-second histograms: each resample draws as many seconds as each side has,
 * with replacement (a block bootstrap with 1 s blocks, which keeps the within-second correlation
 * of latencies), adds them and reads the percentile; the interval is the percentile interval of
 * the differences. Null when a side has fewer than 2 non-empty seconds.
 */
export function bootstrapPercentileDifference(baseline: readonly hdr.Histogram[], candidate: readonly hdr.Histogram[], percentile: number,
  options: BootstrapOptions = {}): DifferenceInterval | null {
  const la = baseline.filter((h) => h.totalCount > 0).map(buckets);
  const lb = candidate.filter((h) => h.totalCount > 0).map(buckets);
  if (la.length < 2 || lb.length < 2) return null;
  const values = Float64Array.from(new Set([...la, ...lb].flatMap((l) => l.values))).sort();
  const slotOf = new Map<number, number>();
  values.forEach((v, i) => slotOf.set(v, i));
  const a = toBlocks(la, slotOf);
  const b = toBlocks(lb, slotOf);
  const scratch = new Float64Array(values.length);
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const confidence = options.confidence ?? BOOTSTRAP_DEFAULTS.confidence;
  const rng = new Rng(options.seed ?? BOOTSTRAP_DEFAULTS.seed);
  const pa = new Int32Array(a.length);
  const pb = new Int32Array(b.length);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < pa.length; i++) pa[i] = rng.int(0, a.length - 1);
    for (let i = 0; i < pb.length; i++) pb[i] = rng.int(0, b.length - 1);
    differences[r] = percentileOf(b, pb, percentile, values, scratch) - percentileOf(a, pa, percentile, values, scratch);
  }
  differences.sort();
  const tail = (1 - confidence) / 2;
  const at = (q: number): number => differences[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return { lowNs: at(tail), highNs: at(1 - tail), confidence };
}
