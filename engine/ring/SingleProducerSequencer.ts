import type { RingBuffer } from './RingBuffer.js';
import { BUSY, checkClaimSize, type Sequencer } from './Sequencer.js';
import { expandWord, toWord, wordDistance } from './sequenceWord.js';

/**
 * The sequencer for a ring with one producer thread: claims are a local counter (no CAS), publish
 * is one Atomics.store of the cursor. The slowest consumer's gating word is cached and re-read only
 * when the cache says the claim would wrap, so a producer that stays ahead of the ring's free space
 * never touches the consumers' cache lines.
 *
 * Only one SingleProducerSequencer may use a ring at a time; it must publish its claims in order.
 */
export class SingleProducerSequencer implements Sequencer {
  wakeUps = 0;
  /** The next sequence to claim (exact). */
  private next: number;
  /** The slowest consumer's gating word when last read. */
  private cachedGatingWord: number;

  constructor(readonly ring: RingBuffer) {
    if (ring.multiProducer) throw new TypeError('a multi-producer ring needs a MultiProducerSequencer');
    this.next = expandWord(ring.cursorWord(), ring.gatingSequence(0)) + 1;
    this.cachedGatingWord = ring.minimumGatingWord(toWord(this.next));
  }

  tryClaim(n = 1): number {
    const ring = this.ring;
    checkClaimSize(n, ring.capacity);
    const lo = this.next;
    // The claim's last sequence reuses the slot of `wrap`, which every consumer must have finished.
    const wrap = toWord(lo + n - 1 - ring.capacity);
    if (wordDistance(wrap, this.cachedGatingWord) > 0) {
      this.cachedGatingWord = ring.minimumGatingWord(wrap);
      if (wordDistance(wrap, this.cachedGatingWord) > 0) return BUSY;
    }
    this.next = lo + n;
    return lo;
  }

  claim(n: number, spinLimit: number): number {
    let lo = this.tryClaim(n);
    for (let spin = 0; lo === BUSY && spin < spinLimit; spin++) lo = this.tryClaim(n);
    return lo;
  }

  publish(_lo: number, hi: number): void {
    this.ring.storeCursorWord(toWord(hi));
    if (this.ring.signalConsumers()) this.wakeUps++;
  }

  remainingCapacity(): number {
    const last = toWord(this.next - 1);
    return this.ring.capacity - wordDistance(last, this.ring.minimumGatingWord(last));
  }
}
