/**
 * The ring: fixed-size slots and the sequences that guard them, all in one SharedArrayBuffer so that
 * producers and consumers on different threads (worker_threads) share it without copying.
 *
 *  producer thread(s)            one SharedArrayBuffer (RingBuffer.buffer)           consumer thread
 *
 *  Sequencer                 ┌────────────────────────────────────────────────────┐  BatchEventProcessor
 *   1 claim n slots ────────►│ cursor     last claimed (multi: CAS) or last       │  + SequenceBarrier
 *     BUSY while             │            published (single: no CAS)              │
 *     hi − capacity > gating │                                                    │
 *   2 write the slots ──────►│ slots      ┌───┬───┬───┬───┬───┬───┬───┬───┐       │
 *     (plain writes: f64,    │            │ 8 │ 9 │10 │11 │ 4 │ 5 │ 6 │ 7 │ ──────┼─► 3 onEvent(ring, slot,
 *      i32 or u8 view)       │            └───┴───┴───┴───┴───┴───┴───┴───┘       │     sequence, endOfBatch)
 *   3 publish(lo, hi) ──────►│ available  round of each slot's last publish       │     for each published
 *     then wake a parked     │            (multi only; single reads the cursor)   │     sequence, in a batch
 *     consumer, if any       │ gating[k]  last sequence consumer k finished ◄─────┼── 4 stored once a batch
 *                            │ waiters, signal   the parking handshake            │
 *                            └────────────────────────────────────────────────────┘
 *
 *  slot = sequence & (capacity − 1). In the picture (capacity 8) the consumer has finished 5
 *  (gating = 5), 6..11 are claimed or published, 12 and 13 may be claimed (slots 4 and 5 are done
 *  with), and 14 only once the consumer has finished 6: a claim is refused while its last sequence
 *  minus the capacity is beyond the slowest consumer's gating sequence.
 *
 * Memory ordering: slot data is written and read with plain typed-array accesses; the Atomics store
 * that publishes (the cursor, or a slot's availability flag) and the Atomics load that observes it
 * order them (JavaScript Atomics are sequentially consistent). A consumer never reads a claimed but
 * unpublished slot, and a producer never claims a slot a consumer has not finished.
 *
 * Sequences are exact 53-bit numbers in every API; in shared memory each is an Int32 word (see
 * sequenceWord.ts for why and for the 2^31 rule). Limits: capacity at most 2^30 slots; sequences
 * exact up to 2^53.
 *
 * Why a hand-written ring and not MessagePort or a library queue: postMessage clones each message and
 * wakes the receiver's event loop (under 1 M messages/s here, see `matchbench bench ring`); this
 * ring moves a batch with a handful of Atomics operations and allocates nothing per message.
 *
 * Vocabulary (LMAX Disruptor): RingBuffer, Sequencer (SingleProducerSequencer,
 * MultiProducerSequencer), SequenceBarrier, WaitStrategy, BatchEventProcessor, EventHandler.
 */
import { epochOf, expandFromEpoch, toWord, wordDistance } from './sequenceWord.js';

/** Whether one producer thread or several may claim slots. */
export type ProducerMode = 'single' | 'multi';

/** What {@link RingBuffer.build} needs; every field has a default in {@link RING_BUFFER_DEFAULTS}. */
export interface RingBufferRequest {
  /** Slots in the ring: a power of two from 2 to 2^30. Default 4096. */
  readonly capacity: number;
  /** Bytes per slot: a multiple of 8 (so Float64 fields align), 8 to 65,536. Default 64. */
  readonly slotBytes: number;
  /** 'single' (claims without CAS; one producer thread at a time) or 'multi'. Default 'single'. */
  readonly producers: ProducerMode;
  /** Consumers, each of which sees every message and holds the producers back. 1 to 64. Default 1. */
  readonly consumers: number;
  /** Sequence of the first message, a safe integer ≥ 0. Default 0 (tests start near 2^31 and 2^32). */
  readonly initialSequence: number;
}

export const RING_BUFFER_DEFAULTS: RingBufferRequest = {
  capacity: 4096,
  slotBytes: 64,
  producers: 'single',
  consumers: 1,
  initialSequence: 0,
};

