import { CommandKind, type Command } from '../../engine/book/Command.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { CancelReason, codeName, OrderType, RejectReason, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';

/**
 * The execution-report invariants checked per session (docs/PROTOCOL.md, messages ACK … REPLACED
 * and "Matching rules and event order"). Stable names: run results and violation.json use them.
 */
export type SessionInvariant =
  /** Exactly one terminal state per order (filled to 0 leaves, canceled, rejected); IOC, FOK and market orders must reach one. */
  | 'one-terminal-state'
  /** No FILL after the order was canceled, filled or rejected. */
  | 'no-fill-after-terminal'
  /** Leaves never negative and equal to quantity − cumulative fills (a REPLACED sets them to the replace's quantity); CANCELED removes exactly the leaves. */
  | 'leaves-consistent'
  /** A fill is at or better than the order's limit (buy ≤ limit, sell ≥ limit); market orders have no limit. */
  | 'fill-within-limit'
  /** A FILL's quantity is > 0. */
  | 'fill-quantity-positive'
  /** Reports are about orders this session sent. */
  | 'known-order'
  /** ACK comes first; REPLACED and CANCELED User only answer a REPLACE or CANCEL the session sent. */
  | 'report-order'
  /** REPLACED carries the price the REPLACE asked for. */
  | 'replace-as-sent';

/** One broken session invariant: plain data (crosses threads and goes into violation.json as is). */
export interface SessionViolation {
  readonly invariant: SessionInvariant;
  /** The session: its global client index (client i logs in as clientId i + 1). */
  readonly session: number;
  readonly symbolId: number;
  readonly clientOrderId: number;
  /** Index of the report in the session's report stream (0 = its first report); −1 for the end-of-run check. */
  readonly reportIndex: number;
  /** Global event index where the driver has one (inproc: the matcher's event sequence); null otherwise. */
  readonly eventIndex: number | null;
  /** Global position of the command being matched when the report was made (inproc only); null otherwise. */
  readonly commandIndex: number | null;
  /** Position in the session's generated stream of the last command it had sent when the report arrived; −1: none. */
  readonly lastStreamIndex: number;
  /** Position in the session's generated stream of the order's NEW_ORDER; −1 when unknown. */
  readonly orderStreamIndex: number;
  /** When the report arrived, ms since the run's time 0. */
  readonly atMs: number;
  /** One line: what was seen and what was due. */
  readonly message: string;
  /** How the target's protocol names the order and the report (FIX: `ClOrdID 7, ExecutionReport Trade: OrdStatus 2, …`); absent where it uses matchbench's ids. */
  readonly orderName?: string;
}

/** What a driver hands back: the first violations (capped) and how many there were. */
export interface SessionCheckSummary {
  /** Sessions checked. */
  readonly sessions: number;
  /** Reports checked, over all sessions. */
  readonly reports: number;
  /** Violations found, all counted. */
  readonly count: number;
  /** The first ones (at most the log's cap), in the order found. */
  readonly violations: SessionViolation[];
}

/** A request as the checker needs it: engine/book's Command and harness/generate's FlowOrder both fit. */
export type SentCommand = Pick<Command, 'kind' | 'symbolId' | 'clientOrderId' | 'side' | 'orderType' | 'timeInForce' | 'price' | 'quantity'>;

/**
 * Where the checkers of one driver put their violations: the first `cap` kept, all counted. The
 * driver supplies the time (`atMs`, read only when a violation is recorded) and, where it knows it,
 * the global position of the command being matched (`commandIndex`).
 */
export class SessionViolationLog {
  /** The first `cap` violations. */
  readonly violations: SessionViolation[] = [];
  /** Every violation recorded. */
  count = 0;
  /** Reports checked (each checker counts its own here). */
  reports = 0;
  /** Checkers writing here. */
  sessions = 0;
  /** Global command position of the report being checked (inproc sets it per command); null when unknown. */
  commandIndex: number | null = null;

  /** @param cap violations kept (the rest only counted). Default 100. */
  constructor(readonly atMs: () => number = () => 0, readonly cap = 100) {}

  /** Records a violation: counted, and kept while fewer than `cap` are. */
  add(v: SessionViolation): void {
    this.count++;
    if (this.violations.length < this.cap) this.violations.push(v);
  }

