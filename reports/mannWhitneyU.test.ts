import { describe, expect, it } from 'vitest';
import { Rng } from '../harness/generate/Rng.js';
import { mannWhitneyU } from './mannWhitneyU.js';

describe('mannWhitneyU', () => {
  it('matches the textbook U and a two-sided p for clearly shifted samples', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]);
    expect(r.u).toBe(0);
    // z = (32 − 0.5) / sqrt(8·8·17/12) = 3.308 → p ≈ 0.00094
    expect(r.pValue).toBeCloseTo(0.00094, 4);
  });

  it('finds nothing in identical samples or samples of one repeated value', () => {
    expect(mannWhitneyU([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]).pValue).toBe(1);
    expect(mannWhitneyU([7, 7, 7, 7, 7], [7, 7, 7, 7, 7]).pValue).toBe(1);
  });

  it('rejects at 1% about 1% of the time when both samples come from one distribution (seed 20261122)', () => {
    const rng = new Rng(20261122);
    let rejected = 0;
    const trials = 2_000;
    for (let t = 0; t < trials; t++) {
      const a = Array.from({ length: 15 }, () => rng.logNormal(0, 1));
      const b = Array.from({ length: 15 }, () => rng.logNormal(0, 1));
      if (mannWhitneyU(a, b).pValue < 0.01) rejected++;
    }
    expect(rejected / trials).toBeLessThan(0.02);
    expect(mannWhitneyU([1], [2]).pValue).toBeGreaterThan(0.05);
  });
});
