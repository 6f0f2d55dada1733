import type { SequenceBarrier } from './SequenceBarrier.js';

/**
 * How a consumer waits for its next sequence when the ring is empty. Three implementations, checked
 * by one contract suite (WaitStrategy.contract.test.ts):
 *
 * | strategy                  | waits by                                 | costs                                  |
 * |---------------------------|------------------------------------------|----------------------------------------|
 * | BusySpinWaitStrategy      | re-reading the cursor                    | a whole core while idle; lowest latency |
 * | SpinThenParkWaitStrategy  | spinning N times, then Atomics.wait      | a few µs to wake once parked            |
 * | BlockingWaitStrategy      | Atomics.wait at once                     | a futex wake-up per parked wait         |
 *
 * Producers wake parked consumers only when one is parked (RingBuffer.signalConsumers), so the
 * fast path costs one Atomics.load per publish. Atomics.wait blocks the thread: fine in a worker
 * and allowed on Node's main thread (it stalls the event loop there); an event-loop consumer should
 * call BatchEventProcessor.tryPoll from its own schedule instead of waiting.
 */
export interface WaitStrategy {
  /** Short name for reports. */
  readonly name: string;
  /**
   * Waits until `sequence` is published, the consumer is alerted, or `timeoutMs` passes
   * (`Infinity`: no limit). Returns whether `sequence` is published.
   */
  waitFor(sequence: number, barrier: SequenceBarrier, timeoutMs: number): boolean;
}

/** How many spins between two looks at the clock and the alert flag while spinning. */
export const SPINS_PER_CLOCK_READ = 1024;