  /** What a driver hands back (plain data). */
  summary(): SessionCheckSummary {
    return { sessions: this.sessions, reports: this.reports, count: this.count, violations: [...this.violations] };
  }
}

/** One line for result.invariants.violations. */
export function describeSessionViolation(v: SessionViolation): string {
  const at = v.reportIndex < 0 ? 'end of run' : `report ${v.reportIndex}${v.eventIndex === null ? '' : ` (event ${v.eventIndex})`}`;
  const name = v.orderName === undefined ? '' : `; ${v.orderName}`;
  return `session report: client ${v.session} order ${v.clientOrderId} (symbol ${v.symbolId}${name}), ${at}: ${v.invariant}: ${v.message}`;
}

/**
 * The cancel reason of an order's end that no CANCEL asked for, for drivers whose protocol carries
 * none matchbench knows (FIX, SoupBinTCP): by the order's type. A resting order the engine ended
 * itself (expiry, self-trade prevention) has no matchbench reason and is given IocRemainder.
 */
export function unrequestedCancelReason(c: Pick<SentCommand, 'orderType' | 'timeInForce'>): number {
  if (c.orderType === OrderType.Market) return CancelReason.NoLiquidity;
  if (c.timeInForce === TimeInForce.FOK) return CancelReason.FokNotFillable;
  return CancelReason.IocRemainder;
}

/** Options of {@link SessionReportChecker}; each documents its default. */
export interface SessionReportCheckerOptions {
  /**
   * The session never sees maker fills (an HTTP client, docs/HTTP.md): a resting order's open
   * quantity may shrink unseen, so a CANCELED may remove less than the leaves on record (never more).
   * Default false.
   */
  readonly hiddenMakerFills?: boolean;
  /** Terminated orders remembered to name a late report (the oldest are forgotten). Default 4,096. */
  readonly terminatedMemory?: number;
  /**
   * What a REPLACE's quantity means to the engine. `open` (docs/PROTOCOL.md): the order's open
   * quantity becomes it. `open-or-total` (FIX, docs/FIX.md): either that, or the order's new total,
   * so the open quantity becomes it minus what has filled (OrderQty on an OrderCancelReplaceRequest);
   * a REPLACED leaving either is accepted. Default `open`.
   */
  readonly replaceQuantity?: 'open' | 'open-or-total';
  /**
   * How the target's protocol names an order in a violation (FIX: its ClOrdID and the report's
   * fields); called only when a violation is recorded. Default: none (matchbench's client order id).
   */
  readonly nameOrder?: (symbolId: number, clientOrderId: number) => string | undefined;
}

const SENT = 0;
const ACKED = 1;
const DONE = 2;
/** Its fate is unknown (see {@link SessionReportChecker.forget}): its reports are not judged. */
const UNKNOWN = 3;
const FILLED = 1;
const CANCELED = 2;
const REJECTED = 3;

/** One order of the session as sent, and where its reports have taken it. Reused once forgotten (see {@link SessionReportChecker}). */
class OrderRecord {
  state = SENT;
  /** How it ended: FILLED, CANCELED or REJECTED, with the cancel or reject reason. */
  terminal = 0;
  terminalReason = 0;
  /** NEW_ORDERs sent again with this live id: each is owed a REJECT DuplicateClientOrderId. */
  duplicates = 0;
  pendingCancels = 0;
  /** Outstanding REPLACEs in send order, as pairs (price, quantity); null or empty while there are none. */
  pendingReplaces: number[] | null = null;
  side = 0;
  orderType = 0;
  timeInForce = 0;
  /** The limit in force: the NEW_ORDER's, then each REPLACE's. 0 for a market order. */
  limit = 0;
  /** Open quantity by the reports so far. */
  leaves = 0;
  /** Quantity filled by the reports so far. */
  filled = 0;
  streamIndex = -1;
  symbolId = 0;
  clientOrderId = 0;

  /** Makes this the record of a new order (a fresh one, or one reused). */
  reset(c: SentCommand, streamIndex: number): this {
    this.symbolId = c.symbolId;
    this.clientOrderId = c.clientOrderId;
    this.state = SENT;
    this.terminal = 0;
    this.terminalReason = 0;
    this.duplicates = 0;
    this.pendingCancels = 0;
    if (this.pendingReplaces !== null) this.pendingReplaces.length = 0;
    this.side = c.side;
    this.orderType = c.orderType;
    this.timeInForce = c.timeInForce;
    this.limit = c.orderType === OrderType.Market ? 0 : c.price;
    this.leaves = c.quantity;
    this.filled = 0;
    this.streamIndex = streamIndex;
    return this;
  }

