import { describe, expect, it } from 'vitest';
import { CancelReason, Liquidity, OrderType, RejectReason, Side, TimeInForce } from '../protocol/codes.js';
import { EventKind, RequestType, type MatchEvent } from './EventBuffer.js';
import { checkBookInvariants, EventStreamChecker } from './invariants.js';
import { fastBook, Matcher, type BookFactory } from './Matcher.js';
import { OrderBookReference } from './OrderBookReference.js';
import { symbolConfig } from './SymbolConfig.js';

// One contract, run against both books: the fast one and the oracle.
const books: [string, BookFactory][] = [
  ['OrderBook', fastBook],
  ['OrderBookReference', (config, context) => new OrderBookReference(config, context)],
];

const SYM = 7;
const config = symbolConfig({ symbolId: SYM, name: 'TEST', tickSize: 5, minPrice: 5, maxPrice: 5000, maxQuantity: 10_000 });
const { Buy, Sell } = Side;
const { Limit, Market } = OrderType;
const { GTC, IOC, FOK } = TimeInForce;
/** An event without its sequence, so expectations do not depend on what came before. */
type Unsequenced = MatchEvent extends infer E ? (E extends MatchEvent ? Omit<E, 'sequence'> : never) : never;

describe.each(books)('%s (book contract)', (_name, factory) => {
  /** A matcher with helpers that return the events each command produced, without sequences. */
  function setup() {
    const m = new Matcher([config], factory);
    const stream = new EventStreamChecker();
    let ts = 1000;
    const drain = (): Unsequenced[] => {
      const out = m.events.events().map(({ sequence: _s, ...rest }) => rest as Unsequenced);
      for (const event of m.events.events()) expect(stream.check(event)).toEqual([]);
      m.events.clear();
      const book = m.book(SYM);
      if (book !== undefined) expect(checkBookInvariants(book.state())).toEqual([]);
      return out;
    };
    return {
      m,
      limit: (owner: number, id: number, side: Side, price: number, qty: number, tif: TimeInForce = GTC) => {
        m.newOrder(SYM, owner, id, side, Limit, tif, price, qty, ++ts);
        return drain();
      },
      market: (owner: number, id: number, side: Side, qty: number, tif: TimeInForce = IOC) => {
        m.newOrder(SYM, owner, id, side, Market, tif, 0, qty, ++ts);
        return drain();
      },
      cancel: (owner: number, id: number) => {
        m.cancel(SYM, owner, id, ++ts);
        return drain();
      },
      replace: (owner: number, id: number, price: number, qty: number) => {
        m.replace(SYM, owner, id, price, qty, ++ts);
        return drain();
      },
      depth: () => m.book(SYM)!.depth(10),
      ts: () => ts,
    };
  }
  const kinds = (events: { kind: number }[]) => events.map((e) => e.kind);
  const makerOwners = (events: Unsequenced[]) =>
    events.flatMap((e) => (e.kind === EventKind.Fill && e.liquidity === Liquidity.Maker ? [e.owner] : []));

  it('rests a GTC limit with ACCEPTED, LEVEL_UPDATE and QUOTE', () => {
    const b = setup();
    const events = b.limit(1, 11, Buy, 100, 30);
    expect(events).toEqual([
      { kind: EventKind.Accepted, symbolId: SYM, owner: 1, clientOrderId: 11, orderId: 1, side: Buy, orderType: Limit,
        timeInForce: GTC, price: 100, quantity: 30, echoTimestampNs: b.ts() },
      { kind: EventKind.LevelUpdate, symbolId: SYM, side: Buy, price: 100, quantity: 30, orderCount: 1 },
      { kind: EventKind.Quote, symbolId: SYM, bidPrice: 100, bidQuantity: 30, askPrice: 0, askQuantity: 0 },
    ]);
  });

  it('trades at the resting price, best price first, then oldest first', () => {
    const b = setup();
    b.limit(1, 1, Sell, 105, 10);
    b.limit(2, 1, Sell, 100, 10);
    b.limit(3, 1, Sell, 100, 10);
    const events = b.limit(4, 1, Buy, 110, 25);
    const fills = events.filter((e) => e.kind === EventKind.Fill);
    expect(fills.map((f) => [f.owner, f.price, f.quantity, f.liquidity])).toEqual([
      [2, 100, 10, Liquidity.Maker], [4, 100, 10, Liquidity.Taker],
      [3, 100, 10, Liquidity.Maker], [4, 100, 10, Liquidity.Taker],
      [1, 105, 5, Liquidity.Maker], [4, 105, 5, Liquidity.Taker],
    ]);
    expect(kinds(events)).toEqual([
      EventKind.Accepted,
      EventKind.Trade, EventKind.Fill, EventKind.Fill, EventKind.Trade, EventKind.Fill, EventKind.Fill,
      EventKind.LevelUpdate,
      EventKind.Trade, EventKind.Fill, EventKind.Fill,
      EventKind.LevelUpdate,
      EventKind.Quote,
    ]);
    expect(b.depth()).toEqual({ bids: [], asks: [{ price: 105, quantity: 5, orderCount: 1 }] });
  });

  it('rests the remainder of a partly filled GTC order at its limit', () => {
    const b = setup();
    b.limit(1, 1, Sell, 100, 10);
    const events = b.limit(2, 1, Buy, 100, 25);
    const takerFill = events.find((e) => e.kind === EventKind.Fill && e.liquidity === Liquidity.Taker);
    expect(takerFill).toMatchObject({ quantity: 10, leavesQuantity: 15, echoTimestampNs: b.ts() });
    expect(b.depth()).toEqual({ bids: [{ price: 100, quantity: 15, orderCount: 1 }], asks: [] });
    expect(b.m.book(SYM)!.state().bids[0]!.orders[0]).toMatchObject({ quantity: 25, filledQuantity: 10, leavesQuantity: 15 });
  });

  it('cancels the remainder of an IOC order', () => {
    const b = setup();
    b.limit(1, 1, Sell, 100, 10);
    const events = b.limit(2, 1, Buy, 100, 25, IOC);
    expect(events.filter((e) => e.kind === EventKind.Canceled)).toEqual([
      { kind: EventKind.Canceled, symbolId: SYM, owner: 2, clientOrderId: 1, orderId: 2, canceledQuantity: 15,
        reason: CancelReason.IocRemainder, echoTimestampNs: b.ts() },
    ]);
    expect(b.depth()).toEqual({ bids: [], asks: [] });
  });

  it('kills a FOK order that cannot fill completely, with no effect on the book', () => {
    const b = setup();
    b.limit(1, 1, Sell, 100, 10);
    b.limit(1, 2, Sell, 110, 10);
    const before = b.m.book(SYM)!.state();
    const events = b.limit(2, 1, Buy, 105, 15, FOK);
    expect(kinds(events)).toEqual([EventKind.Accepted, EventKind.Canceled]);
    expect(events[1]).toMatchObject({ canceledQuantity: 15, reason: CancelReason.FokNotFillable });
    const after = b.m.book(SYM)!.state();
    expect(after.asks).toEqual(before.asks);
  });

  it('fills a FOK order completely when liquidity within its limit suffices', () => {
    const b = setup();
    b.limit(1, 1, Sell, 100, 10);
    b.limit(1, 2, Sell, 110, 10);
    const events = b.limit(2, 1, Buy, 110, 15, FOK);
    expect(events.filter((e) => e.kind === EventKind.Trade).map((t) => [t.price, t.quantity])).toEqual([[100, 10], [110, 5]]);
    expect(events.some((e) => e.kind === EventKind.Canceled)).toBe(false);
  });

  it('lets a market order take what there is and cancels the rest as no liquidity', () => {
    const b = setup();
    b.limit(1, 1, Buy, 100, 10);
    b.limit(1, 2, Buy, 5, 10);
    const events = b.market(2, 1, Sell, 30);
    expect(events.filter((e) => e.kind === EventKind.Trade).map((t) => [t.price, t.quantity])).toEqual([[100, 10], [5, 10]]);
    expect(events.at(-2)).toMatchObject({ kind: EventKind.Canceled, canceledQuantity: 10, reason: CancelReason.NoLiquidity });
    expect(b.market(3, 1, Buy, 5)).toMatchObject([{ kind: EventKind.Accepted },
      { kind: EventKind.Canceled, canceledQuantity: 5, reason: CancelReason.NoLiquidity }]);
  });

  it('treats a market FOK as all or nothing', () => {
    const b = setup();
    b.limit(1, 1, Buy, 100, 10);
    expect(b.market(2, 1, Sell, 11, FOK).at(-1)).toMatchObject({ kind: EventKind.Canceled, reason: CancelReason.FokNotFillable });
    expect(b.market(2, 2, Sell, 10, FOK).filter((e) => e.kind === EventKind.Trade)).toHaveLength(1);
  });

  it('cancels a resting order and refuses to cancel it twice', () => {
    const b = setup();
    b.limit(1, 1, Buy, 100, 10);
    b.limit(1, 2, Buy, 100, 7);
    const events = b.cancel(1, 1);
    expect(events).toEqual([
      { kind: EventKind.Canceled, symbolId: SYM, owner: 1, clientOrderId: 1, orderId: 1, canceledQuantity: 10,
        reason: CancelReason.User, echoTimestampNs: b.ts() },
      { kind: EventKind.LevelUpdate, symbolId: SYM, side: Buy, price: 100, quantity: 7, orderCount: 1 },
      { kind: EventKind.Quote, symbolId: SYM, bidPrice: 100, bidQuantity: 7, askPrice: 0, askQuantity: 0 },
    ]);
    expect(b.cancel(1, 1)).toEqual([{ kind: EventKind.Rejected, symbolId: SYM, owner: 1, clientOrderId: 1,
      reason: RejectReason.UnknownOrder, requestType: RequestType.Cancel, echoTimestampNs: b.ts() }]);
  });

  it('refuses to cancel a filled order or another owner\'s order', () => {
    const b = setup();
    b.limit(1, 1, Buy, 100, 10);
    b.limit(2, 1, Sell, 100, 10);
    expect(b.cancel(1, 1)[0]).toMatchObject({ kind: EventKind.Rejected, reason: RejectReason.UnknownOrder });
    b.limit(1, 2, Buy, 100, 10);
    expect(b.cancel(3, 2)[0]).toMatchObject({ kind: EventKind.Rejected, reason: RejectReason.UnknownOrder });
    expect(b.depth().bids).toEqual([{ price: 100, quantity: 10, orderCount: 1 }]);
  });

  it('rejects a duplicate live client order id but accepts it again once the order is gone', () => {
    const b = setup();
    b.limit(1, 5, Buy, 100, 10);
    expect(b.limit(1, 5, Buy, 95, 10)).toMatchObject([{ kind: EventKind.Rejected, reason: RejectReason.DuplicateClientOrderId }]);
    expect(b.limit(2, 5, Buy, 95, 10)[0]).toMatchObject({ kind: EventKind.Accepted });
    b.cancel(1, 5);
    expect(b.limit(1, 5, Buy, 95, 10)[0]).toMatchObject({ kind: EventKind.Accepted });
  });

  it('keeps time priority when a replace lowers quantity at the same price', () => {
    const b = setup();
    b.limit(1, 1, Sell, 100, 10);
    b.limit(2, 1, Sell, 100, 10);
    expect(b.replace(1, 1, 100, 4)).toEqual([
      { kind: EventKind.Replaced, symbolId: SYM, owner: 1, clientOrderId: 1, orderId: 1, price: 100, leavesQuantity: 4,
        echoTimestampNs: b.ts() },
      { kind: EventKind.LevelUpdate, symbolId: SYM, side: Sell, price: 100, quantity: 14, orderCount: 2 },
      { kind: EventKind.Quote, symbolId: SYM, bidPrice: 0, bidQuantity: 0, askPrice: 100, askQuantity: 14 },
    ]);
    const fills = makerOwners(b.limit(3, 1, Buy, 100, 4));
    expect(fills).toEqual([1]);
  });

  it('sends an order to the back of the queue when a replace raises its quantity or keeps it', () => {
    for (const quantity of [10, 12]) {
      const b = setup();
      b.limit(1, 1, Sell, 100, 10);
      b.limit(2, 1, Sell, 100, 10);
      b.replace(1, 1, 100, quantity);
      const fills = makerOwners(b.limit(3, 1, Buy, 100, 10));
      expect(fills).toEqual([2]);
    }
  });

  it('moves an order to the back of its new level when a replace changes its price', () => {
    const b = setup();
    b.limit(1, 1, Sell, 105, 10);
    b.limit(2, 1, Sell, 100, 10);
    const events = b.replace(1, 1, 100, 10);
    expect(kinds(events)).toEqual([EventKind.Replaced, EventKind.LevelUpdate, EventKind.LevelUpdate, EventKind.Quote]);
    expect(b.depth().asks).toEqual([{ price: 100, quantity: 20, orderCount: 2 }]);
    const fills = makerOwners(b.limit(3, 1, Buy, 100, 10));
    expect(fills).toEqual([2]);
  });

  it('matches a replace whose new price crosses the book, as a taker', () => {
    const b = setup();
    b.limit(1, 1, Buy, 100, 10);
    b.limit(2, 1, Sell, 110, 6);
    const events = b.replace(1, 1, 110, 10);
    const taker = events.find((e) => e.kind === EventKind.Fill && e.liquidity === Liquidity.Taker);
    expect(taker).toMatchObject({ owner: 1, price: 110, quantity: 6, leavesQuantity: 4, echoTimestampNs: b.ts() });
    expect(b.depth()).toEqual({ bids: [{ price: 110, quantity: 4, orderCount: 1 }], asks: [] });
    // Fully filled by the replace: the order is gone.
    b.limit(3, 1, Sell, 120, 4);
    b.replace(1, 1, 120, 4);
    expect(b.cancel(1, 1)[0]).toMatchObject({ kind: EventKind.Rejected, reason: RejectReason.UnknownOrder });
  });

  it('rejects every bad order with its own reason and leaves the book alone', () => {
    const b = setup();
    b.limit(1, 1, Buy, 100, 10);
    const cases: [() => void, RejectReason][] = [
      [() => b.m.newOrder(99, 1, 9, Buy, Limit, GTC, 100, 1, 1), RejectReason.UnknownSymbol],
      [() => b.m.newOrder(SYM, 1, 9, 0, Limit, GTC, 100, 1, 1), RejectReason.InvalidSide],
      [() => b.m.newOrder(SYM, 1, 9, 3, Limit, GTC, 100, 1, 1), RejectReason.InvalidSide],
      [() => b.m.newOrder(SYM, 1, 9, Buy, 0, GTC, 100, 1, 1), RejectReason.InvalidOrderType],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, 4, 100, 1, 1), RejectReason.InvalidTimeInForce],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, GTC, 0, 1, 1), RejectReason.InvalidPrice],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, GTC, -5, 1, 1), RejectReason.InvalidPrice],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Market, IOC, 100, 1, 1), RejectReason.InvalidPrice],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, GTC, 101, 1, 1), RejectReason.PriceOffTick],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, GTC, 5005, 1, 1), RejectReason.PriceOutsideBand],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, GTC, 100, 0, 1), RejectReason.InvalidQuantity],
      [() => b.m.newOrder(SYM, 1, 9, Buy, Limit, GTC, 100, 10_001, 1), RejectReason.QuantityAboveMax],
      [() => b.m.newOrder(SYM, 1, 1, Buy, Limit, GTC, 100, 1, 1), RejectReason.DuplicateClientOrderId],
      [() => b.m.replace(SYM, 1, 1, 101, 5, 1), RejectReason.PriceOffTick],
      [() => b.m.replace(SYM, 1, 1, 0, 5, 1), RejectReason.InvalidPrice],
      [() => b.m.replace(SYM, 1, 1, 100, 0, 1), RejectReason.InvalidQuantity],
      [() => b.m.replace(SYM, 1, 1, 6000, 5, 1), RejectReason.PriceOutsideBand],
      [() => b.m.replace(SYM, 1, 1, 100, 10_001, 1), RejectReason.QuantityAboveMax],
      [() => b.m.replace(SYM, 1, 2, 100, 5, 1), RejectReason.UnknownOrder],
      [() => b.m.cancel(99, 1, 1, 1), RejectReason.UnknownSymbol],
    ];
    const before = b.m.book(SYM)!.state();
    for (const [command, reason] of cases) {
      command();
      expect(b.m.events.events()).toMatchObject([{ kind: EventKind.Rejected, reason }]);
      b.m.events.clear();
    }
    expect(b.m.book(SYM)!.state()).toEqual(before);
  });

  it('rejects an order whose notional is beyond the safe-integer range', () => {
    const wide = symbolConfig({ symbolId: 1, name: 'WIDE', minPrice: 2 ** 40, maxPrice: 2 ** 40 + 10, maxQuantity: 2 ** 20 });
    const m = new Matcher([wide], factory);
    m.newOrder(1, 1, 1, Buy, Limit, GTC, 2 ** 40, 2 ** 13, 0);
    m.newOrder(1, 1, 2, Buy, Limit, GTC, 2 ** 40, 2 ** 12, 0);
    expect(m.events.events().map((e) => [e.kind, 'reason' in e ? e.reason : 0])).toEqual([
      [EventKind.Rejected, RejectReason.NotionalOverflow], [EventKind.Accepted, 0], [EventKind.LevelUpdate, 0], [EventKind.Quote, 0],
    ]);
  });

  it('gives byte-identical events for identical commands', () => {
    const run = () => {
      const b = setup();
      b.limit(1, 1, Buy, 100, 10);
      b.limit(2, 1, Sell, 95, 4);
      b.replace(1, 1, 105, 9);
      b.market(3, 1, Sell, 20);
      b.m.newOrder(SYM, 4, 1, Sell, Limit, GTC, 200, 3, 42);
      return Buffer.from(b.m.events.data.buffer, 0, b.m.events.length * 8 * 14).toString('hex');
    };
    expect(run()).toBe(run());
  });

  it('keeps order and trade ids rising across symbols', () => {
    const other = symbolConfig({ symbolId: 8, name: 'OTHER' });
    const m = new Matcher([config, other], factory);
    m.newOrder(SYM, 1, 1, Buy, Limit, GTC, 100, 5, 0);
    m.newOrder(8, 1, 1, Sell, Limit, GTC, 100, 5, 0);
    m.newOrder(8, 2, 1, Buy, Limit, GTC, 100, 5, 0);
    const ids = m.events.events().flatMap((e) => (e.kind === EventKind.Accepted ? [e.orderId] : []));
    expect(ids).toEqual([1, 2, 3]);
    expect(m.events.events().map((e) => e.sequence)).toEqual(m.events.events().map((_e, i) => i + 1));
  });
});
