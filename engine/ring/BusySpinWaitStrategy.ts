import type { SequenceBarrier } from './SequenceBarrier.js';
import { SPINS_PER_CLOCK_READ, type WaitStrategy } from './WaitStrategy.js';

/** Re-reads the cursor until the sequence is published: a core per idle consumer, no wake-up cost. */
export class BusySpinWaitStrategy implements WaitStrategy {
  readonly name = 'busy-spin';

  waitFor(sequence: number, barrier: SequenceBarrier, timeoutMs: number): boolean {
    if (barrier.isPublished(sequence)) return true;
    const deadlineMs = performance.now() + timeoutMs;
    for (let spin = 1; ; spin++) {
      if (barrier.isPublished(sequence)) return true;
      if (spin % SPINS_PER_CLOCK_READ === 0 && (barrier.isAlerted() || performance.now() >= deadlineMs)) {
        return barrier.isPublished(sequence);
      }
    }
  }
}
