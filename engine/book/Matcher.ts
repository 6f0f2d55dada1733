import { createHash } from 'node:crypto';
import { RejectReason } from '../protocol/codes.js';
import type { Book, MatchContext } from './Book.js';
import { EventBuffer, RequestType } from './EventBuffer.js';
import { OrderBook } from './OrderBook.js';
import type { SymbolConfig } from './SymbolConfig.js';

/** Makes the book for one symbol. */
export type BookFactory = (config: SymbolConfig, context: MatchContext) => Book;

/** The fast book, the default. */
export const fastBook: BookFactory = (config, context) => new OrderBook(config, context);

/**
 * The single-threaded matcher: one book per symbol, one ordered event stream, one id space.
 * Deterministic: the same commands always give byte-identical events.
 */
export class Matcher {
  /** The stream every book appends to; the caller drains it (read, then clear). */
  readonly events: EventBuffer;
  private readonly context: MatchContext;
  private readonly books = new Map<number, Book>();
  /** The same books in an array indexed by symbol id, for ids below 65,536 (a faster lookup than the Map). */
  private readonly byId: (Book | undefined)[] = [];

  constructor(symbols: readonly SymbolConfig[], createBook: BookFactory = fastBook, events = new EventBuffer()) {
    this.events = events;
    this.context = { events, nextOrderId: 1, nextTradeId: 1 };
    for (const config of symbols) {
      if (this.books.has(config.symbolId)) throw new RangeError(`symbol id ${config.symbolId} is configured twice`);
      const book = createBook(config, this.context);
      this.books.set(config.symbolId, book);
      if (config.symbolId < 65_536) {
        while (this.byId.length <= config.symbolId) this.byId.push(undefined);
        this.byId[config.symbolId] = book;
      }
    }
  }

  /** NEW_ORDER on a symbol; an unknown symbol is rejected. */
  newOrder(symbolId: number, owner: number, clientOrderId: number, side: number, orderType: number,
    timeInForce: number, price: number, quantity: number, timestampNs: number): void {
    const book = this.lookup(symbolId);
    if (book === undefined) {
      this.events.rejected(symbolId, owner, clientOrderId, RejectReason.UnknownSymbol, RequestType.NewOrder, timestampNs);
      return;
    }
    book.newOrder(owner, clientOrderId, side, orderType, timeInForce, price, quantity, timestampNs);
  }

  /** CANCEL on a symbol. */
  cancel(symbolId: number, owner: number, clientOrderId: number, timestampNs: number): void {
    const book = this.lookup(symbolId);
    if (book === undefined) {
      this.events.rejected(symbolId, owner, clientOrderId, RejectReason.UnknownSymbol, RequestType.Cancel, timestampNs);
      return;
    }
    book.cancel(owner, clientOrderId, timestampNs);
  }

  /** REPLACE on a symbol. */
  replace(symbolId: number, owner: number, clientOrderId: number, price: number, quantity: number,
    timestampNs: number): void {
    const book = this.lookup(symbolId);
    if (book === undefined) {
      this.events.rejected(symbolId, owner, clientOrderId, RejectReason.UnknownSymbol, RequestType.Replace, timestampNs);
      return;
    }
    book.replace(owner, clientOrderId, price, quantity, timestampNs);
  }

  private lookup(symbolId: number): Book | undefined {
    return symbolId < this.byId.length ? this.byId[symbolId] : this.books.get(symbolId);
  }

  /** The book of a symbol, if configured. */
  book(symbolId: number): Book | undefined {
    return this.books.get(symbolId);
  }

  /** Every book, by ascending symbol id. */
  allBooks(): Book[] {
    return [...this.books.values()].sort((a, b) => a.config.symbolId - b.config.symbolId);
  }

  /**
   * SHA-256 over every book's resting orders (in priority order) and counters, plus the id counters:
   * two matchers with the same hash hold the same state. Used to prove replays and reruns agree.
   */
  stateHash(): string {
    const hash = createHash('sha256');
    hash.update(`ids ${this.context.nextOrderId} ${this.context.nextTradeId} seq ${this.events.nextSequence}\n`);
    for (const book of this.allBooks()) {
      const state = book.state();
      const c = state.counters;
      hash.update(`symbol ${state.symbolId} ${c.submittedQuantity} ${c.buyFilledQuantity} ${c.sellFilledQuantity} ${c.canceledQuantity}\n`);
      for (const level of [...state.bids, ...state.asks]) {
        for (const o of level.orders) {
          hash.update(`${o.orderId} ${o.owner} ${o.clientOrderId} ${o.side} ${o.price} ${o.quantity} ${o.filledQuantity} ${o.leavesQuantity}\n`);
        }
      }
    }
    return hash.digest('hex');
  }
}
