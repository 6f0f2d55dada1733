import { errorFunction, wilcoxonRankSum } from 'simple-statistics';

/** A two-sided Mann-Whitney U test of two independent samples. */
export interface MannWhitneyResult {
  /** U of sample `a`: how often a value of `a` exceeds one of `b` (ties count half). */
  readonly u: number;
  /** Probability of a U at least this far from its mean if both samples came from one distribution. */
  readonly pValue: number;
}

/**
 * Mann-Whitney U (Wilcoxon rank-sum) with the normal approximation, tie-corrected and
 * continuity-corrected. simple-statistics gives the rank sum (ties at their mean rank) but no
 * p-value, so the approximation is written here. It is sound from about 5 values per side;
 * callers say "too little data" below that rather than ask it.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError(`mannWhitneyU needs values on both sides, got ${n1} and ${n2}`);
  const rankSum = wilcoxonRankSum([...a], [...b]);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
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
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, pValue: 1 };
  const mean = (n1 * n2) / 2;
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  // Two-sided normal tail from erf (simple-statistics' cumulativeStdNormalProbability is a 2-decimal table that stops near z = 3).
  return { u, pValue: Math.min(1, 1 - errorFunction(z / Math.SQRT2)) };
}