/** Every problem with a request, each naming its field; empty when the request is valid. */
export function validateRingBufferRequest(request: RingBufferRequest): string[] {
  const problems: string[] = [];
  const { capacity, slotBytes, producers, consumers, initialSequence } = request;
  if (!Number.isSafeInteger(capacity) || capacity < 2 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
    problems.push(`capacity: must be a power of two from 2 to 2^30, got ${capacity}`);
  }
  if (!Number.isSafeInteger(slotBytes) || slotBytes < 8 || slotBytes > 65_536 || slotBytes % 8 !== 0) {
    problems.push(`slotBytes: must be a multiple of 8 from 8 to 65536, got ${slotBytes}`);
  }
  if (producers !== 'single' && producers !== 'multi') {
    problems.push(`producers: must be 'single' or 'multi', got ${String(producers)}`);
  }
  if (!Number.isSafeInteger(consumers) || consumers < 1 || consumers > 64) {
    problems.push(`consumers: must be an integer from 1 to 64, got ${consumers}`);
  }
  if (!Number.isSafeInteger(initialSequence) || initialSequence < 0 || initialSequence > Number.MAX_SAFE_INTEGER - 2 ** 32) {
    problems.push(`initialSequence: must be a safe integer ≥ 0 with room to run, got ${initialSequence}`);
  }
  if (problems.length === 0 && Number.isSafeInteger(capacity) && Number.isSafeInteger(slotBytes) && capacity * slotBytes > 2 ** 31) {
    problems.push(`capacity × slotBytes: must be at most 2 GiB, got ${capacity * slotBytes} bytes`);
  }
  return problems;
}

// Layout of the control words (Int32 indices). Words written by different threads sit 128 bytes
// apart (two 64-byte cache lines, so the adjacent-line prefetcher does not pair them either).
const LINE_INT32S = 32;
const MAGIC = 0x52494e47; // 'RING'
const H_MAGIC = 0;
const H_CAPACITY = 1;
const H_SLOT_BYTES = 2;
const H_MULTI = 3;
const H_CONSUMERS = 4;
/** Line 1, written by producers: last claimed (multi) or last published (single) sequence word. */
const CURSOR = LINE_INT32S;
/** Line 2, written by parking consumers: how many are parked or about to park. */
const WAITERS = 2 * LINE_INT32S;
/** Line 2: bumped by a producer to wake parked consumers (they Atomics.wait on it). */
const SIGNAL = 2 * LINE_INT32S + 1;
/** Lines 3…: one per consumer: gating word, epoch, alert flag. */
const CONSUMER_BASE = 3 * LINE_INT32S;
const C_GATING = 0;
const C_EPOCH = 1;
const C_ALERT = 2;

const roundUp = (bytes: number, to: number): number => Math.ceil(bytes / to) * to;

/**
 * The shared memory of one ring and typed views on it. Build it once ({@link RingBuffer.build}),
 * send {@link RingBuffer.buffer} to the other threads (postMessage or workerData) and
 * {@link RingBuffer.attach} it there. Producers use a Sequencer, consumers a BatchEventProcessor.
 *
 * Writing message fields: `ring.f64[ring.slot(sequence) * ring.float64sPerSlot + field] = value`
 * (or `i32` with `int32sPerSlot`, or `u8` with `slotBytes`).
 */
