import { describe, expect, it } from 'vitest';
import { OutboundQueue, PENDING_CHUNK_OVERHEAD_BYTES, type OutboundTarget } from './OutboundQueue.js';

/**
 * A socket stand-in whose kernel takes writes only when told: `stalled` writes stay in
 * `writableLength` until {@link complete}, as Node's do while the peer does not read.
 */
class StallableTarget implements OutboundTarget {
  readonly writes: Buffer[] = [];
  writableLength = 0;
  destroyed = false;
  writableEnded = false;
  stalled = false;
  #inFlight: { length: number; callback: () => void }[] = [];

  write(chunk: Uint8Array, callback: () => void): boolean {
    this.writes.push(Buffer.from(chunk));
    if (this.stalled) {
      this.writableLength += chunk.length;
      this.#inFlight.push({ length: chunk.length, callback });
    } else {
      queueMicrotask(callback);
    }
    return true;
  }

  /** The kernel takes everything in flight; callbacks run as Node runs them, after the bytes left. */
  complete(): void {
    const done = this.#inFlight;
    this.#inFlight = [];
    for (const w of done) this.writableLength -= w.length;
    for (const w of done) w.callback();
  }
}

const chunk = (byte: number, length: number): Buffer => Buffer.alloc(length, byte);

describe('OutboundQueue', () => {
  it('writes each chunk at once, one write per chunk, while the socket keeps up', async () => {
    const target = new StallableTarget();
    const queue = new OutboundQueue(target, 100);
    for (let i = 0; i < 5; i++) expect(queue.offer(chunk(i, 80))).toBe(true);
    await Promise.resolve();
    expect(target.writes.map((w) => w.length)).toEqual([80, 80, 80, 80, 80]);
    expect(queue.queuedBytes).toBe(0);
    expect(queue.maxQueuedBytes).toBe(0);
  });

  it('holds at most the cap behind a stalled write, refuses whole chunks beyond it, and sends the backlog as one write', () => {
    const target = new StallableTarget();
    target.stalled = true;
    const queue = new OutboundQueue(target, 1_000);
    const overhead = PENDING_CHUNK_OVERHEAD_BYTES;
    expect(queue.offer(chunk(1, 600))).toBe(true); // written, stuck in the socket
    expect(queue.offer(chunk(2, 100))).toBe(true); // pending
    expect(queue.queuedBytes).toBe(700 + overhead);
    expect(queue.fits(1_000 - 700 - 2 * overhead + 1)).toBe(false);
    expect(queue.fits(1_000 - 700 - 2 * overhead)).toBe(true);
    expect(queue.offer(chunk(3, 1_000 - 700 - 2 * overhead + 1))).toBe(false); // one byte too many: refused whole
    expect(queue.offer(chunk(4, 1_000 - 700 - 2 * overhead))).toBe(true); // exactly the cap
    expect(queue.queuedBytes).toBe(1_000);
    expect(target.writes).toHaveLength(1);

    target.stalled = false;
    target.complete();
    expect(target.writes.map((w) => [...new Set(w)])).toEqual([[1], [2, 4]]);
    expect(target.writes[1]).toHaveLength(1_000 - 600 - 2 * overhead);
    expect(queue.queuedBytes).toBe(0);
    expect(queue.maxQueuedBytes).toBe(1_000);
  });

  it('always takes a chunk into an empty queue, even one larger than the cap', () => {
    const target = new StallableTarget();
    target.stalled = true;
    const queue = new OutboundQueue(target, 100);
    expect(queue.fits(150)).toBe(true);
    expect(queue.offer(chunk(1, 150))).toBe(true); // larger than the cap
    expect(queue.fits(1)).toBe(false);
    expect(queue.offer(chunk(2, 1))).toBe(false);
    expect(queue.queuedBytes).toBe(150);
  });

  it('forces a last frame past the cap, in order, and flushes the backlog before the socket ends', () => {
    const target = new StallableTarget();
    target.stalled = true;
    const queue = new OutboundQueue(target, 200);
    queue.offer(chunk(1, 90));
    queue.offer(chunk(2, 10));
    expect(queue.offer(chunk(5, 10))).toBe(false); // full
    expect(queue.force(chunk(3, 40))).toBe(true);
    queue.flush();
    expect(target.writes.map((w) => [...new Set(w)])).toEqual([[1], [2, 3]]);
    target.writableEnded = true;
    expect(queue.force(chunk(4, 1))).toBe(false);
  });
});
