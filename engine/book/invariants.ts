import { Liquidity, OrderType, Side } from '../protocol/codes.js';
import type { BookState, LevelState, RestingOrder } from './Book.js';
import { EventKind, type MatchEvent } from './EventBuffer.js';

/** One broken invariant. `invariant` is a stable name that tests and run reports use. */
export interface InvariantViolation {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly symbolId: number;
  /** Event sequence for stream checks. */
  readonly sequence?: number;
}

export type InvariantName =
  | 'not-crossed'
  | 'level-order'
  | 'level-totals'
  | 'index-equals-contents'
  | 'no-empty-order'
  | 'leaves-equals-quantity-minus-filled'
  | 'conservation'
  | 'fills-balance'
  | 'sequence-contiguous'
  | 'ids-increasing'
  | 'maker-price'
  | 'limit-respected';

/**
 * Every broken structural invariant of one book at rest (after a command completed):
 * not crossed; bids strictly descending and asks strictly ascending (one level per price);
 * each level's quantity and order count equal its orders'; the (owner, client order id) index and
 * the levels hold exactly the same orders; no resting order with quantity 0; leaves = quantity - filled;
 * submitted = filled + canceled + resting; buy fills equal sell fills. Empty when all hold.
 */
export function checkBookInvariants(state: BookState): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const symbolId = state.symbolId;
  const fail = (invariant: InvariantName, message: string): void => {
    out.push({ invariant, message, symbolId });
  };

  const bestBid = state.bids[0];
  const bestAsk = state.asks[0];
  if (bestBid !== undefined && bestAsk !== undefined && bestBid.price >= bestAsk.price) {
    fail('not-crossed', `best bid ${bestBid.price} is not below best ask ${bestAsk.price}`);
  }

  let resting = 0;
  const inLevels = new Map<number, RestingOrder>();
  const checkSide = (levels: readonly LevelState[], side: Side): void => {
    const name = side === Side.Buy ? 'bid' : 'ask';
    levels.forEach((level, i) => {
      const previous = levels[i - 1];
      if (previous !== undefined && (side === Side.Buy ? level.price >= previous.price : level.price <= previous.price)) {
        fail('level-order', `${name} level ${level.price} follows ${previous.price}`);
      }
      const sum = level.orders.reduce((s, o) => s + o.leavesQuantity, 0);
      if (sum !== level.quantity || level.orders.length !== level.orderCount || level.orderCount === 0) {
        fail('level-totals', `${name} level ${level.price} says ${level.quantity} in ${level.orderCount} orders, ` +
          `its orders hold ${sum} in ${level.orders.length}`);
      }
      for (const order of level.orders) {
        resting += order.leavesQuantity;
        if (order.side !== side || order.price !== level.price) {
          fail('index-equals-contents', `order ${order.orderId} (${order.side === Side.Buy ? 'bid' : 'ask'} ` +
            `${order.price}) sits in ${name} level ${level.price}`);
        }
        if (order.leavesQuantity <= 0) fail('no-empty-order', `order ${order.orderId} rests with leaves ${order.leavesQuantity}`);
        if (order.leavesQuantity !== order.quantity - order.filledQuantity) {
          fail('leaves-equals-quantity-minus-filled', `order ${order.orderId}: leaves ${order.leavesQuantity}, ` +
            `quantity ${order.quantity}, filled ${order.filledQuantity}`);
        }
        if (inLevels.has(order.orderId)) fail('index-equals-contents', `order ${order.orderId} rests twice`);
        inLevels.set(order.orderId, order);
      }
    });
  };
  checkSide(state.bids, Side.Buy);
  checkSide(state.asks, Side.Sell);

  const keys = new Set<string>();
  for (const order of state.indexed) {
    const key = `${order.owner}/${order.clientOrderId}`;
    if (keys.has(key)) fail('index-equals-contents', `client order id ${key} is indexed twice`);
    keys.add(key);
    const resident = inLevels.get(order.orderId);
    if (resident === undefined) {
      fail('index-equals-contents', `order ${order.orderId} is indexed but rests in no level`);
    } else if (!sameOrder(resident, order)) {
      fail('index-equals-contents', `order ${order.orderId} differs between index and level`);
    }
  }
  if (state.indexed.length !== inLevels.size) {
    fail('index-equals-contents', `index holds ${state.indexed.length} orders, levels hold ${inLevels.size}`);
  }

  const c = state.counters;
  if (c.buyFilledQuantity !== c.sellFilledQuantity) {
    fail('fills-balance', `buy fills ${c.buyFilledQuantity} differ from sell fills ${c.sellFilledQuantity}`);
  }
  const accounted = c.buyFilledQuantity + c.sellFilledQuantity + c.canceledQuantity + resting;
  if (c.submittedQuantity !== accounted) {
    fail('conservation', `submitted ${c.submittedQuantity} but filled ${c.buyFilledQuantity + c.sellFilledQuantity} ` +
      `+ canceled ${c.canceledQuantity} + resting ${resting} = ${accounted}`);
  }
  return out;
}

