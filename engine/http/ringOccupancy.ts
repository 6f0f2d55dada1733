import type { RingBuffer } from '../ring/RingBuffer.js';
import { wordDistance } from '../ring/sequenceWord.js';

/** How full a ring is: slots published and not yet consumed, out of its capacity. */
export interface RingOccupancy {
  readonly capacity: number;
  readonly occupiedSlots: number;
}

/**
 * Reads the occupancy of a single-producer ring from any thread: the distance from the slowest
 * consumer's gating sequence to the cursor (for a single-producer ring, the last published
 * sequence). A snapshot: both words move while it is read, so it may be off by a batch.
 */
export function ringOccupancy(ring: RingBuffer): RingOccupancy {
  const cursor = ring.cursorWord();
  const occupied = wordDistance(cursor, ring.minimumGatingWord(cursor));
  return { capacity: ring.capacity, occupiedSlots: Math.min(ring.capacity, Math.max(0, occupied)) };
}
