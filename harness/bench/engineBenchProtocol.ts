/**
 * What the engine benchmark's main thread (engineBench.ts) and its load workers
 * (engineBench.worker.ts) say to each other: one `phase` request per phase, one `phase-done`
 * answer, and the flow settings both sides use.
 */
import type { OrderEntryClientStats, CloseReason } from '../clients/OrderEntryClient.js';

/** The seeded order flow every connection draws from; each documents its default. */
export interface EngineBenchFlow {
  /** Symbol ids orders are spread over, uniformly. Default [1]. */
  readonly symbolIds: readonly number[];
  /** The fixed mid price, in price units (tick 1). Default 10,000. */
  readonly midPrice: number;
  /**
   * Standard deviation of a limit price around the mid, in ticks. A buy above the mid (or a sell
   * below it) crosses the resting orders of the other side, so about half the orders trade and
   * the rest rest near the mid. Default 20.
   */
  readonly priceSigmaTicks: number;
  /** Quantities are uniform in 1..maxQuantity. Default 100. */
  readonly maxQuantity: number;
  /** Share of requests that cancel one of the connection's own resting orders (when it has one). Default 0.25. */
  readonly cancelFraction: number;
  /** Share of new orders that are IOC (the rest are GTC). Default 0.1. */
  readonly iocFraction: number;
}

export const ENGINE_BENCH_FLOW_DEFAULTS: EngineBenchFlow = {
  symbolIds: [1],
  midPrice: 10_000,
  priceSigmaTicks: 20,
  maxQuantity: 100,
  cancelFraction: 0.25,
  iocFraction: 0.1,
};

/**
 * Opens this worker's share of the connections; they stay logged in across both phases (so the
 * FILLs of an order resting from the first phase still reach its owner in the second) until
 * {@link LoadCloseRequest}. Answered with `opened`.
 */
export interface LoadOpenRequest {
  readonly type: 'open';
  readonly host: string;
  readonly port: number;
  /** Connection i of this worker logs in as clientId firstClientId + i and draws from Rng.stream(seed, firstClientId + i). */
  readonly firstClientId: number;
  readonly connections: number;
  readonly seed: number;
  readonly flow: EngineBenchFlow;
  /** Fault injection for tests: each connection ignores every n-th report it receives (0: never). */
  readonly dropEveryNthReport: number;
  /** Check FILL and CANCELED quantities against the connections' beliefs (false against the echo peer, which keeps no book). */
  readonly checkBeliefs: boolean;
}

/** One phase on the open connections. Answered with `phase-done`. */
export interface LoadPhaseRequest {
  readonly type: 'phase';
  /**
   * `throughput`: closed loop, each connection keeps `window` requests outstanding.
   * `latency`: open loop, each connection sends at Poisson arrival times whatever comes back.
   */
  readonly mode: 'throughput' | 'latency';
  /** Throughput mode: requests each connection keeps outstanding. */
  readonly window: number;
  /** Latency mode: arrivals per second over this worker's connections together. */
  readonly rateHz: number;
  /** How long requests are sent, ms. */
  readonly durationMs: number;
  /** Throughput mode: completions in the first warmupMs are not counted in the rate. */
  readonly warmupMs: number;
  /** Most requests one connection sends in the phase (the count bound of the load loop). */
  readonly maxRequestsPerConnection: number;
  /** Latency mode: the phase stops early when a connection has this many requests unanswered (overload). */
  readonly maxOutstandingPerConnection: number;
  /** Longest wait for outstanding answers after sending stops, ms. */
  readonly drainTimeoutMs: number;
}

/** Logs every connection out and reports what they believe rests. Answered with `closed`. */
export interface LoadCloseRequest {
  readonly type: 'close';
}

/** What the main thread sends a load worker. */
export type LoadRequest = LoadOpenRequest | LoadPhaseRequest | LoadCloseRequest;

/** One resting order as a connection believes it to be from its reports. */
export interface BelievedOrder {
  readonly owner: number;
  readonly symbolId: number;
  readonly clientOrderId: number;
  readonly leavesQuantity: number;
}

/** One connection's end. */
export interface ConnectionSummary {
  readonly clientId: number;
  readonly stats: OrderEntryClientStats;
  readonly closeReason: CloseReason | undefined;
}

/** A phase's figures from one worker. */
export interface PhaseDone {
  readonly type: 'phase-done';
  /** The worker's clock (ns) when sending started and stopped. */
  readonly startedNs: number;
  readonly stoppedNs: number;
  readonly newOrdersSent: number;
  readonly cancelsSent: number;
  /** Requests whose response (ACK, REJECT, CANCELED by the user) came back. */
  readonly completed: number;
  /** Throughput mode: completions between warm-up end and the end of sending. */
  readonly completedInWindow: number;
  /** Latency mode: arrivals not sent because the client was backpressured. */
  readonly skippedBackpressure: number;
  /** Latency mode: true when a connection hit maxOutstandingPerConnection and the phase stopped early. */
  readonly overloaded: boolean;
  /** REJECT counts by `request type/reason name`, e.g. `CANCEL/UnknownOrder`. */
  readonly rejects: Readonly<Record<string, number>>;
  /** Encoded HistogramSet: `rtt.intended` and `rtt.service`, ns (latency mode only). */
  readonly histograms: Readonly<Record<string, string>>;
  /** What the connections found wrong in the phase (unanswered requests, wrong echoes, reports for unknown orders, …). */
  readonly problems: readonly string[];
}

/** A worker's answer. */
export type LoadReply =
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'opened' }
  | PhaseDone
  | {
      readonly type: 'closed';
      /** Sessions that did not end with LOGOUT, protocol errors, reports that came after the last phase. */
      readonly problems: readonly string[];
      /** Every order the connections believe rests on the book, after their LOGOUT was answered. */
      readonly believedResting: readonly BelievedOrder[];
      readonly connections: readonly ConnectionSummary[];
    };
