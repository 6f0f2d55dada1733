import { describe, expect, it } from 'vitest';
import { Liquidity, OrderType, Side, TimeInForce } from '../protocol/codes.js';
import type { BookState, LevelState, RestingOrder } from './Book.js';
import { EventKind, type MatchEvent } from './EventBuffer.js';
import { checkBookInvariants, EventStreamChecker, type InvariantName } from './invariants.js';
import { Matcher } from './Matcher.js';
import { symbolConfig } from './SymbolConfig.js';

function order(orderId: number, side: Side, price: number, leaves: number, filled = 0): RestingOrder {
  return { orderId, owner: 1, clientOrderId: orderId, side, price, quantity: leaves + filled, filledQuantity: filled,
    leavesQuantity: leaves };
}
function level(...orders: RestingOrder[]): LevelState {
  return { price: orders[0]!.price, quantity: orders.reduce((s, o) => s + o.leavesQuantity, 0), orderCount: orders.length,
    orders };
}
/** A consistent book: two bid levels, one ask level, counters that balance. */
function goodState(): BookState {
  const bids = [level(order(1, Side.Buy, 100, 5), order(2, Side.Buy, 100, 3)), level(order(3, Side.Buy, 99, 4))];
  const asks = [level(order(4, Side.Sell, 101, 6, 2))];
  const all = [...bids, ...asks].flatMap((l) => l.orders);
  return { symbolId: 1, bids, asks, indexed: all,
    counters: { submittedQuantity: 5 + 3 + 4 + 8 + 2, buyFilledQuantity: 2, sellFilledQuantity: 2, canceledQuantity: 0 } };
}
const broken = (state: BookState): InvariantName[] => [...new Set(checkBookInvariants(state).map((v) => v.invariant))];

describe('checkBookInvariants', () => {
  it('finds nothing wrong with a consistent book', () => {
    expect(checkBookInvariants(goodState())).toEqual([]);
  });

  it('finds a crossed book', () => {
    const s = goodState();
    const ask = level(order(4, Side.Sell, 100, 6, 2));
    expect(broken({ ...s, asks: [ask], indexed: [...s.indexed.slice(0, 3), ask.orders[0]!] })).toEqual(['not-crossed']);
  });

  it('finds levels out of order or repeated', () => {
    const s = goodState();
    expect(broken({ ...s, bids: [s.bids[1]!, s.bids[0]!] })).toEqual(['level-order']);
    const twice = level(order(3, Side.Buy, 100, 4));
    expect(broken({ ...s, bids: [s.bids[0]!, twice], indexed: [...s.indexed.slice(0, 2), twice.orders[0]!, s.indexed[3]!] }))
      .toEqual(['level-order']);
  });

  it('finds a level whose total or count disagrees with its orders, or an empty level', () => {
    const s = goodState();
    expect(broken({ ...s, bids: [{ ...s.bids[0]!, quantity: 9 }, s.bids[1]!] })).toEqual(['level-totals']);
    expect(broken({ ...s, bids: [{ ...s.bids[0]!, orderCount: 3 }, s.bids[1]!] })).toEqual(['level-totals']);
    expect(broken({ ...s, bids: [...s.bids, { price: 98, quantity: 0, orderCount: 0, orders: [] }] })).toEqual(['level-totals']);
  });

  it('finds an index that disagrees with the levels', () => {
    const s = goodState();
    expect(broken({ ...s, indexed: s.indexed.slice(1) })).toEqual(['index-equals-contents']);
    expect(broken({ ...s, indexed: [...s.indexed, order(9, Side.Buy, 90, 1)] })).toEqual(['index-equals-contents']);
    expect(broken({ ...s, indexed: [{ ...s.indexed[0]!, leavesQuantity: 4, quantity: 4 }, ...s.indexed.slice(1)] }))
      .toEqual(['index-equals-contents']);
    const misplaced = level(order(5, Side.Sell, 100, 1));
    expect(broken({ ...s, bids: [...s.bids, { ...misplaced, price: 98 }], indexed: [...s.indexed, misplaced.orders[0]!],
      counters: { ...s.counters, submittedQuantity: s.counters.submittedQuantity + 1 } })).toContain('index-equals-contents');
  });

  it('finds a resting order with nothing left, or leaves that are not quantity minus filled', () => {
    const s = goodState();
    const empty = order(5, Side.Buy, 98, 0, 3);
    expect(broken({ ...s, bids: [...s.bids, level(empty)], indexed: [...s.indexed, empty],
      counters: { ...s.counters, submittedQuantity: s.counters.submittedQuantity + 6, buyFilledQuantity: 5, sellFilledQuantity: 5 } }))
      .toEqual(['no-empty-order']);
    const wrong = { ...order(5, Side.Buy, 98, 2), quantity: 7 };
    expect(broken({ ...s, bids: [...s.bids, level(wrong)], indexed: [...s.indexed, wrong],
      counters: { ...s.counters, submittedQuantity: s.counters.submittedQuantity + 2 } }))
      .toEqual(['leaves-equals-quantity-minus-filled']);
  });

  it('finds quantity that appeared or vanished, and unbalanced fills', () => {
    const s = goodState();
    expect(broken({ ...s, counters: { ...s.counters, submittedQuantity: s.counters.submittedQuantity + 1 } }))
      .toEqual(['conservation']);
    expect(broken({ ...s, counters: { ...s.counters, buyFilledQuantity: 3 } })).toEqual(['fills-balance', 'conservation']);
  });

  it('holds on a real book after a burst of commands', () => {
    const m = new Matcher([symbolConfig({ symbolId: 1, name: 'X', maxPrice: 200 })]);
    for (let i = 1; i <= 300; i++) {
      const side = i % 2 === 0 ? Side.Buy : Side.Sell;
      m.newOrder(1, i % 5, i, side, OrderType.Limit, TimeInForce.GTC, 100 + ((i * 7) % 11) - 5, 1 + (i % 9), i);
      if (i % 4 === 0) m.cancel(1, (i - 3) % 5, i - 3, i);
    }
    expect(checkBookInvariants(m.book(1)!.state())).toEqual([]);
  });
});

