import type { RingBuffer } from './RingBuffer.js';
import { expandWord, toWord } from './sequenceWord.js';

/**
 * A consumer's view of what the producers have published: how far it may read, and a place to park.
 * Single producer: the cursor. Multi producer: the availability flags, scanned from the consumer's
 * next sequence up to the first unpublished slot (claimed slots further on wait their turn).
 */
export class SequenceBarrier {
  constructor(readonly ring: RingBuffer, readonly consumer = 0) {
    if (!Number.isInteger(consumer) || consumer < 0 || consumer >= ring.consumers) {
      throw new RangeError(`consumer must be an integer from 0 to ${ring.consumers - 1}, got ${consumer}`);
    }
  }

  /**
   * The highest sequence h such that next..h are all published, at most next + maxCount − 1; or
   * next − 1 when `next` itself is not published. Non-blocking.
   */
  highestPublished(next: number, maxCount: number): number {
    const ring = this.ring;
    if (!ring.multiProducer) {
      const published = expandWord(ring.cursorWord(), next - 1);
      const cap = next + maxCount - 1;
      return published < cap ? published : cap;
    }
    const { available, mask, indexShift } = ring;
    const end = next + maxCount;
    let s = next;
    while (s < end && Atomics.load(available, s & mask) === toWord(s) >> indexShift) s++;
    return s - 1;
  }

  /** Whether `sequence` (the consumer's next) is published. */
  isPublished(sequence: number): boolean {
    return this.ring.isPublished(sequence);
  }

  /** Parks until signalled, alerted or timed out, unless `sequence` is published (RingBuffer.park). */
  park(sequence: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' | 'not-parked' {
    return this.ring.park(this.consumer, sequence, timeoutMs);
  }

  /** Whether this consumer was asked to stop (RingBuffer.alert). */
  isAlerted(): boolean {
    return this.ring.isAlerted(this.consumer);
  }
}
