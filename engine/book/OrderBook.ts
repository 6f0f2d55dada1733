import { CancelReason, Liquidity, OrderType, RejectReason, Side, TimeInForce } from '../protocol/codes.js';
import type { Book, BookState, LevelState, LevelSummary, MatchContext, RestingOrder } from './Book.js';
import { RequestType, type EventBuffer } from './EventBuffer.js';
import { newOrderRejectReason, replaceRejectReason } from './orderRules.js';
import { OrderIndex } from './OrderIndex.js';
import type { SymbolConfig } from './SymbolConfig.js';

const NONE = -1;
/** Ladder halves: level arrays hold bids at [0, ticks) and asks at [ticks, 2*ticks). */
const BID = 0;
const ASK = 1;

/** Options for {@link OrderBook}. */
export interface OrderBookOptions {
  /** Order slots allocated up front; the pool doubles when full. Default 65,536. */
  readonly initialOrderCapacity?: number;
}

/**
 * The fast book: price-time priority over a tick-indexed price ladder.
 *
 * Why hand-written and not a tree or map library: this is the engine's hot path, and the goal is
 * tens of millions of operations per second with nothing allocated per order. So:
 * - Price levels live in typed arrays indexed by tick within the symbol's band (O(1) to find a level).
 * - A two-level bitmap per side (32 ticks per word, 32 words per summary word) finds the next
 *   non-empty level with Math.clz32 instead of scanning empty ticks.
 * - Orders are slots in struct-of-arrays typed arrays with a free list, linked into their level's
 *   FIFO by index; an order's slot is reused after it finishes.
 * - Events go straight into the shared EventBuffer's numeric records.
 * - Live orders are found by (owner, client order id) in a typed-array hash table (OrderIndex).
 * Nothing is allocated per order; the pools and the index double when full.
 */
export class OrderBook implements Book {
  readonly config: SymbolConfig;
  private readonly symbolId: number;
  private readonly ctx: MatchContext;
  private readonly events: EventBuffer;
  private readonly tickSize: number;
  private readonly minPrice: number;
  /** Ticks in the band: the size of one ladder half. */
  private readonly ticks: number;

  // Levels, indexed by side * ticks + tick.
  private readonly levelHead: Int32Array;
  private readonly levelTail: Int32Array;
  private readonly levelCount: Int32Array;
  private readonly levelQuantity: Float64Array;
  // Non-empty-level bitmaps per side.
  private readonly words: [Int32Array, Int32Array];
  private readonly summary: [Int32Array, Int32Array];
  /** Best bid tick (highest), or NONE. */
  private bestBid = NONE;
  /** Best ask tick (lowest), or NONE. */
  private bestAsk = NONE;

  // Order slots.
  private capacity: number;
  private orderPrice: Float64Array;
  private orderQuantity: Float64Array;
  private orderFilled: Float64Array;
  private orderLeaves: Float64Array;
  private orderClientId: Float64Array;
  private orderId: Float64Array;
  private orderOwner: Float64Array;
  private orderSide: Uint8Array;
  private orderNext: Int32Array;
  private orderPrev: Int32Array;
  private freeHead = NONE;
  private live = 0;

  /** (owner, clientOrderId) → slot, for live orders only. */
  private readonly index: OrderIndex;

  private submitted = 0;
  private buyFilled = 0;
  private sellFilled = 0;
  private canceled = 0;

  // Top of book before the current command, to decide whether it emits a QUOTE.
  private quoteBidPrice = 0;
  private quoteBidQuantity = 0;
  private quoteAskPrice = 0;
  private quoteAskQuantity = 0;

