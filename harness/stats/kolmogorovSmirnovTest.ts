/** Result of a one-sample Kolmogorov-Smirnov test. */
export interface KsResult {
  /** Sample size. */
  readonly n: number;
  /** D = sup |F_n(x) − F(x)|. */
  readonly statistic: number;
  /** P(D ≥ statistic) if the sample came from F (Kolmogorov distribution, Stephens' small-n correction). */
  readonly pValue: number;
}

/**
 * One-sample Kolmogorov-Smirnov test of `samples` against the continuous CDF `cdf`.
 *
 * Hand-written: simple-statistics (our statistics dependency) has no KS test and no Kolmogorov
 * distribution; this is the textbook statistic plus the series below, about 40 lines.
 */
export function kolmogorovSmirnovTest(samples: ArrayLike<number>, cdf: (x: number) => number): KsResult {
  const n = samples.length;
  if (n === 0) throw new RangeError('kolmogorovSmirnovTest: no samples');
  const sorted = Float64Array.from(samples).sort();
  if (Number.isNaN(sorted[n - 1])) throw new RangeError('kolmogorovSmirnovTest: samples contain NaN');
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i] as number);
    const above = (i + 1) / n - f;
    const below = f - i / n;
    if (above > d) d = above;
    if (below > d) d = below;
  }
  const sqrtN = Math.sqrt(n);
  return { n, statistic: d, pValue: kolmogorovSurvival((sqrtN + 0.12 + 0.11 / sqrtN) * d) };
}

/**
 * Q(λ) = P(K > λ) for the Kolmogorov distribution K (the limit of √n·D). Two series, each used
 * where it converges in a few terms: Q = 2 Σ (−1)^(k−1) e^(−2k²λ²) for λ ≥ 1.18, and
 * 1 − (√(2π)/λ) Σ e^(−(2k−1)²π²/(8λ²)) below (Numerical Recipes §14.3 / Marsaglia et al.).
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    // Terms y^1, y^9, y^25, y^49: y < 0.42 here, so four terms reach 1e-16.
    const sum = y + y ** 9 + y ** 25 + y ** 49;
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += sign * term;
    if (term < 1e-17) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** The exponential CDF with rate `rate` (mean 1/rate). */
export function exponentialCdf(rate: number): (x: number) => number {
  return (x) => (x <= 0 ? 0 : -Math.expm1(-rate * x));
}
