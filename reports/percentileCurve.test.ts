import { describe, expect, it } from 'vitest';
import { latencyHistogram } from '../harness/record/HistogramSet.js';
import { percentileCurve, percentileLabel } from './percentileCurve.js';

describe('percentileCurve', () => {
  const histogram = latencyHistogram();
  for (let v = 1; v <= 10_000; v++) histogram.recordValue(v * 1_000);

  it('puts the nines at x = 10, 100, 1000 with the histogram\'s own percentiles, and ends at the max at x = count', () => {
    const points = percentileCurve(histogram);
    expect(points[0]).toEqual({ x: 1, percentile: 0, valueNs: histogram.getValueAtPercentile(0) });
    for (const [x, p] of [[10, 90], [100, 99], [1000, 99.9]] as const) {
      const point = points.find((q) => Math.abs(q.x - x) < 1e-9);
      expect(point?.percentile).toBeCloseTo(p, 9);
      expect(point?.valueNs).toBe(histogram.getValueAtPercentile(p));
    }
    const last = points[points.length - 1];
    expect(last).toMatchObject({ x: 10_000, valueNs: histogram.getValueAtPercentile(100) });
    expect(last!.valueNs).toBeGreaterThanOrEqual(histogram.maxValue);
    expect(points.length).toBe(41);
  });

  it('rises monotonically in x and value', () => {
    const points = percentileCurve(histogram, { pointsPerDecade: 7 });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
      expect(points[i]!.valueNs).toBeGreaterThanOrEqual(points[i - 1]!.valueNs);
    }
  });

  it('has no points for an empty histogram and one for a single value', () => {
    expect(percentileCurve(latencyHistogram())).toEqual([]);
    const one = latencyHistogram();
    one.recordValue(5_000);
    expect(percentileCurve(one)).toEqual([{ x: 1, percentile: 0, valueNs: one.getValueAtPercentile(100) }]);
  });

  it('labels the axis in nines', () => {
    expect([1, 10, 100, 1000, 100_000].map(percentileLabel)).toEqual(['0%', '90%', '99%', '99.9%', '99.999%']);
  });
});
