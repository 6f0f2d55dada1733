import { describe, expect, it } from 'vitest';
import { RateSchedule } from '../executors/RateSchedule.js';
import { arrivalKsTest } from './arrivalKsTest.js';
import { phaseRates } from './phaseRates.js';

const schedule = new RateSchedule([
  { durationMs: 1_000, rate: { kind: 'constant', perSecond: 10 } },
  { durationMs: 1_000, rate: { kind: 'constant', perSecond: 30 } },
]);

describe('arrivalKsTest', () => {
  it('rescales gaps by the integrated rate, from the run start or from the first arrival', () => {
    // Λ(500) = 5, Λ(1500) = 10 + 15 = 25: gaps 5 and 20 from the run start, 20 alone from the first arrival.
    expect(arrivalKsTest([500, 1_500], schedule).meanRescaledGap).toBeCloseTo(12.5, 9);
    const fromFirst = arrivalKsTest([500, 1_500], schedule, { startMs: null });
    expect(fromFirst.n).toBe(1);
    expect(fromFirst.meanRescaledGap).toBeCloseTo(20, 9);
  });

  it('refuses times out of order, NaN, or too few, naming the first bad index', () => {
    expect(() => arrivalKsTest([5, 4], schedule)).toThrow(/timesMs\[1\]: 4 is before timesMs\[0\] 5/);
    expect(() => arrivalKsTest([1, Number.NaN], schedule)).toThrow(/timesMs\[1\]: NaN is not a number/);
    expect(() => arrivalKsTest([1], schedule, { startMs: null })).toThrow(/need at least 2 times, got 1/);
    expect(() => arrivalKsTest([-1], schedule)).toThrow(/timesMs\[0\]: -1 is before startMs 0/);
  });
});

describe('phaseRates', () => {
  it('sets achieved against offered per phase and ignores times outside the run', () => {
    const rates = phaseRates([10, 20, 999, 1_000, 1_500, 2_000, -3], schedule);
    expect(rates.map((r) => [r.achievedCount, r.offeredCount, r.offeredPerSecond, r.achievedPerSecond]))
      .toEqual([[3, 10, 10, 3], [2, 30, 30, 2]]);
    expect(rates[0]?.zScore).toBeCloseTo((3 - 10) / Math.sqrt(10), 9);
  });
});