  constructor(config: SymbolConfig, context: MatchContext, options: OrderBookOptions = {}) {
    this.config = config;
    this.symbolId = config.symbolId;
    this.ctx = context;
    this.events = context.events;
    this.tickSize = config.tickSize;
    this.minPrice = config.minPrice;
    this.ticks = (config.maxPrice - config.minPrice) / config.tickSize + 1;
    const levels = this.ticks * 2;
    this.levelHead = new Int32Array(levels).fill(NONE);
    this.levelTail = new Int32Array(levels).fill(NONE);
    this.levelCount = new Int32Array(levels);
    this.levelQuantity = new Float64Array(levels);
    const wordCount = Math.ceil(this.ticks / 32);
    const summaryCount = Math.ceil(wordCount / 32);
    this.words = [new Int32Array(wordCount), new Int32Array(wordCount)];
    this.summary = [new Int32Array(summaryCount), new Int32Array(summaryCount)];

    this.capacity = Math.max(16, options.initialOrderCapacity ?? 65_536);
    this.orderPrice = new Float64Array(this.capacity);
    this.orderQuantity = new Float64Array(this.capacity);
    this.orderFilled = new Float64Array(this.capacity);
    this.orderLeaves = new Float64Array(this.capacity);
    this.orderClientId = new Float64Array(this.capacity);
    this.orderId = new Float64Array(this.capacity);
    this.orderOwner = new Float64Array(this.capacity);
    this.orderSide = new Uint8Array(this.capacity);
    this.orderNext = new Int32Array(this.capacity);
    this.orderPrev = new Int32Array(this.capacity);
    this.chainFreeSlots(0);
    this.index = new OrderIndex(this.capacity);
  }

  // ---------------------------------------------------------------- commands

  newOrder(owner: number, clientOrderId: number, side: number, orderType: number, timeInForce: number,
    price: number, quantity: number, timestampNs: number): void {
    const events = this.events;
    const reason = newOrderRejectReason(this.config, side, orderType, timeInForce, price, quantity);
    if (reason !== 0) {
      events.rejected(this.symbolId, owner, clientOrderId, reason, RequestType.NewOrder, timestampNs);
      return;
    }
    if (this.index.get(owner, clientOrderId) !== NONE) {
      events.rejected(this.symbolId, owner, clientOrderId, RejectReason.DuplicateClientOrderId, RequestType.NewOrder,
        timestampNs);
      return;
    }
    const id = this.ctx.nextOrderId++;
    events.accepted(this.symbolId, owner, clientOrderId, id, side, orderType, timeInForce, price, quantity, timestampNs);
    this.submitted += quantity;
    const isMarket = orderType === OrderType.Market;
    // A market order accepts any price in the band.
    const limitTick = isMarket ? (side === Side.Buy ? this.ticks - 1 : 0) : (price - this.minPrice) / this.tickSize;

    if (timeInForce === TimeInForce.FOK && this.available(side, limitTick, quantity) < quantity) {
      events.canceled(this.symbolId, owner, clientOrderId, id, quantity, CancelReason.FokNotFillable, timestampNs);
      this.canceled += quantity;
      return;
    }
    this.saveQuote();
    const leaves = this.match(side, limitTick, quantity, owner, clientOrderId, id, timestampNs);
    if (leaves > 0) {
      if (!isMarket && timeInForce === TimeInForce.GTC) {
        const slot = this.allocate();
        this.orderPrice[slot] = price;
        this.orderQuantity[slot] = quantity;
        this.orderFilled[slot] = quantity - leaves;
        this.orderLeaves[slot] = leaves;
        this.orderClientId[slot] = clientOrderId;
        this.orderId[slot] = id;
        this.orderOwner[slot] = owner;
        this.orderSide[slot] = side;
        this.index.insert(owner, clientOrderId, slot);
        this.append(slot, side, limitTick);
      } else {
        events.canceled(this.symbolId, owner, clientOrderId, id, leaves,
          isMarket ? CancelReason.NoLiquidity : CancelReason.IocRemainder, timestampNs);
        this.canceled += leaves;
      }
    }
    this.quoteIfChanged();
  }

