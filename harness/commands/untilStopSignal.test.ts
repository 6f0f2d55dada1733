import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { untilStopSignal } from './untilStopSignal.js';

describe('untilStopSignal', () => {
  it('runs the stop once for the first of SIGINT and SIGTERM, resolves when it is done, and leaves no listener behind', async () => {
    const signals = new EventEmitter();
    const seen: string[] = [];
    let finished = false;
    const waiting = untilStopSignal(async (signal) => {
      seen.push(signal);
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    }, signals).then(() => finished);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    expect(await waiting).toBe(true);
    expect(seen).toEqual(['SIGTERM']);
    expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });

  it('passes a failed stop on as a rejection', async () => {
    const signals = new EventEmitter();
    const waiting = untilStopSignal(() => Promise.reject(new Error('journal flush failed')), signals);
    signals.emit('SIGINT');
    await expect(waiting).rejects.toThrow('journal flush failed');
  });
});
