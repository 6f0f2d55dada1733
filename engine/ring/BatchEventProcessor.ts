import type { RingBuffer } from './RingBuffer.js';
import { SequenceBarrier } from './SequenceBarrier.js';
import { SpinThenParkWaitStrategy } from './SpinThenParkWaitStrategy.js';
import type { WaitStrategy } from './WaitStrategy.js';

/**
 * Receives every published message of a ring, in sequence order, on the consumer's thread. Read the
 * fields straight from the slot (`ring.f64[slot * ring.float64sPerSlot + field]`); the slot is the
 * handler's only until it returns, after which a producer may overwrite it.
 */
export interface EventHandler {
  /** `endOfBatch` is true on the last message of a batch: a good moment to flush downstream work. */
  onEvent(ring: RingBuffer, slot: number, sequence: number, endOfBatch: boolean): void;
}

/** Options of {@link BatchEventProcessor}. */
export interface BatchEventProcessorOptions {
  /** Which of the ring's consumers (gating sequences) this is. Default 0. */
  readonly consumer: number;
  /** How {@link BatchEventProcessor.poll} waits when the ring is empty. Default spin-then-park. */
  readonly waitStrategy: WaitStrategy;
  /** Most messages handed over per batch. Default: the ring's capacity (everything available). */
  readonly maxBatch: number;
}

/**
 * The consumer loop: takes everything published since its last batch, hands each message to the
 * handler, then stores its gating sequence once for the whole batch (one Atomics.store, which is
 * also what frees the slots for producers).
 *
 * Three ways to drive it: {@link tryPoll} (never blocks: for an event-loop consumer on the main
 * thread), {@link poll} (waits up to a timeout with the wait strategy), {@link run} (a dedicated
 * worker's loop until {@link halt}).
 *
 * If the handler throws, the messages before the throwing one count as consumed and the exception
 * propagates; the throwing message is handed over again by the next poll.
 */
export class BatchEventProcessor {
  readonly barrier: SequenceBarrier;
  readonly waitStrategy: WaitStrategy;
  readonly maxBatch: number;
  /** Batches handed over so far (messages / batches is the mean batch size). */
  batches = 0;
  /** The next sequence to hand over. */
  private next: number;

  constructor(readonly ring: RingBuffer, private readonly handler: EventHandler,
    options: Partial<BatchEventProcessorOptions> = {}) {
    const consumer = options.consumer ?? 0;
    this.barrier = new SequenceBarrier(ring, consumer);
    this.waitStrategy = options.waitStrategy ?? new SpinThenParkWaitStrategy();
    this.maxBatch = options.maxBatch ?? ring.capacity;
    if (!Number.isSafeInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${this.maxBatch}`);
    this.next = ring.gatingSequence(consumer) + 1;
  }

  /** The last sequence handed over and released (the gating sequence). */
  get sequence(): number {
    return this.next - 1;
  }

  /** Hands over everything published now; returns how many messages (0 when none). Never blocks. */
  tryPoll(): number {
    const hi = this.barrier.highestPublished(this.next, this.maxBatch);
    return hi < this.next ? 0 : this.handOver(hi);
  }

  /**
   * Waits (with the wait strategy) up to `timeoutMs` for the next message, then hands over everything
   * published; returns how many messages (0 on timeout or alert).
   */
  poll(timeoutMs: number): number {
    const n = this.tryPoll();
    if (n > 0) return n;
    return this.waitStrategy.waitFor(this.next, this.barrier, timeoutMs) ? this.tryPoll() : 0;
  }

  /**
   * Polls until {@link halt} (from any thread: RingBuffer.alert on this consumer), finishing the batch
   * in hand; returns the messages handed over. Clears the alert before it starts.
   */
  run(): number {
    const ring = this.ring;
    const consumer = this.barrier.consumer;
    ring.clearAlert(consumer);
    let total = 0;
    while (!ring.isAlerted(consumer)) total += this.poll(Number.POSITIVE_INFINITY);
    return total;
  }

  /** Asks {@link run} (or a waiting {@link poll}) to return. */
  halt(): void {
    this.ring.alert(this.barrier.consumer);
  }

  private handOver(hi: number): number {
    const { ring, handler } = this;
    const mask = ring.mask;
    const lo = this.next;
    let s = lo;
    try {
      for (; s <= hi; s++) handler.onEvent(ring, s & mask, s, s === hi);
    } finally {
      if (s > lo) {
        ring.setGatingSequence(this.barrier.consumer, s - 1);
        this.next = s;
        this.batches++;
      }
    }
    return hi - lo + 1;
  }
}
