import { CancelReason, OrderType, RejectReason, Side, TimeInForce } from '../protocol/codes.js';
import type { Book, BookState, LevelState, LevelSummary, MatchContext, RestingOrder } from './Book.js';
import { RequestType, type EventBuffer } from './EventBuffer.js';
import { newOrderRejectReason, replaceRejectReason } from './orderRules.js';
import { OrderIndex } from './OrderIndex.js';
import type { SymbolConfig } from './SymbolConfig.js';

// The codes the hot path compares with and writes, as constants of this module. Read through the
// imported objects, each use cost optimised code a load of the import's cell, a check that it is
// initialised, a map check and a field load; a constant of this module folds to its number. Measured
// 13-19% of the matcher benchmark (in-process alternating A/B repetitions, same code otherwise).
const BUY = Side.Buy;
const SELL = Side.Sell;
const LIMIT = OrderType.Limit;
const MARKET = OrderType.Market;
const GTC = TimeInForce.GTC;
const FOK = TimeInForce.FOK;
const CANCELED_BY_USER = CancelReason.User;
const IOC_REMAINDER = CancelReason.IocRemainder;
const FOK_NOT_FILLABLE = CancelReason.FokNotFillable;
const NO_LIQUIDITY = CancelReason.NoLiquidity;

const NONE = -1;

// Order slot layout. Numbers that may exceed 32 bits live in `orderNumbers` (ORDER_NUMBERS doubles a
// slot), small integers in `orderLinks` (ORDER_LINKS int32s a slot): two arrays instead of ten, so
// the hot path loads two array bases instead of ten (measured 1.6x faster for this access pattern).
const ORDER_NUMBERS = 8;
const LEAVES = 0;
const QUANTITY = 1;
const FILLED = 2;
const CLIENT_ID = 3;
const ORDER_ID = 4;
const OWNER = 5;
const ORDER_LINKS = 4;
const NEXT = 0;
const PREV = 1;
const TICK = 2;
const SIDE = 3;

// Level layout: `levelLinks` holds LEVEL_LINKS int32s per level; quantities are in `levelQuantity`.
// Level index = tick for bids, ticks + tick for asks.
const LEVEL_LINKS = 4;
const HEAD = 0;
const TAIL = 1;
const COUNT = 2;

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
 * - Orders are fixed-size slots in two typed arrays with a free list, linked into their level's
 *   FIFO by index; an order's slot is reused after it finishes.
 * - Events go straight into the shared EventBuffer's numeric records.
 * - Live orders are found by (owner, client order id) in a hash table chained through the slots (OrderIndex).
 * Nothing is allocated per order; the pools and the index double when full.
 */
export class OrderBook implements Book {
  readonly config: SymbolConfig;
  private readonly symbolId: number;
  private readonly ctx: MatchContext;
  private readonly events: EventBuffer;
  private readonly tickSize: number;
  private readonly minPrice: number;
  private readonly maxQuantity: number;
  /** Every price in the band times every quantity up to the maximum is a safe integer. */
  private readonly notionalSafe: boolean;
  /** Ticks in the band: the size of one ladder half. */
  private readonly ticks: number;

  /** Per level: head slot, tail slot, order count (LEVEL_LINKS int32s). */
  private readonly levelLinks: Int32Array;
  /** Per level: total leaves quantity. */
  private readonly levelQuantity: Float64Array;
  /** Non-empty-level bitmaps: bid words, then ask words (from askWordBase); one bit per tick. */
  private readonly words: Int32Array;
  private readonly askWordBase: number;
  /** One bit per non-zero word, bids then asks (from askSummaryBase). */
  private readonly summary: Int32Array;
  private readonly askSummaryBase: number;
  private readonly wordCount: number;
  private readonly summaryCount: number;
  /** Best bid tick (highest), or NONE. */
  private bestBid = NONE;
  /** Best ask tick (lowest), or NONE. */
  private bestAsk = NONE;

