import type { RingBuffer } from './RingBuffer.js';
import { BUSY, checkClaimSize, type Sequencer } from './Sequencer.js';
import { expandFromEpoch, toWord, wordDistance } from './sequenceWord.js';

/**
 * The sequencer for a ring that several producer threads share. A claim is a compare-and-swap on
 * the cursor word (last claimed sequence); publishing stores each slot's round in its availability
 * flag, so a consumer never reads a claimed but unpublished slot even when a later claim by another
 * producer is published first.
 *
 * Why the claim is exact although the cursor is a 32-bit word: once the CAS succeeds, the claim is
 * unpublished, so every consumer is within `capacity` below it; consumer 0's epoch (its sequence
 * / 2^30, an exact single-writer word) then pins the claim's upper bits (sequenceWord.ts).
 *
 * Limit of the 32-bit CAS (ABA): a producer stalled between reading the cursor and its CAS while
 * other producers claim a multiple of exactly 2^32 sequences would succeed wrongly. At 25 M
 * messages/s that needs a stall of at least 172 s ending at one exact instant; we accept it.
 */
export class MultiProducerSequencer implements Sequencer {
  wakeUps = 0;

  constructor(readonly ring: RingBuffer) {
    if (!ring.multiProducer) throw new TypeError('a single-producer ring needs a SingleProducerSequencer');
  }

  tryClaim(n = 1): number {
    const ring = this.ring;
    checkClaimSize(n, ring.capacity);
    for (;;) {
      const current = ring.cursorWord();
      const hi = (current + n) | 0;
      // Read the consumers fresh on every attempt: this producer may have been idle for a long time,
      // and a cached gating word older than 2^31 sequences would compare wrongly.
      const wrap = (hi - ring.capacity) | 0;
      if (wordDistance(wrap, ring.minimumGatingWord(wrap)) > 0) return BUSY;
      if (ring.casCursorWord(current, hi)) return expandFromEpoch((current + 1) | 0, ring.consumerEpoch(0) - 1);
      // Another producer claimed first: retry (lock-free: the CAS fails only because someone progressed).
    }
  }

  claim(n: number, spinLimit: number): number {
    let lo = this.tryClaim(n);
    for (let spin = 0; lo === BUSY && spin < spinLimit; spin++) lo = this.tryClaim(n);
    return lo;
  }

  publish(lo: number, hi: number): void {
    const { available, mask, indexShift } = this.ring;
    for (let s = lo; s <= hi; s++) Atomics.store(available, s & mask, toWord(s) >> indexShift);
    if (this.ring.signalConsumers()) this.wakeUps++;
  }

  remainingCapacity(): number {
    const claimed = this.ring.cursorWord();
    return this.ring.capacity - wordDistance(claimed, this.ring.minimumGatingWord(claimed));
  }
}
