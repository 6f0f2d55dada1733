import { CommandKind, type Command } from '../book/Command.js';
import type { MarketDataSink } from '../EngineCore.js';
import type { Unstamped } from '../gateway/GatewaySession.js';
import type { ExecutionReport } from '../gateway/OrderEntrySession.js';
import { CancelReason, codeName, Liquidity, OrderType, RejectReason, TimeInForce } from '../protocol/codes.js';
import { MessageType } from '../protocol/messages.js';

/** One trade of the request's own order, as the HTTP answer shows it. */
export interface OrderFill {
  readonly tradeId: number;
  readonly price: number;
  readonly quantity: number;
}

/** Where an order stands once its request's events are complete. */
export type OrderStatus = 'resting' | 'filled' | 'cancelled';

/** What the matcher made of one HTTP request: the answer's body, discriminated on `outcome`. */
export type OrderOutcome =
  | {
    /** A new order the matcher took (ACK). */
    readonly outcome: 'accepted';
    readonly orderId: number;
    readonly status: OrderStatus;
    readonly quantity: number;
    readonly filledQuantity: number;
    /** Open on the book (0 unless `resting`). */
    readonly remainingQuantity: number;
    /** Canceled at once (IOC or market remainder, unfillable FOK), with the reason's protocol name. */
    readonly cancelledQuantity: number;
    readonly cancelReason: string | null;
    /** This order's trades during the request, in order (as taker). */
    readonly fills: readonly OrderFill[];
  }
  | {
    /** A resting order that was replaced (REPLACED). */
    readonly outcome: 'replaced';
    readonly orderId: number;
    readonly status: Exclude<OrderStatus, 'cancelled'>;
    readonly price: number;
    /** Traded during the replace (a new price that crossed the book). */
    readonly filledQuantity: number;
    readonly remainingQuantity: number;
    readonly fills: readonly OrderFill[];
  }
  | {
    /** A resting order that was canceled (CANCELED User). */
    readonly outcome: 'cancelled';
    readonly orderId: number;
    readonly cancelledQuantity: number;
  }
  | {
    /** REJECT: the request had no effect. `reason` is the protocol's RejectReason name. */
    readonly outcome: 'rejected';
    readonly reason: string;
  };

/** The request, as the caller sees it, when the answer is ready. */
interface Pending {
  readonly command: Command;
  readonly resolve: (result: OrderOutcome | undefined) => void;
  started: boolean;
  orderId: number;
  /** Own side; for a replace unknown (0) until the first LEVEL_UPDATE after REPLACED. */
  side: number;
  /** Where the order rests if it rests: its limit price (the REPLACED price for a replace); -1 for none. */
  restPrice: number;
  filled: number;
  leaves: number;
  cancelled: number;
  cancelReason: number;
  readonly fills: OrderFill[];
}

/**
 * The HTTP requests inside the engine, and the one that owns the events being published right now.
 *
 * HTTP answers a request only once all of its execution reports are known, so this class must
 * tell from the event stream where one command's events end. The matcher's events for one command
 * are contiguous (docs/PROTOCOL.md "Event order"), and each command's first event is a report to
 * its sender: ACK or REJECT (new order), REPLACED or REJECT (replace), CANCELED User or REJECT
 * (cancel); nothing else starts a command. A request is recognised by that first report: it echoes
 * the request's `timestampNs`, which the HTTP server makes unique per request.
 *
 * ```
 *  EventPublisher ─► report(owner, r) ─► first report of a tracked request? ─► active request
 *                  │                     taker FILL / CANCELED of the active request ─► its fills
 *                  └► levelUpdate ──────► own side at its resting price: it rested ─► answer
 * ```
 * The active request is complete, and answered, at the first of:
 * - REJECT or CANCELED User (a one-event command);
 * - its taker FILL leaving 0 open (filled), or its CANCELED (IOC or market remainder, unfillable FOK);
 * - a LEVEL_UPDATE on its own side at its resting price (it rested: for a new limit GTC order the
 *   level it joins; for a replace, the level at the new price; a replace's first LEVEL_UPDATE is
 *   always its own side, which tells its side);
 * - the first report of the next command (the stream is contiguous; a safety net that the rules
 *   above make unnecessary).
 *
 * Reports that are not a tracked request's (a resting HTTP order filled as maker by someone else's
 * request) are not claimed: the engine routes them to the owner's TCP session, if any.
 *
 * Passes every market-data call on to `next` unchanged, like DepthMirror.
 */
export class PendingOrders implements MarketDataSink {
  private readonly byTimestamp = new Map<number, Pending>();
  private active: Pending | undefined;

  constructor(private readonly next: MarketDataSink) {}

  /** Requests submitted and not yet answered. */
  get size(): number {
    return this.byTimestamp.size;
  }

  /**
   * Tracks a command about to be submitted. Resolves with its outcome once its events are complete,
   * or with undefined if {@link forget} or {@link abandonAll} drops it first. `command.timestampNs`
   * must be unique among tracked commands.
   */
  track(command: Command): Promise<OrderOutcome | undefined> {
    if (this.byTimestamp.has(command.timestampNs)) throw new RangeError(`timestampNs ${command.timestampNs} is already tracked`);
    return new Promise((resolve) => {
      this.byTimestamp.set(command.timestampNs, {
        command, resolve, started: false, orderId: 0,
        side: command.kind === CommandKind.NewOrder ? command.side : 0,
        restPrice: command.kind === CommandKind.Replace ? command.price
          : command.kind === CommandKind.NewOrder && command.orderType === OrderType.Limit && command.timeInForce === TimeInForce.GTC
            ? command.price : -1,
        filled: 0, leaves: command.quantity, cancelled: 0, cancelReason: 0, fills: [],
      });
    });
  }

