import type { SequenceBarrier } from './SequenceBarrier.js';
import { SPINS_PER_CLOCK_READ, type WaitStrategy } from './WaitStrategy.js';

/** Options of {@link SpinThenParkWaitStrategy}. */
export interface SpinThenParkOptions {
  /** Looks at the cursor before parking. Default 10,000 (a few tens of µs on the bench machine). */
  readonly spinTries: number;
}

export const SPIN_THEN_PARK_DEFAULTS: SpinThenParkOptions = { spinTries: 10_000 };

/**
 * Spins `spinTries` times, then parks on Atomics.wait until a producer signals (RingBuffer.park
 * describes the handshake that makes a lost wake-up impossible). Bursty traffic stays on the
 * spinning fast path; an idle consumer gives its core back.
 */
export class SpinThenParkWaitStrategy implements WaitStrategy {
  readonly name: string;
  readonly spinTries: number;

  constructor(options: Partial<SpinThenParkOptions> = {}) {
    const { spinTries } = { ...SPIN_THEN_PARK_DEFAULTS, ...options };
    if (!Number.isSafeInteger(spinTries) || spinTries < 0) throw new RangeError(`spinTries must be an integer ≥ 0, got ${spinTries}`);
    this.spinTries = spinTries;
    this.name = spinTries === 0 ? 'blocking' : `spin-then-park(${spinTries})`;
  }

  waitFor(sequence: number, barrier: SequenceBarrier, timeoutMs: number): boolean {
    if (barrier.isPublished(sequence)) return true;
    const deadlineMs = performance.now() + timeoutMs;
    for (let spin = 1; spin <= this.spinTries; spin++) {
      if (barrier.isPublished(sequence)) return true;
      if (spin % SPINS_PER_CLOCK_READ === 0 && (barrier.isAlerted() || performance.now() >= deadlineMs)) {
        return barrier.isPublished(sequence);
      }
    }
    for (;;) {
      if (barrier.isPublished(sequence)) return true;
      const leftMs = deadlineMs - performance.now();
      if (barrier.isAlerted() || leftMs <= 0) return barrier.isPublished(sequence);
      barrier.park(sequence, leftMs);
    }
  }
}
