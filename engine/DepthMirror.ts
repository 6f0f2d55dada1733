import type { BookDepth } from './broadcast/Broadcaster.js';
import type { MarketDataSink } from './EngineCore.js';
import { Side } from './protocol/codes.js';
import type { SnapshotLevel } from './protocol/messages.js';

/** Every level of one symbol's book, best first per side: what the matcher worker sends at start. */
export interface BookLevels {
  readonly symbolId: number;
  readonly bids: readonly SnapshotLevel[];
  readonly asks: readonly SnapshotLevel[];
}

interface MirroredBook {
  /** price → level, per side. */
  readonly bids: Map<number, SnapshotLevel>;
  readonly asks: Map<number, SnapshotLevel>;
}

/**
 * The price levels of every book, kept on the main thread from the feed's own LEVEL_UPDATEs, so
 * the broadcaster can answer SNAPSHOT_REQUEST while the books themselves live on the matcher
 * worker. A market-data sink that passes everything on to `next` (the broadcaster) unchanged.
 *
 * ```
 *  outbound ring ─► EventPublisher ─► DepthMirror.levelUpdate ─► Broadcaster (feed)
 *                                          │                          │ SNAPSHOT_REQUEST
 *                                          └── depth(symbol, levels) ◄┘
 * ```
 * A LEVEL_UPDATE carries the level's whole quantity and order count (0: the level is gone), so the
 * mirror is exactly the book as of the last feed frame: what a snapshot must show.
 */
export class DepthMirror implements MarketDataSink {
  private readonly books = new Map<number, MirroredBook>();

  constructor(private readonly next: MarketDataSink) {}

  /** Replaces the mirror with these books (the worker's after journal recovery); other symbols are unknown. */
  load(books: readonly BookLevels[]): void {
    this.books.clear();
    for (const book of books) {
      const mirrored: MirroredBook = { bids: new Map(), asks: new Map() };
      for (const level of book.bids) mirrored.bids.set(level.price, { ...level });
      for (const level of book.asks) mirrored.asks.set(level.price, { ...level });
      this.books.set(book.symbolId, mirrored);
    }
  }

  /** The top `levels` levels per side of `symbolId`, best first; undefined for a symbol not loaded. */
  depth(symbolId: number, levels: number): BookDepth | undefined {
    const book = this.books.get(symbolId);
    if (book === undefined) return undefined;
    // Sorting per request is fine: snapshots are rare next to level updates, which stay O(1).
    // Copies: the mirror's own level objects change in place with later updates.
    const bids = [...book.bids.values()].sort((a, b) => b.price - a.price).slice(0, levels).map((l) => ({ ...l }));
    const asks = [...book.asks.values()].sort((a, b) => a.price - b.price).slice(0, levels).map((l) => ({ ...l }));
    return { bids, asks };
  }

  trade(symbolId: number, tradeId: number, price: number, quantity: number, aggressorSide: number): void {
    this.next.trade(symbolId, tradeId, price, quantity, aggressorSide);
  }

  levelUpdate(symbolId: number, side: number, price: number, quantity: number, orderCount: number): void {
    const book = this.books.get(symbolId);
    if (book !== undefined) {
      const levels = side === Side.Buy ? book.bids : book.asks;
      const level = levels.get(price);
      if (quantity === 0) levels.delete(price);
      else if (level === undefined) levels.set(price, { price, quantity, orderCount });
      else {
        level.quantity = quantity;
        level.orderCount = orderCount;
      }
    }
    this.next.levelUpdate(symbolId, side, price, quantity, orderCount);
  }

  quote(symbolId: number, bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): void {
    this.next.quote(symbolId, bidPrice, bidQuantity, askPrice, askQuantity);
  }

  flush(): void {
    this.next.flush();
  }
}