describe('EventStreamChecker', () => {
  const accepted = (sequence: number, orderId: number, side: Side, price: number): MatchEvent => ({
    kind: EventKind.Accepted, sequence, symbolId: 1, owner: 1, clientOrderId: orderId, orderId, side, orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC, price, quantity: 10, echoTimestampNs: 0 });
  const trade = (sequence: number, tradeId: number, price: number, quantity: number): MatchEvent => ({
    kind: EventKind.Trade, sequence, symbolId: 1, tradeId, price, quantity, aggressorSide: Side.Buy, makerOrderId: 1, takerOrderId: 2 });
  const fill = (sequence: number, orderId: number, tradeId: number, price: number, quantity: number, liquidity: Liquidity,
    side: Side): MatchEvent => ({ kind: EventKind.Fill, sequence, symbolId: 1, owner: 1, clientOrderId: orderId, orderId, tradeId,
    price, quantity, leavesQuantity: 10 - quantity, side, liquidity, echoTimestampNs: 0 });
  const run = (events: MatchEvent[]): InvariantName[] => {
    const checker = new EventStreamChecker();
    return events.flatMap((e) => checker.check(e).map((v) => v.invariant));
  };

  it('accepts a correct match', () => {
    expect(run([accepted(1, 1, Side.Sell, 100), accepted(2, 2, Side.Buy, 101), trade(3, 1, 100, 4),
      fill(4, 1, 1, 100, 4, Liquidity.Maker, Side.Sell), fill(5, 2, 1, 100, 4, Liquidity.Taker, Side.Buy)])).toEqual([]);
  });
  it('finds a gap in sequences and ids that do not rise', () => {
    expect(run([accepted(1, 1, Side.Sell, 100), accepted(3, 2, Side.Buy, 99)])).toEqual(['sequence-contiguous']);
    expect(run([accepted(1, 2, Side.Sell, 100), accepted(2, 2, Side.Buy, 99)])).toEqual(['ids-increasing']);
  });
  it('finds a maker filled away from its price and a taker filled beyond its limit', () => {
    expect(run([accepted(1, 1, Side.Sell, 100), accepted(2, 2, Side.Buy, 101), trade(3, 1, 101, 4),
      fill(4, 1, 1, 101, 4, Liquidity.Maker, Side.Sell), fill(5, 2, 1, 101, 4, Liquidity.Taker, Side.Buy)])).toEqual(['maker-price']);
    expect(run([accepted(1, 1, Side.Sell, 102), accepted(2, 2, Side.Buy, 101), trade(3, 1, 102, 4),
      fill(4, 1, 1, 102, 4, Liquidity.Maker, Side.Sell), fill(5, 2, 1, 102, 4, Liquidity.Taker, Side.Buy)])).toEqual(['limit-respected']);
  });
  it('finds a trade without both fills, or fills that disagree with it', () => {
    expect(run([accepted(1, 1, Side.Sell, 100), accepted(2, 2, Side.Buy, 101), trade(3, 1, 100, 4),
      fill(4, 1, 1, 100, 4, Liquidity.Maker, Side.Sell), accepted(5, 3, Side.Buy, 90)])).toEqual(['fills-balance']);
    expect(run([accepted(1, 1, Side.Sell, 100), accepted(2, 2, Side.Buy, 101), trade(3, 1, 100, 4),
      fill(4, 1, 1, 100, 3, Liquidity.Maker, Side.Sell)])).toEqual(['fills-balance']);
  });
});
