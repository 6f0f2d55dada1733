/**
 * E-divisive means: change points in a series by energy statistics (Matteson & James 2014, "A
 * nonparametric approach for multiple change point analysis of multivariate data"), the method
 * MongoDB's signal-processing-algorithms and Hunter run over nightly performance results.
 *
 * Hand-written: npm has no maintained implementation (`e-divisive`, `edivisive`, `changepoint`,
 * `changepoint-detection` do not exist; nothing in the registry's list implements it), and the
 * method is small: one O(n²) scan per segment and a permutation test.
 *
 * How it works, on a series z of n nightly values:
 * 1. For a segment [s, e) and every split τ leaving at least `minSegment` values on each side,
 *    with X = z[s, τ) (m values) and Y = z[τ, e) (n values):
 *      Ê(X, Y) = 2/(mn)·Σ|x−y| − 2/(m(m−1))·Σ_{x<x'}|x−x'| − 2/(n(n−1))·Σ_{y<y'}|y−y'|
 *      q(τ)    = mn/(m+n) · Ê
 *    Ê is the energy distance (α = 1): zero when X and Y come from the same distribution, larger
 *    the more they differ, in mean or in shape; the weight favours splits with evidence on both
 *    sides. The split is the τ of largest q (κ, the end of Y, is the segment's end, as in MongoDB's
 *    implementation).
 * 2. Recursive bisection: the segments are those between the change points found so far; the
 *    candidate is the best split of any segment.
 * 3. Significance by permutation: shuffle the values within every segment (seeded), take the
 *    largest q over all segments again, R times; p = (1 + #{q_perm ≥ q}) / (1 + R). The candidate
 *    is a change point when p ≤ alpha; then back to 2, else stop. (The permutations stop as soon as
 *    enough of them reached q for p to exceed alpha: the decision is the same, and cheaper.)
 * A steady drift has no single step, but the two halves of a long enough drift differ, so it is
 * split too once its cumulative shift stands out of the noise (see the tests and the README for
 * the smallest drift caught).
 */
import { Rng } from '../../harness/generate/Rng.js';

/** Options of {@link eDivisive}; each documents its default ({@link E_DIVISIVE_DEFAULTS}). */
export interface EDivisiveOptions {
  /** Significance level of the permutation test. Default 0.01. */
  readonly alpha?: number;
  /**
   * Permutations per candidate; p can be no smaller than 1/(1 + permutations). Default 999 (smallest p 0.001): with 199
   * the estimate of a p near alpha is too rough (a 4-night step at the end of 12 nights has p ≈ 0.004 and was missed by
   * one seed in three); the test stops early once p is sure to exceed alpha, so the extra permutations cost little.
   */
  readonly permutations?: number;
  /** Seed of the permutations: same series, options and seed, same change points. Default 1. */
  readonly seed?: number;
  /** Stream of the seed ({@link Rng}); give each series its own so that results do not depend on which others are analysed. Default 0. */
  readonly stream?: number;
  /** Fewest values on either side of a change point (at least 2: Ê needs a pair on each side). Default 3. */
  readonly minSegment?: number;
}

export const E_DIVISIVE_DEFAULTS = { alpha: 0.01, permutations: 999, seed: 1, stream: 0, minSegment: 3 } as const;

/** One change point: the series is different from `index` on. */
export interface ChangePointFound {
  /** The first index of the new segment. */
  readonly index: number;
  /** The permutation p-value it was accepted with. */
  readonly pValue: number;
  /** Its statistic q (scaled energy distance between the two sides, in the series' units). */
  readonly q: number;
}

interface Split {
  readonly index: number;
  readonly q: number;
}

/**
 * The best split of z[start, end): the index of largest q, or null when the segment is too short
 * to split. O((end − start)²): moving one value from Y to X changes the three sums by its distances
 * to the rest, so each τ costs one pass.
 */