  cancel(owner: number, clientOrderId: number, timestampNs: number): void {
    const slot = this.index.get(owner, clientOrderId);
    if (slot === NONE) {
      this.events.rejected(this.symbolId, owner, clientOrderId, RejectReason.UnknownOrder, RequestType.Cancel,
        timestampNs);
      return;
    }
    this.saveQuote();
    const leaves = this.orderLeaves[slot] as number;
    const side = this.orderSide[slot] as number;
    const tick = ((this.orderPrice[slot] as number) - this.minPrice) / this.tickSize;
    this.events.canceled(this.symbolId, owner, clientOrderId, this.orderId[slot] as number, leaves, CancelReason.User,
      timestampNs);
    this.canceled += leaves;
    this.unlink(slot, side, tick);
    this.publishLevel(side, tick);
    this.index.delete(owner, clientOrderId);
    this.release(slot);
    this.quoteIfChanged();
  }

  replace(owner: number, clientOrderId: number, price: number, quantity: number, timestampNs: number): void {
    const events = this.events;
    const slot = this.index.get(owner, clientOrderId);
    if (slot === NONE) {
      events.rejected(this.symbolId, owner, clientOrderId, RejectReason.UnknownOrder, RequestType.Replace, timestampNs);
      return;
    }
    const reason = replaceRejectReason(this.config, price, quantity);
    if (reason !== 0) {
      events.rejected(this.symbolId, owner, clientOrderId, reason, RequestType.Replace, timestampNs);
      return;
    }
    this.saveQuote();
    const side = this.orderSide[slot] as number;
    const oldLeaves = this.orderLeaves[slot] as number;
    const oldTick = ((this.orderPrice[slot] as number) - this.minPrice) / this.tickSize;
    const newTick = (price - this.minPrice) / this.tickSize;
    const id = this.orderId[slot] as number;
    if (quantity < oldLeaves) this.canceled += oldLeaves - quantity;
    else this.submitted += quantity - oldLeaves;
    const total = (this.orderFilled[slot] as number) + quantity;

    if (newTick === oldTick && quantity < oldLeaves) {
      // Same price, less quantity: the order keeps its place in the queue.
      const level = side === Side.Buy ? oldTick : this.ticks + oldTick;
      this.levelQuantity[level] = (this.levelQuantity[level] as number) - (oldLeaves - quantity);
      this.orderLeaves[slot] = quantity;
      this.orderQuantity[slot] = total;
      events.replaced(this.symbolId, owner, clientOrderId, id, price, quantity, timestampNs);
      this.publishLevel(side, oldTick);
    } else {
      this.unlink(slot, side, oldTick);
      this.orderLeaves[slot] = quantity;
      this.orderQuantity[slot] = total;
      events.replaced(this.symbolId, owner, clientOrderId, id, price, quantity, timestampNs);
      if (newTick === oldTick) {
        // Same price, not less quantity: to the back of the queue (it cannot cross: it rested there).
        this.append(slot, side, newTick);
      } else {
        // New price: publish the old level, then behave as an incoming limit order at the new price.
        this.publishLevel(side, oldTick);
        this.orderPrice[slot] = price;
        const leaves = this.match(side, newTick, quantity, owner, clientOrderId, id, timestampNs);
        this.orderFilled[slot] = total - leaves;
        this.orderLeaves[slot] = leaves;
        if (leaves > 0) {
          this.append(slot, side, newTick);
        } else {
          this.index.delete(owner, clientOrderId);
          this.release(slot);
        }
      }
    }
    this.quoteIfChanged();
  }

  // ---------------------------------------------------------------- matching

