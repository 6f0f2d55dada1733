import { CommandKind } from '../../../engine/book/Command.js';
import { CancelReason } from '../../../engine/protocol/codes.js';
import { MessageType } from '../../../engine/protocol/messages.js';
import { SessionReportChecker, unrequestedCancelReason, type SessionViolationLog } from '../../check/SessionReportChecker.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import { EndedOrders } from '../EndedOrders.js';
import type { SoupValues } from './SoupMessageCodec.js';
import type { SoupMessage } from './SoupMessageSet.js';

/** One order of the session as the engine's messages have left it (every token it went by points here). */
interface SoupOrder {
  readonly symbolId: number;
  readonly clientOrderId: number;
  /** The token it goes by now (the last replace's). */
  token: string;
  /** How a canceled message that answers no cancel of ours ends it (matchbench's cancel reasons). */
  readonly ownCancelReason: number;
  /** Open quantity by the messages so far: an executed message carries no leaves, so they are counted here. */
  leaves: number;
  /** Every token the session sent for it (forgotten some time after it ends, see EndedOrders). */
  readonly tokens: string[];
  ended: boolean;
}

/**
 * Feeds one SoupBinTCP session's answers (docs/SOUP.md, "What is checked") to its
 * {@link SessionReportChecker} in matchbench's terms (docs/PROTOCOL.md), as FixReportCheck does for
 * FIX. OUCH-style messages carry no open quantity on an execution: it is counted here from the
 * quantities sent, executed, canceled and replaced, so an execution of more than was open shows
 * as negative leaves, and one after the order ended as a fill after its terminal state.
 *
 * ```
 *  SoupOrderDriver.send ─► sent(token, order) ─► token → order            (the skeleton tells the checker the request)
 *  accepted / executed / canceled / replaced / rejected ─► message(...) ─► ACK / FILL / CANCELED / REPLACED / REJECT ─► SessionReportChecker
 * ```
 */
export class SoupReportCheck {
  readonly checker: SessionReportChecker;
  /** Every token the session sent (new orders, replaces) for its live orders and the last 4,096 that ended. */
  private readonly byToken = new Map<string, SoupOrder>();
  private readonly byOrderId = new Map<number, SoupOrder>();
  private readonly endedOrders = new EndedOrders<SoupOrder>((o) => {
    for (const token of o.tokens) if (this.byToken.get(token) === o) this.byToken.delete(token);
    if (this.byOrderId.get(o.clientOrderId) === o) this.byOrderId.delete(o.clientOrderId);
  });
  /** The message being checked (described only if a violation names it); null between messages. */
  private current: { readonly message: SoupMessage; readonly values: SoupValues } | null = null;

  constructor(session: number, log: SessionViolationLog) {
    // A replace's shares: the new open quantity (what the test peer does) or the new total (OUCH), either accepted.
    this.checker = new SessionReportChecker(session, log, { replaceQuantity: 'open-or-total', nameOrder: this.nameOrder });
  }

  /** A request went out under `token` (a replace: its new token); call before the skeleton's `sent`. */
  sent(token: string, o: FlowOrder): void {
    if (o.kind === CommandKind.NewOrder) {
      const order: SoupOrder = { symbolId: o.symbolId, clientOrderId: o.clientOrderId, token, ownCancelReason: unrequestedCancelReason(o), leaves: o.quantity,
        tokens: [token], ended: false };
      this.byOrderId.set(o.clientOrderId, order);
      this.byToken.set(token, order);
      return;
    }
    const order = this.byOrderId.get(o.clientOrderId);
    if (order === undefined || o.kind !== CommandKind.Replace) return;
    this.byToken.set(token, order);
    order.tokens.push(token);
    order.token = token;
  }

  /** A replace was refused: the order goes by its previous token again. */
  replaceRefused(token: string, previousToken: string): void {
    const order = this.byToken.get(token);
    if (order !== undefined) order.token = previousToken;
  }

  /**
   * A message from the engine, in arrival order. `answered`: the kind of the request it answered,
   * or null when it answered none (an execution, an IOC remainder's cancel, the engine's own).
   */
  message(message: SoupMessage, values: SoupValues, answered: CommandKind | null): void {
    const token = String(values.token ?? '');
    const order = this.byToken.get(token);
    const symbolId = order?.symbolId ?? -1;
    const clientOrderId = order?.clientOrderId ?? -1;
    const quantity = Number(values.quantity ?? 0);
    const c = this.checker;
    this.current = { message, values };
    try {
      switch (message.role) {
        case 'accepted':
          c.report({ type: MessageType.Ack, symbolId, clientOrderId, orderId: 0, echoTimestampNs: 0 });
          return;
        case 'executed': {
          const leaves = (order?.leaves ?? 0) - quantity;
          c.report({ type: MessageType.Fill, symbolId, clientOrderId, orderId: 0, tradeId: 0, price: Number(values.price ?? 0), quantity,
            leavesQuantity: leaves, echoTimestampNs: 0, side: 0, liquidity: 0 });
          if (order === undefined) return;
          order.leaves = Math.max(0, leaves);
          if (leaves <= 0) this.end(order);
          return;
        }
        case 'canceled':
          c.report({ type: MessageType.Canceled, symbolId, clientOrderId, orderId: 0, canceledQuantity: quantity, echoTimestampNs: 0,
            reason: answered === CommandKind.Cancel ? CancelReason.User : order?.ownCancelReason ?? CancelReason.User });
          if (order === undefined) return;
          order.leaves = 0;
          this.end(order);
          return;
        case 'replaced':
          c.report({ type: MessageType.Replaced, symbolId, clientOrderId, orderId: 0, price: Number(values.price ?? 0), leavesQuantity: quantity,
            echoTimestampNs: 0 });
          if (order !== undefined) order.leaves = quantity;
          return;
        case 'rejected':
          // Only a reject that answers a request is one: the request it answered says which.
          if (answered === null) return;
          c.report({ type: MessageType.Reject, symbolId, clientOrderId, echoTimestampNs: 0, reason: 0,
            refMessageType: answered === CommandKind.Cancel ? MessageType.Cancel : answered === CommandKind.Replace ? MessageType.Replace : MessageType.NewOrder });
          if (order !== undefined && answered === CommandKind.NewOrder) this.end(order);
          return;
        default:
          return;
      }
    } finally {
      this.current = null;
    }
  }

  private end(order: SoupOrder): void {
    if (order.ended) return;
    order.ended = true;
    this.endedOrders.ended(order);
  }

  private readonly nameOrder = (_symbolId: number, clientOrderId: number): string | undefined => {
    if (this.current !== null) {
      const { message, values } = this.current;
      const shown = Object.entries(values).filter(([role]) => role !== 'token').map(([role, v]) => `${role} ${v}`).join(', ');
      return `token ${values.token ?? ''}, ${message.name} (${message.role}): ${shown}`;
    }
    const order = this.byOrderId.get(clientOrderId);
    return order === undefined ? undefined : `token ${order.token}`;
  };
}
