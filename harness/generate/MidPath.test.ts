import { standardDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import type { Phase, PriceProcess } from '../scenario/Scenario.js';
import { exampleFlowScenario } from './exampleFlowScenario.js';
import { MidPath } from './MidPath.js';

const SEED = 4242;
console.log(`MidPath tests: seed ${SEED}`);

/** The example scenario with one price process for `durationMs`, wide band. */
function scenarioWith(price: PriceProcess, durationMs = 60_000, phases = 1) {
  const base = exampleFlowScenario();
  const phase: Phase = { ...(base.phases[0] as Phase), durationMs, price };
  return { ...base, symbols: { ...base.symbols, minPrice: 5, maxPrice: 1_000_000, startMid: 500_000 },
    phases: Array.from({ length: phases }, () => phase) };
}

const increments = (path: Float64Array): number[] => Array.from(path.subarray(1), (v, i) => v - (path[i] as number));

describe('MidPath', () => {
  it('depends only on scenario, seed and symbol, not on the order in which it is asked', () => {
    const s = scenarioWith({ volatility: 30, drift: 0, jumps: { perSecond: 1, mean: 0, sd: 20 }, regimeSwitch: null }, 30_000);
    const forward = new MidPath(s, SEED, 2);
    const backward = new MidPath(s, SEED, 2);
    // Asked late first, the path grows past its first allocation in one go; asked forward, step by step.
    const late = backward.midTicksAt(29_999);
    expect(forward.midTicksAt(10)).toBe(backward.midTicksAt(10));
    for (let ms = 0; ms < 29_999; ms += 997) forward.midTicksAt(ms);
    expect(forward.midTicksAt(29_999)).toBe(late);
    expect(forward.toArray()).toEqual(new MidPath(s, SEED, 2).toArray());
    expect(new MidPath(s, SEED, 3).toArray()).not.toEqual(forward.toArray());
    expect(new MidPath(s, SEED + 1, 2).toArray()).not.toEqual(forward.toArray());
    expect(forward.midTicksAt(0)).toBe(100_000);
  });

  it('moves with the asked-for volatility per √second on the 10 ms grid', () => {
    const path = new MidPath(scenarioWith({ volatility: 50, drift: 0, jumps: null, regimeSwitch: null }), SEED, 1).toArray();
    // 50 ticks/√s over 10 ms: sd 5 ticks per step, plus rounding noise (variance 1/6).
    expect(standardDeviation(increments(path))).toBeCloseTo(Math.sqrt(25 + 1 / 6), 0);
  });

  it('falls under a flash-crash drift, and stays inside the band', () => {
    const s = scenarioWith({ volatility: 10, drift: -2_000, jumps: null, regimeSwitch: null }, 10_000);
    const path = new MidPath(s, SEED, 1).toArray();
    expect(path[500]).toBeLessThan(100_000 - 900);
    expect(path[1_000]).toBeLessThan(path[500] as number);
    const narrow = { ...s, symbols: { ...s.symbols, minPrice: 495_000 } };
    const clamped = new MidPath(narrow, SEED, 1).toArray();
    expect(Math.min(...clamped)).toBe(99_000);
    expect(clamped[clamped.length - 1]).toBe(99_000);
  });

  it('shows higher realized volatility under a regime switch, while stressed about enter/(enter+exit) of the time', () => {
    const calm = new MidPath(scenarioWith({ volatility: 20, drift: 0, jumps: null, regimeSwitch: null }), SEED, 1);
    const switching = new MidPath(scenarioWith({ volatility: 20, drift: 0, jumps: null,
      regimeSwitch: { enterPerSecond: 0.5, exitPerSecond: 0.5, volatilityMultiplier: 5, extraDrift: 0 } }), SEED, 1);
    const calmVol = standardDeviation(increments(calm.toArray()));
    const switchVol = standardDeviation(increments(switching.toArray()));
    // Half the time at 5× volatility: variance ≈ (1 + 25)/2 times the calm one.
    expect(switchVol / calmVol).toBeGreaterThan(3);
    expect(switchVol / calmVol).toBeLessThan(4.2);
    expect(switching.stressedFraction).toBeGreaterThan(0.35);
    expect(switching.stressedFraction).toBeLessThan(0.65);
  });

  it('adds Poisson jumps: the right number of big moves, on top of the diffusion', () => {
    const path = new MidPath(scenarioWith({ volatility: 1, drift: 0, jumps: { perSecond: 5, mean: 100, sd: 1 }, regimeSwitch: null }),
      SEED, 1).toArray();
    const jumps = increments(path).filter((d) => d > 50).length;
    // 60 s × 5 per second = 300 expected; Poisson sd ≈ 17 (two jumps in one step count once, rarely).
    expect(jumps).toBeGreaterThan(300 - 4 * 17);
    expect(jumps).toBeLessThan(300 + 4 * 17);
  });

  it('splits grid steps at phase boundaries that are not on the grid', () => {
    const s = scenarioWith({ volatility: 0, drift: 1_000, jumps: null, regimeSwitch: null }, 15, 2);
    const stop = { ...s, phases: [s.phases[0] as Phase, { ...(s.phases[1] as Phase), price: { volatility: 0, drift: 0, jumps: null, regimeSwitch: null } }] };
    // 15 ms at +1 tick/ms, then still: the mid ends 15 ticks up, not 10 or 20.
    expect(new MidPath(stop, SEED, 1).midTicksAt(29)).toBe(100_015);
  });

  it('refuses a bad symbol, grid or band, naming each problem', () => {
    const s = scenarioWith({ volatility: 1, drift: 0, jumps: null, regimeSwitch: null });
    expect(() => new MidPath({ ...s, symbols: { ...s.symbols, startMid: 7 } }, SEED, 9, { gridMs: 0 }))
      .toThrow(/symbolId: must be an integer in 1\.\.8, got 9.*gridMs: must be > 0.*symbols\.startMid: must be a multiple of tickSize 5/);
  });
});
