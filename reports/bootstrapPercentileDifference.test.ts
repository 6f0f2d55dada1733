import { describe, expect, it } from 'vitest';
import type * as hdr from 'hdr-histogram-js';
import { Rng } from '../harness/generate/Rng.js';
import { latencyHistogram } from '../harness/record/HistogramSet.js';
import { bootstrapPercentileDifference } from './bootstrapPercentileDifference.js';

/** `seconds` per-second histograms of log-normal latencies around `medianNs`, from seeded streams. */
function seconds(seed: number, count: number, medianNs: number): hdr.Histogram[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const h = latencyHistogram();
    for (let i = 0; i < 500; i++) h.recordValue(Math.round(medianNs * rng.logNormal(0, 0.3)));
    return h;
  });
}

describe('bootstrapPercentileDifference', () => {
  it('brackets a planted 20% shift of p99 and excludes zero (seeds 1, 2)', () => {
    const ci = bootstrapPercentileDifference(seconds(1, 8, 10_000), seconds(2, 8, 12_000), 99);
    // p99 of the log-normal: 10 µs · e^(2.326·0.3) ≈ 20.1 µs, so the planted difference is ≈ 4.0 µs.
    expect(ci?.lowNs).toBeGreaterThan(0);
    // The sample p99s wander from the planted ones by a few %: the interval lies around 4 µs, not elsewhere.
    expect(ci?.lowNs).toBeLessThan(5_000);
    expect(ci?.highNs).toBeGreaterThan(3_000);
    expect(ci?.highNs).toBeLessThan(8_000);
    expect(ci?.confidence).toBe(0.95);
  });

  it('contains zero for two samples of one distribution, and repeats itself for a seed (seeds 3, 4)', () => {
    const a = seconds(3, 8, 10_000);
    const b = seconds(4, 8, 10_000);
    const ci = bootstrapPercentileDifference(a, b, 99, { seed: 9 });
    expect(ci?.lowNs).toBeLessThan(0);
    expect(ci?.highNs).toBeGreaterThan(0);
    expect(bootstrapPercentileDifference(a, b, 99, { seed: 9 })).toEqual(ci);
  });

  it('gives no interval from fewer than two seconds a side', () => {
    expect(bootstrapPercentileDifference(seconds(5, 1, 10_000), seconds(6, 5, 10_000), 99)).toBeNull();
  });
});
