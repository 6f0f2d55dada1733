/**
 * A scenario as the harness uses it: what `loadScenario` returns after parsing and validating a
 * scenario file (docs/SCENARIOS.md), with every default filled in and every unit normalised
 * (times in ms, rates per second, prices in integer price units). Nothing here is optional that
 * the generators or the runner read; optional parts are `null`.
 *
 * Prices: every symbol's prices are integer price units (as on the wire); the price process moves
 * a mid in ticks of the symbol's tick size.
 */

import type { FuzzClass } from '../fuzz/FuzzCase.js';

/** The scenario format version this build reads. */
export const SCENARIO_VERSION = 1;

export interface Scenario {
  readonly version: typeof SCENARIO_VERSION;
  readonly name: string;
  readonly description: string;
  /** Seed used when `--seed` is not given. */
  readonly seed: number;
  readonly symbols: SymbolsSpec;
  /** Run back to back, in order; the run lasts the sum of their durations. */
  readonly phases: readonly Phase[];
  readonly clients: ClientsSpec;
  /** Pass/fail rules evaluated on the result; all must hold. */
  readonly thresholds: readonly Threshold[];
  readonly target: TargetSpec;
  /** For rate sweeps (ramp-to-knee): the limit whose first breach marks the knee; null otherwise. */
  readonly knee: KneeSpec | null;
}

export interface SymbolsSpec {
  /** Symbols 1..count, named `${namePrefix}${index}` (index from 1). */
  readonly count: number;
  readonly namePrefix: string;
  /** Price units per tick (every limit price is a multiple). */
  readonly tickSize: number;
  /** Starting mid, in price units, a multiple of tickSize. */
  readonly startMid: number;
  /** Band the engine accepts, in price units (multiples of tickSize); the mid is kept inside it. */
  readonly minPrice: number;
  readonly maxPrice: number;
  /** Largest order quantity the engine accepts. */
  readonly maxQuantity: number;
  /** Which symbol each order goes to. */
  readonly popularity: Popularity;
}

/** uniform: equal; zipf: symbol k (from 1) has weight 1/k^exponent. */
export type Popularity = { readonly kind: 'uniform' } | { readonly kind: 'zipf'; readonly exponent: number };

export interface Phase {
  readonly name: string;
  readonly durationMs: number;
  /** Total arrival rate over all order-entry sessions (orders per second), split evenly between them. */
  readonly rate: RateShape;
  /** How each symbol's mid moves during the phase. */
  readonly price: PriceProcess;
  readonly mix: OrderMix;
  readonly offsets: PriceOffsets;
  readonly quantity: QuantitySpec;
  readonly cancelAfter: CancelAfterSpec;
}

/**
 * Arrivals per second as a function of time since the phase began, t in ms:
 * - constant: perSecond;
 * - ramp: linear from `from` at t=0 to `to` at the phase end;
 * - spike: `base`, except `peak` for t in [atMs, atMs + widthMs).
 */
export type RateShape =
  | { readonly kind: 'constant'; readonly perSecond: number }
  | { readonly kind: 'ramp'; readonly from: number; readonly to: number }
  | { readonly kind: 'spike'; readonly base: number; readonly peak: number; readonly atMs: number; readonly widthMs: number };

/**
 * The mid's random walk, in ticks, sampled on a fixed grid: over a step of dt seconds the mid
 * moves by Normal(drift·dt, volatility·√dt), plus jumps arriving as a Poisson process, each of
 * Normal(jump.mean, jump.sd) ticks. A regime switch (Markov, two states) multiplies volatility
 * and adds drift while the "stressed" state lasts. A flash crash is a large negative drift or
 * jump; a volatility spike is a high volatility or a regime switch.
 */
export interface PriceProcess {
  /** Ticks per √second. */
  readonly volatility: number;
  /** Ticks per second (negative: falling). */
  readonly drift: number;
  readonly jumps: JumpSpec | null;
  readonly regimeSwitch: RegimeSwitchSpec | null;
}

export interface JumpSpec {
  /** Jumps per second. */
  readonly perSecond: number;
  /** Mean and standard deviation of a jump, in ticks. */
  readonly mean: number;
  readonly sd: number;
}

export interface RegimeSwitchSpec {
  /** Rate of entering the stressed state from calm, and of leaving it, per second. */
  readonly enterPerSecond: number;
  readonly exitPerSecond: number;
  /** While stressed: volatility × this, drift + this (ticks per second). */
  readonly volatilityMultiplier: number;
  readonly extraDrift: number;
}

/** Fractions of arrivals by kind; they sum to 1. */
export interface OrderMix {
  readonly limitGtc: number;
  readonly limitIoc: number;
  readonly limitFok: number;
  readonly market: number;
  readonly cancel: number;
  readonly replace: number;
  /** Probability that a new order buys. */
  readonly buyFraction: number;
}

/**
 * Limit prices around the mid, in ticks: offset = Normal(mean, sd) rounded; a buy is placed at
 * mid − offset, a sell at mid + offset (positive offsets rest, negative ones cross), clamped into
 * the symbol's band.
 */
export interface PriceOffsets {
  readonly mean: number;
  readonly sd: number;
}