  // Order slots.
  private capacity: number;
  private orderNumbers: Float64Array;
  private orderLinks: Int32Array;
  private freeHead = NONE;
  private live = 0;

  /** (owner, clientOrderId) → slot, for live orders only. */
  private readonly index: OrderIndex;

  private submitted = 0;
  private buyFilled = 0;
  private sellFilled = 0;
  private canceled = 0;

  /** A level at or better than a side's best changed during this command: the top may have moved. */
  private topDirty = false;
  // The last QUOTE sent (all 0 before the first): a command that moves the top sends a new one.
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
    this.maxQuantity = config.maxQuantity;
    this.notionalSafe = config.maxPrice * config.maxQuantity <= Number.MAX_SAFE_INTEGER;
    this.ticks = (config.maxPrice - config.minPrice) / config.tickSize + 1;
    const levels = this.ticks * 2;
    this.levelLinks = new Int32Array(levels * LEVEL_LINKS);
    for (let level = 0; level < levels; level++) {
      this.levelLinks[level * LEVEL_LINKS + HEAD] = NONE;
      this.levelLinks[level * LEVEL_LINKS + TAIL] = NONE;
    }
    this.levelQuantity = new Float64Array(levels);
    this.wordCount = Math.ceil(this.ticks / 32);
    this.summaryCount = Math.ceil(this.wordCount / 32);
    this.words = new Int32Array(this.wordCount * 2);
    this.askWordBase = this.wordCount;
    this.summary = new Int32Array(this.summaryCount * 2);
    this.askSummaryBase = this.summaryCount;

