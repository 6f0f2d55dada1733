import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../generate/Rng.js';
import { MoldAccept, MoldSequenceTracker } from './MoldSequenceTracker.js';

/** Runs `due` at `nowMs` and returns the requests it sent. */
function due(t: MoldSequenceTracker, nowMs: number): [number, number][] {
  const sent: [number, number][] = [];
  t.due(nowMs, (from, count) => sent.push([from, count]));
  return sent;
}

describe('MoldSequenceTracker', () => {
  it('classes messages as live, recovered or duplicate, and requests a gap once', () => {
    const t = new MoldSequenceTracker();
    expect([1, 2, 3].map((s) => t.accept(s))).toEqual([MoldAccept.Live, MoldAccept.Live, MoldAccept.Live]);
    expect(t.accept(7)).toBe(MoldAccept.Live);
    expect(t.counts).toMatchObject({ gaps: 1, gapMessages: 3 });
    expect(due(t, 0)).toEqual([[4, 3]]);
    expect(due(t, 100)).toEqual([]);
    expect([5, 4, 6].map((s) => t.accept(s))).toEqual([MoldAccept.Recovered, MoldAccept.Recovered, MoldAccept.Recovered]);
    expect([5, 7, 2].map((s) => t.accept(s))).toEqual([MoldAccept.Duplicate, MoldAccept.Duplicate, MoldAccept.Duplicate]);
    expect(t.counts).toEqual({ gaps: 1, gapMessages: 3, recoveredMessages: 3, lostMessages: 0, duplicateMessages: 3, requestsSent: 1, requestRetries: 0 });
    expect(t.missingMessages).toBe(0);
  });

  it('retries an unanswered request after retryAfterMs, then counts its messages as lost', () => {
    const t = new MoldSequenceTracker({ retryAfterMs: 100, maxTries: 2 });
    t.accept(1);
    t.accept(11);
    expect(due(t, 0)).toEqual([[2, 9]]);
    expect(due(t, 99)).toEqual([]);
    expect(due(t, 100)).toEqual([[2, 9]]);
    expect(due(t, 200)).toEqual([]);
    expect(t.counts).toMatchObject({ requestsSent: 2, requestRetries: 1, lostMessages: 9 });
    expect(t.missingMessages).toBe(0);
    expect(t.accept(5)).toBe(MoldAccept.Duplicate);
  });

  it('keeps at most maxOutstanding requests of at most maxRequestMessages in flight', () => {
    const t = new MoldSequenceTracker({ maxRequestMessages: 10, maxOutstanding: 2, retryAfterMs: 50 });
    t.accept(1);
    t.accept(36);
    expect(due(t, 0)).toEqual([[2, 10], [12, 10]]);
    for (let s = 2; s < 12; s++) t.accept(s);
    expect(due(t, 1)).toEqual([[22, 10]]);
    expect(t.missingMessages).toBe(24);
  });

  it('waits for the rest of a partly answered request instead of asking again', () => {
    const t = new MoldSequenceTracker({ retryAfterMs: 100, maxTries: 1 });
    t.accept(1);
    t.accept(12);
    expect(due(t, 0)).toEqual([[2, 10]]);
    t.setNow(90);
    for (let s = 2; s < 7; s++) t.accept(s);
    expect(due(t, 150)).toEqual([]);
    expect(t.counts.lostMessages).toBe(0);
    expect(due(t, 190)).toEqual([]);
    expect(t.counts.lostMessages).toBe(5);
  });

  it('without a re-request server, waits retryAfterMs for reordered packets, then loses the rest', () => {
    const t = new MoldSequenceTracker({ canRequest: false, retryAfterMs: 100 });
    t.accept(1);
    t.accept(4);
    expect(due(t, 0)).toEqual([]);
    expect(t.accept(2)).toBe(MoldAccept.Recovered);
    due(t, 100);
    expect(t.counts).toMatchObject({ recoveredMessages: 1, lostMessages: 1, requestsSent: 0 });
  });

  it('takes a gap from a heartbeat, and from a first sequence the session starts at', () => {
    const t = new MoldSequenceTracker({ firstSequence: 1 });
    t.advanceTo(5);
    expect(t.counts).toMatchObject({ gaps: 1, gapMessages: 4 });
    t.accept(5);
    t.advanceTo(9);
    expect(t.counts).toMatchObject({ gaps: 2, gapMessages: 7 });
    expect(t.nextSequence).toBe(9);
    const joined = new MoldSequenceTracker();
    joined.accept(1_000);
    expect(joined.counts.gaps).toBe(0);
  });

  it('recovers every message exactly once whatever the order of arrival (seeded property)', () => {
    const seed = 20_261_207;
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), (caseSeed) => {
      const rng = new Rng(caseSeed);
      const n = rng.int(1, 200);
      const order = Array.from({ length: n }, (_, i) => i + 1);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const t = new MoldSequenceTracker({ firstSequence: 1, maxRequestMessages: rng.int(1, 20) });
      const kinds = order.map((s) => t.accept(s));
      const duplicates = order.slice(0, rng.int(0, n)).map((s) => t.accept(s));
      expect(kinds.filter((k) => k === MoldAccept.Duplicate)).toEqual([]);
      expect(duplicates.every((k) => k === MoldAccept.Duplicate)).toBe(true);
      expect(t.missingMessages).toBe(0);
      expect(t.counts.recoveredMessages).toBe(kinds.filter((k) => k === MoldAccept.Recovered).length);
      expect(t.counts.gapMessages).toBe(t.counts.recoveredMessages);
    }), { seed, numRuns: 200 });
  });
});