/** Quantities: exp(Normal(ln median, sigma)) rounded, clamped to [min, max]. */
export interface QuantitySpec {
  readonly median: number;
  readonly sigma: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Each GTC order the client places gets a due time: placement + Exponential(mean meanMs). A
 * cancel or replace arrival targets the client's own live order with the earliest due time (its
 * own bookkeeping, not the engine's answers, so the stream does not depend on the engine).
 */
export interface CancelAfterSpec {
  readonly meanMs: number;
}

export interface ClientsSpec {
  /** Order-entry sessions (each its own client id, Poisson stream and RNG stream). */
  readonly orderEntry: number;
  /** Market-data subscriber groups. */
  readonly marketData: readonly SubscriberGroup[];
  /** Load-generator worker threads the clients are spread over; 0 = one per core, at most 4. */
  readonly workers: number;
  /**
   * Fuzz sessions playing `matchbench fuzz` cases alongside the load. Absent (not null) when the
   * scenario has none, so that scenarios written before it keep their hash.
   */
  readonly fuzz?: FuzzClientsSpec;
}

/**
 * Fuzz clients (docs/SCENARIOS.md, `clients.fuzz`): while the phases run, `sessions` connections
 * at a time play fuzz cases of `classes` (catalogue cases and seeded havoc, docs/FUZZ.md), at most
 * `rateHz` case starts per second over all of them, and each outcome is judged as `matchbench fuzz` does.
 */
export interface FuzzClientsSpec {
  readonly sessions: number;
  readonly rateHz: number;
  readonly classes: readonly FuzzClass[];
  /** The cases' order and the havoc cases come from the run's seed plus this. */
  readonly seedOffset: number;
}

export type SubscriberClass = 'fast' | 'slow' | 'stalled' | 'churning';

export type SubscriberGroup =
  | { readonly class: 'fast'; readonly count: number }
  /** Reads at most bytesPerSecond (throttled reads, socket paused in between). */
  | { readonly class: 'slow'; readonly count: number; readonly bytesPerSecond: number }
  /** Logs in, then never reads again. */
  | { readonly class: 'stalled'; readonly count: number }
  /** Stays connected for Exponential(meanConnectedMs), then reconnects after backoff (doubling from minBackoffMs to maxBackoffMs on failures). */
  | { readonly class: 'churning'; readonly count: number; readonly meanConnectedMs: number; readonly minBackoffMs: number; readonly maxBackoffMs: number };

/**
 * A k6-style rule such as `order_rtt.p99 < 2ms` or `feed_gaps.fast == 0`, parsed. Durations are
 * normalised to ms. `source` is the rule as written, for messages and reports.
 */
export interface Threshold {
  readonly source: string;
  /**
   * e.g. 'order_rtt', 'fill_rtt', 'cancel_rtt', 'feed_latency.fast', 'feed_gaps.slow', 'achieved_rate', 'errors', 'rejects';
   * per-class metrics carry their class after a dot. The vocabulary is THRESHOLD_METRICS in thresholdMetrics.ts.
   */
  readonly metric: string;
  /**
   * e.g. 'p50', 'p99', 'p99.9' (percentiles normalised: 'p(99)' and 'p99.90' become 'p99', 'p99.9'), 'min', 'mean', 'max',
   * 'count', 'rate', 'ratio', 'min_ratio', 'p_value'. Counters written without a stat get 'count' (KIND_STATS in
   * thresholdMetrics.ts lists each kind's stats and units).
   */
  readonly stat: string;
  readonly op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  readonly value: number;
  readonly unit: 'ms' | 'count' | 'per_second' | 'ratio';
}

/**
 * Where the load goes. embedded: start the reference engine in this process on 127.0.0.1 and
 * drive it over TCP (the default); inproc: the matcher in this process, no network; tcp: an
 * engine speaking docs/PROTOCOL.md; http: the HTTP JSON order API.
 */
export type TargetSpec =
  | { readonly kind: 'embedded' }
  | { readonly kind: 'inproc' }
  /** `mdLayout`: read `marketData` with a layout file (docs/FEED_LAYOUT.md) instead of matchbench's protocol. */
  | { readonly kind: 'tcp'; readonly orderEntry: HostPort; readonly marketData: HostPort | null; readonly mdLayout?: string }
  | { readonly kind: 'http'; readonly url: string; readonly marketData: HostPort | null; readonly mapping?: string; readonly mdLayout?: string }
  /** SoupBinTCP 3.00 with an OUCH-style message set (docs/SOUP.md); no market data (marketData always null). */
  | { readonly kind: 'soup'; readonly orderEntry: HostPort; readonly messages: string; readonly username?: string; readonly password?: string; readonly marketData: null }
  /** FIX 4.2 / 4.4 order entry through jspurefix (docs/FIX.md); no market data. */
  | { readonly kind: 'fix'; readonly orderEntry: HostPort; readonly version: '4.2' | '4.4'; readonly senderCompId: string; readonly targetCompId: string; readonly resetSeqNum: boolean; readonly heartbeatSeconds: number; readonly marketData: null };

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** ramp-to-knee: the first phase whose `metric` p99 exceeds p99LimitMs is the knee. */
export interface KneeSpec {
  /** A latency metric of thresholdMetrics.ts: 'order_rtt', 'fill_service_time', 'feed_latency.fast', ... */
  readonly metric: string;
  readonly p99LimitMs: number;
}
