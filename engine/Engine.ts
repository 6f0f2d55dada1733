/**
 * The reference engine: matchbench's default target.
 *
 *   HTTP clients (JSON, docs/HTTP.md)
 *        │  ▲ one answer per request, once its reports are complete
 *   HttpOrderServer ◄── PendingOrders ◄── (reports of tracked requests, level updates)
 *        │ commands
 *   order-entry clients                                          market-data subscribers
 *        │  TCP (binary, docs/PROTOCOL.md)                               ▲  TCP, one global feed
 *        ▼                                                               │
 *   OrderEntryServer ── OrderEntrySession per connection            MarketDataServer ── MarketDataSession
 *        │ commands                  ▲ execution reports                 ▲ batches (one write per subscriber)
 *  ══════╪═══════════ main thread ═══╪═══════════════════════════════════╪══════════════════════════════════
 *        │ MatcherThread.submit      │ (to the owner's session)     Broadcaster (feed sequence)
 *        │   ring full: REJECT       │                                   ▲       ▲ SNAPSHOT_REQUEST depth
 *        │   EngineBusy              EventPublisher ─► DepthMirror ──────┘       │
 *        ▼                           ▲  (record → report / market data)  └───────┘
 *   inbound ring (commands,          │ tryPoll: setImmediate while records come, else parked on the EventDoorbell
 *   SharedArrayBuffer)          outbound ring (event records, SharedArrayBuffer)
 *        │                           ▲
 *  ══════╪═══════════ matcher worker ╪═════════════════════════════════════════════════════════════════════
 *        ▼                           │ per batch, after journal.commit (waits while the ring is full)
 *   BatchEventProcessor ─► EngineCore: journal.append ─► Matcher (OrderBook per symbol) ─► EventBuffer
 *   (spin-then-park or busy-spin)
 *
 * Commands are matched in batches, one per inbound-ring poll (one journal commit per batch); the
 * main thread publishes what comes back in batches too (one market-data write per polled batch).
 * The books live on the worker; the DepthMirror keeps their levels from the feed for snapshots.
 * Execution reports go first to PendingOrders (the report of a request sent over HTTP answers that
 * request), then to the owner's TCP session. EngineMetrics counts them for GET /metrics.
 */
import type { Command } from './book/Command.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import { Broadcaster } from './broadcast/Broadcaster.js';
import { MarketDataServer } from './broadcast/MarketDataServer.js';
import type { OutboundLimitsOptions } from './broadcast/outboundLimits.js';
import { DepthMirror } from './DepthMirror.js';
import { EventPublisher } from './EventPublisher.js';
import { EngineMetrics, type EngineMetricSources } from './http/EngineMetrics.js';
import { HttpOrderServer, type EngineHealth, type HttpOrderServerOptions, type SubmitResult } from './http/HttpOrderServer.js';
import { PendingOrders } from './http/PendingOrders.js';
import { ringOccupancy } from './http/ringOccupancy.js';
import type { OrderEntrySession } from './gateway/OrderEntrySession.js';
import { OrderEntryServer } from './gateway/OrderEntryServer.js';
import type { Durability } from './journal/JournalWriter.js';
import { MatcherThread } from './MatcherThread.js';
import type { WaitStrategyName } from './matcherWorkerProtocol.js';

/** Options of {@link Engine.start}; each documents its default. */
export interface EngineOptions {
  readonly symbols: readonly SymbolConfig[];
  /** Listen address for both ports. Default 127.0.0.1. */
  readonly host?: string;
  /** Order-entry port; 0 picks a free one. Default 0. */
  readonly orderEntryPort?: number;
  /** Market-data port; 0 picks a free one. Default 0. */
  readonly marketDataPort?: number;
  /** HTTP JSON port (docs/HTTP.md); 0 picks a free one. Default: no HTTP port. */
  readonly httpPort?: number;
  /** Limits of the HTTP port (body cap, answer timeout, …); see {@link HttpOrderServerOptions}. */
  readonly http?: Pick<HttpOrderServerOptions, 'maxBodyBytes' | 'answerTimeoutMs' | 'retryAfterS' | 'maxBookLevels' | 'keepAliveTimeoutMs'>;
  /** Journal file; none when absent. An existing journal is replayed first. */
  readonly journalPath?: string;
  /** Default 'batch'. */
  readonly durability?: Durability;
  /** Per-subscriber outbound cap and slow-subscriber policy. */
  readonly marketData?: OutboundLimitsOptions;
  /** Order-entry and market-data connection limit each. Default 1,000. */
  readonly maxConnections?: number;
  /** Inbound ring slots, a power of two; the outbound ring gets 4× as many. Default 16,384 (MatcherThread). */
  readonly ringSize?: number;
  /** How the matcher worker waits for commands. Default 'spin-then-park'. */
  readonly waitStrategy?: WaitStrategyName;
  /** Hold the matcher worker until {@link Engine.resume} (tests of a full inbound ring). Default false. */
  readonly startPaused?: boolean;
  /** Test-only (`matchbench chaos` tests): a journal that lies, see lagJournalCommits. Default 0 (off). */
  readonly testkitJournalLagMs?: number;
  readonly log?: (line: string) => void;
}

/** A running engine. */
export class Engine {
  private stopping: Promise<void> | undefined;
  private readonly startedMs = performance.now();
  private httpServer: HttpOrderServer | undefined;

  private constructor(
    readonly matcher: MatcherThread,
    readonly orderEntry: OrderEntryServer,
    readonly marketData: MarketDataServer,
    /** Records replayed from the journal at start, and the state hash they gave. */
    readonly recovered: { readonly records: number; readonly tornBytes: number; readonly stateHash: string },
    /** The Prometheus metrics served on GET /metrics. */
    readonly metrics: EngineMetrics,
    private readonly pending: PendingOrders,
  ) {}