  /** The order must end at once: IOC, FOK or market. */
  get immediate(): boolean {
    return this.orderType === OrderType.Market || this.timeInForce === TimeInForce.IOC || this.timeInForce === TimeInForce.FOK;
  }

  terminalText(): string {
    switch (this.terminal) {
      case FILLED: return 'it was filled';
      case CANCELED: return `it was CANCELED ${codeName(CancelReason, this.terminalReason)}`;
      default: return `it was REJECTED ${codeName(RejectReason, this.terminalReason)}`;
    }
  }
}

/**
 * Checks one order-entry session's execution reports as they arrive, against the orders the session
 * sent (docs/PROTOCOL.md). Tell it every request as it goes out ({@link sent}) and every report in
 * arrival order ({@link report}); {@link finish} at the end of a run that ended normally. Violations
 * go to the shared {@link SessionViolationLog}.
 *
 * Called for every report under load: nothing is allocated per report or, in a long run, per order
 * (records of forgotten orders are reused; a violation allocates its message); an order is found by
 * its symbol (an array slot) and client order id (a Map). Terminated orders are remembered in a ring of
 * `terminatedMemory` entries, only to name a late report (after a terminal state rather than for an
 * unknown order) and to match REJECTs of CANCEL or REPLACE sent to them.
 *
 * What it accepts that may look wrong: a REJECT of a CANCEL or REPLACE for any order (the order may
 * have filled or been canceled meanwhile: REJECT UnknownOrder is the protocol's answer, not a second
 * terminal state); an order sent and never answered (the driver counts it as unanswered); a GTC
 * order still open at the end (it rests).
 */
export class SessionReportChecker {
  /**
   * Every order sent, live or terminated (state DONE, until it is forgotten): per symbol (an array
   * slot for ids below 65,536, else a Map), a Map by client order id (small integers: V8's fast keys).
   */
  private readonly bySymbol: (Map<number, OrderRecord> | undefined)[] = [];
  private readonly otherSymbols = new Map<number, Map<number, OrderRecord>>();
  private open = 0;
  /** Terminated orders in the order they ended (a ring): the oldest is forgotten when a new one ends. */
  private readonly ringRecords: (OrderRecord | undefined)[];
  private ringAt = 0;
  private readonly free: OrderRecord[] = [];
  private readonly hiddenMakerFills: boolean;
  private readonly replaceTotal: boolean;
  private readonly nameOrder: ((symbolId: number, clientOrderId: number) => string | undefined) | undefined;
  private reportIndex = -1;
  private lastStreamIndex = -1;
  private eventIndex: number | null = null;

  constructor(readonly session: number, private readonly log: SessionViolationLog, options: SessionReportCheckerOptions = {}) {
    this.hiddenMakerFills = options.hiddenMakerFills ?? false;
    this.replaceTotal = options.replaceQuantity === 'open-or-total';
    this.nameOrder = options.nameOrder;
    const memory = Math.max(1, options.terminatedMemory ?? 4_096);
    this.ringRecords = new Array<OrderRecord | undefined>(memory).fill(undefined);
    log.sessions++;
  }

  /** Orders sent and not terminated (resting, or still unanswered). */
  get openOrders(): number {
    return this.open;
  }

  /** A request left for the engine; `streamIndex` is its position in the session's generated stream. */
  sent(c: SentCommand, streamIndex: number): void {
    this.lastStreamIndex = streamIndex;
    const orders = this.orders(c.symbolId);
    const found = orders.get(c.clientOrderId);
    switch (c.kind) {
      case CommandKind.NewOrder:
        if (found !== undefined && found.state !== DONE && found.state !== UNKNOWN) {
          found.duplicates++;
          return;
        }
        // An id may be used again once its order has ended (the ended record stays in the ring until it comes round).
        orders.set(c.clientOrderId, (this.free.pop() ?? new OrderRecord()).reset(c, streamIndex));
        this.open++;
        return;
      case CommandKind.Cancel:
        if (found !== undefined) found.pendingCancels++;
        return;
      default:
        if (found !== undefined) (found.pendingReplaces ??= []).push(c.price, c.quantity);
    }
  }

