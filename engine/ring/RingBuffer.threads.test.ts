/**
 * The ring across real worker threads: producers on workers (running the built modules in dist/,
 * since Node 20 cannot run .ts: build first, as npm test does), the consumer on the test's own thread. Every wait is bounded by a
 * deadline, so a lost message or a lost wake-up fails the test instead of hanging it.
 *
 *   producer worker 0 ─┐                                     test thread
 *   producer worker 1 ─┼─► RingBuffer (SharedArrayBuffer) ─► BatchEventProcessor + Checker
 *   producer worker 2 ─┘   random batch sizes, tiny ring     per producer: order, count, checksum
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BatchEventProcessor, type EventHandler } from './BatchEventProcessor.js';
import { BlockingWaitStrategy } from './BlockingWaitStrategy.js';
import { builtModuleUrl } from './builtModule.js';
import { BusySpinWaitStrategy } from './BusySpinWaitStrategy.js';
import { RingBuffer, type ProducerMode } from './RingBuffer.js';
import { SpinThenParkWaitStrategy } from './SpinThenParkWaitStrategy.js';
import type { WaitStrategy } from './WaitStrategy.js';

const SEED = 11;

/** The value field of message `index` from `producer` (the producer worker computes the same). */
const valueOf = (producer: number, index: number): number => Math.imul(index ^ (producer << 24), 0x9e3779b1) >>> 12;

const modules = {
  RingBuffer: builtModuleUrl('engine/ring/RingBuffer.ts').href,
  SingleProducerSequencer: builtModuleUrl('engine/ring/SingleProducerSequencer.ts').href,
  MultiProducerSequencer: builtModuleUrl('engine/ring/MultiProducerSequencer.ts').href,
  Sequencer: builtModuleUrl('engine/ring/Sequencer.ts').href,
  BatchEventProcessor: builtModuleUrl('engine/ring/BatchEventProcessor.ts').href,
  BusySpinWaitStrategy: builtModuleUrl('engine/ring/BusySpinWaitStrategy.ts').href,
  SpinThenParkWaitStrategy: builtModuleUrl('engine/ring/SpinThenParkWaitStrategy.ts').href,
  BlockingWaitStrategy: builtModuleUrl('engine/ring/BlockingWaitStrategy.ts').href,
};

/**
 * A producer thread: after an optional wait for a parked consumer, sends `messages` messages
 * (producer, index, value) in batches of 1..maxBatch slots (xorshift, seeded); when the ring stays
 * full it sleeps 50 µs so the consumer gets a core. Answers { ok, busy, wakeUps } or { ok: false, error }.
 */
const PRODUCER = `
const { parentPort, workerData: d } = require('node:worker_threads');
(async () => {
  const { RingBuffer } = await import(d.modules.RingBuffer);
  const { SingleProducerSequencer } = await import(d.modules.SingleProducerSequencer);
  const { MultiProducerSequencer } = await import(d.modules.MultiProducerSequencer);
  const { BUSY } = await import(d.modules.Sequencer);
  const ring = RingBuffer.attach(d.buffer);
  const sequencer = ring.multiProducer ? new MultiProducerSequencer(ring) : new SingleProducerSequencer(ring);
  const deadline = performance.now() + d.timeoutMs;
  const fail = (error) => parentPort.postMessage({ ok: false, error });
  if (d.waitForParkedConsumer) {
    while (ring.waitingConsumers() === 0) if (performance.now() > deadline) return fail('no consumer parked');
  }
  let x = d.seed >>> 0 || 1;
  const batchSize = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return 1 + (x % d.maxBatch); };
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let i = 0, busy = 0;
  while (i < d.messages) {
    const n = Math.min(batchSize(), d.messages - i);
    const lo = sequencer.claim(n, 100);
    if (lo === BUSY) {
      busy++;
      Atomics.wait(nap, 0, 0, 0.05);
      if (performance.now() > deadline) return fail('producer ' + d.producer + ' timed out after ' + i + ' messages');
      continue;
    }
    for (let k = 0; k < n; k++) {
      const at = ring.slot(lo + k) * ring.float64sPerSlot;
      ring.f64[at] = d.producer;
      ring.f64[at + 1] = i + k;
      ring.f64[at + 2] = Math.imul((i + k) ^ (d.producer << 24), 0x9e3779b1) >>> 12;
    }
    sequencer.publish(lo, lo + n - 1);
    i += n;
  }
  parentPort.postMessage({ ok: true, busy, wakeUps: sequencer.wakeUps });
})().catch((e) => parentPort.postMessage({ ok: false, error: String(e && e.stack || e) }));
`;

