/**
 * The reference engine: matchbench's default target.
 *
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
 *   inbound ring (commands,          │ tryPoll, setImmediate/timer loop
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
 * TODO(issue 3): add HTTP order entry.
 */
import type { Command } from './book/Command.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import { Broadcaster } from './broadcast/Broadcaster.js';
import { MarketDataServer } from './broadcast/MarketDataServer.js';
import type { OutboundLimitsOptions } from './broadcast/outboundLimits.js';
import { DepthMirror } from './DepthMirror.js';
import { EventPublisher } from './EventPublisher.js';
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
  readonly log?: (line: string) => void;
}

/** A running engine. */
export class Engine {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly matcher: MatcherThread,
    readonly orderEntry: OrderEntryServer,
    readonly marketData: MarketDataServer,
    /** Records replayed from the journal at start, and the state hash they gave. */
    readonly recovered: { readonly records: number; readonly tornBytes: number; readonly stateHash: string },
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
    const publisher = new EventPublisher({ report: (owner, report) => engine?.orderEntry.session(owner)?.report(report) },
      mirror);
    const { thread, recovered } = await MatcherThread.start({
      symbols: options.symbols, publisher, log,
      ...(options.journalPath === undefined ? {} : { journalPath: options.journalPath }),
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      ...(options.ringSize === undefined ? {} : { inboundCapacity: options.ringSize }),
      ...(options.waitStrategy === undefined ? {} : { waitStrategy: options.waitStrategy }),
      ...(options.startPaused === undefined ? {} : { startPaused: options.startPaused }),
    });
    mirror.load(recovered.books);
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
      engine = new Engine(thread, orderEntry, marketData, { records, tornBytes, stateHash });
      return engine;
    } catch (error) {
      await orderEntry?.close();
      await thread.stop().catch(() => 0);
      throw error;
    }
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
    if (!this.matcher.submit(command)) session.rejectBusy(command);
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
        await this.matcher.stop();
      } finally {
        await Promise.all([this.orderEntry.close(), this.marketData.close()]);
      }
    })();
    return this.stopping;
  }
}
