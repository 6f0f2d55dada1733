import type { RateShape, Scenario } from '../scenario/Scenario.js';
import { ClientFlow } from './ClientFlow.js';
import { combineStreamHashes } from './combineStreamHashes.js';
import { exampleFlowScenario } from './exampleFlowScenario.js';

export interface FlowRateOptions {
  /** Scenario whose flow is generated. Default: exampleFlowScenario() with every rate × 20 (about 1.86 M orders). */
  readonly scenario: Scenario;
  readonly seed: number;
  /** Stop each repetition after this many orders (or at the scenario's end). Default 2,000,000. */
  readonly maxOrders: number;
  /** Timed repetitions, each from a fresh set of clients; the median is reported. Default 3. */
  readonly repetitions: number;
}

export const FLOW_RATE_DEFAULTS: FlowRateOptions = {
  scenario: scaleRates(exampleFlowScenario(), 20),
  seed: 1,
  maxOrders: 2_000_000,
  repetitions: 3,
};

export interface FlowRateResult {
  readonly clients: number;
  /** Orders generated per repetition. */
  readonly orders: number;
  /** Orders generated per second of each repetition (one thread), and their median. */
  readonly ordersPerSecondRuns: readonly number[];
  readonly ordersPerSecond: number;
  /** Stream hash of the orders generated (equal across repetitions, checked). */
  readonly streamHash: string;
}

/**
 * Harness overhead benchmark: how many orders per second one thread generates, everything a run
 * does per order included (arrival time, mid look-up, every draw, live-order record, stream hash).
 * Clients are drawn round-robin, one order each in turn, as a load generator interleaves them.
 * Throws if two repetitions produced different streams (a speed figure only counts if the answer
 * was right).
 */
export function measureFlowRate(overrides: Partial<FlowRateOptions> = {}): FlowRateResult {
  const o: FlowRateOptions = { ...FLOW_RATE_DEFAULTS, ...overrides };
  if (!Number.isSafeInteger(o.maxOrders) || o.maxOrders < 1) throw new RangeError(`maxOrders must be a positive integer, got ${o.maxOrders}`);
  if (!Number.isSafeInteger(o.repetitions) || o.repetitions < 1) throw new RangeError(`repetitions must be a positive integer, got ${o.repetitions}`);
  const runs: number[] = [];
  let hash = '';
  let orders = 0;
  for (let r = 0; r < o.repetitions; r++) {
    const shared = ClientFlow.shared(o.scenario, o.seed);
    const flows = Array.from({ length: o.scenario.clients.orderEntry }, (_, c) => new ClientFlow(o.scenario, o.seed, c, { shared }));
    let n = 0;
    let active = flows.length;
    const started = process.hrtime.bigint();
    while (active > 0 && n < o.maxOrders) {
      active = 0;
      for (let c = 0; c < flows.length && n < o.maxOrders; c++) {
        if ((flows[c] as ClientFlow).next() !== null) {
          n++;
          active++;
        }
      }
    }
    const elapsedNs = Number(process.hrtime.bigint() - started);
    const runHash = combineStreamHashes(flows.map((f) => f.streamHash()));
    if (r > 0 && runHash !== hash) throw new Error(`repetition ${r} generated a different stream (${runHash} vs ${hash})`);
    hash = runHash;
    orders = n;
    runs.push(n / (elapsedNs / 1e9));
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { clients: o.scenario.clients.orderEntry, orders, ordersPerSecondRuns: runs,
    ordersPerSecond: sorted[Math.floor(sorted.length / 2)] as number, streamHash: hash };
}

/** `scenario` with every phase's arrival rate multiplied by `factor`. */
export function scaleRates(scenario: Scenario, factor: number): Scenario {
  const scale = (r: RateShape): RateShape => {
    switch (r.kind) {
      case 'constant': return { kind: 'constant', perSecond: r.perSecond * factor };
      case 'ramp': return { kind: 'ramp', from: r.from * factor, to: r.to * factor };
      case 'spike': return { ...r, base: r.base * factor, peak: r.peak * factor };
    }
  };
  return { ...scenario, phases: scenario.phases.map((p) => ({ ...p, rate: scale(p.rate) })) };
}