function bestSplit(z: Float64Array, start: number, end: number, minSegment: number): Split | null {
  if (end - start < 2 * minSegment) return null;
  let across = 0; // Σ |x − y|, x in X, y in Y
  let withinX = 0; // Σ over pairs of X
  let withinY = 0; // Σ over pairs of Y
  for (let i = start; i < end; i++) {
    const v = z[i] as number;
    for (let j = i + 1; j < end; j++) withinY += Math.abs(v - (z[j] as number));
  }
  let best: Split | null = null;
  for (let tau = start; tau < end - minSegment; tau++) {
    // Move z[tau] from Y to X: X = z[start, tau], Y = z[tau + 1, end).
    const v = z[tau] as number;
    let toX = 0;
    let toY = 0;
    for (let i = start; i < tau; i++) toX += Math.abs(v - (z[i] as number));
    for (let j = tau + 1; j < end; j++) toY += Math.abs(v - (z[j] as number));
    withinX += toX;
    withinY -= toY;
    across += toY - toX;
    const m = tau + 1 - start;
    const n = end - tau - 1;
    if (m < minSegment) continue;
    const energy = (2 * across) / (m * n) - (2 * withinX) / (m * (m - 1)) - (2 * withinY) / (n * (n - 1));
    const q = ((m * n) / (m + n)) * energy;
    if (best === null || q > best.q) best = { index: tau + 1, q };
  }
  return best;
}

/** The best split over every segment between `bounds` (sorted, from 0 to the length). */
function bestOverSegments(z: Float64Array, bounds: readonly number[], minSegment: number): Split | null {
  let best: Split | null = null;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const split = bestSplit(z, bounds[k] as number, bounds[k + 1] as number, minSegment);
    if (split !== null && (best === null || split.q > best.q)) best = split;
  }
  return best;
}

/** Fisher-Yates shuffle of z[start, end) in place. */
function shuffle(z: Float64Array, start: number, end: number, rng: Rng): void {
  for (let i = end - 1; i > start; i--) {
    const j = rng.int(start, i);
    const t = z[i] as number;
    z[i] = z[j] as number;
    z[j] = t;
  }
}

/**
 * The change points of `values` by E-divisive means (see the module comment), sorted by index.
 * Values must be finite. Deterministic for given values and options.
 */
export function eDivisive(values: readonly number[], options: EDivisiveOptions = {}): ChangePointFound[] {
  const alpha = options.alpha ?? E_DIVISIVE_DEFAULTS.alpha;
  const permutations = options.permutations ?? E_DIVISIVE_DEFAULTS.permutations;
  const minSegment = options.minSegment ?? E_DIVISIVE_DEFAULTS.minSegment;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be above 0 and below 1, got ${alpha}`);
  if (!(Number.isInteger(permutations) && permutations >= 1)) throw new RangeError(`permutations must be a whole number from 1, got ${permutations}`);
  if (!(Number.isInteger(minSegment) && minSegment >= 2)) throw new RangeError(`minSegment must be a whole number from 2, got ${minSegment}`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('values must be finite numbers');
  const rng = new Rng(options.seed ?? E_DIVISIVE_DEFAULTS.seed, options.stream ?? E_DIVISIVE_DEFAULTS.stream);
  const z = Float64Array.from(values);
  const shuffled = new Float64Array(z.length);
  const bounds = [0, z.length];
  const found: ChangePointFound[] = [];
  for (;;) {
    const candidate = bestOverSegments(z, bounds, minSegment);
    // q ≤ 0: the two sides are no further apart than the values within them (e.g. a constant series).
    if (candidate === null || !(candidate.q > 0)) break;
    let atLeast = 0;
    // Once this many permutations reach q, p > alpha whatever the rest give: stop there (the usual, non-significant, case is cheap).
    const enough = Math.floor(alpha * (1 + permutations));
    for (let r = 0; r < permutations && atLeast < enough; r++) {
      shuffled.set(z);
      for (let k = 0; k + 1 < bounds.length; k++) shuffle(shuffled, bounds[k] as number, bounds[k + 1] as number, rng);
      const permuted = bestOverSegments(shuffled, bounds, minSegment);
      // A relative tolerance, so that a permutation reproducing the same q (ties) counts as at least as large.
      if (permuted !== null && permuted.q >= candidate.q * (1 - 1e-12)) atLeast++;
    }
    if (atLeast >= enough) break;
    const pValue = (1 + atLeast) / (1 + permutations);
    if (pValue > alpha) break;
    found.push({ index: candidate.index, pValue, q: candidate.q });
    bounds.push(candidate.index);
    bounds.sort((a, b) => a - b);
  }
  return found.sort((a, b) => a.index - b.index);
}