  /**
   * Matches an aggressor against the other side up to `limitTick`, emitting TRADE, maker FILL and
   * taker FILL per match, and one LEVEL_UPDATE per maker level it leaves. Returns the unfilled quantity.
   */
  private match(takerSide: number, limitTick: number, quantity: number, owner: number, clientOrderId: number,
    takerOrderId: number, timestampNs: number): number {
    const events = this.events;
    const symbolId = this.symbolId;
    const ctx = this.ctx;
    const isBuy = takerSide === Side.Buy;
    const makerSide = isBuy ? Side.Sell : Side.Buy;
    const makerBase = isBuy ? this.ticks : 0;
    const levelHead = this.levelHead;
    const levelCount = this.levelCount;
    const levelQuantity = this.levelQuantity;
    const orderLeaves = this.orderLeaves;
    const orderFilled = this.orderFilled;
    const orderNext = this.orderNext;
    let leaves = quantity;
    let filled = 0;
    while (leaves > 0) {
      const tick = isBuy ? this.bestAsk : this.bestBid;
      if (tick === NONE || (isBuy ? tick > limitTick : tick < limitTick)) break;
      const level = makerBase + tick;
      const price = this.minPrice + tick * this.tickSize;
      let slot = levelHead[level] as number;
      while (leaves > 0 && slot !== NONE) {
        const makerLeaves = orderLeaves[slot] as number;
        const fillQuantity = leaves < makerLeaves ? leaves : makerLeaves;
        const makerRemaining = makerLeaves - fillQuantity;
        leaves -= fillQuantity;
        filled += fillQuantity;
        const tradeId = ctx.nextTradeId++;
        const makerOrderId = this.orderId[slot] as number;
        events.trade(symbolId, tradeId, price, fillQuantity, takerSide, makerOrderId, takerOrderId);
        orderLeaves[slot] = makerRemaining;
        orderFilled[slot] = (orderFilled[slot] as number) + fillQuantity;
        levelQuantity[level] = (levelQuantity[level] as number) - fillQuantity;
        events.fill(symbolId, this.orderOwner[slot] as number, this.orderClientId[slot] as number, makerOrderId, tradeId,
          price, fillQuantity, makerRemaining, makerSide, Liquidity.Maker, 0);
        events.fill(symbolId, owner, clientOrderId, takerOrderId, tradeId, price, fillQuantity, leaves, takerSide,
          Liquidity.Taker, timestampNs);
        if (makerRemaining === 0) {
          const next = orderNext[slot] as number;
          levelHead[level] = next;
          if (next === NONE) this.levelTail[level] = NONE;
          else this.orderPrev[next] = NONE;
          levelCount[level] = (levelCount[level] as number) - 1;
          this.index.delete(this.orderOwner[slot] as number, this.orderClientId[slot] as number);
          this.release(slot);
          slot = next;
        }
      }
      events.levelUpdate(symbolId, makerSide, price, levelQuantity[level] as number, levelCount[level] as number);
      if (levelCount[level] === 0) this.levelEmptied(makerSide, tick);
    }
    this.buyFilled += filled;
    this.sellFilled += filled;
    return leaves;
  }

  /** Quantity available to an aggressor on `takerSide` up to `limitTick`, counting no further than `needed`. */
  private available(takerSide: number, limitTick: number, needed: number): number {
    let total = 0;
    if (takerSide === Side.Buy) {
      for (let tick = this.bestAsk; tick !== NONE && tick <= limitTick && total < needed; tick = this.nextSet(ASK, tick + 1)) {
        total += this.levelQuantity[this.ticks + tick] as number;
      }
    } else {
      for (let tick = this.bestBid; tick !== NONE && tick >= limitTick && total < needed; tick = this.prevSet(BID, tick - 1)) {
        total += this.levelQuantity[tick] as number;
      }
    }
    return total;
  }

  // ---------------------------------------------------------------- levels

  /** Appends a slot (leaves already set) to the back of its level and publishes the level. */
  private append(slot: number, side: number, tick: number): void {
    const level = side === Side.Buy ? tick : this.ticks + tick;
    if (this.levelCount[level] === 0) this.levelFilled(side, tick);
    this.linkLast(slot, level, this.orderLeaves[slot] as number);
    this.publishLevel(side, tick);
  }

