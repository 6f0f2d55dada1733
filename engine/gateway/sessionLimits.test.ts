import { describe, expect, it } from 'vitest';
import { resolveSessionLimits, SESSION_LIMIT_DEFAULTS } from './sessionLimits.js';

describe('resolveSessionLimits', () => {
  it('defaults to the limits docs/PROTOCOL.md gives', () => {
    expect(resolveSessionLimits()).toEqual({
      loginTimeoutMs: 2_000,
      minHeartbeatIntervalMs: 100,
      maxHeartbeatIntervalMs: 60_000,
      deadAfterIntervals: 3,
      maxFramesPerSecond: 50_000,
      burstFrames: 5_000,
      maxFrameLength: 4_096,
    });
  });

  it('merges options over the defaults without changing either', () => {
    const options = { maxFramesPerSecond: Infinity, maxFrameLength: 8_192 };
    const before = structuredClone(SESSION_LIMIT_DEFAULTS);
    expect(resolveSessionLimits(options)).toEqual({ ...SESSION_LIMIT_DEFAULTS, maxFramesPerSecond: Infinity, maxFrameLength: 8_192 });
    expect(options).toEqual({ maxFramesPerSecond: Infinity, maxFrameLength: 8_192 });
    expect(SESSION_LIMIT_DEFAULTS).toEqual(before);
  });

  it('reports every problem at once, each naming its field', () => {
    let message = '';
    try {
      resolveSessionLimits({
        loginTimeoutMs: -1,
        minHeartbeatIntervalMs: 500,
        maxHeartbeatIntervalMs: 400,
        deadAfterIntervals: 0,
        maxFramesPerSecond: 0,
        burstFrames: 1.5,
        maxFrameLength: 87,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const field of ['loginTimeoutMs', 'must not exceed maxHeartbeatIntervalMs', 'deadAfterIntervals', 'maxFramesPerSecond', 'burstFrames', 'maxFrameLength']) {
      expect(message).toContain(field);
    }
  });
});