function sameOrder(a: RestingOrder, b: RestingOrder): boolean {
  return a.orderId === b.orderId && a.owner === b.owner && a.clientOrderId === b.clientOrderId && a.side === b.side &&
    a.price === b.price && a.quantity === b.quantity && a.filledQuantity === b.filledQuantity &&
    a.leavesQuantity === b.leavesQuantity;
}

/**
 * Checks the event stream as it goes by, one event at a time: sequences contiguous, order and
 * trade ids strictly increasing, every TRADE followed by a maker and a taker FILL of the same
 * quantity and price, makers filled at their resting price, takers at or better than their limit.
 * It keeps the price of each live order it has seen accepted, so it can run on a long stream.
 */
export class EventStreamChecker {
  private lastSequence = 0;
  private lastOrderId = 0;
  private lastTradeId = 0;
  /** orderId → limit price (0 for market orders). */
  private readonly limits = new Map<number, number>();
  private pendingTrade: { tradeId: number; price: number; quantity: number; fills: number } | undefined;

  /** Feeds one event; returns what it breaks (usually nothing). */
  check(event: MatchEvent): InvariantViolation[] {
    const out: InvariantViolation[] = [];
    const fail = (invariant: InvariantName, message: string): void => {
      out.push({ invariant, message, symbolId: event.symbolId, sequence: event.sequence });
    };
    if (this.lastSequence !== 0 && event.sequence !== this.lastSequence + 1) {
      fail('sequence-contiguous', `sequence ${event.sequence} follows ${this.lastSequence}`);
    }
    this.lastSequence = event.sequence;
    if (this.pendingTrade !== undefined && event.kind !== EventKind.Fill) {
      fail('fills-balance', `trade ${this.pendingTrade.tradeId} has ${this.pendingTrade.fills} fills, not 2`);
      this.pendingTrade = undefined;
    }

    switch (event.kind) {
      case EventKind.Accepted:
        if (event.orderId <= this.lastOrderId) fail('ids-increasing', `order id ${event.orderId} after ${this.lastOrderId}`);
        this.lastOrderId = event.orderId;
        this.limits.set(event.orderId, event.orderType === OrderType.Market ? 0 : event.price);
        break;
      case EventKind.Replaced:
        this.limits.set(event.orderId, event.price);
        break;
      case EventKind.Trade:
        if (event.tradeId <= this.lastTradeId) fail('ids-increasing', `trade id ${event.tradeId} after ${this.lastTradeId}`);
        this.lastTradeId = event.tradeId;
        this.pendingTrade = { tradeId: event.tradeId, price: event.price, quantity: event.quantity, fills: 0 };
        break;
      case EventKind.Fill: {
        const trade = this.pendingTrade;
        if (trade === undefined || trade.tradeId !== event.tradeId || trade.price !== event.price ||
          trade.quantity !== event.quantity) {
          fail('fills-balance', `fill for order ${event.orderId} does not match the trade before it`);
        } else if (++trade.fills === 2) {
          this.pendingTrade = undefined;
        }
        const limit = this.limits.get(event.orderId);
        if (event.liquidity === Liquidity.Maker && limit !== event.price) {
          fail('maker-price', `maker order ${event.orderId} resting at ${String(limit)} filled at ${event.price}`);
        }
        if (event.liquidity === Liquidity.Taker && limit !== undefined && limit !== 0 &&
          (event.side === Side.Buy ? event.price > limit : event.price < limit)) {
          fail('limit-respected', `taker order ${event.orderId} with limit ${limit} filled at ${event.price}`);
        }
        if (event.leavesQuantity === 0) this.limits.delete(event.orderId);
        break;
      }
      case EventKind.Canceled:
        this.limits.delete(event.orderId);
        break;
      default:
        break;
    }
    return out;
  }
}