  private linkLast(slot: number, level: number, leaves: number): void {
    const tail = this.levelTail[level] as number;
    this.orderPrev[slot] = tail;
    this.orderNext[slot] = NONE;
    if (tail === NONE) this.levelHead[level] = slot;
    else this.orderNext[tail] = slot;
    this.levelTail[level] = slot;
    this.levelCount[level] = (this.levelCount[level] as number) + 1;
    this.levelQuantity[level] = (this.levelQuantity[level] as number) + leaves;
  }

  private detach(slot: number, level: number): void {
    const prev = this.orderPrev[slot] as number;
    const next = this.orderNext[slot] as number;
    if (prev === NONE) this.levelHead[level] = next;
    else this.orderNext[prev] = next;
    if (next === NONE) this.levelTail[level] = prev;
    else this.orderPrev[next] = prev;
  }

  /** Takes a resting order (its current leaves) out of its level; keeps the bitmap and best prices right. */
  private unlink(slot: number, side: number, tick: number): void {
    const level = side === Side.Buy ? tick : this.ticks + tick;
    this.detach(slot, level);
    this.levelCount[level] = (this.levelCount[level] as number) - 1;
    this.levelQuantity[level] = (this.levelQuantity[level] as number) - (this.orderLeaves[slot] as number);
    if (this.levelCount[level] === 0) this.levelEmptied(side, tick);
  }

  private publishLevel(side: number, tick: number): void {
    const level = side === Side.Buy ? tick : this.ticks + tick;
    this.events.levelUpdate(this.symbolId, side, this.minPrice + tick * this.tickSize,
      this.levelQuantity[level] as number, this.levelCount[level] as number);
  }

  private levelFilled(side: number, tick: number): void {
    const half = side === Side.Buy ? BID : ASK;
    const word = tick >>> 5;
    const words = this.words[half] as Int32Array;
    if (words[word] === 0) {
      const summary = this.summary[half] as Int32Array;
      summary[word >>> 5] = (summary[word >>> 5] as number) | (1 << (word & 31));
    }
    words[word] = (words[word] as number) | (1 << (tick & 31));
    if (half === BID) {
      if (tick > this.bestBid) this.bestBid = tick;
    } else if (this.bestAsk === NONE || tick < this.bestAsk) {
      this.bestAsk = tick;
    }
  }

  private levelEmptied(side: number, tick: number): void {
    const half = side === Side.Buy ? BID : ASK;
    const word = tick >>> 5;
    const words = this.words[half] as Int32Array;
    words[word] = (words[word] as number) & ~(1 << (tick & 31));
    if (words[word] === 0) {
      const summary = this.summary[half] as Int32Array;
      summary[word >>> 5] = (summary[word >>> 5] as number) & ~(1 << (word & 31));
    }
    if (half === BID) {
      if (tick === this.bestBid) this.bestBid = this.prevSet(BID, tick - 1);
    } else if (tick === this.bestAsk) {
      this.bestAsk = this.nextSet(ASK, tick + 1);
    }
  }

  /** Lowest non-empty tick ≥ from on a side, or NONE. */
  private nextSet(half: number, from: number): number {
    if (from >= this.ticks) return NONE;
    const words = this.words[half] as Int32Array;
    let word = from >>> 5;
    let bits = (words[word] as number) & (-1 << (from & 31));
    if (bits !== 0) return (word << 5) + lowestBit(bits);
    word++;
    if (word >= words.length) return NONE;
    const summary = this.summary[half] as Int32Array;
    let s = word >>> 5;
    bits = (summary[s] as number) & (-1 << (word & 31));
    while (bits === 0) {
      if (++s >= summary.length) return NONE;
      bits = summary[s] as number;
    }
    word = (s << 5) + lowestBit(bits);
    return (word << 5) + lowestBit(words[word] as number);
  }

