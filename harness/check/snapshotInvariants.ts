import type { SnapshotLevel } from '../../engine/protocol/messages.js';

/**
 * Invariants a market-data subscriber can check on its own (docs/PROTOCOL.md, "Invariants"): on a
 * BOOK_SNAPSHOT, the book is not crossed, bids strictly descend and asks strictly ascend, every
 * level holds a quantity and an order count above 0; and the book the subscriber rebuilt from the
 * feed equals the snapshot at the snapshot's feed sequence.
 */
export type FeedInvariant = 'not-crossed' | 'level-order' | 'level-totals' | 'feed-book-equals-snapshot';

/** One broken feed invariant: plain data (crosses threads, goes into violation.json). */
export interface FeedViolation {
  readonly invariant: FeedInvariant;
  readonly symbolId: number;
  /** The BOOK_SNAPSHOT's feed sequence: the book as of that frame. */
  readonly feedSequence: number;
  /** The subscriber that saw it (LOGIN client id). */
  readonly clientId: number;
  readonly message: string;
}

/** One line for result.invariants.violations. */
export function describeFeedViolation(v: FeedViolation): string {
  return `feed: BOOK_SNAPSHOT of symbol ${v.symbolId} as of feed sequence ${v.feedSequence} (subscriber ${v.clientId}): ${v.invariant}: ${v.message}`;
}

/** Every structural invariant a BOOK_SNAPSHOT breaks (empty when it holds). Levels best first, as on the wire. */
export function snapshotViolations(snapshot: { readonly symbolId: number; readonly sequence: number; readonly bids: readonly SnapshotLevel[];
  readonly asks: readonly SnapshotLevel[] }, clientId: number): FeedViolation[] {
  const out: FeedViolation[] = [];
  const fail = (invariant: FeedInvariant, message: string): void => {
    out.push({ invariant, symbolId: snapshot.symbolId, feedSequence: snapshot.sequence, clientId, message });
  };
  const bid = snapshot.bids[0];
  const ask = snapshot.asks[0];
  if (bid !== undefined && ask !== undefined && bid.price >= ask.price) fail('not-crossed', `best bid ${bid.price} is not below best ask ${ask.price}`);
  const side = (levels: readonly SnapshotLevel[], name: string, descending: boolean): void => {
    levels.forEach((l, i) => {
      const prev = levels[i - 1];
      if (prev !== undefined && (descending ? l.price >= prev.price : l.price <= prev.price)) fail('level-order', `${name} level ${l.price} follows ${prev.price}`);
      if (l.quantity <= 0 || l.orderCount <= 0) fail('level-totals', `${name} level ${l.price} holds ${l.quantity} in ${l.orderCount} orders`);
    });
  };
  side(snapshot.bids, 'bid', true);
  side(snapshot.asks, 'ask', false);
  return out;
}

/** The first `cap` feed violations and how many there were, as a subscriber (or a pool, merged) hands them back. */
export interface FeedViolationSummary {
  readonly count: number;
  readonly first: readonly FeedViolation[];
  /** Snapshots checked. */
  readonly snapshots: number;
}

/** Adds summaries (absent ones skipped), keeping at most `cap` violations, lowest feed sequence first. */
export function mergeFeedViolations(parts: readonly (FeedViolationSummary | undefined)[], cap = 100): FeedViolationSummary {
  let count = 0;
  let snapshots = 0;
  const first: FeedViolation[] = [];
  for (const p of parts) {
    if (p === undefined) continue;
    count += p.count;
    snapshots += p.snapshots;
    first.push(...p.first);
  }
  first.sort((a, b) => a.feedSequence - b.feedSequence || a.clientId - b.clientId);
  return { count, snapshots, first: first.slice(0, cap) };
}
