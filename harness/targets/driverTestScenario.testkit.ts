import { parseScenario } from '../scenario/loadScenario.js';
import type { Scenario } from '../scenario/Scenario.js';

/** What a driver test may change in {@link driverTestScenario}. */
export interface DriverTestScenarioOptions {
  readonly name: string;
  readonly seed: number;
  /** Mean time before a GTC order is canceled. Default '150ms'. */
  readonly cancelAfter?: string;
  /** Shares of cancels and replaces (the rest as in the default mix). Defaults 0.2 and 0.05. */
  readonly cancel?: number;
  readonly replace?: number;
  /** Phase length. Default '1s'. */
  readonly duration?: string;
}

/**
 * The small scenario the order-entry driver tests share (soup, FIX, their report checks): two
 * symbols around 10,000, every order kind (GTC, IOC, FOK, market, cancel, replace), two clients,
 * 200 orders/s, no subscribers.
 * @throws Error naming the problems if the options make the scenario invalid.
 */
export function driverTestScenario(o: DriverTestScenarioOptions): Scenario {
  const yaml = `
version: 1
name: ${o.name}
seed: ${o.seed}
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.55, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: ${o.cancel ?? 0.2}, replace: ${o.replace ?? 0.05} }
  offsets: { mean: 0, sd: 3 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: ${o.cancelAfter ?? '150ms'}
phases:
  - { name: one, duration: ${o.duration ?? '1s'}, rate: 200 }
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
  return parsed.scenario;
}