  /** Highest non-empty tick ≤ from on a side, or NONE. */
  private prevSet(half: number, from: number): number {
    if (from < 0) return NONE;
    const words = this.words[half] as Int32Array;
    let word = from >>> 5;
    let bits = (words[word] as number) & lowMask(from & 31);
    if (bits !== 0) return (word << 5) + highestBit(bits);
    word--;
    if (word < 0) return NONE;
    const summary = this.summary[half] as Int32Array;
    let s = word >>> 5;
    bits = (summary[s] as number) & lowMask(word & 31);
    while (bits === 0) {
      if (--s < 0) return NONE;
      bits = summary[s] as number;
    }
    word = (s << 5) + highestBit(bits);
    return (word << 5) + highestBit(words[word] as number);
  }

  // ---------------------------------------------------------------- quotes

  private saveQuote(): void {
    this.quoteBidPrice = this.bestBid === NONE ? 0 : this.minPrice + this.bestBid * this.tickSize;
    this.quoteBidQuantity = this.bestBid === NONE ? 0 : (this.levelQuantity[this.bestBid] as number);
    this.quoteAskPrice = this.bestAsk === NONE ? 0 : this.minPrice + this.bestAsk * this.tickSize;
    this.quoteAskQuantity = this.bestAsk === NONE ? 0 : (this.levelQuantity[this.ticks + this.bestAsk] as number);
  }

  private quoteIfChanged(): void {
    const bidPrice = this.bestBid === NONE ? 0 : this.minPrice + this.bestBid * this.tickSize;
    const bidQuantity = this.bestBid === NONE ? 0 : (this.levelQuantity[this.bestBid] as number);
    const askPrice = this.bestAsk === NONE ? 0 : this.minPrice + this.bestAsk * this.tickSize;
    const askQuantity = this.bestAsk === NONE ? 0 : (this.levelQuantity[this.ticks + this.bestAsk] as number);
    if (bidPrice !== this.quoteBidPrice || bidQuantity !== this.quoteBidQuantity || askPrice !== this.quoteAskPrice ||
      askQuantity !== this.quoteAskQuantity) {
      this.events.quote(this.symbolId, bidPrice, bidQuantity, askPrice, askQuantity);
    }
  }

  // ---------------------------------------------------------------- order slots and index

  private allocate(): number {
    if (this.freeHead === NONE) this.grow();
    const slot = this.freeHead;
    this.freeHead = this.orderNext[slot] as number;
    this.live++;
    return slot;
  }

  private release(slot: number): void {
    this.orderNext[slot] = this.freeHead;
    this.freeHead = slot;
    this.live--;
  }

