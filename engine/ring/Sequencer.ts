import type { RingBuffer } from './RingBuffer.js';

/**
 * What a claim returns when the ring is full: the slowest consumer has not finished the slots the
 * claim needs. Not an exception and not a queue: the caller decides (the engine answers REJECT
 * EngineBusy, or HTTP 503). Sequences are never negative, so it cannot be mistaken for one.
 */
export const BUSY = -1;

/**
 * A producer's handle on a ring: claim slots, write them, publish them.
 *
 *   const lo = sequencer.tryClaim(n);            // or claim(n, spinLimit)
 *   if (lo === BUSY) return reject();
 *   for (let s = lo; s < lo + n; s++) writeFields(ring, ring.slot(s));
 *   sequencer.publish(lo, lo + n - 1);
 *
 * Each producer thread makes its own sequencer object over the shared ring (the objects hold
 * thread-local caches). Two implementations: SingleProducerSequencer and MultiProducerSequencer,
 * checked by one contract suite (Sequencer.contract.test.ts).
 */
export interface Sequencer {
  readonly ring: RingBuffer;
  /**
   * Claims `n` consecutive slots (1 ≤ n ≤ capacity) if they are free now; returns the first
   * claimed sequence, or {@link BUSY} at once when the ring has fewer than `n` free slots.
   */
  tryClaim(n?: number): number;
  /**
   * Like {@link tryClaim}, but while the ring is full retries up to `spinLimit` times (re-reading the
   * consumers' progress) before it returns {@link BUSY}. Never waits longer than that.
   */
  claim(n: number, spinLimit: number): number;
  /**
   * Makes sequences lo..hi (inclusive; the caller's claim, fully written) visible to consumers and
   * wakes parked consumers if any. A single producer publishes its claims in claim order.
   */
  publish(lo: number, hi: number): void;
  /** Slots free for claiming now, as far as the consumers' published progress shows. */
  remainingCapacity(): number;
  /** How many publishes had to wake a parked consumer (diagnostic: stays 0 while nobody parks). */
  readonly wakeUps: number;
}

/** Throws a RangeError unless 1 ≤ n ≤ capacity (a claim that can never succeed is a programming error). */
export function checkClaimSize(n: number, capacity: number): void {
  if (!Number.isInteger(n) || n < 1 || n > capacity) {
    throw new RangeError(`claim size must be an integer from 1 to the capacity ${capacity}, got ${n}`);
  }
}
