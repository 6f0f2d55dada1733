import { applyCommand, type Command } from './book/Command.js';
import { EventKind, type EventBuffer } from './book/EventBuffer.js';
import { Matcher } from './book/Matcher.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import type { JournalWriter } from './journal/JournalWriter.js';
import { MessageType } from './protocol/messages.js';
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

/** Options of {@link EngineCore}. */
export interface EngineCoreOptions {
  readonly symbols: readonly SymbolConfig[];
  /** Appended before each batch's effects are published; committed (and, in sync mode, made durable) first. */
  readonly journal?: JournalWriter;
  readonly reports: ReportSink;
  readonly marketData: MarketDataSink;
}

/**
 * The business-logic step of the reference engine: for each batch of commands, journal them,
 * run them through the matcher, and turn the matcher's events into execution reports (to the
 * owner's session) and market data (to the broadcaster). Single-threaded and deterministic; the
 * engine runs it where the matcher lives.
 *
 * ```
 *  commands ─► journal.append ─► matcher ─► EventBuffer ─► journal.commit ─► reports (ACK, REJECT, FILL, CANCELED, REPLACED)
 *                                                                        └─► market data (TRADE, LEVEL_UPDATE, QUOTE)
 * ```
 * Nothing is published before the journal has the commands that caused it (in `sync` mode:
 * before they are on disk), so a client never sees an ACK for a request a restart would forget.
 */
export class EngineCore {
  readonly matcher: Matcher;
  private readonly journal: JournalWriter | undefined;
  private readonly reports: ReportSink;
  private readonly marketData: MarketDataSink;
  private commands = 0;

  constructor(options: EngineCoreOptions) {
    this.matcher = new Matcher(options.symbols);
    this.journal = options.journal;
    this.reports = options.reports;
    this.marketData = options.marketData;
  }

  /** Commands processed so far. */
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

  /** Processes a batch of commands in order and publishes their events. */
  process(batch: readonly Command[]): void {
    const journal = this.journal;
    for (const command of batch) {
      journal?.append(command);
      applyCommand(this.matcher, command);
    }
    this.commands += batch.length;
    journal?.commit();
    this.publish(this.matcher.events);
    this.matcher.events.clear();
  }

  private publish(events: EventBuffer): void {
    for (let i = 0; i < events.length; i++) {
      const e = events.event(i);
      const symbolId = e.symbolId;
      switch (e.kind) {
        case EventKind.Accepted:
          this.reports.report(e.owner, { type: MessageType.Ack, symbolId, clientOrderId: e.clientOrderId, orderId: e.orderId,
            echoTimestampNs: e.echoTimestampNs });
          break;
        case EventKind.Rejected:
          this.reports.report(e.owner, { type: MessageType.Reject, symbolId, clientOrderId: e.clientOrderId,
            echoTimestampNs: e.echoTimestampNs, reason: e.reason, refMessageType: e.requestType });
          break;
        case EventKind.Fill:
          this.reports.report(e.owner, { type: MessageType.Fill, symbolId, clientOrderId: e.clientOrderId, orderId: e.orderId,
            tradeId: e.tradeId, price: e.price, quantity: e.quantity, leavesQuantity: e.leavesQuantity, side: e.side,
            liquidity: e.liquidity, echoTimestampNs: e.echoTimestampNs });
          break;
        case EventKind.Canceled:
          this.reports.report(e.owner, { type: MessageType.Canceled, symbolId, clientOrderId: e.clientOrderId,
            orderId: e.orderId, canceledQuantity: e.canceledQuantity, reason: e.reason, echoTimestampNs: e.echoTimestampNs });
          break;
        case EventKind.Replaced:
          this.reports.report(e.owner, { type: MessageType.Replaced, symbolId, clientOrderId: e.clientOrderId,
            orderId: e.orderId, price: e.price, leavesQuantity: e.leavesQuantity, echoTimestampNs: e.echoTimestampNs });
          break;
        case EventKind.Trade:
          this.marketData.trade(symbolId, e.tradeId, e.price, e.quantity, e.aggressorSide);
          break;
        case EventKind.LevelUpdate:
          this.marketData.levelUpdate(symbolId, e.side, e.price, e.quantity, e.orderCount);
          break;
        case EventKind.Quote:
          this.marketData.quote(symbolId, e.bidPrice, e.bidQuantity, e.askPrice, e.askQuantity);
          break;
      }
    }
    this.marketData.flush();
  }
}