export class RingBuffer {
  /** Everything: header, control words, availability flags, slots. Send this to other threads. */
  readonly buffer: SharedArrayBuffer;
  /** Slots, a power of two. */
  readonly capacity: number;
  /** capacity − 1: `sequence & mask` is a sequence's slot. */
  readonly mask: number;
  /** log2(capacity): `word >> indexShift` is a sequence's round, the multi-producer availability flag. */
  readonly indexShift: number;
  readonly slotBytes: number;
  readonly float64sPerSlot: number;
  readonly int32sPerSlot: number;
  readonly multiProducer: boolean;
  readonly consumers: number;
  /** Slot data as doubles: slot s occupies [s × float64sPerSlot, (s + 1) × float64sPerSlot). */
  readonly f64: Float64Array;
  /** Slot data as Int32s: slot s occupies [s × int32sPerSlot, (s + 1) × int32sPerSlot). */
  readonly i32: Int32Array;
  /** Slot data as bytes: slot s occupies [s × slotBytes, (s + 1) × slotBytes). */
  readonly u8: Uint8Array;
  /** Control words (see the layout constants); for the sequencers and the barrier. */
  readonly control: Int32Array;
  /** Multi-producer availability flags, one per slot (empty for a single-producer ring). */
  readonly available: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    const header = new Int32Array(buffer, 0, LINE_INT32S);
    if (header[H_MAGIC] !== MAGIC) throw new TypeError('not a matchbench ring buffer (bad magic word)');
    this.buffer = buffer;
    this.capacity = header[H_CAPACITY] as number;
    this.mask = this.capacity - 1;
    this.indexShift = Math.log2(this.capacity);
    this.slotBytes = header[H_SLOT_BYTES] as number;
    this.float64sPerSlot = this.slotBytes / 8;
    this.int32sPerSlot = this.slotBytes / 4;
    this.multiProducer = header[H_MULTI] === 1;
    this.consumers = header[H_CONSUMERS] as number;
    const layout = RingBuffer.layout(this.capacity, this.slotBytes, this.multiProducer, this.consumers);
    this.control = new Int32Array(buffer, 0, layout.controlBytes / 4);
    this.available = new Int32Array(buffer, layout.controlBytes, layout.availableBytes / 4);
    const dataOffset = layout.controlBytes + layout.availableBytes;
    const dataBytes = this.capacity * this.slotBytes;
    this.f64 = new Float64Array(buffer, dataOffset, dataBytes / 8);
    this.i32 = new Int32Array(buffer, dataOffset, dataBytes / 4);
    this.u8 = new Uint8Array(buffer, dataOffset, dataBytes);
  }

  private static layout(capacity: number, slotBytes: number, multi: boolean, consumers: number):
    { controlBytes: number; availableBytes: number; totalBytes: number } {
    const controlBytes = (CONSUMER_BASE + consumers * LINE_INT32S) * 4;
    const availableBytes = multi ? roundUp(capacity * 4, LINE_INT32S * 4) : 0;
    return { controlBytes, availableBytes, totalBytes: controlBytes + availableBytes + capacity * slotBytes };
  }

  /** Allocates and initialises a ring. Throws a RangeError listing every problem with the request. */
  static build(request: Partial<RingBufferRequest> = {}): RingBuffer {
    const r: RingBufferRequest = { ...RING_BUFFER_DEFAULTS, ...request };
    const problems = validateRingBufferRequest(r);
    if (problems.length > 0) throw new RangeError(`invalid ring buffer request:\n  ${problems.join('\n  ')}`);
    const multi = r.producers === 'multi';
    const { totalBytes } = RingBuffer.layout(r.capacity, r.slotBytes, multi, r.consumers);
    const buffer = new SharedArrayBuffer(totalBytes);
    const header = new Int32Array(buffer, 0, LINE_INT32S);
    header[H_CAPACITY] = r.capacity;
    header[H_SLOT_BYTES] = r.slotBytes;
    header[H_MULTI] = multi ? 1 : 0;
    header[H_CONSUMERS] = r.consumers;
    header[H_MAGIC] = MAGIC;
    const ring = new RingBuffer(buffer);
    const before = r.initialSequence - 1;
    ring.control[CURSOR] = toWord(before);
    for (let k = 0; k < r.consumers; k++) {
      ring.control[CONSUMER_BASE + k * LINE_INT32S + C_GATING] = toWord(before);
      ring.control[CONSUMER_BASE + k * LINE_INT32S + C_EPOCH] = epochOf(before);
    }
    // No slot may look published before its first claim: use the round before the first one.
    ring.available.fill((toWord(r.initialSequence) >> ring.indexShift) - 1);
    return ring;
  }

  /** The same ring on another thread, from the {@link buffer} it was sent. */
  static attach(buffer: SharedArrayBuffer): RingBuffer {
    return new RingBuffer(buffer);
  }

  /** The slot index of a sequence. */
  slot(sequence: number): number {
    return sequence & this.mask;
  }

  /** The cursor word (last claimed for multi, last published for single); see sequenceWord.ts. */
  cursorWord(): number {
    return Atomics.load(this.control, CURSOR);
  }

  /** Stores the cursor word (the single-producer publish; multi-producer claims use {@link casCursorWord}). */
  storeCursorWord(word: number): void {
    Atomics.store(this.control, CURSOR, word);
  }

  /** Compare-and-swap on the cursor word; true when it held `expected` and now holds `next`. */
  casCursorWord(expected: number, next: number): boolean {
    return Atomics.compareExchange(this.control, CURSOR, expected, next) === expected;
  }

  /** The last sequence consumer `k` finished, exactly. */
  gatingSequence(consumer: number): number {
    const at = CONSUMER_BASE + consumer * LINE_INT32S;
    // The epoch is stored before the gating word and read after it here, so it is at or just past the
    // gating word's own epoch; one epoch below it is a base the word lies within 2^32 of.
    const word = Atomics.load(this.control, at + C_GATING);
    return expandFromEpoch(word, Atomics.load(this.control, at + C_EPOCH) - 1);
  }

  /** Consumer `k`'s epoch word (see sequenceWord.ts); multi producers expand their claims with it. */
  consumerEpoch(consumer: number): number {
    return Atomics.load(this.control, CONSUMER_BASE + consumer * LINE_INT32S + C_EPOCH);
  }

  /**
   * Records that consumer `k` has finished every sequence up to `sequence` and frees those slots.
   * Only the thread that owns consumer `k` calls this (BatchEventProcessor does, once per batch).
   */
  setGatingSequence(consumer: number, sequence: number): void {
    const at = CONSUMER_BASE + consumer * LINE_INT32S;
    const epoch = epochOf(sequence);
    if (this.control[at + C_EPOCH] !== epoch) Atomics.store(this.control, at + C_EPOCH, epoch);
    Atomics.store(this.control, at + C_GATING, toWord(sequence));
  }

  /**
   * The word of the slowest consumer's gating sequence. `nearWord` is a word within 2^31 of every
   * gating word (a claim being checked); the minimum is taken in wrapped arithmetic around it.
   */
  minimumGatingWord(nearWord: number): number {
    let min = Atomics.load(this.control, CONSUMER_BASE + C_GATING);
    for (let k = 1; k < this.consumers; k++) {
      const g = Atomics.load(this.control, CONSUMER_BASE + k * LINE_INT32S + C_GATING);
      if (wordDistance(g, nearWord) < wordDistance(min, nearWord)) min = g;
    }
    return min;
  }

  /** Consumers parked in a wait strategy or about to park. Producers signal only when this is not 0. */
  waitingConsumers(): number {
    return Atomics.load(this.control, WAITERS);
  }

  /**
   * Wakes parked consumers if there are any; returns whether it had to. Sequencers call this after
   * every publish: on the fast path (nobody parked) it is one Atomics.load.
   */
  signalConsumers(): boolean {
    if (Atomics.load(this.control, WAITERS) === 0) return false;
    Atomics.add(this.control, SIGNAL, 1);
    Atomics.notify(this.control, SIGNAL);
    return true;
  }

  /**
   * Whether `sequence` has been published. `sequence` must be within 2^31 of the cursor (a consumer's
   * next sequence always is). Single producer: the cursor has reached it. Multi producer: its slot's
   * availability flag holds its round (the cursor there only says it was claimed).
   */
  isPublished(sequence: number): boolean {
    const word = toWord(sequence);
    if (this.multiProducer) return Atomics.load(this.available, sequence & this.mask) === word >> this.indexShift;
    return wordDistance(Atomics.load(this.control, CURSOR), word) >= 0;
  }

  /**
   * Parks the calling thread until a producer signals, `timeoutMs` passes or consumer `k` is
   * alerted; does not park when `sequence` is already published. Returns the Atomics.wait outcome,
   * or 'not-parked'. Callers re-check what they wait for: a wake-up promises nothing.
   *
   * The handshake (no lost wake-up): read signal, add to waiters, check for the sequence, wait on
   * signal while it still holds the value read. A producer publishes, then reads waiters; with
   * sequentially consistent Atomics either the consumer's check sees the publish, or the producer
   * sees the waiter and bumps signal, so the wait returns at once or is notified.
   *
   * Atomics.wait blocks the calling thread. Node allows it on the main thread too (verified on Node
   * 20; browsers forbid it there), but it stalls the event loop: event-loop consumers should use
   * BatchEventProcessor.tryPoll instead.
   */
  park(consumer: number, sequence: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' | 'not-parked' {
    const c = this.control;
    const signal = Atomics.load(c, SIGNAL);
    Atomics.add(c, WAITERS, 1);
    try {
      if (this.isPublished(sequence) || this.isAlerted(consumer)) return 'not-parked';
      return Atomics.wait(c, SIGNAL, signal, timeoutMs);
    } finally {
      Atomics.sub(c, WAITERS, 1);
    }
  }

  /** Asks consumer `k` to stop: its wait strategy returns and its processor's run() ends. Any thread. */
  alert(consumer: number): void {
    Atomics.store(this.control, CONSUMER_BASE + consumer * LINE_INT32S + C_ALERT, 1);
    Atomics.add(this.control, SIGNAL, 1);
    Atomics.notify(this.control, SIGNAL);
  }

  /** Clears consumer `k`'s alert so it can run again. */
  clearAlert(consumer: number): void {
    Atomics.store(this.control, CONSUMER_BASE + consumer * LINE_INT32S + C_ALERT, 0);
  }

  isAlerted(consumer: number): boolean {
    return Atomics.load(this.control, CONSUMER_BASE + consumer * LINE_INT32S + C_ALERT) !== 0;
  }
}
