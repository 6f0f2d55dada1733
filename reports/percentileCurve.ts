import type * as hdr from 'hdr-histogram-js';

/** One point of a percentile curve. */
export interface PercentilePoint {
  /** 1 / (1 − percentile/100): 1 at 0%, 10 at 90%, 100 at 99%, 1000 at 99.9%. */
  readonly x: number;
  readonly percentile: number;
  readonly valueNs: number;
}

/** Options of {@link percentileCurve}. */
export interface PercentileCurveOptions {
  /** Points per decade of the x axis (per "nine"). Default {@link PERCENTILE_CURVE_DEFAULTS}. */
  readonly pointsPerDecade?: number;
}

export const PERCENTILE_CURVE_DEFAULTS = { pointsPerDecade: 10 } as const satisfies Required<PercentileCurveOptions>;

/**
 * A histogram's percentile distribution on HdrHistogram's log percentile axis: points at
 * x = 1/(1−p) spaced evenly in log x from 1 (0%, the minimum) to x = count, where the last point
 * is the maximum (the top of its bucket, as in .hgrm files; beyond 1/(1−p) = count a percentile says nothing new: one value in `count`).
 * Every tenth point of the default spacing falls on a "nine" (90%, 99%, 99.9%, …), so curves of
 * different histograms share those x values. Empty histogram: no points.
 */
export function percentileCurve(histogram: hdr.Histogram, options: PercentileCurveOptions = {}): PercentilePoint[] {
  const count = histogram.totalCount;
  if (count === 0) return [];
  const perDecade = options.pointsPerDecade ?? PERCENTILE_CURVE_DEFAULTS.pointsPerDecade;
  const points: PercentilePoint[] = [];
  for (let k = 0; ; k++) {
    const x = 10 ** (k / perDecade);
    if (x >= count) break;
    const percentile = 100 * (1 - 1 / x);
    points.push({ x, percentile, valueNs: histogram.getValueAtPercentile(percentile) });
  }
  points.push({ x: Math.max(1, count), percentile: 100 * (1 - 1 / Math.max(1, count)), valueNs: histogram.getValueAtPercentile(100) });
  return points;
}

/** Labels the log percentile axis: 1 → "0%", 10 → "90%", 100 → "99%", 1000 → "99.9%". */
export function percentileLabel(x: number): string {
  if (x <= 1) return '0%';
  const percentile = 100 * (1 - 1 / x);
  const nines = Math.max(0, Math.round(Math.log10(x)) - 2);
  return `${percentile.toFixed(nines)}%`;
}
