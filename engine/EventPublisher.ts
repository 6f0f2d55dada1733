import { EVENT_STRIDE, EventKind, type EventBuffer, type RequestType } from './book/EventBuffer.js';
import type { MarketDataSink, ReportSink } from './EngineCore.js';
import { MessageType } from './protocol/messages.js';
import type { CancelReason, Liquidity, RejectReason, Side } from './protocol/codes.js';

/**
 * Turns matcher event records into what leaves the engine: execution reports to the owner's
 * session (ACK, REJECT, FILL, CANCELED, REPLACED) and market data (TRADE, LEVEL_UPDATE, QUOTE).
 *
 * The one translation of a record, whichever thread matched it:
 *
 * ```
 *  in-process:  EngineCore ─► EventBuffer ─────────────────────► publish(events) ─┐
 *  worker:      EngineCore ─► EventBuffer ─► outbound ring slot ─► record(f64, at) ┴─► reports, market data
 * ```
 * A record is EVENT_STRIDE doubles laid out as EventBuffer writes them: sequence, kind, symbolId,
 * then the kind's fields.
 */
export class EventPublisher {
  constructor(private readonly reports: ReportSink, private readonly marketData: MarketDataSink) {}

  /** Publishes every held event of `events`, then flushes the market data. */
  publish(events: EventBuffer): void {
    const d = events.data;
    for (let at = 0, end = events.length * EVENT_STRIDE; at < end; at += EVENT_STRIDE) this.record(d, at);
    this.flush();
  }

  /** Publishes the one event record at `d[at .. at + EVENT_STRIDE)`. */
  record(d: Float64Array, at: number): void {
    const symbolId = d[at + 2] as number;
    // f(n) is the record's n-th field after the header, as in EventBuffer.event.
    const f = at + 3;
    switch (d[at + 1]) {
      case EventKind.Accepted:
        this.reports.report(d[f]!, { type: MessageType.Ack, symbolId, clientOrderId: d[f + 1]!, orderId: d[f + 2]!,
          echoTimestampNs: d[f + 8]! });
        break;
      case EventKind.Rejected:
        this.reports.report(d[f]!, { type: MessageType.Reject, symbolId, clientOrderId: d[f + 1]!, echoTimestampNs: d[f + 4]!,
          reason: d[f + 2] as RejectReason, refMessageType: d[f + 3] as RequestType });
        break;
      case EventKind.Fill:
        this.reports.report(d[f]!, { type: MessageType.Fill, symbolId, clientOrderId: d[f + 1]!, orderId: d[f + 2]!,
          tradeId: d[f + 3]!, price: d[f + 4]!, quantity: d[f + 5]!, leavesQuantity: d[f + 6]!, side: d[f + 7] as Side,
          liquidity: d[f + 8] as Liquidity, echoTimestampNs: d[f + 9]! });
        break;
      case EventKind.Canceled:
        this.reports.report(d[f]!, { type: MessageType.Canceled, symbolId, clientOrderId: d[f + 1]!, orderId: d[f + 2]!,
          canceledQuantity: d[f + 3]!, reason: d[f + 4] as CancelReason, echoTimestampNs: d[f + 5]! });
        break;
      case EventKind.Replaced:
        this.reports.report(d[f]!, { type: MessageType.Replaced, symbolId, clientOrderId: d[f + 1]!, orderId: d[f + 2]!,
          price: d[f + 3]!, leavesQuantity: d[f + 4]!, echoTimestampNs: d[f + 5]! });
        break;
      case EventKind.Trade:
        this.marketData.trade(symbolId, d[f]!, d[f + 1]!, d[f + 2]!, d[f + 3]!);
        break;
      case EventKind.LevelUpdate:
        this.marketData.levelUpdate(symbolId, d[f]!, d[f + 1]!, d[f + 2]!, d[f + 3]!);
        break;
      case EventKind.Quote:
        this.marketData.quote(symbolId, d[f]!, d[f + 1]!, d[f + 2]!, d[f + 3]!);
        break;
      default:
        throw new RangeError(`event record at ${at} has unknown kind ${String(d[at + 1])}`);
    }
  }

  /** The records of one batch have all been handed over: lets the market data write. */
  flush(): void {
    this.marketData.flush();
  }
}
