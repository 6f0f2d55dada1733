import type { CommandKind } from '../../engine/book/Command.js';

/**
 * What an arrival turned into, finer than CommandKind: the mix's six kinds. A cancel or replace
 * arrival that found no live order of its client becomes a LimitGtc (see {@link FlowOrder.arrivalKind}).
 */
export const OrderKind = { LimitGtc: 1, LimitIoc: 2, LimitFok: 3, Market: 4, Cancel: 5, Replace: 6 } as const;
export type OrderKind = (typeof OrderKind)[keyof typeof OrderKind];

/** OrderKind names by code (index 0 unused), for counts and messages. */
export const ORDER_KIND_NAMES = ['', 'limitGtc', 'limitIoc', 'limitFok', 'market', 'cancel', 'replace'] as const;
export type OrderKindName = Exclude<(typeof ORDER_KIND_NAMES)[number], ''>;

/**
 * One generated order. {@link ClientFlow.next} fills and returns the same object on every call
 * (one per client, so generating 100k+ orders per second allocates nothing per order): read or copy
 * what you need before the next call.
 *
 * Fields a kind does not use are 0, as in engine/book/Command: a cancel carries only symbolId and
 * clientOrderId (of the order it cancels); a replace carries symbolId, clientOrderId, the new price
 * and the new quantity. A market order carries price 0 (docs/PROTOCOL.md) and time in force IOC.
 */
export interface FlowOrder {
  /** Intended send time, ms since run start (latency is measured from here). */
  intendedMs: number;
  /** Phase the arrival falls in. */
  phaseIndex: number;
  kind: CommandKind;
  /** What the order is. */
  orderKind: OrderKind;
  /**
   * What the phase's mix drew for this arrival: the same as orderKind, except for a cancel or
   * replace arrival that found no live order of the client and became a GTC limit.
   */
  arrivalKind: OrderKind;
  symbolId: number;
  /** New orders: the next id of this client (1, 2, …); cancel/replace: the target's id. */
  clientOrderId: number;
  /** Side code (0 on cancel/replace). */
  side: number;
  /** OrderType code (0 on cancel/replace). */
  orderType: number;
  /** TimeInForce code (0 on cancel/replace). */
  timeInForce: number;
  /** Price units, on tick and within the band; 0 for a market order or a cancel. */
  price: number;
  /** Lots; 0 for a cancel. */
  quantity: number;
  /** For a GTC limit and a replace: when the client means to cancel or replace it, ms since run start; else NaN. */
  dueMs: number;
}

/** A zeroed order, for {@link ClientFlow} to fill. */
export function emptyFlowOrder(): FlowOrder {
  return { intendedMs: 0, phaseIndex: 0, kind: 1, orderKind: 1, arrivalKind: 1, symbolId: 0, clientOrderId: 0, side: 0,
    orderType: 0, timeInForce: 0, price: 0, quantity: 0, dueMs: Number.NaN };
}
