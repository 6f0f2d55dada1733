import { CommandKind } from '../../../engine/book/Command.js';
import { CancelReason, RejectReason } from '../../../engine/protocol/codes.js';
import { MessageType } from '../../../engine/protocol/messages.js';
import { SessionReportChecker, unrequestedCancelReason, type SessionViolationLog } from '../../check/SessionReportChecker.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import { EndedOrders } from '../EndedOrders.js';

/** The fields of an ExecutionReport (35=8) the checks read; null where the report leaves a field out. */
export interface FixReportFields {
  readonly clOrdId: string;
  readonly origClOrdId: string | null;
  /** ExecType (150), either version's codes. */
  readonly execType: string | null;
  /** OrdStatus (39). */
  readonly ordStatus: string | null;
  /** LastQty (32; LastShares in 4.2) and LastPx (31). */
  readonly lastQty: number | null;
  readonly lastPx: number | null;
  /** LeavesQty (151), CumQty (14), OrderQty (38), Price (44). */
  readonly leavesQty: number | null;
  readonly cumQty: number | null;
  readonly orderQty: number | null;
  readonly price: number | null;
}

/** One order of the session as the FIX reports have left it (every ClOrdID it went by points here). */
interface FixOrder {
  readonly symbolId: number;
  readonly clientOrderId: number;
  /** The ClOrdID it goes by now (the last replace's). */
  clOrdId: string;
  /** How an ExecutionReport Canceled or Expired that answers no cancel of ours ends it (matchbench's cancel reasons). */
  readonly ownCancelReason: number;
  /** LeavesQty and CumQty by the reports so far (the sent quantity and 0 at first). */
  leaves: number;
  cum: number;
  /** Whether a replace took effect: OrderQty then has two readings (docs/FIX.md), so it is no longer judged. */
  replaced: boolean;
  /** Every ClOrdID the session sent for it (forgotten some time after it ends, see EndedOrders). */
  readonly clOrdIds: string[];
  ended: boolean;
}

/** A ClOrdID the session sent: the request and its order. */
interface FixRequest {
  readonly kind: CommandKind;
  readonly order: FixOrder;
  /** A replace's new price (an ExecutionReport Replaced without Price is taken to carry it). */
  readonly price: number;
}

const EXEC_TYPE_NAMES: Readonly<Record<string, string>> = {
  '0': 'New', '1': 'PartialFill', '2': 'Fill', '3': 'DoneForDay', '4': 'Canceled', '5': 'Replaced', '6': 'PendingCancel', '7': 'Stopped',
  '8': 'Rejected', '9': 'Suspended', A: 'PendingNew', B: 'Calculated', C: 'Expired', D: 'Restated', E: 'PendingReplace', F: 'Trade',
  G: 'TradeCorrect', H: 'TradeCancel', I: 'OrderStatus',
};

/**
 * Feeds one FIX session's answers (docs/FIX.md, "What is checked") to its
 * {@link SessionReportChecker} in matchbench's terms (docs/PROTOCOL.md), and checks what only FIX
 * carries (CumQty against the fills, OrdStatus against LeavesQty, LeavesQty 0 once canceled,
 * OrderQty = CumQty + LeavesQty): one mechanism for every target's execution reports.
 *
 * ```
 *  FixOrderDriver.send ─► sent(ClOrdID, order) ─► ClOrdID → order          (the skeleton tells the checker the request)
 *  ExecutionReport ─► execution(fields, answered) ─► ACK / FILL / CANCELED / REPLACED / REJECT ─► SessionReportChecker
 *  OrderCancelReject, BusinessMessageReject, session Reject ─► rejected(ClOrdID) ─► REJECT ─┘
 * ```
 *
 * Violations name the order by its ClOrdID and the report's FIX fields (SessionViolation.orderName).
 */
export class FixReportCheck {
  readonly checker: SessionReportChecker;
  /** Every ClOrdID the session sent for its live orders and the last 4,096 that ended. */
  private readonly byClOrdId = new Map<string, FixRequest>();
  /** The flow's client order id → its order (the last one under that id), to name it at the end of the run. */
  private readonly byOrderId = new Map<number, FixOrder>();
  private readonly endedOrders = new EndedOrders<FixOrder>((o) => {
    for (const id of o.clOrdIds) if (this.byClOrdId.get(id)?.order === o) this.byClOrdId.delete(id);
    if (this.byOrderId.get(o.clientOrderId) === o) this.byOrderId.delete(o.clientOrderId);
  });
  /** The report being checked (described only if a violation names it); null between reports. */
  private current: FixReportFields | null = null;
  /** Or the reject being checked, as a violation names it. */
  private currentReject: string | null = null;

  constructor(session: number, log: SessionViolationLog) {
    // OrderQty on a replace: the new total (FIX; what the driver sends and the test peer reads) or the new open quantity
    // (what matchbench's REPLACE means, and some engines read).
    this.checker = new SessionReportChecker(session, log, { replaceQuantity: 'open-or-total', nameOrder: this.nameOrder });
  }

