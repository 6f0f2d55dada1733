/**
 * One contract, run against every wait strategy, on one thread: what a wait does when the sequence
 * is already there, when nothing comes, and when the consumer is alerted. Delivery and wake-up
 * across threads are in RingBuffer.threads.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BatchEventProcessor } from './BatchEventProcessor.js';
import { BlockingWaitStrategy } from './BlockingWaitStrategy.js';
import { BusySpinWaitStrategy } from './BusySpinWaitStrategy.js';
import { RingBuffer } from './RingBuffer.js';
import { SequenceBarrier } from './SequenceBarrier.js';
import { SingleProducerSequencer } from './SingleProducerSequencer.js';
import { SpinThenParkWaitStrategy } from './SpinThenParkWaitStrategy.js';
import type { WaitStrategy } from './WaitStrategy.js';

const WAIT_STRATEGIES: readonly { name: string; create: () => WaitStrategy }[] = [
  { name: 'BusySpinWaitStrategy', create: () => new BusySpinWaitStrategy() },
  { name: 'SpinThenParkWaitStrategy', create: () => new SpinThenParkWaitStrategy({ spinTries: 1_000 }) },
  { name: 'BlockingWaitStrategy', create: () => new BlockingWaitStrategy() },
];

describe.each(WAIT_STRATEGIES)('$name (wait strategy contract)', ({ create }) => {
  it('returns at once when the sequence is already published', () => {
    const ring = RingBuffer.build({ capacity: 8 });
    const sequencer = new SingleProducerSequencer(ring);
    sequencer.publish(sequencer.tryClaim(1), 0);
    const t0 = performance.now();
    expect(create().waitFor(0, new SequenceBarrier(ring), 10_000)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('gives up after about the timeout when nothing is published', () => {
    const ring = RingBuffer.build({ capacity: 8 });
    const processor = new BatchEventProcessor(ring, { onEvent() {} }, { waitStrategy: create() });
    const t0 = performance.now();
    expect(processor.poll(30)).toBe(0);
    const tookMs = performance.now() - t0;
    expect(tookMs).toBeGreaterThanOrEqual(25);
    expect(tookMs).toBeLessThan(2_000);
  });

  it('returns without the sequence when the consumer is alerted', () => {
    const ring = RingBuffer.build({ capacity: 8 });
    ring.alert(0);
    const t0 = performance.now();
    expect(create().waitFor(0, new SequenceBarrier(ring), 10_000)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

describe('parking on the main thread', () => {
  it('is allowed by Node (browsers forbid Atomics.wait there): the documented reason tryPoll exists anyway', () => {
    const code = 'const r = Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); ' +
      'console.log(require("node:worker_threads").isMainThread, r)';
    const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 10_000 });
    expect(result.stdout.trim()).toBe('true timed-out');
  });
});
