import { CommandKind } from '../../engine/book/Command.js';
import { CancelReason, Liquidity, RejectReason } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import type { SessionReportChecker } from './SessionReportChecker.js';

/** The request an HTTP answer belongs to. */
export interface HttpCheckedRequest {
  readonly kind: CommandKind;
  readonly symbolId: number;
  readonly clientOrderId: number;
}

const REQUEST_TYPE = { [CommandKind.NewOrder]: MessageType.NewOrder, [CommandKind.Cancel]: MessageType.Cancel,
  [CommandKind.Replace]: MessageType.Replace } as const;

const num = (x: unknown): number => (typeof x === 'number' ? x : Number.NaN);

/**
 * Feeds one HTTP order answer (docs/HTTP.md) to the session's checker as the execution reports a
 * TCP session would have received for it: 422 (and 503 EngineBusy) → REJECT; POST 200 → ACK, its
 * taker FILLs, and CANCELED for a `cancelled` status; PATCH 200 → REPLACED and its FILLs; DELETE
 * 200 → CANCELED User. An answer lists fills without leaves: each fill's leaves is rebuilt from
 * the answer's final numbers (remaining + cancelled + the later fills), so a fill total that does
 * not add up to the order's quantity shows as a leaves violation. Any other answer (400, 503 after
 * a timeout, …) may or may not have taken effect, and a 200 without the numbers docs/HTTP.md gives
 * (another engine's answer shape) cannot be judged: the order is no longer tracked.
 */
export function checkHttpAnswer(checker: SessionReportChecker, request: HttpCheckedRequest, status: number, answer: Record<string, unknown>): void {
  const { symbolId, clientOrderId } = request;
  if (status === 422 || (status === 503 && answer.reason === 'EngineBusy')) {
    const reason = RejectReason[answer.reason as keyof typeof RejectReason] ?? 0;
    checker.report({ type: MessageType.Reject, symbolId, clientOrderId, echoTimestampNs: 0, reason, refMessageType: REQUEST_TYPE[request.kind] });
    return;
  }
  if (status !== 200) {
    checker.forget(symbolId, clientOrderId);
    return;
  }
  const orderId = num(answer.orderId);
  const fills = Array.isArray(answer.fills) ? (answer.fills as { price?: unknown; quantity?: unknown; tradeId?: unknown }[]) : [];
  const remaining = num(answer.remainingQuantity);
  const cancelled = answer.outcome === 'accepted' ? num(answer.cancelledQuantity) : 0;
  const judgeable = answer.outcome === 'cancelled' ? Number.isFinite(num(answer.cancelledQuantity))
    : Number.isFinite(remaining) && Number.isFinite(cancelled) && (answer.outcome !== 'replaced' || Number.isFinite(num(answer.price)))
      && fills.every((f) => typeof f === 'object' && f !== null && Number.isFinite(num(f.price)) && Number.isFinite(num(f.quantity)));
  if (!judgeable) {
    checker.forget(symbolId, clientOrderId);
    return;
  }
  let after = fills.reduce((sum, f) => sum + num(f.quantity), 0);
  const reportFills = (): void => {
    for (const f of fills) {
      after -= num(f.quantity);
      checker.report({ type: MessageType.Fill, symbolId, clientOrderId, orderId, tradeId: num(f.tradeId), price: num(f.price),
        quantity: num(f.quantity), leavesQuantity: remaining + cancelled + after, side: 0, liquidity: Liquidity.Taker, echoTimestampNs: 0 });
    }
  };
  switch (answer.outcome) {
    case 'accepted':
      checker.report({ type: MessageType.Ack, symbolId, clientOrderId, orderId, echoTimestampNs: 0 });
      reportFills();
      if (answer.status === 'cancelled') {
        const reason = CancelReason[answer.cancelReason as keyof typeof CancelReason] ?? 0;
        checker.report({ type: MessageType.Canceled, symbolId, clientOrderId, orderId, canceledQuantity: cancelled, reason, echoTimestampNs: 0 });
      } else if (answer.status === 'resting') {
        checker.leavesNow(symbolId, clientOrderId, remaining);
      }
      return;
    case 'replaced':
      checker.report({ type: MessageType.Replaced, symbolId, clientOrderId, orderId, price: num(answer.price), leavesQuantity: remaining + after,
        echoTimestampNs: 0 });
      reportFills();
      return;
    case 'cancelled':
      checker.report({ type: MessageType.Canceled, symbolId, clientOrderId, orderId, canceledQuantity: num(answer.cancelledQuantity),
        reason: CancelReason.User, echoTimestampNs: 0 });
      return;
    default:
      checker.forget(symbolId, clientOrderId);
  }
}