    this.capacity = Math.max(16, options.initialOrderCapacity ?? 65_536);
    this.orderNumbers = new Float64Array(this.capacity * ORDER_NUMBERS);
    this.orderLinks = new Int32Array(this.capacity * ORDER_LINKS);
    this.chainFreeSlots(0);
    // The index's buckets start small and double as it fills: buckets sized for every slot up front
    // spread a few hundred live orders across megabytes, and each lookup then misses the cache (measured 4%).
    this.index = new OrderIndex(Math.min(this.capacity, 2048), this.capacity);
  }

  // ---------------------------------------------------------------- commands

  newOrder(owner: number, clientOrderId: number, side: number, orderType: number, timeInForce: number,
    price: number, quantity: number, timestampNs: number): void {
    const events = this.events;
    // The common case first, checked inline from the book's own fields: a sufficient condition, not the
    // rules. A known side and time in force; a limit price on a tick inside the band, or a market
    // order's price 0; a whole quantity from 1 up to the maximum, below 2^32; a safe notional. Anything
    // else goes through the full rules, which name the first reason that fails. `x >>> 0 === x` holds
    // exactly for whole x in [0, 2^32): one conversion instead of a floor and a lower bound.
    // (Measured: the call and the config loads were about 4 ns of the matcher benchmark's ~100 ns, and
    // this form of the check about 1% faster than floors and range pairs, and market orders now pass it.)
    const isMarket = orderType === MARKET;
    const tick = this.ticksAbove(price);
    if (!((side === BUY || side === SELL) && timeInForce >= GTC && timeInForce <= FOK &&
      (isMarket ? price === 0 : orderType === LIMIT && (tick >>> 0) === tick && tick < this.ticks) &&
      (quantity >>> 0) === quantity && quantity !== 0 && quantity <= this.maxQuantity &&
      (this.notionalSafe || price * quantity <= Number.MAX_SAFE_INTEGER))) {
      const reason = newOrderRejectReason(this.config, side, orderType, timeInForce, price, quantity);
      if (reason !== 0) {
        events.rejected(this.symbolId, owner, clientOrderId, reason, RequestType.NewOrder, timestampNs);
        return;
      }
    }
    if (this.index.get(owner, clientOrderId) !== NONE) {
      events.rejected(this.symbolId, owner, clientOrderId, RejectReason.DuplicateClientOrderId, RequestType.NewOrder,
        timestampNs);
      return;
    }
    const id = this.ctx.nextOrderId++;
    events.accepted(this.symbolId, owner, clientOrderId, id, side, orderType, timeInForce, price, quantity, timestampNs);
    this.submitted += quantity;
    // A market order accepts any price in the band.
    // `| 0`: ticks fit in 31 bits (MAX_BAND_TICKS), and as an int32 every ladder index that follows
    // stays integer arithmetic instead of double-to-int conversions (measured 4% of the benchmark).
    const limitTick = isMarket ? (side === BUY ? this.ticks - 1 : 0) : tick | 0;

    if (timeInForce === FOK && this.available(side, limitTick, quantity) < quantity) {
      events.canceled(this.symbolId, owner, clientOrderId, id, quantity, FOK_NOT_FILLABLE, timestampNs);
      this.canceled += quantity;
      return;
    }
    const leaves = this.match(side, limitTick, quantity, owner, clientOrderId, id, timestampNs);
    if (leaves > 0) {
      if (!isMarket && timeInForce === GTC) {
        const slot = this.allocate();
        const n = this.orderNumbers;
        const at = slot * ORDER_NUMBERS;
        n[at + LEAVES] = leaves;
        n[at + QUANTITY] = quantity;
        n[at + FILLED] = quantity - leaves;
        n[at + CLIENT_ID] = clientOrderId;
        n[at + ORDER_ID] = id;
        n[at + OWNER] = owner;
        const links = this.orderLinks;
        links[slot * ORDER_LINKS + TICK] = limitTick;
        links[slot * ORDER_LINKS + SIDE] = side;
        this.index.insert(owner, clientOrderId, slot);
        this.append(slot, side, limitTick, leaves);
      } else {
        events.canceled(this.symbolId, owner, clientOrderId, id, leaves,
          isMarket ? NO_LIQUIDITY : IOC_REMAINDER, timestampNs);
        this.canceled += leaves;
      }
    }
    this.quoteIfChanged();
  }

  cancel(owner: number, clientOrderId: number, timestampNs: number): void {
    const slot = this.index.take(owner, clientOrderId);
    if (slot === NONE) {
      this.events.rejected(this.symbolId, owner, clientOrderId, RejectReason.UnknownOrder, RequestType.Cancel,
        timestampNs);
      return;
    }
    const n = this.orderNumbers;
    const at = slot * ORDER_NUMBERS;
    const leaves = n[at + LEAVES] as number;
    const side = this.orderLinks[slot * ORDER_LINKS + SIDE] as number;
    const tick = this.orderLinks[slot * ORDER_LINKS + TICK] as number;
    this.events.canceled(this.symbolId, owner, clientOrderId, n[at + ORDER_ID] as number, leaves, CANCELED_BY_USER,
      timestampNs);
    this.canceled += leaves;
    this.unlink(slot, side, tick, leaves);
    this.publishLevel(side, tick);
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
    const n = this.orderNumbers;
    const at = slot * ORDER_NUMBERS;
    const links = this.orderLinks;
    const side = links[slot * ORDER_LINKS + SIDE] as number;
    const oldTick = links[slot * ORDER_LINKS + TICK] as number;
    const oldLeaves = n[at + LEAVES] as number;
    const newTick = this.ticksAbove(price) | 0;
    const id = n[at + ORDER_ID] as number;
    if (quantity < oldLeaves) this.canceled += oldLeaves - quantity;
    else this.submitted += quantity - oldLeaves;
    const total = (n[at + FILLED] as number) + quantity;

    if (newTick === oldTick && quantity < oldLeaves) {
      // Same price, less quantity: the order keeps its place in the queue.
      const level = side === BUY ? oldTick : this.ticks + oldTick;
      this.levelQuantity[level] = (this.levelQuantity[level] as number) - (oldLeaves - quantity);
      n[at + LEAVES] = quantity;
      n[at + QUANTITY] = total;
      events.replaced(this.symbolId, owner, clientOrderId, id, price, quantity, timestampNs);
      this.publishLevel(side, oldTick);
    } else {
      this.unlink(slot, side, oldTick, oldLeaves);
      n[at + LEAVES] = quantity;
      n[at + QUANTITY] = total;
      events.replaced(this.symbolId, owner, clientOrderId, id, price, quantity, timestampNs);
      if (newTick === oldTick) {
        // Same price, not less quantity: to the back of the queue (it cannot cross: it rested there).
        this.append(slot, side, newTick, quantity);
      } else {
        // New price: publish the old level, then behave as an incoming limit order at the new price.
        this.publishLevel(side, oldTick);
        links[slot * ORDER_LINKS + TICK] = newTick;
        const leaves = this.match(side, newTick, quantity, owner, clientOrderId, id, timestampNs);
        n[at + FILLED] = total - leaves;
        n[at + LEAVES] = leaves;
        if (leaves > 0) {
          this.append(slot, side, newTick, leaves);
        } else {
          this.index.deleteSlot(slot);
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
    const isBuy = takerSide === BUY;
    let tick = isBuy ? this.bestAsk : this.bestBid;
    // Most orders that rest never touch the other side: leave before loading anything else.
    if (tick === NONE || (isBuy ? tick > limitTick : tick < limitTick)) return quantity;
    const events = this.events;
    const symbolId = this.symbolId;
    const ctx = this.ctx;
    const makerSide = isBuy ? SELL : BUY;
    const makerBase = isBuy ? this.ticks : 0;
    const levelLinks = this.levelLinks;
    const levelQuantity = this.levelQuantity;
    const n = this.orderNumbers;
    const links = this.orderLinks;
    let leaves = quantity;
    let filled = 0;
    while (leaves > 0) {
      tick = isBuy ? this.bestAsk : this.bestBid;
      if (tick === NONE || (isBuy ? tick > limitTick : tick < limitTick)) break;
      const level = makerBase + tick;
      const l = level * LEVEL_LINKS;
      const price = this.minPrice + tick * this.tickSize;
      let slot = levelLinks[l + HEAD] as number;
      let levelLeft = levelQuantity[level] as number;
      while (leaves > 0 && slot !== NONE) {
        const at = slot * ORDER_NUMBERS;
        const makerLeaves = n[at + LEAVES] as number;
        const fillQuantity = leaves < makerLeaves ? leaves : makerLeaves;
        const makerRemaining = makerLeaves - fillQuantity;
        leaves -= fillQuantity;
        filled += fillQuantity;
        levelLeft -= fillQuantity;
        const tradeId = ctx.nextTradeId++;
        const makerOrderId = n[at + ORDER_ID] as number;
        n[at + LEAVES] = makerRemaining;
        n[at + FILLED] = (n[at + FILLED] as number) + fillQuantity;
        events.match(symbolId, tradeId, price, fillQuantity, takerSide, n[at + OWNER] as number,
          n[at + CLIENT_ID] as number, makerOrderId, makerRemaining, owner, clientOrderId, takerOrderId, leaves, timestampNs);
        if (makerRemaining === 0) {
          const next = links[slot * ORDER_LINKS + NEXT] as number;
          levelLinks[l + HEAD] = next;
          if (next === NONE) levelLinks[l + TAIL] = NONE;
          else links[next * ORDER_LINKS + PREV] = NONE;
          levelLinks[l + COUNT] = (levelLinks[l + COUNT] as number) - 1;
          this.index.deleteSlot(slot);
          this.release(slot);
          slot = next;
        }
      }
      levelQuantity[level] = levelLeft;
      const count = levelLinks[l + COUNT] as number;
      events.levelUpdate(symbolId, makerSide, price, levelLeft, count);
      if (count === 0) this.levelEmptied(makerSide, tick);
    }
    // The aggressor only ever trades at the best level, so the top changed.
    this.topDirty = true;
    this.buyFilled += filled;
    this.sellFilled += filled;
    return leaves;
  }

  /**
   * Ticks from the band's lowest price to `price`: a whole number in [0, ticks) exactly when the
   * price is on a tick inside the band, so it is the ladder index of a valid limit price. A tick
   * size of 1, the common case, skips the division, whose latency sat on every order's path
   * (about 2% of the matcher benchmark, alternating A/B runs).
   */
  private ticksAbove(price: number): number {
    return this.tickSize === 1 ? price - this.minPrice : (price - this.minPrice) / this.tickSize;
  }

  /** Quantity available to an aggressor on `takerSide` up to `limitTick`, counting no further than `needed`. */
  private available(takerSide: number, limitTick: number, needed: number): number {
    let total = 0;
    if (takerSide === BUY) {
      for (let tick = this.bestAsk; tick !== NONE && tick <= limitTick && total < needed; tick = this.nextAsk(tick + 1)) {
        total += this.levelQuantity[this.ticks + tick] as number;
      }
    } else {
      for (let tick = this.bestBid; tick !== NONE && tick >= limitTick && total < needed; tick = this.prevBid(tick - 1)) {
        total += this.levelQuantity[tick] as number;
      }
    }
    return total;
  }

  // ---------------------------------------------------------------- levels

  /** Appends a slot to the back of its level with `leaves` and publishes the level. */
  private append(slot: number, side: number, tick: number, leaves: number): void {
    const level = side === BUY ? tick : this.ticks + tick;
    const levelLinks = this.levelLinks;
    const links = this.orderLinks;
    const l = level * LEVEL_LINKS;
    const count = levelLinks[l + COUNT] as number;
    if (count === 0) this.levelFilled(side, tick);
    const tail = levelLinks[l + TAIL] as number;
    links[slot * ORDER_LINKS + PREV] = tail;
    links[slot * ORDER_LINKS + NEXT] = NONE;
    if (tail === NONE) levelLinks[l + HEAD] = slot;
    else links[tail * ORDER_LINKS + NEXT] = slot;
    levelLinks[l + TAIL] = slot;
    levelLinks[l + COUNT] = count + 1;
    const quantity = (this.levelQuantity[level] as number) + leaves;
    this.levelQuantity[level] = quantity;
    this.emitLevel(side, tick, quantity, count + 1);
  }

  /** Takes a resting order holding `leaves` out of its level; keeps the bitmap and best prices right. */
  private unlink(slot: number, side: number, tick: number, leaves: number): void {
    const level = side === BUY ? tick : this.ticks + tick;
    const levelLinks = this.levelLinks;
    const links = this.orderLinks;
    const l = level * LEVEL_LINKS;
    const prev = links[slot * ORDER_LINKS + PREV] as number;
    const next = links[slot * ORDER_LINKS + NEXT] as number;
    if (prev === NONE) levelLinks[l + HEAD] = next;
    else links[prev * ORDER_LINKS + NEXT] = next;
    if (next === NONE) levelLinks[l + TAIL] = prev;
    else links[next * ORDER_LINKS + PREV] = prev;
    const count = (levelLinks[l + COUNT] as number) - 1;
    levelLinks[l + COUNT] = count;
    this.levelQuantity[level] = (this.levelQuantity[level] as number) - leaves;
    if (count === 0) this.levelEmptied(side, tick);
  }

  private publishLevel(side: number, tick: number): void {
    const level = side === BUY ? tick : this.ticks + tick;
    this.emitLevel(side, tick, this.levelQuantity[level] as number, this.levelLinks[level * LEVEL_LINKS + COUNT] as number);
  }

  /** LEVEL_UPDATE for a level the caller just changed, with the quantity and count it already holds. */
  private emitLevel(side: number, tick: number, quantity: number, count: number): void {
    // A change at or better than the side's best (after the change) may move the top of book.
    if (side === BUY ? this.bestBid === NONE || tick >= this.bestBid : this.bestAsk === NONE || tick <= this.bestAsk) {
      this.topDirty = true;
    }
    this.events.levelUpdate(this.symbolId, side, this.minPrice + tick * this.tickSize, quantity, count);
  }

  private levelFilled(side: number, tick: number): void {
    const isBid = side === BUY;
    const word = tick >>> 5;
    const w = (isBid ? 0 : this.askWordBase) + word;
    const words = this.words;
    if (words[w] === 0) {
      const sw = (isBid ? 0 : this.askSummaryBase) + (word >>> 5);
      this.summary[sw] = (this.summary[sw] as number) | (1 << (word & 31));
    }
    words[w] = (words[w] as number) | (1 << (tick & 31));
    if (isBid) {
      if (tick > this.bestBid) this.bestBid = tick;
    } else if (this.bestAsk === NONE || tick < this.bestAsk) {
      this.bestAsk = tick;
    }
  }

  private levelEmptied(side: number, tick: number): void {
    const isBid = side === BUY;
    const word = tick >>> 5;
    const w = (isBid ? 0 : this.askWordBase) + word;
    const words = this.words;
    words[w] = (words[w] as number) & ~(1 << (tick & 31));
    if (words[w] === 0) {
      const sw = (isBid ? 0 : this.askSummaryBase) + (word >>> 5);
      this.summary[sw] = (this.summary[sw] as number) & ~(1 << (word & 31));
    }
    if (isBid) {
      if (tick === this.bestBid) this.bestBid = this.prevBid(tick - 1);
    } else if (tick === this.bestAsk) {
      this.bestAsk = this.nextAsk(tick + 1);
    }
  }

  /** Lowest non-empty ask tick ≥ from, or NONE. */
  private nextAsk(from: number): number {
    if (from >= this.ticks) return NONE;
    const words = this.words;
    const base = this.askWordBase;
    let word = from >>> 5;
    let bits = (words[base + word] as number) & (-1 << (from & 31));
    if (bits !== 0) return (word << 5) + lowestBit(bits);
    word++;
    if (word >= this.wordCount) return NONE;
    const summary = this.summary;
    const sBase = this.askSummaryBase;
    let s = word >>> 5;
    bits = (summary[sBase + s] as number) & (-1 << (word & 31));
    while (bits === 0) {
      if (++s >= this.summaryCount) return NONE;
      bits = summary[sBase + s] as number;
    }
    word = (s << 5) + lowestBit(bits);
    return (word << 5) + lowestBit(words[base + word] as number);
  }

  /** Highest non-empty bid tick ≤ from, or NONE. */
  private prevBid(from: number): number {
    if (from < 0) return NONE;
    const words = this.words;
    let word = from >>> 5;
    let bits = (words[word] as number) & lowMask(from & 31);
    if (bits !== 0) return (word << 5) + highestBit(bits);
    word--;
    if (word < 0) return NONE;
    const summary = this.summary;
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

  /** Sends a QUOTE when this command moved the top of book away from the last one sent. */
  private quoteIfChanged(): void {
    if (!this.topDirty) return;
    this.topDirty = false;
    const bidPrice = this.bestBid === NONE ? 0 : this.minPrice + this.bestBid * this.tickSize;
    const bidQuantity = this.bestBid === NONE ? 0 : (this.levelQuantity[this.bestBid] as number);
    const askPrice = this.bestAsk === NONE ? 0 : this.minPrice + this.bestAsk * this.tickSize;
    const askQuantity = this.bestAsk === NONE ? 0 : (this.levelQuantity[this.ticks + this.bestAsk] as number);
    if (bidPrice !== this.quoteBidPrice || bidQuantity !== this.quoteBidQuantity || askPrice !== this.quoteAskPrice ||
      askQuantity !== this.quoteAskQuantity) {
      this.quoteBidPrice = bidPrice;
      this.quoteBidQuantity = bidQuantity;
      this.quoteAskPrice = askPrice;
      this.quoteAskQuantity = askQuantity;
      this.events.quote(this.symbolId, bidPrice, bidQuantity, askPrice, askQuantity);
    }
  }

  // ---------------------------------------------------------------- order slots

  private allocate(): number {
    if (this.freeHead === NONE) this.grow();
    const slot = this.freeHead;
    this.freeHead = this.orderLinks[slot * ORDER_LINKS + NEXT] as number;
    this.live++;
    return slot;
  }

  private release(slot: number): void {
    this.orderLinks[slot * ORDER_LINKS + NEXT] = this.freeHead;
    this.freeHead = slot;
    this.live--;
  }

  private grow(): void {
    const old = this.capacity;
    this.capacity = old * 2;
    const numbers = new Float64Array(this.capacity * ORDER_NUMBERS);
    numbers.set(this.orderNumbers);
    this.orderNumbers = numbers;
    const links = new Int32Array(this.capacity * ORDER_LINKS);
    links.set(this.orderLinks);
    this.orderLinks = links;
    this.chainFreeSlots(old);
  }

  /** Puts slots [from, capacity) on the free list, lowest first. */
  private chainFreeSlots(from: number): void {
    for (let slot = this.capacity - 1; slot >= from; slot--) {
      this.orderLinks[slot * ORDER_LINKS + NEXT] = this.freeHead;
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
    for (let tick = this.bestBid; tick !== NONE && bids.length < maxLevels; tick = this.prevBid(tick - 1)) {
      bids.push(this.levelSummary(tick, tick));
    }
    for (let tick = this.bestAsk; tick !== NONE && asks.length < maxLevels; tick = this.nextAsk(tick + 1)) {
      asks.push(this.levelSummary(this.ticks + tick, tick));
    }
    return { bids, asks };
  }

  state(): BookState {
    const bids: LevelState[] = [];
    const asks: LevelState[] = [];
    const occupied = (level: number): boolean =>
      this.levelLinks[level * LEVEL_LINKS + COUNT] !== 0 || this.levelLinks[level * LEVEL_LINKS + HEAD] !== NONE;
    // Walk the raw ladder, not the bitmap, so a bitmap bug shows up as a level the walk did not expect.
    for (let tick = this.ticks - 1; tick >= 0; tick--) {
      if (occupied(tick)) bids.push(this.levelState(tick, tick));
    }
    for (let tick = 0; tick < this.ticks; tick++) {
      if (occupied(this.ticks + tick)) asks.push(this.levelState(this.ticks + tick, tick));
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

  /** Best bid and ask ticks as kept, and as the bitmap search finds them, for tests of the ladder. */
  bestTicks(): { bid: number; ask: number; bidFromBitmap: number; askFromBitmap: number } {
    return { bid: this.bestBid, ask: this.bestAsk, bidFromBitmap: this.prevBid(this.ticks - 1),
      askFromBitmap: this.nextAsk(0) };
  }

  private levelSummary(level: number, tick: number): LevelSummary {
    return { price: this.minPrice + tick * this.tickSize, quantity: this.levelQuantity[level] as number,
      orderCount: this.levelLinks[level * LEVEL_LINKS + COUNT] as number };
  }

  private levelState(level: number, tick: number): LevelState {
    const orders: RestingOrder[] = [];
    // Bounded walk: a corrupted list (a cycle) must not hang the checker.
    for (let slot = this.levelLinks[level * LEVEL_LINKS + HEAD] as number; slot !== NONE && orders.length <= this.live;
      slot = this.orderLinks[slot * ORDER_LINKS + NEXT] as number) {
      orders.push(this.restingOrder(slot));
    }
    return { ...this.levelSummary(level, tick), orders };
  }

  private restingOrder(slot: number): RestingOrder {
    const n = this.orderNumbers;
    const at = slot * ORDER_NUMBERS;
    return {
      orderId: n[at + ORDER_ID] as number,
      owner: n[at + OWNER] as number,
      clientOrderId: n[at + CLIENT_ID] as number,
      side: this.orderLinks[slot * ORDER_LINKS + SIDE] as Side,
      price: this.minPrice + (this.orderLinks[slot * ORDER_LINKS + TICK] as number) * this.tickSize,
      quantity: n[at + QUANTITY] as number,
      filledQuantity: n[at + FILLED] as number,
      leavesQuantity: n[at + LEAVES] as number,
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