  private grow(): void {
    const old = this.capacity;
    this.capacity = old * 2;
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(this.capacity); b.set(a); return b; };
    const i32 = (a: Int32Array): Int32Array => { const b = new Int32Array(this.capacity); b.set(a); return b; };
    this.orderPrice = f64(this.orderPrice);
    this.orderQuantity = f64(this.orderQuantity);
    this.orderFilled = f64(this.orderFilled);
    this.orderLeaves = f64(this.orderLeaves);
    this.orderClientId = f64(this.orderClientId);
    this.orderId = f64(this.orderId);
    this.orderOwner = f64(this.orderOwner);
    const side = new Uint8Array(this.capacity);
    side.set(this.orderSide);
    this.orderSide = side;
    this.orderNext = i32(this.orderNext);
    this.orderPrev = i32(this.orderPrev);
    this.chainFreeSlots(old);
  }

  /** Puts slots [from, capacity) on the free list, lowest first. */
  private chainFreeSlots(from: number): void {
    for (let slot = this.capacity - 1; slot >= from; slot--) {
      this.orderNext[slot] = this.freeHead;
      this.freeHead = slot;
    }
  }

  // ---------------------------------------------------------------- inspection

  orderCount(): number {
    return this.live;
  }

  depth(maxLevels: number): { bids: LevelSummary[]; asks: LevelSummary[] } {
    const bids: LevelSummary[] = [];
    const asks: LevelSummary[] = [];
    for (let tick = this.bestBid; tick !== NONE && bids.length < maxLevels; tick = this.prevSet(BID, tick - 1)) {
      bids.push({ price: this.minPrice + tick * this.tickSize, quantity: this.levelQuantity[tick] as number,
        orderCount: this.levelCount[tick] as number });
    }
    for (let tick = this.bestAsk; tick !== NONE && asks.length < maxLevels; tick = this.nextSet(ASK, tick + 1)) {
      const level = this.ticks + tick;
      asks.push({ price: this.minPrice + tick * this.tickSize, quantity: this.levelQuantity[level] as number,
        orderCount: this.levelCount[level] as number });
    }
    return { bids, asks };
  }

  state(): BookState {
    const bids: LevelState[] = [];
    const asks: LevelState[] = [];
    // Walk the raw ladder, not the bitmap, so a bitmap bug shows up as a level the walk did not expect.
    for (let tick = this.ticks - 1; tick >= 0; tick--) {
      if (this.levelCount[tick] !== 0 || this.levelHead[tick] !== NONE) bids.push(this.levelState(tick, tick));
    }
    for (let tick = 0; tick < this.ticks; tick++) {
      const level = this.ticks + tick;
      if (this.levelCount[level] !== 0 || this.levelHead[level] !== NONE) asks.push(this.levelState(level, tick));
    }
    const indexed: RestingOrder[] = [];
    // Report each order under the key the index holds it by, so a key pointing at the wrong slot shows.
    this.index.forEach((owner, clientOrderId, slot) => indexed.push({ ...this.restingOrder(slot), owner, clientOrderId }));
    indexed.sort((a, b) => a.orderId - b.orderId);
    return {
      symbolId: this.symbolId,
      bids,
      asks,
      indexed,
      counters: {
        submittedQuantity: this.submitted,
        buyFilledQuantity: this.buyFilled,
        sellFilledQuantity: this.sellFilled,
        canceledQuantity: this.canceled,
      },
    };
  }

  /** Best bid and ask ticks as the bitmap search finds them, for tests of the ladder. */
  bestTicks(): { bid: number; ask: number; bidFromBitmap: number; askFromBitmap: number } {
    return { bid: this.bestBid, ask: this.bestAsk, bidFromBitmap: this.prevSet(BID, this.ticks - 1),
      askFromBitmap: this.nextSet(ASK, 0) };
  }

  private levelState(level: number, tick: number): LevelState {
    const orders: RestingOrder[] = [];
    // Bounded walk: a corrupted list (a cycle) must not hang the checker.
    for (let slot = this.levelHead[level] as number; slot !== NONE && orders.length <= this.live; slot = this.orderNext[slot] as number) {
      orders.push(this.restingOrder(slot));
    }
    return { price: this.minPrice + tick * this.tickSize, quantity: this.levelQuantity[level] as number,
      orderCount: this.levelCount[level] as number, orders };
  }

  private restingOrder(slot: number): RestingOrder {
    return {
      orderId: this.orderId[slot] as number,
      owner: this.orderOwner[slot] as number,
      clientOrderId: this.orderClientId[slot] as number,
      side: this.orderSide[slot] as Side,
      price: this.orderPrice[slot] as number,
      quantity: this.orderQuantity[slot] as number,
      filledQuantity: this.orderFilled[slot] as number,
      leavesQuantity: this.orderLeaves[slot] as number,
    };
  }
}

function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

function highestBit(bits: number): number {
  return 31 - Math.clz32(bits);
}

/** Bits 0..bit set. */
function lowMask(bit: number): number {
  return bit === 31 ? -1 : (1 << (bit + 1)) - 1;
}
