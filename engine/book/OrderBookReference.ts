import { CancelReason, Liquidity, OrderType, RejectReason, Side, TimeInForce } from '../protocol/codes.js';
import type { Book, BookState, LevelSummary, MatchContext, RestingOrder } from './Book.js';
import { RequestType } from './EventBuffer.js';
import { newOrderRejectReason, replaceRejectReason } from './orderRules.js';
import type { SymbolConfig } from './SymbolConfig.js';

interface Order {
  orderId: number;
  owner: number;
  clientOrderId: number;
  side: Side;
  price: number;
  quantity: number;
  filledQuantity: number;
  leavesQuantity: number;
}

interface Level {
  price: number;
  orders: Order[];
}

/**
 * The oracle: a deliberately simple book that is obviously correct, used to check {@link OrderBook}.
 *
 * Plain arrays and linear scans; level totals are recomputed from the orders every time they are
 * needed, so there is no running total that could drift. Slow by design; never use it for load.
 */
export class OrderBookReference implements Book {
  readonly config: SymbolConfig;
  private readonly ctx: MatchContext;
  /** Best (highest) first. */
  private bids: Level[] = [];
  /** Best (lowest) first. */
  private asks: Level[] = [];
  private submitted = 0;
  private buyFilled = 0;
  private sellFilled = 0;
  private canceled = 0;

  constructor(config: SymbolConfig, context: MatchContext) {
    this.config = config;
    this.ctx = context;
  }

  newOrder(owner: number, clientOrderId: number, side: number, orderType: number, timeInForce: number,
    price: number, quantity: number, timestampNs: number): void {
    const events = this.ctx.events;
    const symbolId = this.config.symbolId;
    let reason: number = newOrderRejectReason(this.config, side, orderType, timeInForce, price, quantity);
    if (reason === 0 && this.find(owner, clientOrderId) !== undefined) reason = RejectReason.DuplicateClientOrderId;
    if (reason !== 0) {
      events.rejected(symbolId, owner, clientOrderId, reason, RequestType.NewOrder, timestampNs);
      return;
    }
    const order: Order = { orderId: this.ctx.nextOrderId++, owner, clientOrderId, side: side as Side, price, quantity,
      filledQuantity: 0, leavesQuantity: quantity };
    events.accepted(symbolId, owner, clientOrderId, order.orderId, side, orderType, timeInForce, price, quantity,
      timestampNs);
    this.submitted += quantity;
    const isMarket = orderType === OrderType.Market;

    if (timeInForce === TimeInForce.FOK) {
      const reachable = this.opposite(order.side)
        .filter((level) => isMarket || crosses(order.side, order.price, level.price))
        .reduce((sum, level) => sum + total(level), 0);
      if (reachable < quantity) {
        events.canceled(symbolId, owner, clientOrderId, order.orderId, quantity, CancelReason.FokNotFillable,
          timestampNs);
        this.canceled += quantity;
        return;
      }
    }
    const before = this.top();
    this.match(order, isMarket, timestampNs);
    if (order.leavesQuantity > 0) {
      if (!isMarket && timeInForce === TimeInForce.GTC) {
        this.rest(order);
      } else {
        events.canceled(symbolId, owner, clientOrderId, order.orderId, order.leavesQuantity,
          isMarket ? CancelReason.NoLiquidity : CancelReason.IocRemainder, timestampNs);
        this.canceled += order.leavesQuantity;
      }
    }
    this.quoteIfChanged(before);
  }

  cancel(owner: number, clientOrderId: number, timestampNs: number): void {
    const events = this.ctx.events;
    const order = this.find(owner, clientOrderId);
    if (order === undefined) {
      events.rejected(this.config.symbolId, owner, clientOrderId, RejectReason.UnknownOrder, RequestType.Cancel,
        timestampNs);
      return;
    }
    const before = this.top();
    events.canceled(this.config.symbolId, owner, clientOrderId, order.orderId, order.leavesQuantity, CancelReason.User,
      timestampNs);
    this.canceled += order.leavesQuantity;
    this.remove(order);
    this.publish(order.side, order.price);
    this.quoteIfChanged(before);
  }

  replace(owner: number, clientOrderId: number, price: number, quantity: number, timestampNs: number): void {
    const events = this.ctx.events;
    const symbolId = this.config.symbolId;
    const order = this.find(owner, clientOrderId);
    const reason: number = order === undefined ? RejectReason.UnknownOrder : replaceRejectReason(this.config, price, quantity);
    if (order === undefined || reason !== 0) {
      events.rejected(symbolId, owner, clientOrderId, reason, RequestType.Replace, timestampNs);
      return;
    }
    const before = this.top();
    const oldPrice = order.price;
    if (quantity < order.leavesQuantity) this.canceled += order.leavesQuantity - quantity;
    else this.submitted += quantity - order.leavesQuantity;
    const keepsPriority = price === oldPrice && quantity < order.leavesQuantity;
    if (!keepsPriority) this.remove(order);
    order.leavesQuantity = quantity;
    order.quantity = order.filledQuantity + quantity;
    events.replaced(symbolId, owner, clientOrderId, order.orderId, price, quantity, timestampNs);
    if (keepsPriority) {
      this.publish(order.side, price);
    } else if (price === oldPrice) {
      this.rest(order);
    } else {
      this.publish(order.side, oldPrice);
      order.price = price;
      this.match(order, false, timestampNs);
      if (order.leavesQuantity > 0) this.rest(order);
    }
    this.quoteIfChanged(before);
  }

