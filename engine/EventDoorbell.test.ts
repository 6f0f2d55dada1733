import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EventDoorbell } from './EventDoorbell.js';

describe('EventDoorbell', () => {
  it('answers at once when the bell rang between arm and wait (no lost wake-up)', async () => {
    const bell = EventDoorbell.create();
    const value = bell.arm();
    bell.ring();
    const started = performance.now();
    expect(await bell.wait(value, 5_000)).toBe('not-equal');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not ring while nobody waits, and times out when nothing rings', async () => {
    const bell = EventDoorbell.create();
    bell.ring();
    const value = bell.arm();
    bell.disarm();
    bell.ring();
    expect(await bell.wait(value, 20)).toBe('timed-out');
  });

  it('is woken by another thread ringing it, without blocking the event loop meanwhile', async () => {
    const bell = EventDoorbell.create();
    const value = bell.arm();
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    // The ringer runs the same two Atomics steps as EventDoorbell.ring on the shared words.
    const worker = new Worker(`
      const { workerData } = require('node:worker_threads');
      const words = new Int32Array(workerData);
      setTimeout(() => { if (Atomics.load(words, 1) !== 0) { Atomics.add(words, 0, 1); Atomics.notify(words, 0); } }, 50);
    `, { eval: true, workerData: bell.buffer });
    try {
      expect(await bell.wait(value, 5_000)).toBe('ok');
      expect(turns).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
      await worker.terminate();
    }
  });

  it('refuses a buffer too small to hold it', () => {
    expect(() => EventDoorbell.attach(new SharedArrayBuffer(4))).toThrow(/8 bytes/);
  });
});
