/**
 * One contract, run against both sequencers, on one thread: producer and consumer take turns, so
 * every interleaving checked here is deterministic. Threads are in RingBuffer.threads.test.ts.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { BatchEventProcessor, type EventHandler } from './BatchEventProcessor.js';
import { MultiProducerSequencer } from './MultiProducerSequencer.js';
import { RingBuffer, type ProducerMode } from './RingBuffer.js';
import { BUSY, type Sequencer } from './Sequencer.js';
import { SingleProducerSequencer } from './SingleProducerSequencer.js';

const SEED = 7;

/** Remembers what it was handed: sequence, first field, endOfBatch. */
class Recorder implements EventHandler {
  readonly sequences: number[] = [];
  readonly values: number[] = [];
  readonly ends: boolean[] = [];
  onEvent(ring: RingBuffer, slot: number, sequence: number, endOfBatch: boolean): void {
    this.sequences.push(sequence);
    this.values.push(ring.f64[slot * ring.float64sPerSlot] as number);
    this.ends.push(endOfBatch);
  }
}

/** Claims n slots, writes value, value + 1, … into them and publishes them; returns lo or BUSY. */
function send(sequencer: Sequencer, n: number, firstValue: number): number {
  const ring = sequencer.ring;
  const lo = sequencer.tryClaim(n);
  if (lo === BUSY) return BUSY;
  for (let k = 0; k < n; k++) ring.f64[ring.slot(lo + k) * ring.float64sPerSlot] = firstValue + k;
  sequencer.publish(lo, lo + n - 1);
  return lo;
}

/** Polls until nothing is left, at most `maxPolls` times (a broken ring must fail the test, not hang it). */
function drain(processor: BatchEventProcessor, maxPolls = 100_000): number {
  let total = 0;
  for (let poll = 0; poll < maxPolls; poll++) {
    const n = processor.tryPoll();
    if (n === 0) break;
    total += n;
  }
  return total;
}

const implementations: readonly { name: string; producers: ProducerMode; create: (ring: RingBuffer) => Sequencer }[] = [
  { name: 'SingleProducerSequencer', producers: 'single', create: (ring) => new SingleProducerSequencer(ring) },
  { name: 'MultiProducerSequencer', producers: 'multi', create: (ring) => new MultiProducerSequencer(ring) },
];

// 0, and just before the Int32 words wrap (2^31: sign flip; 2^32: back to 0), and far out (2^52).
const STARTS = [0, 2 ** 31 - 5, 2 ** 32 - 5, 2 ** 52 + 3];

