import { applyCommand, type Command } from './book/Command.js';
import type { EventBuffer } from './book/EventBuffer.js';
import { Matcher } from './book/Matcher.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import { EventPublisher } from './EventPublisher.js';
import type { JournalWriter } from './journal/JournalWriter.js';
import type { ExecutionReport } from './gateway/OrderEntrySession.js';
import type { Unstamped } from './gateway/GatewaySession.js';

/** Where execution reports go: the logged-in session of an owner (client id), if it has one. */
export interface ReportSink {
  report(owner: number, report: Unstamped<ExecutionReport>): void;
}

/** Where market data goes: TRADE, LEVEL_UPDATE and QUOTE of every symbol, in event order. */
export interface MarketDataSink {
  trade(symbolId: number, tradeId: number, price: number, quantity: number, aggressorSide: number): void;
  levelUpdate(symbolId: number, side: number, price: number, quantity: number, orderCount: number): void;
  quote(symbolId: number, bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): void;
  /** The events of one batch of commands have all been handed over: a good moment to write. */
  flush(): void;
}

/**
 * Where the events of a batch go once the journal has the batch's commands: an
 * {@link EventPublisher} (reports and market data, in-process) or the engine's outbound ring (on the
 * matcher worker). The buffer is cleared when `publish` returns.
 */
export interface EventOutput {
  publish(events: EventBuffer): void;
}

interface EngineCoreCommonOptions {
  readonly symbols: readonly SymbolConfig[];
  /** Appended before each batch's effects are published; committed (and, in sync mode, made durable) first. */
  readonly journal?: JournalWriter;
}

/**
 * Options of {@link EngineCore}: where the events go, either as `reports` + `marketData` (an
 * {@link EventPublisher} over them) or as any {@link EventOutput}.
 */
export type EngineCoreOptions = EngineCoreCommonOptions & (
  | { readonly reports: ReportSink; readonly marketData: MarketDataSink }
  | { readonly output: EventOutput });

/**
 * The business-logic step of the reference engine: for each batch of commands, journal them, run
 * them through the matcher, and hand the matcher's events to the output. Single-threaded and
 * deterministic; it runs where the matcher lives (the engine's matcher worker, or in-process in tests).
 *
 * ```
 *  commands ─► journal.append ─► matcher ─► EventBuffer ─► journal.commit ─► output.publish(events)
 *                                                                            (EventPublisher: reports, market data;
 *                                                                             worker: the outbound ring)
 * ```
 * Nothing is published before the journal has the commands that caused it (in `sync` mode:
 * before they are on disk), so a client never sees an ACK for a request a restart would forget.
 */
export class EngineCore {
  readonly matcher: Matcher;
  private readonly journal: JournalWriter | undefined;
  private readonly output: EventOutput;
  private commands = 0;

  constructor(options: EngineCoreOptions) {
    this.matcher = new Matcher(options.symbols);
    this.journal = options.journal;
    this.output = 'output' in options ? options.output : new EventPublisher(options.reports, options.marketData);
  }

  /** Commands processed so far (restored ones included). */
  get processed(): number {
    return this.commands;
  }

  /**
   * Applies a command recovered from the journal to the books only: not journaled again, nothing
   * published (its reports and feed frames went out before the restart).
   */
  restore(command: Command): void {
    applyCommand(this.matcher, command);
    this.matcher.events.clear();
    this.commands++;
  }

  /** Processes a batch of commands in order and publishes their events: {@link apply} each, then {@link endBatch}. */
  process(batch: readonly Command[]): void {
    for (const command of batch) this.apply(command);
    this.endBatch();
  }

  /** Journals (appends, not yet commits) and matches one command of the current batch; publishes nothing. */
  apply(command: Command): void {
    this.journal?.append(command);
    applyCommand(this.matcher, command);
    this.commands++;
  }

  /** Ends the current batch: commits the journal, then publishes the batch's events. */
  endBatch(): void {
    this.journal?.commit();
    this.output.publish(this.matcher.events);
    this.matcher.events.clear();
  }
}
