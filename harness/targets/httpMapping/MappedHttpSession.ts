import { CommandKind } from '../../../engine/book/Command.js';
import { checkHttpAnswer } from '../../check/checkHttpAnswer.js';
import type { SessionReportChecker } from '../../check/SessionReportChecker.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import type { Scenario } from '../../scenario/Scenario.js';
import type { HttpMapping } from './HttpMapping.js';
import { isWholeLots, mappedRequest, type MappedHttpRequest } from './mappedRequest.js';
import { parseMappedAnswer, type MappedAnswer } from './parseMappedAnswer.js';

/** A symbol as a mapped request writes it. */
export interface MappedSymbol {
  readonly name: string;
  /** Price units per tick. */
  readonly tickSize: number;
}

/**
 * Why a generated order was not sent: the mapping has no such operation, the engine's order id is
 * not known, or its quantity is not a whole number of the mapping's lots (`quantity.lotSize`).
 */
export type MappedSkip = 'cancel-not-offered' | 'replace-not-offered' | 'order-id-unknown' | 'quantity-off-lot';

/** What a mapped request was, as its answer is read. */
export interface MappedSentOrder {
  readonly kind: CommandKind;
  readonly symbolId: number;
  readonly clientOrderId: number;
  /** The price sent (units; 0 for a cancel or market order) and the quantity (new: the order's; replace: the new open quantity). */
  readonly price: number;
  readonly quantity: number;
}

/**
 * One order-entry client talking through an {@link HttpMapping}: builds each generated order's
 * request, keeps the engine's order ids (cancels and replaces may need them: `{orderId}`), reads
 * answers into matchbench outcomes and feeds them to the client's session checker as the
 * execution reports a TCP session would have had. An answer that leaves out what the checker
 * needs (fills, remaining quantity, a cancel's quantity) makes its order unjudged, not a violation.
 */
export class MappedHttpSession {
  /** `symbolId:clientOrderId` → the engine's order id, while the order may be live. */
  private readonly orderIds = new Map<string, string | number>();

  constructor(private readonly mapping: HttpMapping, private readonly clientId: number,
    private readonly symbols: ReadonlyMap<number, MappedSymbol>) {}

  /** The request for `order`, or why it is not sent. */
  request(order: FlowOrder): MappedHttpRequest | MappedSkip {
    const ops = this.mapping.operations;
    if (order.kind === CommandKind.Cancel && ops.cancel === null) return 'cancel-not-offered';
    if (order.kind === CommandKind.Replace && ops.replace === null) return 'replace-not-offered';
    const symbol = this.symbols.get(order.symbolId);
    const orderId = order.kind === CommandKind.NewOrder ? undefined : this.orderIds.get(key(order.symbolId, order.clientOrderId));
    const template = order.kind === CommandKind.Cancel ? ops.cancel : order.kind === CommandKind.Replace ? ops.replace : null;
    const needsId = template?.path.some((p) => 'source' in p && p.source === 'orderId') === true ||
      template?.body.some((f) => 'source' in f.value && f.value.source === 'orderId') === true;
    if (needsId && orderId === undefined) return 'order-id-unknown';
    const t = template ?? ops.new;
    const sendsQuantity = t.path.some((p) => 'source' in p && p.source === 'quantity') || t.body.some((f) => 'source' in f.value && f.value.source === 'quantity');
    if (sendsQuantity && !isWholeLots(this.mapping, order.quantity)) return 'quantity-off-lot';
    return mappedRequest(this.mapping, order, { clientId: this.clientId, symbolName: symbol?.name ?? String(order.symbolId),
      tickSize: symbol?.tickSize ?? 1, orderId }) as MappedHttpRequest;
  }

  /** Reads the answer to `sent`, remembers or drops its order id, and tells `checker` what it implies. */
  answer(sent: MappedSentOrder, status: number, body: string, checker: SessionReportChecker): MappedAnswer {
    const a = parseMappedAnswer(this.mapping, sent.kind, status, body, this.symbols.get(sent.symbolId)?.tickSize ?? 1);
    const k = key(sent.symbolId, sent.clientOrderId);
    // A cancel ends the order whatever the answer (an UnknownOrder reject: it had ended already).
    if (sent.kind === CommandKind.Cancel) this.orderIds.delete(k);
    else if (a.outcome === 'accepted' || a.outcome === 'replaced') {
      if (a.state === 'filled' || a.state === 'cancelled') this.orderIds.delete(k);
      else if (a.orderId !== undefined && sent.kind === CommandKind.NewOrder) this.orderIds.set(k, a.orderId);
    }
    check(checker, sent, a);
    return a;
  }
}

function key(symbolId: number, clientOrderId: number): string {
  return `${symbolId}:${clientOrderId}`;
}

/** Feeds the answer to the checker in docs/HTTP.md's shape (checkHttpAnswer), or forgets the order when it cannot be judged. */
function check(checker: SessionReportChecker, sent: MappedSentOrder, a: MappedAnswer): void {
  const { symbolId, clientOrderId } = sent;
  if (a.outcome === 'rejected' || a.outcome === 'busy') {
    checkHttpAnswer(checker, sent, 422, { reason: a.reason });
    return;
  }
  if (a.outcome === 'error') {
    checker.forget(symbolId, clientOrderId);
    return;
  }
  const fills = a.fills?.map((f) => ({ price: f.priceUnits, quantity: f.quantity, tradeId: f.tradeId }));
  const filled = fills?.reduce((s, f) => s + f.quantity, 0) ?? 0;
  const remaining = a.state === 'cancelled' || a.state === 'filled' ? 0 : a.remainingQuantity;
  const cancelled = a.cancelledQuantity ?? (a.state === 'cancelled' && a.outcome === 'accepted' ? sent.quantity - filled : undefined);
  const judged = a.outcome === 'cancelled' ? cancelled !== undefined : fills !== undefined && remaining !== undefined;
  if (!judged) {
    checker.forget(symbolId, clientOrderId);
    return;
  }
  checkHttpAnswer(checker, sent, 200, {
    outcome: a.outcome, orderId: typeof a.orderId === 'number' ? a.orderId : Number(a.orderId), fills: fills ?? [],
    status: a.state === 'partiallyFilled' ? 'resting' : a.state, remainingQuantity: remaining, cancelledQuantity: cancelled ?? 0,
    cancelReason: a.cancelReason, price: sent.price,
  });
}

/** The scenario's symbols as mapped requests write them: ids 1…count, named as runScenario's scenarioSymbols names them. */
export function mappedSymbols(scenario: Pick<Scenario, 'symbols'>): Map<number, MappedSymbol> {
  const s = scenario.symbols;
  return new Map(Array.from({ length: s.count }, (_, k) => [k + 1, { name: `${s.namePrefix}${k + 1}`, tickSize: s.tickSize }] as const));
}
