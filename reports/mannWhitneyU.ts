import { errorFunction, wilcoxonRankSum } from 'simple-statistics';

/** A two-sided Mann-Whitney U test of two independent samples. */
export interface MannWhitneyResult {
  /** U of sample `a`: how often a value of `a` exceeds one of `b` (ties count half). */
  readonly u: number;
  /** Probability of a U at least this far from its mean if both samples came from one distribution. */
  readonly pValue: number;
  /** `exact`: the permutation distribution of the rank sum (small samples); `normal`: the normal approximation. */
  readonly method: 'exact' | 'normal';
}

/** Largest n1 + n2 for which the exact distribution is computed (C(40, 20) ≈ 1.4e11 subsets: still exact in a double). */
export const EXACT_MAX_VALUES = 40;

/**
 * The smallest two-sided p-value a Mann-Whitney test of n1 against n2 distinct values can give
 * (the two samples completely separated): 2 / C(n1 + n2, n1). A test whose threshold is below it
 * cannot find anything, whatever the data: callers say "too little data" instead of testing.
 */
export function smallestTwoSidedPValue(n1: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  // C(n1 + n2, min(n1, n2)) as a running product (exact in a double at these sizes).
  let subsets = 1;
  for (let i = 1; i <= Math.min(n1, n2); i++) subsets = (subsets * (n1 + n2 - Math.min(n1, n2) + i)) / i;
  return Math.min(1, 2 / subsets);
}

/** Mid-ranks (1-based, ties at their mean rank) of `values`, doubled so they are integers. */
function doubledRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(values.length).fill(0);
  for (let i = 0; i < order.length;) {
    let j = i + 1;
    while (j < order.length && order[j]?.[0] === order[i]?.[0]) j++;
    // Ranks i+1 … j share their mean (i+1+j)/2; doubled: i+1+j.
    for (let k = i; k < j; k++) out[order[k]?.[1] as number] = i + 1 + j;
    i = j;
  }
  return out;
}

/**
 * Exact two-sided p of the rank sum of the first n1 of `ranks2` (doubled mid-ranks): the share of
 * all C(n, n1) ways to pick n1 ranks whose sum lies at least as far from its mean. A counting
 * table over (picked, sum) — O(n · n1 · Σranks), microseconds at these sizes — rather than listing
 * subsets (simple-statistics' combinations() would build every one of them).
 */
function exactPValue(ranks2: readonly number[], n1: number): number {
  const total = ranks2.reduce((s, r) => s + r, 0);
  // ways[k][s]: subsets of size k with doubled rank sum s.
  const ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(total + 1));
  (ways[0] as Float64Array)[0] = 1;
  for (const r of ranks2) {
    for (let k = n1; k >= 1; k--) {
      const to = ways[k] as Float64Array;
      const from = ways[k - 1] as Float64Array;
      for (let s = total; s >= r; s--) to[s] = (to[s] as number) + (from[s - r] as number);
    }
  }
  const observed = ranks2.slice(0, n1).reduce((s, r) => s + r, 0);
  const mean = (total * n1) / ranks2.length;
  const distance = Math.abs(observed - mean) - 1e-9;
  let extreme = 0;
  let all = 0;
  const last = ways[n1] as Float64Array;
  for (let s = 0; s <= total; s++) {
    const w = last[s] as number;
    all += w;
    if (Math.abs(s - mean) >= distance) extreme += w;
  }
  return Math.min(1, extreme / all);
}

/**
 * Mann-Whitney U (Wilcoxon rank-sum), two-sided. Up to {@link EXACT_MAX_VALUES} values in all the
 * p-value is exact (the permutation distribution of the rank sum, ties at mid-ranks), which is
 * what a comparison of a few repeated runs per side needs: with 5 runs against 5 the normal
 * approximation says p = 0.012 for two completely separated samples, the exact answer is 2/252 =
 * 0.0079. Above that, the normal approximation, tie- and continuity-corrected. simple-statistics
 * gives the rank sum but no p-value, so the distribution is written here.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError(`mannWhitneyU needs values on both sides, got ${n1} and ${n2}`);
  const rankSum = wilcoxonRankSum([...a], [...b]);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  if (n <= EXACT_MAX_VALUES) return { u, pValue: exactPValue(doubledRanks([...a, ...b]), n1), method: 'exact' };
  // Tie correction: sum of t³ − t over groups of equal values.
  const sorted = [...a, ...b].sort((x, y) => x - y);
  let ties = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    ties += t * t * t - t;
    i = j;
  }
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, pValue: 1, method: 'normal' };
  const mean = (n1 * n2) / 2;
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  // Two-sided normal tail from erf (simple-statistics' cumulativeStdNormalProbability is a 2-decimal table that stops near z = 3).
  return { u, pValue: Math.min(1, 1 - errorFunction(z / Math.SQRT2)), method: 'normal' };
}