/** Runs a BatchEventProcessor (no handler work) with the named wait strategy until it is alerted. */
const RUNNER = `
const { parentPort, workerData: d } = require('node:worker_threads');
(async () => {
  const { RingBuffer } = await import(d.modules.RingBuffer);
  const { BatchEventProcessor } = await import(d.modules.BatchEventProcessor);
  const strategies = {
    BusySpinWaitStrategy: (await import(d.modules.BusySpinWaitStrategy)).BusySpinWaitStrategy,
    SpinThenParkWaitStrategy: (await import(d.modules.SpinThenParkWaitStrategy)).SpinThenParkWaitStrategy,
    BlockingWaitStrategy: (await import(d.modules.BlockingWaitStrategy)).BlockingWaitStrategy,
  };
  const processor = new BatchEventProcessor(RingBuffer.attach(d.buffer), { onEvent() {} }, { waitStrategy: new strategies[d.strategy]() });
  parentPort.postMessage({ started: true });
  parentPort.postMessage({ handed: processor.run() });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

type ProducerReply = { ok: true; busy: number; wakeUps: number } | { ok: false; error: string };

function startWorker<T>(code: string, data: Record<string, unknown>): Promise<T> {
  const worker = new Worker(code, { eval: true, workerData: { modules, ...data } });
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: T) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** Checks, per producer, that indexes arrive 0, 1, 2, … with the right values, and that sequences are consecutive. */
class Checker implements EventHandler {
  received = 0;
  problems: string[] = [];
  private readonly next: number[];
  private readonly sums: number[];
  private lastSequence: number;
  constructor(private readonly producers: number, firstSequence: number) {
    this.next = new Array<number>(producers).fill(0);
    this.sums = new Array<number>(producers).fill(0);
    this.lastSequence = firstSequence - 1;
  }
  onEvent(ring: RingBuffer, slot: number, sequence: number): void {
    const at = slot * ring.float64sPerSlot;
    const p = ring.f64[at] as number;
    const index = ring.f64[at + 1] as number;
    this.received++;
    if (sequence !== this.lastSequence + 1 && this.problems.length < 5) this.problems.push(`sequence ${sequence} after ${this.lastSequence}`);
    this.lastSequence = sequence;
    if (!(p >= 0 && p < this.producers)) {
      if (this.problems.length < 5) this.problems.push(`unknown producer ${p} at sequence ${sequence}`);
      return;
    }
    if (index !== this.next[p] && this.problems.length < 5) this.problems.push(`producer ${p}: index ${index}, expected ${this.next[p]}`);
    this.next[p] = index + 1;
    this.sums[p] = (this.sums[p] as number) + (ring.f64[at + 2] as number);
  }
  /** Problems with the totals: counts and checksums per producer. */
  totals(messagesPerProducer: number): string[] {
    const problems = [...this.problems];
    for (let p = 0; p < this.producers; p++) {
      let expected = 0;
      for (let i = 0; i < messagesPerProducer; i++) expected += valueOf(p, i);
      if (this.next[p] !== messagesPerProducer) problems.push(`producer ${p}: last index ${(this.next[p] as number) - 1}`);
      if (this.sums[p] !== expected) problems.push(`producer ${p}: checksum ${this.sums[p]}, expected ${expected}`);
    }
    return problems;
  }
}

interface Transfer {
  producers: number;
  messagesPerProducer: number;
  capacity: number;
  maxBatch: number;
  mode: ProducerMode;
  waitStrategy: WaitStrategy;
  initialSequence?: number;
}

/** Runs producers on workers and the consumer here; returns the consumer's findings and the producers' replies. */
async function transfer(t: Transfer): Promise<{ problems: string[]; replies: ProducerReply[]; batches: number }> {
  const ring = RingBuffer.build({ capacity: t.capacity, slotBytes: 32, producers: t.mode, initialSequence: t.initialSequence ?? 0 });
  const checker = new Checker(t.producers, t.initialSequence ?? 0);
  const processor = new BatchEventProcessor(ring, checker, { waitStrategy: t.waitStrategy });
  const replies = Array.from({ length: t.producers }, (_, producer) => startWorker<ProducerReply>(PRODUCER, {
    buffer: ring.buffer, producer, messages: t.messagesPerProducer, maxBatch: t.maxBatch, seed: SEED + producer, timeoutMs: 15_000,
  }));
  const total = t.producers * t.messagesPerProducer;
  const deadlineMs = performance.now() + 15_000;
  while (checker.received < total && performance.now() < deadlineMs) processor.poll(100);
  const answered = await Promise.all(replies);
  // Nothing may arrive after the last message.
  expect(processor.tryPoll()).toBe(0);
  return { problems: checker.totals(t.messagesPerProducer), replies: answered, batches: processor.batches };
}

describe('the ring across worker threads', () => {
  it('delivers 3 producers × 200,000 messages exactly once and in order per producer, across the 2^32 word wrap', async () => {
    const result = await transfer({ producers: 3, messagesPerProducer: 200_000, capacity: 256, maxBatch: 32, mode: 'multi',
      waitStrategy: new SpinThenParkWaitStrategy(), initialSequence: 2 ** 32 - 300_000 });
    expect(result.replies.filter((r) => !r.ok)).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  it('keeps 2 producers fighting over a 16-slot ring correct', async () => {
    const result = await transfer({ producers: 2, messagesPerProducer: 100_000, capacity: 16, maxBatch: 4, mode: 'multi',
      waitStrategy: new BusySpinWaitStrategy() });
    expect(result.replies.filter((r) => !r.ok)).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  it('delivers 300,000 messages from a single producer thread in order, across the 2^31 word wrap', async () => {
    const result = await transfer({ producers: 1, messagesPerProducer: 300_000, capacity: 64, maxBatch: 16, mode: 'single',
      waitStrategy: new SpinThenParkWaitStrategy(), initialSequence: 2 ** 31 - 100_000 });
    expect(result.replies.filter((r) => !r.ok)).toEqual([]);
    expect(result.problems).toEqual([]);
  });
});

const STRATEGIES = [
  { name: 'BusySpinWaitStrategy', parks: false, create: (): WaitStrategy => new BusySpinWaitStrategy() },
  { name: 'SpinThenParkWaitStrategy', parks: true, create: (): WaitStrategy => new SpinThenParkWaitStrategy({ spinTries: 1_000 }) },
  { name: 'BlockingWaitStrategy', parks: true, create: (): WaitStrategy => new BlockingWaitStrategy() },
];

describe.each(STRATEGIES)('$name across worker threads (wait strategy contract)', ({ name, parks, create }) => {
  it('delivers everything two producer threads send', async () => {
    const result = await transfer({ producers: 2, messagesPerProducer: 50_000, capacity: 1024, maxBatch: 8, mode: 'multi', waitStrategy: create() });
    expect(result.replies.filter((r) => !r.ok)).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  it('returns from run() on a worker when another thread alerts the consumer', async () => {
    const ring = RingBuffer.build({ capacity: 8 });
    const worker = new Worker(RUNNER, { eval: true, workerData: { modules, buffer: ring.buffer, strategy: name } });
    const messages: Record<string, unknown>[] = [];
    const next = (): Promise<Record<string, unknown>> => new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ error: 'no answer within 8 s' }), 8_000);
      worker.once('message', (m: Record<string, unknown>) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
    try {
      messages.push(await next());
      expect(messages[0]).toEqual({ started: true });
      // Give run() time to reach its wait (spinning or parked), then stop it from this thread.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = next();
      ring.alert(0);
      expect(await answer).toEqual({ handed: 0 });
    } finally {
      await worker.terminate();
    }
  });

  it.runIf(parks)('wakes a parked consumer when a producer publishes, long before its timeout', async () => {
    const ring = RingBuffer.build({ capacity: 8 });
    const checker = new Checker(1, 0);
    const processor = new BatchEventProcessor(ring, checker, { waitStrategy: create() });
    // The producer publishes only once it sees the consumer parked, so only a wake-up can end this poll early.
    const reply = startWorker<ProducerReply>(PRODUCER, {
      buffer: ring.buffer, producer: 0, messages: 1, maxBatch: 1, seed: SEED, timeoutMs: 10_000, waitForParkedConsumer: true,
    });
    const t0 = performance.now();
    expect(processor.poll(8_000)).toBe(1);
    expect(performance.now() - t0).toBeLessThan(4_000);
    const answered = await reply;
    expect(answered).toMatchObject({ ok: true, wakeUps: 1 });
    expect(checker.totals(1)).toEqual([]);
  });
});
