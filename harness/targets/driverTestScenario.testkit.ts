import { parseScenario } from '../scenario/loadScenario.js';
import type { OrderMix, Scenario } from '../scenario/Scenario.js';

/** A scenario's order-kind shares (the `mix` of its defaults, without the buy fraction, which stays the default). */
export type DriverTestMix = Omit<OrderMix, 'buyFraction'>;

const DEFAULT_MIX: DriverTestMix = { limitGtc: 0.55, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.2, replace: 0.05 };

/** What a driver test may change in {@link driverTestScenario}. */
export interface DriverTestScenarioOptions {
  readonly name: string;
  readonly seed: number;
  /** Shares of the order kinds that differ from the default mix (GTC 0.55, IOC 0.1, FOK 0.05, market 0.05, cancel 0.2, replace 0.05). */
  readonly mix?: Partial<DriverTestMix>;
  /** Limit price offsets from the mid, ticks. Default mean 0, sd 3. */
  readonly offsets?: { readonly mean: number; readonly sd: number };
  /** Mean time before a GTC order is canceled. Default '150ms'. */
  readonly cancelAfter?: string;
  /** Phase length. Default '1s'. */
  readonly duration?: string;
  /** Orders per second. Default 200. */
  readonly rate?: number;
}

/**
 * The small scenario the order-entry driver tests share (tcp, http, in-memory, soup, FIX, their
 * report checks): two symbols around 10,000, two clients, no subscribers; by default every order
 * kind (GTC, IOC, FOK, market, cancel, replace) at 200 orders/s for 1 s. Returns the scenario
 * and its hash, as parseScenario gives them for a file named `<name>.yaml`.
 * @throws Error naming the problems if the options make the scenario invalid.
 */
export function parseDriverTestScenario(o: DriverTestScenarioOptions): { readonly scenario: Scenario; readonly hash: string } {
  const m = { ...DEFAULT_MIX, ...o.mix };
  const offsets = o.offsets ?? { mean: 0, sd: 3 };
  const yaml = `
version: 1
name: ${o.name}
seed: ${o.seed}
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: ${m.limitGtc}, limitIoc: ${m.limitIoc}, limitFok: ${m.limitFok}, market: ${m.market}, cancel: ${m.cancel}, replace: ${m.replace} }
  offsets: { mean: ${offsets.mean}, sd: ${offsets.sd} }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: ${o.cancelAfter ?? '150ms'}
phases:
  - { name: one, duration: ${o.duration ?? '1s'}, rate: ${o.rate ?? 200} }
clients:
  orderEntry: 2
  workers: 1
  marketData: []
thresholds:
  - order_rtt.p99 < 10s
target: embedded
`;
  const parsed = parseScenario(yaml, `${o.name}.yaml`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return { scenario: parsed.scenario, hash: parsed.hash };
}

/** {@link parseDriverTestScenario}'s scenario. */
export function driverTestScenario(o: DriverTestScenarioOptions): Scenario {
  return parseDriverTestScenario(o).scenario;
}