  /** Starts the matcher worker (which replays the journal, if any), then listens on both ports. */
  static async start(options: EngineOptions): Promise<Engine> {
    const log = options.log ?? ((): void => {});
    const host = options.host ?? '127.0.0.1';
    const maxConnections = options.maxConnections ?? 1_000;
    let engine: Engine | undefined;
    let mirror: DepthMirror | undefined;
    const broadcaster = new Broadcaster({ depth: (symbolId, levels) => mirror?.depth(symbolId, levels) });
    mirror = new DepthMirror(broadcaster);
    const metrics = new EngineMetrics(() => engine?.metricSources());
    const pending = new PendingOrders(mirror);
    const publisher = new EventPublisher({ report: (owner, report) => {
      metrics.countReport(report);
      if (!pending.report(owner, report)) engine?.orderEntry.session(owner)?.report(report);
    } }, pending);
    const { thread, recovered } = await MatcherThread.start({
      symbols: options.symbols, publisher, log,
      ...(options.journalPath === undefined ? {} : { journalPath: options.journalPath }),
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      ...(options.ringSize === undefined ? {} : { inboundCapacity: options.ringSize }),
      ...(options.waitStrategy === undefined ? {} : { waitStrategy: options.waitStrategy }),
      ...(options.startPaused === undefined ? {} : { startPaused: options.startPaused }),
      ...(options.testkitJournalLagMs === undefined ? {} : { testkitJournalLagMs: options.testkitJournalLagMs }),
    });
    mirror.load(recovered.books);
    // Recovered books are not empty: a LOGIN_ACK carrying 0 would tell subscribers they are, so the feed starts above 0.
    if (recovered.records > 0) broadcaster.startAfter(recovered.records);
    if (options.journalPath !== undefined) {
      log(`replayed ${recovered.records} journal records` +
        `${recovered.tornBytes > 0 ? ` (cut off a torn last record of ${recovered.tornBytes} bytes)` : ''}; ` +
        `state hash ${recovered.stateHash}`);
    }
    let orderEntry: OrderEntryServer | undefined;
    try {
      orderEntry = await OrderEntryServer.listen({ host, port: options.orderEntryPort ?? 0, maxConnections, log,
        onCommand: (command, session) => engine?.submit(command, session) });
      const marketData = await MarketDataServer.listen({ broadcaster, host, port: options.marketDataPort ?? 0,
        maxConnections, log, ...(options.marketData === undefined ? {} : { outbound: options.marketData }) });
      const { records, tornBytes, stateHash } = recovered;
      engine = new Engine(thread, orderEntry, marketData, { records, tornBytes, stateHash }, metrics, pending);
      if (options.httpPort !== undefined) {
        const running = engine;
        engine.httpServer = await HttpOrderServer.listen({ ...options.http, host, port: options.httpPort, pending, metrics, log,
          backend: {
            symbols: options.symbols,
            submit: (command) => running.submitHttp(command),
            depth: (symbolId, levels) => mirror?.depth(symbolId, levels),
            hasTcpSession: (clientId) => running.orderEntry.session(clientId) !== undefined,
            health: () => running.health(),
          } });
      }
      return engine;
    } catch (error) {
      await engine?.marketData.close();
      await orderEntry?.close();
      await thread.stop().catch(() => 0);
      throw error;
    }
  }

  /** The HTTP port, when {@link EngineOptions.httpPort} was given. */
  get http(): HttpOrderServer | undefined {
    return this.httpServer;
  }

  /** Commands the matcher has processed (journal replay included); exact once stopped. */
  get processed(): number {
    return this.matcher.processed;
  }

  /**
   * Hands a command to the matcher worker through the inbound ring; when the ring stays full (or
   * the engine is stopping) the session gets REJECT EngineBusy instead.
   */
  submit(command: Command, session: OrderEntrySession): void {
    if (!this.matcher.submit(command)) {
      this.metrics.countBusy();
      session.rejectBusy(command);
    }
  }

  /** What GET /health shows. */
  health(): EngineHealth {
    return {
      status: this.stopping === undefined ? 'ok' : 'stopping',
      uptimeSeconds: Math.round(performance.now() - this.startedMs) / 1000,
      processedCommands: this.processed,
      recovered: this.recovered,
      inboundRing: ringOccupancy(this.matcher.inbound),
      outboundRing: ringOccupancy(this.matcher.outbound),
      httpInFlight: this.pending.size,
    };
  }

  private submitHttp(command: Command): SubmitResult {
    if (this.stopping !== undefined) return 'stopping';
    return this.matcher.submit(command) ? 'queued' : 'busy';
  }

  private metricSources(): EngineMetricSources {
    return {
      processed: () => this.processed,
      inboundRing: () => ringOccupancy(this.matcher.inbound),
      outboundRing: () => ringOccupancy(this.matcher.outbound),
      orderEntry: () => this.orderEntry.stats(),
      marketData: () => this.marketData.stats(),
      httpInFlight: () => this.pending.size,
    };
  }

  /** Lets a matcher started with `startPaused` consume its inbound ring. */
  resume(): void {
    this.matcher.resume();
  }

  /**
   * Stops cleanly: accepts no more commands, lets the worker match what is in the inbound ring and
   * close the journal, publishes every remaining event, then LOGOUT Shutdown to everyone.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        // HTTP requests still inside the matcher are answered as the worker drains.
        await this.matcher.stop();
      } finally {
        await Promise.all([this.orderEntry.close(), this.marketData.close(), this.httpServer?.close()]);
      }
    })();
    return this.stopping;
  }
}