  depth(maxLevels: number): { bids: LevelSummary[]; asks: LevelSummary[] } {
    const summarize = (level: Level): LevelSummary => ({ price: level.price, quantity: total(level),
      orderCount: level.orders.length });
    return { bids: this.bids.slice(0, maxLevels).map(summarize), asks: this.asks.slice(0, maxLevels).map(summarize) };
  }

  orderCount(): number {
    return this.all().length;
  }

  state(): BookState {
    const levelState = (level: Level) => ({ price: level.price, quantity: total(level), orderCount: level.orders.length,
      orders: level.orders.map(copy) });
    return {
      symbolId: this.config.symbolId,
      bids: this.bids.map(levelState),
      asks: this.asks.map(levelState),
      indexed: this.all().map(copy).sort((a, b) => a.orderId - b.orderId),
      counters: {
        submittedQuantity: this.submitted,
        buyFilledQuantity: this.buyFilled,
        sellFilledQuantity: this.sellFilled,
        canceledQuantity: this.canceled,
      },
    };
  }

  /** Fills `taker` against the best opposite orders while prices cross; one LEVEL_UPDATE per level left. */
  private match(taker: Order, isMarket: boolean, timestampNs: number): void {
    const events = this.ctx.events;
    const symbolId = this.config.symbolId;
    const makerSide = taker.side === Side.Buy ? Side.Sell : Side.Buy;
    const book = this.opposite(taker.side);
    while (taker.leavesQuantity > 0) {
      const level = book[0];
      if (level === undefined || !(isMarket || crosses(taker.side, taker.price, level.price))) return;
      while (taker.leavesQuantity > 0 && level.orders.length > 0) {
        const maker = level.orders[0] as Order;
        const quantity = Math.min(taker.leavesQuantity, maker.leavesQuantity);
        const tradeId = this.ctx.nextTradeId++;
        events.trade(symbolId, tradeId, level.price, quantity, taker.side, maker.orderId, taker.orderId);
        maker.leavesQuantity -= quantity;
        maker.filledQuantity += quantity;
        taker.leavesQuantity -= quantity;
        taker.filledQuantity += quantity;
        this.buyFilled += quantity;
        this.sellFilled += quantity;
        events.fill(symbolId, maker.owner, maker.clientOrderId, maker.orderId, tradeId, level.price, quantity,
          maker.leavesQuantity, makerSide, Liquidity.Maker, 0);
        events.fill(symbolId, taker.owner, taker.clientOrderId, taker.orderId, tradeId, level.price, quantity,
          taker.leavesQuantity, taker.side, Liquidity.Taker, timestampNs);
        if (maker.leavesQuantity === 0) level.orders.shift();
      }
      this.publish(makerSide, level.price);
      if (level.orders.length === 0) book.shift();
    }
  }

  private rest(order: Order): void {
    const book = order.side === Side.Buy ? this.bids : this.asks;
    let level = book.find((l) => l.price === order.price);
    if (level === undefined) {
      level = { price: order.price, orders: [] };
      book.push(level);
      book.sort((a, b) => (order.side === Side.Buy ? b.price - a.price : a.price - b.price));
    }
    level.orders.push(order);
    this.publish(order.side, order.price);
  }

  private remove(order: Order): void {
    const book = order.side === Side.Buy ? this.bids : this.asks;
    const level = book.find((l) => l.price === order.price) as Level;
    level.orders = level.orders.filter((o) => o !== order);
    if (level.orders.length === 0) book.splice(book.indexOf(level), 1);
  }

  private publish(side: Side, price: number): void {
    const level = (side === Side.Buy ? this.bids : this.asks).find((l) => l.price === price);
    this.ctx.events.levelUpdate(this.config.symbolId, side, price, level === undefined ? 0 : total(level),
      level === undefined ? 0 : level.orders.length);
  }

  private top(): [number, number, number, number] {
    const bid = this.bids[0];
    const ask = this.asks[0];
    return [bid?.price ?? 0, bid === undefined ? 0 : total(bid), ask?.price ?? 0, ask === undefined ? 0 : total(ask)];
  }

  private quoteIfChanged(before: [number, number, number, number]): void {
    const after = this.top();
    if (after.some((value, i) => value !== before[i])) {
      this.ctx.events.quote(this.config.symbolId, after[0], after[1], after[2], after[3]);
    }
  }

  private opposite(side: Side): Level[] {
    return side === Side.Buy ? this.asks : this.bids;
  }

  private all(): Order[] {
    return [...this.bids, ...this.asks].flatMap((level) => level.orders);
  }

  private find(owner: number, clientOrderId: number): Order | undefined {
    return this.all().find((o) => o.owner === owner && o.clientOrderId === clientOrderId);
  }
}

function crosses(takerSide: Side, takerPrice: number, makerPrice: number): boolean {
  return takerSide === Side.Buy ? makerPrice <= takerPrice : makerPrice >= takerPrice;
}

function total(level: Level): number {
  return level.orders.reduce((sum, o) => sum + o.leavesQuantity, 0);
}

function copy(order: Order): RestingOrder {
  return { ...order };
}
