import { describe, expect, it } from 'vitest';
import { Rng } from '../generate/Rng.js';
import { chiSquareTest } from './chiSquareTest.js';
import { exponentialCdf, kolmogorovSmirnovTest, kolmogorovSurvival } from './kolmogorovSmirnovTest.js';

const SEED = 77;
console.log(`kolmogorovSmirnovTest tests: seed ${SEED}`);

describe('kolmogorovSurvival', () => {
  it('matches the Kolmogorov distribution’s known quantiles, continuous where the series switch', () => {
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 3);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 3);
    expect(kolmogorovSurvival(1.2238)).toBeCloseTo(0.1, 3);
    expect(kolmogorovSurvival(0.8276)).toBeCloseTo(0.5, 3);
    expect(Math.abs(kolmogorovSurvival(1.18 - 1e-9) - kolmogorovSurvival(1.18))).toBeLessThan(1e-8);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(5)).toBeLessThan(1e-20);
  });
});

describe('kolmogorovSmirnovTest', () => {
  it('computes D by hand for a tiny sample', () => {
    expect(kolmogorovSmirnovTest([0.5], (x) => x).statistic).toBe(0.5);
    expect(kolmogorovSmirnovTest([0.1, 0.2, 0.9], (x) => x).statistic).toBeCloseTo(2 / 3 - 0.2, 12);
  });

  it('accepts draws from the tested distribution and rejects a wrong mean', () => {
    const rng = new Rng(SEED);
    const xs = Float64Array.from({ length: 20_000 }, () => rng.exponential(3));
    expect(kolmogorovSmirnovTest(xs, exponentialCdf(3)).pValue).toBeGreaterThan(0.01);
    expect(kolmogorovSmirnovTest(xs, exponentialCdf(3.3)).pValue).toBeLessThan(1e-6);
  });

  it('refuses empty or NaN samples', () => {
    expect(() => kolmogorovSmirnovTest([], (x) => x)).toThrow(/no samples/);
    expect(() => kolmogorovSmirnovTest([1, Number.NaN], (x) => x)).toThrow(/NaN/);
  });
});

describe('chiSquareTest', () => {
  it('accepts a fair die and rejects a loaded one', () => {
    const rng = new Rng(SEED);
    const fair = [0, 0, 0, 0, 0, 0];
    const loaded = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 30_000; i++) {
      const f = rng.int(0, 5);
      fair[f] = (fair[f] as number) + 1;
      const l = rng.chance(0.2) ? 5 : rng.int(0, 5);
      loaded[l] = (loaded[l] as number) + 1;
    }
    const p = [1, 1, 1, 1, 1, 1].map((x) => x / 6);
    expect(chiSquareTest(fair, p).rejected).toBe(false);
    expect(chiSquareTest(loaded, p).rejected).toBe(true);
    expect(chiSquareTest(fair, p).degreesOfFreedom).toBe(5);
  });

  it('names every problem with its input at once', () => {
    expect(() => chiSquareTest([1, 2, 3], [0.5, 0.6])).toThrow(/3 observed bins but 2 probabilities.*sum to 1\.1/);
    expect(() => chiSquareTest([1, 100], [0.01, 0.99])).toThrow(/bin 0: expects 1\.01 < 5/);
  });
});
