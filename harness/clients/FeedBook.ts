import { Side } from '../../engine/protocol/codes.js';
import type { SnapshotLevel } from '../../engine/protocol/messages.js';

/** One side's levels, best first, as a {@link FeedBook} returns them. */
export interface FeedBookDepth {
  /** Best (highest) first. */
  readonly bids: readonly SnapshotLevel[];
  /** Best (lowest) first. */
  readonly asks: readonly SnapshotLevel[];
}

/**
 * One symbol's book as a market-data subscriber rebuilds it: the price levels from LEVEL_UPDATE
 * (each carries the level's whole quantity and order count; 0 removes it) and from BOOK_SNAPSHOT,
 * which replaces everything. The levels only, as the feed gives them; no orders.
 *
 * Levels live in one Map per side (price → level), so an update is O(1); sorting happens only when
 * someone asks for the depth or the digest, which the subscriber does rarely (on a snapshot, at
 * the end of a run).
 */
export class FeedBook {
  readonly #bids = new Map<number, SnapshotLevel>();
  readonly #asks = new Map<number, SnapshotLevel>();

  /** A book holding exactly these levels (copied). */
  static fromDepth(depth: FeedBookDepth): FeedBook {
    const book = new FeedBook();
    book.replace(depth.bids, depth.asks);
    return book;
  }

  /** Levels on both sides. */
  get levelCount(): number {
    return this.#bids.size + this.#asks.size;
  }

  /** Applies one LEVEL_UPDATE. A side other than Buy counts as Sell, as the engine sends only those two. */
  apply(side: number, price: number, quantity: number, orderCount: number): void {
    const levels = side === Side.Buy ? this.#bids : this.#asks;
    if (quantity === 0) {
      levels.delete(price);
      return;
    }
    const level = levels.get(price);
    if (level === undefined) levels.set(price, { price, quantity, orderCount });
    else {
      level.quantity = quantity;
      level.orderCount = orderCount;
    }
  }

  /** Replaces every level with these (a BOOK_SNAPSHOT's), copied. */
  replace(bids: readonly SnapshotLevel[], asks: readonly SnapshotLevel[]): void {
    this.#bids.clear();
    this.#asks.clear();
    for (const l of bids) this.#bids.set(l.price, { price: l.price, quantity: l.quantity, orderCount: l.orderCount });
    for (const l of asks) this.#asks.set(l.price, { price: l.price, quantity: l.quantity, orderCount: l.orderCount });
  }

  /** The best `levels` levels per side (default all), best first, as copies. */
  depth(levels = Infinity): FeedBookDepth {
    const bids = [...this.#bids.values()].sort((a, b) => b.price - a.price).slice(0, levels).map((l) => ({ ...l }));
    const asks = [...this.#asks.values()].sort((a, b) => a.price - b.price).slice(0, levels).map((l) => ({ ...l }));
    return { bids, asks };
  }

  /**
   * Whether the top of this book equals `snapshot`, level for level. A snapshot may be cut to as
   * many levels per side as fit one frame, so only that many of ours are compared, per side; if
   * the snapshot's side is shorter than ours and was not cut, ours has a level too many.
   *
   * @param cutPerSide levels per side at which the sender cuts a snapshot (84 at a 4096-byte
   *   maximum frame); a side this long may have more levels behind it.
   */
  matches(snapshot: FeedBookDepth, cutPerSide: number): boolean {
    const ours = this.depth();
    return sideMatches(ours.bids, snapshot.bids, cutPerSide) && sideMatches(ours.asks, snapshot.asks, cutPerSide);
  }

  /**
   * A short digest of every level, for comparing books across threads without shipping them: the
   * same levels give the same string. FNV-1a over (side, price, quantity, orderCount), best first.
   */
  digest(): string {
    return depthDigest(this.depth());
  }
}

/** The {@link FeedBook.digest} of a depth (e.g. the engine's own book), levels best first. */
export function depthDigest(depth: FeedBookDepth): string {
  // FNV-1a, 32 bits, over the decimal text of each number: exact for any safe integer and
  // cheap enough for the few calls per run.
  let h = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  };
  for (const [tag, levels] of [['b', depth.bids], ['a', depth.asks]] as const) {
    for (const l of levels) mix(`${tag}${l.price}:${l.quantity}:${l.orderCount};`);
  }
  return `${depth.bids.length}/${depth.asks.length}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}

function sideMatches(ours: readonly SnapshotLevel[], theirs: readonly SnapshotLevel[], cutPerSide: number): boolean {
  if (theirs.length < cutPerSide ? ours.length !== theirs.length : ours.length < theirs.length) return false;
  for (let i = 0; i < theirs.length; i++) {
    const a = ours[i];
    const b = theirs[i];
    if (a === undefined || b === undefined || a.price !== b.price || a.quantity !== b.quantity || a.orderCount !== b.orderCount) return false;
  }
  return true;
}