  /**
   * One execution report, in arrival order. `eventIndex`: the report's global event index where
   * the driver has one (inproc: the matcher event's sequence).
   */
  report(r: Unstamped<ExecutionReport>, eventIndex: number | null = null): void {
    this.reportIndex++;
    this.log.reports++;
    this.eventIndex = eventIndex;
    const found = this.orders(r.symbolId).get(r.clientOrderId);
    if (found?.state === UNKNOWN) return;
    // `o`: the order while it is live; `found` also when it has ended (to name a late report).
    const o = found !== undefined && found.state !== DONE ? found : undefined;
    switch (r.type) {
      case MessageType.Ack:
        if (o === undefined) return this.unknownOrLate(r.symbolId, r.clientOrderId, found, 'one-terminal-state', 'ACK');
        if (o.state !== SENT) return this.fail('report-order', r.symbolId, r.clientOrderId, o, 'a second ACK for the order');
        o.state = ACKED;
        return;
      case MessageType.Reject:
        return this.onReject(r.symbolId, r.clientOrderId, found, o, r.refMessageType, r.reason);
      case MessageType.Fill:
        return this.onFill(r.symbolId, r.clientOrderId, found, o, r.price, r.quantity, r.leavesQuantity);
      case MessageType.Canceled:
        return this.onCanceled(r.symbolId, r.clientOrderId, found, o, r.canceledQuantity, r.reason);
      case MessageType.Replaced:
        return this.onReplaced(r.symbolId, r.clientOrderId, found, o, r.price, r.leavesQuantity);
      default:
        return undefined;
    }
  }

  /**
   * The run ended normally (every request answered or given up, the session logged out cleanly):
   * an IOC, FOK or market order that was acked must have reached a terminal state.
   */
  finish(): void {
    this.eventIndex = null;
    for (const orders of [...this.bySymbol, ...this.otherSymbols.values()]) {
      for (const o of orders?.values() ?? []) {
        if (o.state !== ACKED || !o.immediate) continue;
        this.log.add(this.violation('one-terminal-state', o.symbolId, o.clientOrderId, o, -1,
          `${describeType(o)} order was acked and never filled, canceled or rejected (leaves ${o.leaves} at the end of the run)`));
      }
    }
  }

  /**
   * The engine says the order has `leaves` open now, outside a report (an HTTP answer's
   * remainingQuantity for an order that rested): checked like a FILL's leaves.
   */
  leavesNow(symbolId: number, clientOrderId: number, leaves: number): void {
    const o = this.orders(symbolId).get(clientOrderId);
    if (o === undefined || o.state === DONE || o.state === UNKNOWN || o.leaves === leaves) return;
    this.fail('leaves-consistent', symbolId, clientOrderId, o, `${leaves} open by the engine's answer; its reports leave ${o.leaves}`);
    o.leaves = leaves;
  }

  /**
   * A violation the target's protocol mapping found in the report just checked, outside what
   * matchbench's reports carry (FIX: a CumQty that disagrees with the fills reported): recorded
   * against that report and the order, if the session sent it.
   */
  reportViolation(invariant: SessionInvariant, symbolId: number, clientOrderId: number, message: string): void {
    this.fail(invariant, symbolId, clientOrderId, this.orders(symbolId).get(clientOrderId), message);
  }

  /**
   * Stops judging an order whose fate the driver cannot know (an HTTP request lost, or answered
   * "may or may not have taken effect"): its later reports are ignored until its id is sent anew.
   */
  forget(symbolId: number, clientOrderId: number): void {
    const o = this.orders(symbolId).get(clientOrderId);
    if (o === undefined || o.state === DONE || o.state === UNKNOWN) return;
    o.state = UNKNOWN;
    this.open--;
  }

  /** The orders of one symbol (created on first use). */
  private orders(symbolId: number): Map<number, OrderRecord> {
    let orders = symbolId >= 0 && symbolId < 65_536 ? this.bySymbol[symbolId] : this.otherSymbols.get(symbolId);
    if (orders === undefined) {
      orders = new Map();
      if (symbolId >= 0 && symbolId < 65_536) {
        while (this.bySymbol.length <= symbolId) this.bySymbol.push(undefined);
        this.bySymbol[symbolId] = orders;
      } else {
        this.otherSymbols.set(symbolId, orders);
      }
    }
    return orders;
  }

