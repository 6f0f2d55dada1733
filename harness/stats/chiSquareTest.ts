import { chiSquaredDistributionTable } from 'simple-statistics';

/** A Pearson chi-square goodness-of-fit result. */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** The statistic's critical value at `alpha` (simple-statistics' table). */
  readonly critical: number;
  readonly alpha: number;
  /** statistic > critical: the counts do not fit the expected probabilities at level alpha. */
  readonly rejected: boolean;
}

/** Significance levels the table has. */
export type ChiSquareAlpha = 0.1 | 0.05 | 0.025 | 0.01 | 0.005;

/**
 * Pearson's chi-square test of observed counts against expected probabilities (which must sum to
 * 1; each bin should expect at least 5). Critical values come from simple-statistics'
 * chiSquaredDistributionTable (degrees of freedom 1–30, then 40, 50, …, 100); its
 * chiSquaredGoodnessOfFit only fits distributions by estimated mean, so the statistic is computed here.
 */
export function chiSquareTest(observed: readonly number[], probabilities: readonly number[], alpha: ChiSquareAlpha = 0.005,
  estimatedParameters = 0): ChiSquareResult {
  const problems: string[] = [];
  if (observed.length !== probabilities.length) problems.push(`${observed.length} observed bins but ${probabilities.length} probabilities`);
  const psum = probabilities.reduce((a, b) => a + b, 0);
  if (Math.abs(psum - 1) > 1e-9) problems.push(`probabilities sum to ${psum}, not 1`);
  const n = observed.reduce((a, b) => a + b, 0);
  probabilities.forEach((p, i) => {
    if (!(p > 0)) problems.push(`probabilities[${i}]: must be > 0, got ${p}`);
    else if (n * p < 5) problems.push(`bin ${i}: expects ${(n * p).toFixed(2)} < 5 counts; merge bins`);
  });
  const df = observed.length - 1 - estimatedParameters;
  const row = (chiSquaredDistributionTable as unknown as Record<string, Record<string, number> | undefined>)[String(df)];
  if (row === undefined) problems.push(`${df} degrees of freedom: the table has 1..30, 40, 50, ..., 100`);
  if (problems.length > 0) throw new RangeError(`chiSquareTest: ${problems.join('; ')}`);
  let statistic = 0;
  observed.forEach((o, i) => {
    const e = n * (probabilities[i] as number);
    statistic += ((o - e) * (o - e)) / e;
  });
  const critical = (row as Record<string, number>)[String(alpha)] as number;
  return { statistic, degreesOfFreedom: df, critical, alpha, rejected: statistic > critical };
}
