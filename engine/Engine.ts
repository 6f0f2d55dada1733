/**
 * The reference engine: matchbench's default target.
 *
 *   order-entry clients                                   market-data subscribers
 *        │  TCP (binary, docs/PROTOCOL.md)                        ▲  TCP, one global feed
 *        ▼                                                        │
 *   OrderEntryServer ── OrderEntrySession per connection     MarketDataServer ── MarketDataSession
 *        │ commands (queued for this event-loop turn)             ▲ batches (one write per subscriber)
 *        ▼                                                        │
 *   EngineCore: journal.append ─► Matcher (OrderBook per symbol) ─► EventBuffer ─► journal.commit
 *        │                                                        │
 *        └─► execution reports ─► the owner's OrderEntrySession   └─► Broadcaster (feed sequence)
 *
 * Today everything runs on the main thread; commands are processed in batches, one per event-loop
 * turn (one journal commit and one market-data write per batch). TODO(issue 3): move EngineCore to
 * a worker thread behind the disruptor rings (engine/ring), and add HTTP order entry.
 */
import type { Command } from './book/Command.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import { Broadcaster } from './broadcast/Broadcaster.js';
import { MarketDataServer } from './broadcast/MarketDataServer.js';
import type { OutboundLimitsOptions } from './broadcast/outboundLimits.js';
import { EngineCore } from './EngineCore.js';
import { OrderEntryServer } from './gateway/OrderEntryServer.js';
import { JournalWriter, type Durability } from './journal/JournalWriter.js';
import { readJournal } from './journal/readJournal.js';

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
  readonly log?: (line: string) => void;
}

/** A running engine. */
export class Engine {
  private pending: Command[] = [];
  private scheduled = false;

  private constructor(
    readonly core: EngineCore,
    readonly orderEntry: OrderEntryServer,
    readonly marketData: MarketDataServer,
    private readonly journal: JournalWriter | undefined,
    /** Records replayed from the journal at start, and the state hash they gave. */
    readonly recovered: { readonly records: number; readonly tornBytes: number; readonly stateHash: string },
  ) {}

  /** Replays the journal (if any), then listens on both ports. */
  static async start(options: EngineOptions): Promise<Engine> {
    const log = options.log ?? ((): void => {});
    const host = options.host ?? '127.0.0.1';
    const maxConnections = options.maxConnections ?? 1_000;
    // Opening checks the journal (refusing one damaged in the middle) and cuts off a torn tail.
    const journal = options.journalPath === undefined ? undefined
      : JournalWriter.open(options.journalPath, { symbols: options.symbols }, { durability: options.durability ?? 'batch' });
    let engine: Engine | undefined;
    const broadcaster = new Broadcaster({ depth: (symbolId, levels) => engine?.core.matcher.book(symbolId)?.depth(levels) });
    const core = new EngineCore({
      symbols: options.symbols,
      ...(journal === undefined ? {} : { journal }),
      reports: { report: (owner, report) => engine?.orderEntry.session(owner)?.report(report) },
      marketData: broadcaster,
    });
    let recovered = { records: 0, tornBytes: 0, stateHash: core.matcher.stateHash() };
    if (journal !== undefined && options.journalPath !== undefined) {
      readJournal(options.journalPath, { record: (command) => core.restore(command) });
      recovered = { ...journal.found, stateHash: core.matcher.stateHash() };
      log(`replayed ${recovered.records} journal records` +
        `${recovered.tornBytes > 0 ? ` (cut off a torn last record of ${recovered.tornBytes} bytes)` : ''}; ` +
        `state hash ${recovered.stateHash}`);
    }
    const orderEntry = await OrderEntryServer.listen({ host, port: options.orderEntryPort ?? 0, maxConnections, log,
      onCommand: (command) => engine?.submit(command) });
    const marketData = await MarketDataServer.listen({ broadcaster, host, port: options.marketDataPort ?? 0, maxConnections,
      log, ...(options.marketData === undefined ? {} : { outbound: options.marketData }) });
    engine = new Engine(core, orderEntry, marketData, journal, recovered);
    return engine;
  }

  /** Queues a command; the queue is processed once per event-loop turn, in arrival order. */
  submit(command: Command): void {
    this.pending.push(command);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.core.process(batch);
  }

  /** Stops cleanly: processes what is queued, flushes and closes the journal, LOGOUT Shutdown to everyone. */
  async stop(): Promise<void> {
    if (this.pending.length > 0) this.drain();
    this.journal?.close();
    await Promise.all([this.orderEntry.close(), this.marketData.close()]);
  }
}
