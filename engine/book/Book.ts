import type { Side } from '../protocol/codes.js';
import type { EventBuffer } from './EventBuffer.js';
import type { SymbolConfig } from './SymbolConfig.js';

/**
 * What the books of one matcher share: the event stream they append to and the id counters.
 * Order ids and trade ids rise across every symbol of the matcher, starting at 1.
 */
export interface MatchContext {
  readonly events: EventBuffer;
  nextOrderId: number;
  nextTradeId: number;
}

/** A resting order as a book reports it. */
export interface RestingOrder {
  readonly orderId: number;
  readonly owner: number;
  readonly clientOrderId: number;
  readonly side: Side;
  readonly price: number;
  /** Total quantity: filled plus leaves (a replace sets leaves, so this can change). */
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly leavesQuantity: number;
}

/** One price level and its orders in time priority. */
export interface LevelState {
  readonly price: number;
  /** The level's total as the book keeps it (checked against its orders by the invariants). */
  readonly quantity: number;
  readonly orderCount: number;
  readonly orders: readonly RestingOrder[];
}

/** One aggregated level, as in a BOOK_SNAPSHOT. */
export interface LevelSummary {
  readonly price: number;
  readonly quantity: number;
  readonly orderCount: number;
}

/** Quantities per symbol since the book was created; see the conservation invariant. */
export interface BookCounters {
  /** Quantity of accepted orders, plus increases by replace. */
  readonly submittedQuantity: number;
  readonly buyFilledQuantity: number;
  readonly sellFilledQuantity: number;
  /** Canceled by user, IOC/market remainders, FOK kills, and decreases by replace. */
  readonly canceledQuantity: number;
}

/** A full picture of one book, for invariant checks and comparisons (slow: allocates). */
export interface BookState {
  readonly symbolId: number;
  /** Best (highest) first. */
  readonly bids: readonly LevelState[];
  /** Best (lowest) first. */
  readonly asks: readonly LevelState[];
  /** Every order in the book's (owner, clientOrderId) index, by orderId. */
  readonly indexed: readonly RestingOrder[];
  readonly counters: BookCounters;
}

/**
 * One symbol's order book: price-time priority, integer prices and quantities.
 * Every command appends its events to the shared {@link MatchContext.events}; see
 * docs/PROTOCOL.md, "Matching rules and event order", for exactly which and in what order.
 * Implemented by the fast {@link OrderBook} and the oracle {@link OrderBookReference}; both must
 * give identical event streams for identical commands.
 */
export interface Book {
  readonly config: SymbolConfig;
  /** NEW_ORDER. `price` must be 0 for a market order. */
  newOrder(owner: number, clientOrderId: number, side: number, orderType: number, timeInForce: number,
    price: number, quantity: number, timestampNs: number): void;
  /** CANCEL by the owner's client order id. */
  cancel(owner: number, clientOrderId: number, timestampNs: number): void;
  /** REPLACE: new limit price and new leaves quantity. */
  replace(owner: number, clientOrderId: number, price: number, quantity: number, timestampNs: number): void;
  /** Top `maxLevels` levels per side, best first. */
  depth(maxLevels: number): { bids: LevelSummary[]; asks: LevelSummary[] };
  /** Number of resting orders. */
  orderCount(): number;
  state(): BookState;
}