describe.each(implementations)('$name (sequencer contract)', ({ producers, create }) => {
  const build = (capacity: number, initialSequence = 0, consumers = 1): RingBuffer =>
    RingBuffer.build({ capacity, slotBytes: 16, producers, consumers, initialSequence });

  describe.each(STARTS)('starting at sequence %d', (start) => {
    it('hands out consecutive sequences from the initial one and delivers them in one batch', () => {
      const ring = build(16, start);
      const sequencer = create(ring);
      expect(send(sequencer, 3, 100)).toBe(start);
      expect(send(sequencer, 1, 103)).toBe(start + 3);
      expect(send(sequencer, 4, 104)).toBe(start + 4);
      const recorder = new Recorder();
      const processor = new BatchEventProcessor(ring, recorder);
      expect(processor.sequence).toBe(start - 1);
      expect(processor.tryPoll()).toBe(8);
      expect(recorder.sequences).toEqual(Array.from({ length: 8 }, (_, k) => start + k));
      expect(recorder.values).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
      expect(recorder.ends).toEqual([false, false, false, false, false, false, false, true]);
      expect(processor.sequence).toBe(start + 7);
      expect(ring.gatingSequence(0)).toBe(start + 7);
      expect(processor.tryPoll()).toBe(0);
    });

    it('wraps around the ring many times without losing, duplicating or reordering a message', () => {
      const capacity = 8;
      const ring = build(capacity, start);
      const sequencer = create(ring);
      const recorder = new Recorder();
      const processor = new BatchEventProcessor(ring, recorder, { maxBatch: 5 });
      const rng = xoroshiro128plus(SEED);
      const total = 20_000; // 2,500 laps of an 8-slot ring
      let sent = 0;
      let refused = 0;
      for (let step = 0; sent < total && step < 10 * total; step++) {
        const n = Math.min(uniformInt(rng, 1, capacity), total - sent);
        if (send(sequencer, n, sent) === BUSY) {
          refused++;
          processor.tryPoll();
        } else {
          sent += n;
        }
        if (uniformInt(rng, 0, 2) === 0) processor.tryPoll();
      }
      drain(processor);
      expect(refused).toBeGreaterThan(0);
      expect(recorder.values).toEqual(Array.from({ length: total }, (_, k) => k));
      expect(recorder.sequences).toEqual(Array.from({ length: total }, (_, k) => start + k));
      expect(processor.sequence).toBe(start + total - 1);
      expect(ring.gatingSequence(0)).toBe(start + total - 1);
    });

    it('refuses a claim with BUSY at once when the ring is full, and accepts it again once the consumer frees slots', () => {
      const ring = build(8, start);
      const sequencer = create(ring);
      const processor = new BatchEventProcessor(ring, new Recorder(), { maxBatch: 3 });
      expect(sequencer.remainingCapacity()).toBe(8);
      expect(send(sequencer, 6, 0)).toBe(start);
      expect(sequencer.remainingCapacity()).toBe(2);
      expect(sequencer.tryClaim(3)).toBe(BUSY);
      expect(send(sequencer, 2, 6)).toBe(start + 6);
      expect(sequencer.tryClaim(1)).toBe(BUSY);
      expect(sequencer.remainingCapacity()).toBe(0);
      expect(processor.tryPoll()).toBe(3);
      expect(sequencer.remainingCapacity()).toBe(3);
      expect(sequencer.tryClaim(4)).toBe(BUSY);
      expect(sequencer.tryClaim(3)).toBe(start + 8);
    });
  });

  it('returns BUSY from claim(n, spinLimit) after spinning, neither waiting for the consumer nor queueing', () => {
    const ring = build(4);
    const sequencer = create(ring);
    expect(send(sequencer, 4, 0)).toBe(0);
    const t0 = performance.now();
    expect(sequencer.claim(1, 10_000)).toBe(BUSY);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(sequencer.claim(1, 0)).toBe(BUSY);
    new BatchEventProcessor(ring, new Recorder()).tryPoll();
    expect(sequencer.claim(2, 10_000)).toBe(4);
  });

  it('never lets a consumer read a claimed but unpublished slot', () => {
    const ring = build(8);
    const sequencer = create(ring);
    const recorder = new Recorder();
    const processor = new BatchEventProcessor(ring, recorder);
    const lo = sequencer.tryClaim(3);
    expect(processor.tryPoll()).toBe(0);
    expect(ring.isPublished(lo)).toBe(false);
    sequencer.publish(lo, lo + 2);
    expect(ring.isPublished(lo + 2)).toBe(true);
    expect(ring.isPublished(lo + 3)).toBe(false);
    expect(processor.tryPoll()).toBe(3);
  });

  it('caps a batch at maxBatch and marks only the last message of each batch endOfBatch', () => {
    const ring = build(16);
    const sequencer = create(ring);
    send(sequencer, 10, 0);
    const recorder = new Recorder();
    const processor = new BatchEventProcessor(ring, recorder, { maxBatch: 4 });
    expect([processor.tryPoll(), processor.tryPoll(), processor.tryPoll(), processor.tryPoll()]).toEqual([4, 4, 2, 0]);
    expect(recorder.ends.flatMap((end, k) => (end ? [k] : []))).toEqual([3, 7, 9]);
    expect(processor.batches).toBe(3);
  });

  it('is held back by the slowest of several consumers, each of which sees every message', () => {
    const ring = build(4, 0, 2);
    const sequencer = create(ring);
    const fast = new Recorder();
    const slow = new Recorder();
    const fastProcessor = new BatchEventProcessor(ring, fast, { consumer: 0 });
    const slowProcessor = new BatchEventProcessor(ring, slow, { consumer: 1, maxBatch: 1 });
    send(sequencer, 4, 0);
    expect(fastProcessor.tryPoll()).toBe(4);
    expect(sequencer.tryClaim(1)).toBe(BUSY);
    expect(slowProcessor.tryPoll()).toBe(1);
    expect(send(sequencer, 1, 4)).toBe(4);
    expect(sequencer.tryClaim(1)).toBe(BUSY);
    expect(drain(slowProcessor)).toBe(4);
    expect(fastProcessor.tryPoll()).toBe(1);
    expect(fast.values).toEqual([0, 1, 2, 3, 4]);
    expect(slow.values).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects claim sizes below 1 or above the capacity as programming errors', () => {
    const sequencer = create(build(8));
    expect(() => sequencer.tryClaim(0)).toThrow(RangeError);
    expect(() => sequencer.tryClaim(9)).toThrow(/from 1 to the capacity 8, got 9/);
    expect(() => sequencer.claim(1.5, 1)).toThrow(RangeError);
    expect(sequencer.tryClaim(8)).toBe(0);
  });

  it('wakes nobody while no consumer is parked', () => {
    const ring = build(8);
    const sequencer = create(ring);
    const processor = new BatchEventProcessor(ring, new Recorder());
    for (let k = 0; k < 100; k++) {
      send(sequencer, 2, k);
      processor.tryPoll();
    }
    expect(ring.waitingConsumers()).toBe(0);
    expect(sequencer.wakeUps).toBe(0);
  });

  it('hands a message again after its handler throws, and keeps the ones before it consumed', () => {
    const ring = build(8);
    const sequencer = create(ring);
    send(sequencer, 5, 10);
    const seen: number[] = [];
    let failOnce = true;
    const processor = new BatchEventProcessor(ring, {
      onEvent(r, slot) {
        const value = r.f64[slot * r.float64sPerSlot] as number;
        if (value === 12 && failOnce) {
          failOnce = false;
          throw new Error('handler failed');
        }
        seen.push(value);
      },
    });
    expect(() => processor.tryPoll()).toThrow('handler failed');
    expect(processor.sequence).toBe(1);
    expect(ring.gatingSequence(0)).toBe(1);
    expect(processor.tryPoll()).toBe(3);
    expect(seen).toEqual([10, 11, 12, 13, 14]);
  });

  it('lets a new sequencer and a new processor pick up where the old ones stopped', () => {
    const ring = build(8, 2 ** 32 - 3);
    send(create(ring), 5, 0);
    new BatchEventProcessor(ring, new Recorder(), { maxBatch: 2 }).tryPoll();
    const recorder = new Recorder();
    const processor = new BatchEventProcessor(RingBuffer.attach(ring.buffer), recorder);
    expect(processor.sequence).toBe(2 ** 32 - 2);
    expect(send(create(RingBuffer.attach(ring.buffer)), 2, 5)).toBe(2 ** 32 + 2);
    expect(processor.tryPoll()).toBe(5);
    expect(recorder.values).toEqual([2, 3, 4, 5, 6]);
  });
});