  /** A request went out under `clOrdId` (call before the skeleton's `sent`, which tells the checker). */
  sent(clOrdId: string, o: FlowOrder): void {
    if (o.kind === CommandKind.NewOrder) {
      const order: FixOrder = { symbolId: o.symbolId, clientOrderId: o.clientOrderId, clOrdId, ownCancelReason: unrequestedCancelReason(o), leaves: o.quantity,
        cum: 0, replaced: false, clOrdIds: [clOrdId], ended: false };
      this.byOrderId.set(o.clientOrderId, order);
      this.byClOrdId.set(clOrdId, { kind: o.kind, order, price: o.price });
      return;
    }
    const order = this.byOrderId.get(o.clientOrderId);
    if (order === undefined) return;
    this.byClOrdId.set(clOrdId, { kind: o.kind, order, price: o.price });
    order.clOrdIds.push(clOrdId);
    if (o.kind === CommandKind.Replace) order.clOrdId = clOrdId;
  }

  /** What the reports so far say the flow's order `clientOrderId` has filled (0 if unknown). */
  filled(clientOrderId: number): number {
    return this.byOrderId.get(clientOrderId)?.cum ?? 0;
  }

  /** A replace was refused: the order goes by its previous ClOrdID again. */
  replaceRefused(clOrdId: string, previousClOrdId: string): void {
    const request = this.byClOrdId.get(clOrdId);
    if (request !== undefined) request.order.clOrdId = previousClOrdId;
  }

  /**
   * An ExecutionReport, in arrival order. `answered`: the kind of the request it answered (the
   * first answer naming that request's ClOrdID), or null when it answered none (a resting order's
   * fill, an IOC remainder, the engine's own cancel).
   */
  execution(f: FixReportFields, answered: CommandKind | null): void {
    const request = this.byClOrdId.get(f.clOrdId) ?? (f.origClOrdId === null ? undefined : this.byClOrdId.get(f.origClOrdId));
    const order = request?.order;
    // An order this session never sent: the checker names it (known-order).
    const symbolId = order?.symbolId ?? -1;
    const clientOrderId = order?.clientOrderId ?? -1;
    const c = this.checker;
    this.current = f;
    try {
      const leaves = f.leavesQty ?? 0;
      switch (f.execType) {
        case '0':
          c.report({ type: MessageType.Ack, symbolId, clientOrderId, orderId: 0, echoTimestampNs: 0 });
          if (order !== undefined && f.leavesQty !== null && leaves !== order.leaves) {
            c.reportViolation('leaves-consistent', symbolId, clientOrderId, `New with LeavesQty ${leaves}; the order was sent for ${order.leaves}`);
          }
          return;
        case 'F': case '1': case '2': {
          // Acknowledged by its fill alone (it traded on arrival): the fill stands for the ACK as well.
          if (answered === CommandKind.NewOrder) c.report({ type: MessageType.Ack, symbolId, clientOrderId, orderId: 0, echoTimestampNs: 0 });
          const quantity = f.lastQty ?? 0;
          c.report({ type: MessageType.Fill, symbolId, clientOrderId, orderId: 0, tradeId: 0, price: f.lastPx ?? 0, quantity, leavesQuantity: leaves,
            echoTimestampNs: 0, side: 0, liquidity: 0 });
          if (order === undefined) return;
          const cum = order.cum + quantity;
          if (f.cumQty !== null && f.cumQty !== cum) {
            c.reportViolation('leaves-consistent', symbolId, clientOrderId, `CumQty ${f.cumQty}; the fills reported add up to ${cum}`);
          }
          if ((f.ordStatus === '2') !== (leaves === 0) && (f.ordStatus === '1' || f.ordStatus === '2')) {
            c.reportViolation('leaves-consistent', symbolId, clientOrderId, `OrdStatus ${f.ordStatus} with LeavesQty ${leaves}`);
          }
          this.orderQtyCheck(f, order, leaves);
          order.cum = f.cumQty ?? cum;
          order.leaves = leaves;
          if (leaves <= 0) this.end(order);
          return;
        }
        case '4': case 'C': {
          if (answered === CommandKind.NewOrder) c.report({ type: MessageType.Ack, symbolId, clientOrderId, orderId: 0, echoTimestampNs: 0 });
          // FIX carries no canceled quantity: what was open goes (LeavesQty 0 and CumQty unchanged are checked as FIX's own).
          c.report({ type: MessageType.Canceled, symbolId, clientOrderId, orderId: 0, canceledQuantity: order?.leaves ?? 0, echoTimestampNs: 0,
            reason: answered === CommandKind.Cancel ? CancelReason.User : order?.ownCancelReason ?? CancelReason.User });
          if (order === undefined) return;
          if (leaves !== 0) c.reportViolation('leaves-consistent', symbolId, clientOrderId, `${EXEC_TYPE_NAMES[f.execType]} with LeavesQty ${leaves} (0 once it has ended)`);
          if (f.cumQty !== null && f.cumQty !== order.cum) {
            c.reportViolation('leaves-consistent', symbolId, clientOrderId, `${EXEC_TYPE_NAMES[f.execType]} with CumQty ${f.cumQty}; the fills reported add up to ${order.cum}`);
          }
          order.leaves = 0;
          this.end(order);
          return;
        }
        case '5':
          c.report({ type: MessageType.Replaced, symbolId, clientOrderId, orderId: 0, price: f.price ?? request?.price ?? 0, leavesQuantity: leaves,
            echoTimestampNs: 0 });
          if (order === undefined) return;
          order.leaves = leaves;
          order.replaced = true;
          return;
        case '8':
          c.report({ type: MessageType.Reject, symbolId, clientOrderId, echoTimestampNs: 0, reason: 0, refMessageType: requestType(request?.kind) });
          if (order !== undefined && request?.kind === CommandKind.NewOrder) this.end(order);
          return;
        case '3': case 'D': case 'G': case 'H':
          // DoneForDay, Restated, TradeCorrect, TradeCancel: the engine changed the order outside the requests; it is no longer judged.
          if (order === undefined) return;
          c.forget(symbolId, clientOrderId);
          this.end(order);
          return;
        default:
          // PendingNew, PendingCancel, PendingReplace, Stopped, Suspended, Calculated, OrderStatus: no change to judge.
          return;
      }
    } finally {
      this.current = null;
    }
  }

