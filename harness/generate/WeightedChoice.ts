import type { Popularity } from '../scenario/Scenario.js';
import type { Rng } from './Rng.js';

/**
 * Draws index i (from 0) with probability weight[i] / Σ weights: one uniform draw and a binary
 * search over the cumulative weights (O(log n), no allocation per draw).
 */
export class WeightedChoice {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    const problems: string[] = [];
    if (weights.length === 0) problems.push('weights: at least one is needed');
    weights.forEach((w, i) => {
      if (!Number.isFinite(w) || w < 0) problems.push(`weights[${i}]: must be a finite number >= 0, got ${w}`);
    });
    const total = weights.reduce((a, b) => a + b, 0);
    if (problems.length === 0 && !(total > 0)) problems.push('weights: they sum to 0');
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w;
      this.cumulative[i] = sum / total;
    });
    this.cumulative[weights.length - 1] = 1;
  }

  /** Symbols 1..count by popularity: uniform, or Zipf (symbol k has weight 1/k^exponent). Indices are symbolId − 1. */
  static forPopularity(popularity: Popularity, count: number): WeightedChoice {
    const weights = Array.from({ length: count }, (_, i) => (popularity.kind === 'zipf' ? 1 / (i + 1) ** popularity.exponent : 1));
    return new WeightedChoice(weights);
  }

  /** Number of choices. */
  get size(): number {
    return this.cumulative.length;
  }

  /** Probability of index i. */
  probability(i: number): number {
    return (this.cumulative[i] ?? 0) - (i > 0 ? (this.cumulative[i - 1] ?? 0) : 0);
  }

  /** A random index. */
  pick(rng: Rng): number {
    const c = this.cumulative;
    if (c.length === 1) return 0;
    const u = rng.next();
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < (c[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