describe('MultiProducerSequencer', () => {
  it('keeps a later claim invisible while an earlier claim is unpublished, even if the later one is published first', () => {
    const ring = RingBuffer.build({ capacity: 8, producers: 'multi' });
    const a = new MultiProducerSequencer(ring);
    const b = new MultiProducerSequencer(ring);
    const recorder = new Recorder();
    const processor = new BatchEventProcessor(ring, recorder);
    const first = a.tryClaim(2);
    const second = b.tryClaim(3);
    expect([first, second]).toEqual([0, 2]);
    for (let s = second; s < second + 3; s++) ring.f64[ring.slot(s) * ring.float64sPerSlot] = s;
    b.publish(second, second + 2);
    expect(processor.tryPoll()).toBe(0);
    for (let s = first; s < first + 2; s++) ring.f64[ring.slot(s) * ring.float64sPerSlot] = s;
    a.publish(first, first + 1);
    expect(processor.tryPoll()).toBe(5);
    expect(recorder.values).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a single-producer ring, as the single sequencer refuses a multi-producer one', () => {
    expect(() => new MultiProducerSequencer(RingBuffer.build({ producers: 'single' }))).toThrow(TypeError);
    expect(() => new SingleProducerSequencer(RingBuffer.build({ producers: 'multi' }))).toThrow(TypeError);
  });
});
