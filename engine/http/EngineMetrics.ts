import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MarketDataServerStats } from '../broadcast/MarketDataServer.js';
import type { Unstamped } from '../gateway/GatewaySession.js';
import type { OrderEntryServerStats } from '../gateway/OrderEntryServer.js';
import type { ExecutionReport } from '../gateway/OrderEntrySession.js';
import { RejectReason } from '../protocol/codes.js';
import { MessageType } from '../protocol/messages.js';
import type { RingOccupancy } from './ringOccupancy.js';

/** Where the gauges read the engine's state, at each scrape. */
export interface EngineMetricSources {
  /** Commands the matcher has processed, journal replay included. */
  processed(): number;
  inboundRing(): RingOccupancy;
  outboundRing(): RingOccupancy;
  orderEntry(): OrderEntryServerStats;
  marketData(): MarketDataServerStats;
  /** HTTP requests inside the engine, not yet answered. */
  httpInFlight(): number;
}

/** What an HTTP order request came to, for `matchbench_http_orders_total{outcome}`. */
export type HttpOrderOutcome = 'accepted' | 'replaced' | 'cancelled' | 'rejected' | 'busy' | 'stopping' | 'timeout';

const REPORT_TYPES: ReadonlyArray<readonly [number, string]> = [
  [MessageType.Ack, 'ack'], [MessageType.Reject, 'reject'], [MessageType.Fill, 'fill'],
  [MessageType.Canceled, 'canceled'], [MessageType.Replaced, 'replaced'],
];

/**
 * The engine's Prometheus metrics (prom-client), in a registry of its own so that several engines
 * in one process (tests) do not share counters. Served as text by `GET /metrics`.
 *
 * Counts on the matching path (execution reports, rejects by reason) are plain array increments:
 * a prom-client `inc` with labels hashes its labels on every call, too slow for every report of
 * the TCP order-entry path; the registry reads the arrays when scraped. HTTP requests, already
 * tens of µs each, use prom-client counters directly. Gauges read {@link EngineMetricSources} at
 * scrape time. prom-client's default metrics add process CPU and memory, heap, GC and event-loop
 * lag (`nodejs_eventloop_lag_seconds` and its percentiles).
 */
export class EngineMetrics {
  readonly registry = new Registry();
  private readonly reportCounts = new Float64Array(256);
  private readonly rejectCounts = new Float64Array(64);
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpOrders: Counter<'outcome'>;

  constructor(sources: () => EngineMetricSources | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({ name: 'matchbench_http_requests_total', help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'] as const, registers });
    this.httpOrders = new Counter({ name: 'matchbench_http_orders_total',
      help: 'HTTP order requests (new, replace, cancel) by outcome', labelNames: ['outcome'] as const, registers });
    const reportCounts = this.reportCounts;
    const rejectCounts = this.rejectCounts;
    new Counter({ name: 'matchbench_execution_reports_total', help: 'Execution reports the matcher produced (all channels), by type',
      labelNames: ['type'] as const, registers,
      collect() {
        this.reset();
        for (const [code, type] of REPORT_TYPES) this.inc({ type }, reportCounts[code] ?? 0);
      } });
    new Counter({ name: 'matchbench_rejects_total', help: 'Requests rejected (all channels), by protocol reject reason',
      labelNames: ['reason'] as const, registers,
      collect() {
        this.reset();
        for (const [reason, code] of Object.entries(RejectReason)) this.inc({ reason }, rejectCounts[code] ?? 0);
      } });
    const gauge = (name: string, help: string, read: (s: EngineMetricSources) => number): void => {
      new Gauge({ name, help, registers, collect() {
        const s = sources();
        if (s !== undefined) this.set(read(s));
      } });
    };
    const counter = (name: string, help: string, read: (s: EngineMetricSources) => number): void => {
      new Counter({ name, help, registers, collect() {
        const s = sources();
        this.reset();
        if (s !== undefined) this.inc(read(s));
      } });
    };
    const byReason = (name: string, help: string, read: (s: EngineMetricSources) => Readonly<Record<string, number>>): void => {
      new Counter({ name, help, labelNames: ['reason'] as const, registers, collect() {
        const s = sources();
        this.reset();
        if (s !== undefined) for (const [reason, n] of Object.entries(read(s))) this.inc({ reason }, n);
      } });
    };
    counter('matchbench_commands_processed_total', 'Commands the matcher processed, journal replay included', (s) => s.processed());
    gauge('matchbench_inbound_ring_occupied_slots', 'Commands in the inbound ring not yet taken by the matcher', (s) => s.inboundRing().occupiedSlots);
    gauge('matchbench_inbound_ring_capacity_slots', 'Slots of the inbound ring', (s) => s.inboundRing().capacity);
    gauge('matchbench_outbound_ring_occupied_slots', 'Event records in the outbound ring not yet published', (s) => s.outboundRing().occupiedSlots);
    gauge('matchbench_outbound_ring_capacity_slots', 'Slots of the outbound ring', (s) => s.outboundRing().capacity);
    gauge('matchbench_order_entry_connections', 'Open TCP order-entry connections', (s) => s.orderEntry().connections);
    gauge('matchbench_order_entry_sessions', 'Logged-in TCP order-entry sessions', (s) => s.orderEntry().sessions);
    byReason('matchbench_order_entry_disconnects_total', 'Ended TCP order-entry sessions, by reason', (s) => s.orderEntry().disconnects);
    gauge('matchbench_market_data_connections', 'Open market-data connections', (s) => s.marketData().connections);
    gauge('matchbench_market_data_subscribers', 'Logged-in market-data subscribers', (s) => s.marketData().subscribers);
    counter('matchbench_market_data_frames_published_total', 'Feed frames published (each encoded once)', (s) => s.marketData().feed.framesPublished);
    counter('matchbench_market_data_frames_dropped_total', 'Feed frames skipped for subscribers over their cap, summed over subscribers',
      (s) => s.marketData().feed.framesDropped);
    byReason('matchbench_market_data_disconnects_total', 'Ended market-data sessions, by reason', (s) => s.marketData().disconnects);
    gauge('matchbench_http_requests_in_flight', 'HTTP order requests inside the engine, not yet answered', (s) => s.httpInFlight());
  }

  /** Counts one execution report (any channel). Called for every report: two array increments. */
  countReport(report: Unstamped<ExecutionReport>): void {
    this.reportCounts[report.type]!++;
    if (report.type === MessageType.Reject) this.rejectCounts[report.reason]!++;
  }

  /** Counts a request answered REJECT EngineBusy before it reached the matcher (any channel). */
  countBusy(): void {
    this.rejectCounts[RejectReason.EngineBusy]!++;
  }

  /** Counts one answered HTTP request. */
  countHttpRequest(route: string, method: string, status: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
  }

  /** Counts one HTTP order request's outcome. */
  countHttpOrder(outcome: HttpOrderOutcome): void {
    this.httpOrders.inc({ outcome });
  }

  /** The metrics in Prometheus text format, and its content type. */
  async text(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
