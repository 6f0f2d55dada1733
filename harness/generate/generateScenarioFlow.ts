import { RateSchedule } from '../executors/RateSchedule.js';
import type { Scenario } from '../scenario/Scenario.js';
import { ClientFlow, type ClientFlowOptions } from './ClientFlow.js';
import { combineStreamHashes } from './combineStreamHashes.js';
import { ORDER_KIND_NAMES, type OrderKindName } from './FlowOrder.js';

/** Orders of one phase, over all clients. */
export interface PhaseFlowCounts {
  readonly name: string;
  readonly durationMs: number;
  /** Expected arrivals (the integrated offered rate over the phase). */
  readonly expected: number;
  /** Arrivals generated. */
  readonly orders: number;
  /** By what each order became (a cancel or replace that fell back counts as limitGtc). */
  readonly byKind: Readonly<Record<OrderKindName, number>>;
  /** Cancel or replace arrivals that found no live order and became GTC limits. */
  readonly fallbacks: number;
}

/** A scenario's whole order stream, generated without a target. */
export interface ScenarioFlowSummary {
  readonly seed: number;
  readonly clients: number;
  readonly orders: number;
  readonly phases: readonly PhaseFlowCounts[];
  /** Each client's stream hash (hex SHA-256), client 0 first. */
  readonly clientHashes: readonly string[];
  /** combineStreamHashes(clientHashes): the run's stream hash. */
  readonly streamHash: string;
  /** Live orders forgotten because a client's record was full (0 unless liveCapacity was hit). */
  readonly forgotten: number;
}

/**
 * Generates every client's orders for `scenario` and `seed` as a run would, without sending them:
 * the counts per phase and kind and the stream hash (what `run --dry-run`-style checks compare).
 * Nothing is kept per order, so any scenario length fits in memory.
 */
export function generateScenarioFlow(scenario: Scenario, seed: number,
  options: Partial<Omit<ClientFlowOptions, 'shared'>> = {}): ScenarioFlowSummary {
  const shared = ClientFlow.shared(scenario, seed, options.gridMs === undefined ? {} : { gridMs: options.gridMs });
  const kinds = ORDER_KIND_NAMES.length;
  const counts = scenario.phases.map(() => new Float64Array(kinds));
  const fallbacks = new Float64Array(scenario.phases.length);
  const clientHashes: string[] = [];
  let forgotten = 0;
  for (let c = 0; c < scenario.clients.orderEntry; c++) {
    const flow = new ClientFlow(scenario, seed, c, { ...options, shared });
    for (let o = flow.next(); o !== null; o = flow.next()) {
      const row = counts[o.phaseIndex] as Float64Array;
      row[o.orderKind] = (row[o.orderKind] as number) + 1;
      if (o.arrivalKind !== o.orderKind) fallbacks[o.phaseIndex] = (fallbacks[o.phaseIndex] as number) + 1;
    }
    clientHashes.push(flow.streamHash());
    forgotten += flow.forgottenCount;
  }
  const whole = new RateSchedule(scenario.phases);
  const phases = scenario.phases.map((phase, i): PhaseFlowCounts => {
    const row = counts[i] as Float64Array;
    const start = whole.phaseStartMs[i] as number;
    const byKind = Object.fromEntries(ORDER_KIND_NAMES.slice(1).map((name, k) => [name, row[k + 1] as number])) as Record<OrderKindName, number>;
    return {
      name: phase.name,
      durationMs: phase.durationMs,
      expected: whole.expectedArrivals(start, start + phase.durationMs),
      orders: row.reduce((a, b) => a + b, 0),
      byKind,
      fallbacks: fallbacks[i] as number,
    };
  });
  return {
    seed,
    clients: scenario.clients.orderEntry,
    orders: phases.reduce((a, p) => a + p.orders, 0),
    phases,
    clientHashes,
    streamHash: combineStreamHashes(clientHashes),
    forgotten,
  };
}
