import { SCENARIO_VERSION, type Phase, type Scenario } from '../scenario/Scenario.js';

/** A calm phase: the parameters the example's phases start from. */
const CALM: Omit<Phase, 'name' | 'durationMs' | 'rate'> = {
  price: { volatility: 20, drift: 0, jumps: null, regimeSwitch: null },
  mix: { limitGtc: 0.55, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.2, replace: 0.05, buyFraction: 0.5 },
  offsets: { mean: 3, sd: 5 },
  quantity: { median: 40, sigma: 1, min: 1, max: 1_000 },
  cancelAfter: { meanMs: 500 },
};

/**
 * A complete in-memory scenario exercising every part of the order flow: 8 symbols with Zipf
 * popularity, 20 order-entry clients, and three phases (a constant 20,000 orders/s, a spike to
 * 60,000 with jumps and a regime switch, a ramp down from 20,000 to 5,000 with a falling drift).
 * The flow benchmark (measureFlowRate) runs it; tests derive variants from it.
 */
export function exampleFlowScenario(): Scenario {
  return {
    version: SCENARIO_VERSION,
    name: 'example-flow',
    description: 'Order-flow generator example: steady, spike, ramp down',
    seed: 1,
    symbols: { count: 8, namePrefix: 'SYM', tickSize: 5, startMid: 50_000, minPrice: 5, maxPrice: 100_000, maxQuantity: 10_000,
      popularity: { kind: 'zipf', exponent: 1 } },
    phases: [
      { name: 'steady', durationMs: 2_000, rate: { kind: 'constant', perSecond: 20_000 }, ...CALM },
      { name: 'spike', durationMs: 1_000, rate: { kind: 'spike', base: 20_000, peak: 60_000, atMs: 300, widthMs: 200 }, ...CALM,
        price: { volatility: 40, drift: 0, jumps: { perSecond: 2, mean: 0, sd: 30 },
          regimeSwitch: { enterPerSecond: 1, exitPerSecond: 2, volatilityMultiplier: 4, extraDrift: -50 } } },
      { name: 'ramp-down', durationMs: 2_000, rate: { kind: 'ramp', from: 20_000, to: 5_000 }, ...CALM,
        price: { volatility: 20, drift: -100, jumps: null, regimeSwitch: null } },
    ],
    clients: { orderEntry: 20, marketData: [], workers: 1 },
    thresholds: [],
    target: { kind: 'inproc' },
    knee: null,
  };
}
