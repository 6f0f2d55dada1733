import { describe, expect, it } from 'vitest';
import { Rng } from '../harness/generate/Rng.js';
import { combinations } from 'simple-statistics';
import { mannWhitneyU, smallestTwoSidedPValue } from './mannWhitneyU.js';

describe('mannWhitneyU', () => {
  it('matches the textbook U and the exact two-sided p for clearly shifted samples', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]);
    expect(r.u).toBe(0);
    expect(r.method).toBe('exact');
    // Two of the C(16, 8) = 12870 splits are this extreme.
    expect(r.pValue).toBeCloseTo(2 / 12870, 10);
  });

  it('uses the normal approximation above 40 values: z = (220.5 − 0.5) / sqrt(21·21·43/12) = 5.53 for 21 against 21 separated', () => {
    const r = mannWhitneyU(Array.from({ length: 21 }, (_, i) => i), Array.from({ length: 21 }, (_, i) => 100 + i));
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeGreaterThan(1e-8);
    expect(r.pValue).toBeLessThan(1e-7);
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

describe('mannWhitneyU, exact for small samples', () => {
  /** The exact p by listing every way to split the pooled values (simple-statistics' combinations). */
  const byListing = (a: number[], b: number[]): number => {
    const pooled = [...a, ...b];
    const sorted = [...pooled].sort((x, y) => x - y);
    const rank = (v: number): number => (sorted.indexOf(v) + sorted.lastIndexOf(v) + 2) / 2;
    const ranks = pooled.map(rank);
    const sum = (idx: number[]): number => idx.reduce((s, i) => s + (ranks[i] as number), 0);
    const mean = (a.length * (pooled.length + 1)) / 2;
    const observed = Math.abs(sum(a.map((_, i) => i)) - mean) - 1e-9;
    const splits = combinations(pooled.map((_, i) => i), a.length);
    return splits.filter((idx) => Math.abs(sum(idx) - mean) >= observed).length / splits.length;
  };

  it('gives 2/252 for 5 runs against 5 completely separated, where the normal approximation says 0.012', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(2 / 252, 10);
    expect(smallestTwoSidedPValue(5, 5)).toBeCloseTo(2 / 252, 10);
    expect(smallestTwoSidedPValue(3, 3)).toBeCloseTo(0.1, 10);
    expect(smallestTwoSidedPValue(1, 1)).toBe(1);
  });

  it('equals the p from listing every split, ties included (seed 7)', () => {
    const rng = new Rng(7);
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: rng.int(1, 6) }, () => rng.int(0, 8));
      const b = Array.from({ length: rng.int(1, 6) }, () => rng.int(0, 8));
      expect(mannWhitneyU(a, b).pValue, `${a} vs ${b}`).toBeCloseTo(byListing(a, b), 10);
    }
  });
});