  private onReject(symbolId: number, clientOrderId: number, found: OrderRecord | undefined, o: OrderRecord | undefined,
    refMessageType: number, reason: number): void {
    if (refMessageType === MessageType.NewOrder) {
      if (o !== undefined && o.duplicates > 0) {
        o.duplicates--;
        return;
      }
      if (o === undefined) {
        return this.unknownOrLate(symbolId, clientOrderId, found, 'one-terminal-state', `REJECT ${codeName(RejectReason, reason)} of its NEW_ORDER`);
      }
      if (o.state !== SENT) {
        return this.fail('one-terminal-state', symbolId, clientOrderId, o,
          `REJECT ${codeName(RejectReason, reason)} of a NEW_ORDER that was already acked`);
      }
      this.terminate(o, REJECTED, reason);
      return;
    }
    // A CANCEL or REPLACE refused: the order is unchanged (or already gone, which is not a violation).
    const target = found;
    if (target === undefined) return;
    if (refMessageType === MessageType.Cancel && target.pendingCancels > 0) target.pendingCancels--;
    if (refMessageType === MessageType.Replace && target.pendingReplaces !== null && target.pendingReplaces.length > 0) {
      target.pendingReplaces.shift();
      target.pendingReplaces.shift();
    }
  }

  private onFill(symbolId: number, clientOrderId: number, found: OrderRecord | undefined, o: OrderRecord | undefined, price: number,
    quantity: number, leaves: number): void {
    if (!(quantity > 0)) {
      this.fail('fill-quantity-positive', symbolId, clientOrderId, o, `FILL of quantity ${quantity} at ${price}`);
    }
    if (o === undefined) {
      return this.unknownOrLate(symbolId, clientOrderId, found, 'no-fill-after-terminal', `FILL of ${quantity} at ${price}`);
    }
    if (o.state === SENT) {
      this.fail('report-order', symbolId, clientOrderId, o, `FILL of ${quantity} at ${price} before the order's ACK`);
      o.state = ACKED;
    }
    if (o.orderType !== OrderType.Market && (o.side === Side.Buy ? price > o.limit : price < o.limit)) {
      this.fail('fill-within-limit', symbolId, clientOrderId, o,
        `${o.side === Side.Buy ? 'buy' : 'sell'} order with limit ${o.limit} filled ${quantity} at ${price}`);
    }
    const expected = o.leaves - quantity;
    if (leaves < 0) {
      this.fail('leaves-consistent', symbolId, clientOrderId, o, `FILL of ${quantity} leaves ${leaves}: negative`);
    } else if (leaves !== expected) {
      this.fail('leaves-consistent', symbolId, clientOrderId, o,
        `FILL of ${quantity} leaves ${leaves}; the order had ${o.leaves} open, so ${expected} was due`);
    }
    // Carry on from what the engine said, so one wrong number is one violation, not one per later report.
    o.leaves = leaves;
    o.filled += quantity;
    if (leaves <= 0) this.terminate(o, FILLED, 0);
  }

  private onCanceled(symbolId: number, clientOrderId: number, found: OrderRecord | undefined, o: OrderRecord | undefined,
    canceledQuantity: number, reason: number): void {
    if (o === undefined) {
      return this.unknownOrLate(symbolId, clientOrderId, found, 'one-terminal-state', canceledText(reason, canceledQuantity));
    }
    if (o.state === SENT) {
      this.fail('report-order', symbolId, clientOrderId, o, `${canceledText(reason, canceledQuantity)} before the order's ACK`);
    }
    if (reason === CancelReason.User) {
      if (o.pendingCancels > 0) o.pendingCancels--;
      else this.fail('report-order', symbolId, clientOrderId, o, `${canceledText(reason, canceledQuantity)} with no CANCEL outstanding`);
    }
    if (this.hiddenMakerFills ? canceledQuantity > o.leaves || canceledQuantity < 0 : canceledQuantity !== o.leaves) {
      this.fail('leaves-consistent', symbolId, clientOrderId, o, `${canceledText(reason, canceledQuantity)}; the order had ${o.leaves} open`);
    }
    this.terminate(o, CANCELED, reason);
  }