  /** The request sent under `clOrdId` was refused (OrderCancelReject, BusinessMessageReject, session Reject; `why` names it). */
  rejected(clOrdId: string, why: string): void {
    const request = this.byClOrdId.get(clOrdId);
    if (request === undefined) return;
    this.currentReject = `ClOrdID ${clOrdId}, ${why}`;
    try {
      this.checker.report({ type: MessageType.Reject, symbolId: request.order.symbolId, clientOrderId: request.order.clientOrderId, echoTimestampNs: 0,
        reason: request.kind === CommandKind.NewOrder ? 0 : RejectReason.UnknownOrder, refMessageType: requestType(request.kind) });
      if (request.kind === CommandKind.NewOrder) this.end(request.order);
    } finally {
      this.currentReject = null;
    }
  }

  private end(order: FixOrder): void {
    if (order.ended) return;
    order.ended = true;
    this.endedOrders.ended(order);
  }

  /** OrderQty (when the report has it) = CumQty + LeavesQty, until a replace makes OrderQty ambiguous. */
  private orderQtyCheck(f: FixReportFields, order: FixOrder, leaves: number): void {
    if (f.orderQty === null || f.cumQty === null || order.replaced || f.orderQty === f.cumQty + leaves) return;
    this.checker.reportViolation('leaves-consistent', order.symbolId, order.clientOrderId,
      `OrderQty ${f.orderQty} is not CumQty ${f.cumQty} + LeavesQty ${leaves}`);
  }

  private readonly nameOrder = (_symbolId: number, clientOrderId: number): string | undefined => {
    if (this.current !== null) return describeReport(this.current);
    if (this.currentReject !== null) return this.currentReject;
    const order = this.byOrderId.get(clientOrderId);
    return order === undefined ? undefined : `ClOrdID ${order.clOrdId}`;
  };
}

/** The ExecutionReport as a violation names it: `ClOrdID 7 (OrigClOrdID 5), ExecutionReport Trade: OrdStatus 2, LastQty 10 at 9999, LeavesQty 0, CumQty 30`. */
function describeReport(f: FixReportFields): string {
  const parts = [`OrdStatus ${f.ordStatus ?? '-'}`];
  if (f.lastQty !== null) parts.push(`LastQty ${f.lastQty}${f.lastPx === null ? '' : ` at ${f.lastPx}`}`);
  parts.push(`LeavesQty ${f.leavesQty ?? '-'}`, `CumQty ${f.cumQty ?? '-'}`);
  if (f.orderQty !== null) parts.push(`OrderQty ${f.orderQty}`);
  const type = f.execType === null ? 'without ExecType' : EXEC_TYPE_NAMES[f.execType] ?? `ExecType ${f.execType}`;
  return `ClOrdID ${f.clOrdId}${f.origClOrdId === null ? '' : ` (OrigClOrdID ${f.origClOrdId})`}, ExecutionReport ${type}: ${parts.join(', ')}`;
}

function requestType(kind: CommandKind | undefined): number {
  return kind === CommandKind.Cancel ? MessageType.Cancel : kind === CommandKind.Replace ? MessageType.Replace : MessageType.NewOrder;
}
