import { describe, expect, it } from 'vitest';
import { Rng } from '../generate/Rng.js';
import type { RateShape } from '../scenario/Scenario.js';
import { arrivalKsTest } from '../stats/arrivalKsTest.js';
import { phaseRates } from '../stats/phaseRates.js';
import { PoissonArrivals } from './PoissonArrivals.js';
import { RateSchedule } from './RateSchedule.js';

const SEED = 20260404;
console.log(`PoissonArrivals tests: seed ${SEED}`);

function draw(schedule: RateSchedule, seed: number): { times: Float64Array; phases: Int32Array } {
  const arrivals = new PoissonArrivals(schedule, new Rng(seed));
  const times: number[] = [];
  const phases: number[] = [];
  for (let t = arrivals.next(); !Number.isNaN(t); t = arrivals.next()) {
    times.push(t);
    phases.push(arrivals.phaseIndex);
  }
  return { times: Float64Array.from(times), phases: Int32Array.from(phases) };
}

const shapes: Record<string, RateShape[]> = {
  constant: [{ kind: 'constant', perSecond: 5_000 }],
  ramp: [{ kind: 'ramp', from: 500, to: 9_500 }],
  spike: [{ kind: 'spike', base: 2_000, peak: 20_000, atMs: 400, widthMs: 300 }],
};

describe('PoissonArrivals', () => {
  for (const [name, rates] of Object.entries(shapes)) {
    it(`${name}: counts per phase within Poisson error, rescaled gaps pass KS against Exp(1)`, () => {
      // Three phases of the same shape back to back, so boundaries are crossed too.
      const schedule = new RateSchedule([...rates, ...rates, ...rates].map((rate) => ({ durationMs: 2_000, rate })));
      const { times, phases } = draw(schedule, SEED);
      for (const r of phaseRates(times, schedule)) expect(Math.abs(r.zScore)).toBeLessThan(4);
      const ks = arrivalKsTest(times, schedule);
      expect(ks.n).toBeGreaterThan(10_000);
      expect(ks.pValue).toBeGreaterThan(0.001);
      expect(ks.meanRescaledGap).toBeCloseTo(1, 1);
      // Each arrival is labelled with the phase its time falls in.
      let mislabelled = 0;
      times.forEach((t, i) => {
        if (phases[i] !== schedule.phaseAt(t)) mislabelled++;
      });
      expect(mislabelled).toBe(0);
    });
  }

  it('puts no arrival in a zero-rate phase and its share of the rate on each client of N; merged, they are the whole run’s', () => {
    const phases = [
      { durationMs: 1_000, rate: { kind: 'constant', perSecond: 40_000 } },
      { durationMs: 1_000, rate: { kind: 'constant', perSecond: 0 } },
      { durationMs: 1_000, rate: { kind: 'ramp', from: 0, to: 80_000 } },
    ] as const;
    const perClient = new RateSchedule(phases, 8);
    const clients = Array.from({ length: 8 }, (_, c) => draw(perClient, SEED + c).times);
    const rates = phaseRates(clients[0] as Float64Array, perClient);
    expect(rates[1]?.achievedCount).toBe(0);
    expect(rates[0]?.offeredCount).toBeCloseTo(5_000, 9);
    for (const r of rates) expect(Math.abs(r.zScore)).toBeLessThan(4);
    expect(arrivalKsTest(clients[0] as Float64Array, perClient).pValue).toBeGreaterThan(0.001);
    // Superposed, eight independent clients are one Poisson process at the whole rate.
    const whole = new RateSchedule(phases);
    const merged = Float64Array.from(clients.flatMap((t) => Array.from(t))).sort();
    expect(arrivalKsTest(merged, whole).pValue).toBeGreaterThan(0.001);
    for (const r of phaseRates(merged, whole)) expect(Math.abs(r.zScore)).toBeLessThan(4);
  });

  it('fails the KS check for a wrong schedule: evenly spaced times, or a rate 1.5 times too high', () => {
    const schedule = new RateSchedule([{ durationMs: 2_000, rate: { kind: 'ramp', from: 1_000, to: 4_000 } }]);
    // Evenly spaced in Λ: the right count, no randomness.
    const total = Math.floor(schedule.totalExpected);
    const even = Float64Array.from({ length: total - 1 }, (_, i) => schedule.timeAt(schedule.locate(i + 1, 0), i + 1));
    expect(arrivalKsTest(even, schedule).pValue).toBeLessThan(1e-6);
    const fast = new RateSchedule([{ durationMs: 2_000, rate: { kind: 'ramp', from: 1_500, to: 6_000 } }]);
    expect(arrivalKsTest(draw(fast, SEED).times, schedule).pValue).toBeLessThan(1e-6);
    // The same draws judged against their own schedule pass.
    expect(arrivalKsTest(draw(fast, SEED).times, fast).pValue).toBeGreaterThan(0.001);
  });

  it('repeats the same times for the same seed and ends with NaN for good', () => {
    const schedule = new RateSchedule([{ durationMs: 500, rate: { kind: 'constant', perSecond: 1_000 } }]);
    expect(draw(schedule, 7).times).toEqual(draw(schedule, 7).times);
    expect(draw(schedule, 8).times).not.toEqual(draw(schedule, 7).times);
    const a = new PoissonArrivals(schedule, new Rng(7));
    while (!Number.isNaN(a.next()));
    expect(a.next()).toBeNaN();
    expect(a.phaseIndex).toBe(-1);
  });
});