  /** Stops tracking a command (it was never queued, or its caller gave up): resolves it with undefined. */
  forget(command: Command): void {
    const pending = this.byTimestamp.get(command.timestampNs);
    if (pending === undefined || pending.command !== command) return;
    this.byTimestamp.delete(command.timestampNs);
    if (this.active === pending) this.active = undefined;
    pending.resolve(undefined);
  }

  /** Resolves every tracked command with undefined (the engine stopped before answering them). */
  abandonAll(): void {
    for (const pending of [...this.byTimestamp.values()]) this.forget(pending.command);
  }

  /**
   * Offers one execution report, in event order. Returns true when it belongs to a tracked HTTP
   * request (it is consumed here), false when it should go to the owner's session.
   */
  report(owner: number, report: Unstamped<ExecutionReport>): boolean {
    const type = report.type;
    if (type === MessageType.Ack || type === MessageType.Reject || type === MessageType.Replaced
      || (type === MessageType.Canceled && report.reason === CancelReason.User)) {
      // A command starts here, so the previous one has ended.
      if (this.active !== undefined) this.finish(this.active);
      const pending = this.byTimestamp.get(report.echoTimestampNs);
      if (pending === undefined || !startsWith(pending.command, owner, report)) return false;
      pending.started = true;
      switch (type) {
        case MessageType.Reject:
          this.settle(pending, { outcome: 'rejected', reason: codeName(RejectReason, report.reason) });
          break;
        case MessageType.Canceled:
          this.settle(pending, { outcome: 'cancelled', orderId: report.orderId, cancelledQuantity: report.canceledQuantity });
          break;
        default:
          pending.orderId = report.orderId;
          this.active = pending;
      }
      return true;
    }
    const active = this.active;
    if (active === undefined || owner !== active.command.owner || report.symbolId !== active.command.symbolId
      || report.clientOrderId !== active.command.clientOrderId || report.orderId !== active.orderId) return false;
    if (type === MessageType.Fill) {
      // A maker FILL with this owner and id cannot be the active order's: it is the aggressor.
      if (report.liquidity !== Liquidity.Taker) return false;
      active.fills.push({ tradeId: report.tradeId, price: report.price, quantity: report.quantity });
      active.filled += report.quantity;
      active.leaves = report.leavesQuantity;
      if (active.side === 0) active.side = report.side;
      if (report.leavesQuantity === 0) this.finish(active);
      return true;
    }
    if (type === MessageType.Canceled) {
      active.cancelled = report.canceledQuantity;
      active.cancelReason = report.reason;
      active.leaves = 0;
      this.finish(active);
      return true;
    }
    return false;
  }

  trade(symbolId: number, tradeId: number, price: number, quantity: number, aggressorSide: number): void {
    this.next.trade(symbolId, tradeId, price, quantity, aggressorSide);
  }

  levelUpdate(symbolId: number, side: number, price: number, quantity: number, orderCount: number): void {
    const active = this.active;
    if (active !== undefined && symbolId === active.command.symbolId && active.restPrice >= 0) {
      // A replace's first LEVEL_UPDATE is its own side (the old level, or the same level).
      if (active.side === 0) active.side = side;
      if (side === active.side && price === active.restPrice) this.finish(active);
    }
    this.next.levelUpdate(symbolId, side, price, quantity, orderCount);
  }

  quote(symbolId: number, bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): void {
    this.next.quote(symbolId, bidPrice, bidQuantity, askPrice, askQuantity);
  }

  flush(): void {
    this.next.flush();
  }

  /** The active request's events are complete: answer it from what was seen. */
  private finish(pending: Pending): void {
    this.active = undefined;
    const status: OrderStatus = pending.cancelled > 0 ? 'cancelled' : pending.leaves === 0 ? 'filled' : 'resting';
    const { command } = pending;
    if (command.kind === CommandKind.Replace) {
      this.settle(pending, { outcome: 'replaced', orderId: pending.orderId, status: status === 'cancelled' ? 'resting' : status,
        price: command.price, filledQuantity: pending.filled, remainingQuantity: pending.leaves, fills: pending.fills });
      return;
    }
    this.settle(pending, {
      outcome: 'accepted', orderId: pending.orderId, status, quantity: command.quantity, filledQuantity: pending.filled,
      remainingQuantity: status === 'resting' ? pending.leaves : 0, cancelledQuantity: pending.cancelled,
      cancelReason: pending.cancelReason === 0 ? null : codeName(CancelReason, pending.cancelReason), fills: pending.fills,
    });
  }

  private settle(pending: Pending, result: OrderOutcome): void {
    this.byTimestamp.delete(pending.command.timestampNs);
    pending.resolve(result);
  }
}

/** Whether `report` can be the first event of `command` (same owner, symbol, client order id, request type). */
function startsWith(command: Command, owner: number, report: Unstamped<ExecutionReport>): boolean {
  if (owner !== command.owner || report.symbolId !== command.symbolId || report.clientOrderId !== command.clientOrderId) return false;
  switch (report.type) {
    case MessageType.Ack: return command.kind === CommandKind.NewOrder;
    case MessageType.Replaced: return command.kind === CommandKind.Replace;
    case MessageType.Canceled: return command.kind === CommandKind.Cancel;
    case MessageType.Reject: return report.refMessageType === requestType(command);
    default: return false;
  }
}

function requestType(command: Command): number {
  switch (command.kind) {
    case CommandKind.NewOrder: return MessageType.NewOrder;
    case CommandKind.Cancel: return MessageType.Cancel;
    default: return MessageType.Replace;
  }
}