  private onReplaced(symbolId: number, clientOrderId: number, found: OrderRecord | undefined, o: OrderRecord | undefined, price: number,
    leaves: number): void {
    if (o === undefined) return this.unknownOrLate(symbolId, clientOrderId, found, 'one-terminal-state', replacedText(price, leaves));
    if (o.state === SENT) {
      this.fail('report-order', symbolId, clientOrderId, o, `${replacedText(price, leaves)} before the order's ACK`);
      o.state = ACKED;
    }
    const pending = o.pendingReplaces;
    if (pending === null || pending.length === 0) {
      this.fail('report-order', symbolId, clientOrderId, o, `${replacedText(price, leaves)} with no REPLACE outstanding`);
      o.limit = price;
    } else {
      const sentPrice = pending[0] as number;
      const sentQuantity = pending[1] as number;
      pending.shift();
      pending.shift();
      if (price !== sentPrice) {
        this.fail('replace-as-sent', symbolId, clientOrderId, o, `${replacedText(price, leaves)}; the REPLACE asked for price ${sentPrice}`);
      }
      const asTotal = Math.max(0, sentQuantity - o.filled);
      if (leaves !== sentQuantity && !(this.replaceTotal && leaves === asTotal)) {
        this.fail('leaves-consistent', symbolId, clientOrderId, o, `${replacedText(price, leaves)}; the REPLACE set the open quantity to ${sentQuantity}` +
          (this.replaceTotal ? ` (or, as the order's total, ${asTotal}: ${o.filled} filled)` : ''));
      }
      // The limit in force is the one the session asked for: a fill is judged against it.
      o.limit = sentPrice;
    }
    if (leaves < 0) this.fail('leaves-consistent', symbolId, clientOrderId, o, `${replacedText(price, leaves)}: negative leaves`);
    o.leaves = leaves;
  }

  private terminate(o: OrderRecord, terminal: number, reason: number): void {
    o.state = DONE;
    o.terminal = terminal;
    o.terminalReason = reason;
    this.open--;
    const at = this.ringAt;
    const oldest = this.ringRecords[at];
    if (oldest !== undefined) {
      // Still the record under its id (no later order took the id): forget it.
      const orders = this.orders(oldest.symbolId);
      if (orders.get(oldest.clientOrderId) === oldest) orders.delete(oldest.clientOrderId);
      if (this.free.length < 1_024) this.free.push(oldest);
    }
    this.ringRecords[at] = o;
    this.ringAt = at + 1 === this.ringRecords.length ? 0 : at + 1;
  }

  /** A report for an order that is not live: late (after its terminal state) or never sent. */
  private unknownOrLate(symbolId: number, clientOrderId: number, done: OrderRecord | undefined, lateInvariant: SessionInvariant,
    what: string): void {
    if (done !== undefined) this.fail(lateInvariant, symbolId, clientOrderId, done, `${what} after ${done.terminalText()}`);
    else this.fail('known-order', symbolId, clientOrderId, undefined, `${what} for an order this session never sent (or that ended long ago)`);
  }

  private fail(invariant: SessionInvariant, symbolId: number, clientOrderId: number, o: OrderRecord | undefined, message: string): void {
    this.log.add(this.violation(invariant, symbolId, clientOrderId, o, this.reportIndex, message));
  }

  private violation(invariant: SessionInvariant, symbolId: number, clientOrderId: number, o: OrderRecord | undefined,
    reportIndex: number, message: string): SessionViolation {
    return { invariant, session: this.session, symbolId, clientOrderId, reportIndex, eventIndex: this.eventIndex,
      commandIndex: this.log.commandIndex, lastStreamIndex: this.lastStreamIndex, orderStreamIndex: o?.streamIndex ?? -1,
      atMs: this.log.atMs(), message, ...this.named(symbolId, clientOrderId) };
  }

  private named(symbolId: number, clientOrderId: number): { orderName?: string } {
    const orderName = this.nameOrder?.(symbolId, clientOrderId);
    return orderName === undefined ? {} : { orderName };
  }
}

// Message texts are built only when something broke (codeName and number formatting allocate).
function canceledText(reason: number, quantity: number): string {
  return `CANCELED ${codeName(CancelReason, reason)} of ${quantity}`;
}

function replacedText(price: number, leaves: number): string {
  return `REPLACED to ${leaves} at ${price}`;
}

function describeType(o: OrderRecord): string {
  if (o.orderType === OrderType.Market) return 'a market';
  return `an ${codeName(TimeInForce, o.timeInForce)} limit`;
}
