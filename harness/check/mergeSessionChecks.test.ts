import { describe, expect, it } from 'vitest';
import { mergeSessionChecks } from './mergeSessionChecks.js';
import type { SessionViolation } from './SessionReportChecker.js';

const v = (session: number, atMs: number): SessionViolation => ({ invariant: 'known-order', session, symbolId: 1, clientOrderId: 9, reportIndex: 0,
  eventIndex: null, commandIndex: null, lastStreamIndex: 0, orderStreamIndex: -1, atMs, message: 'm' });

describe('mergeSessionChecks', () => {
  it('adds the drivers up, orders violations by arrival, names the earliest first and says how many were left out', () => {
    const merged = mergeSessionChecks([
      { sessions: 2, reports: 10, count: 5, violations: [v(0, 30), v(1, 10)] },
      undefined,
      { sessions: 1, reports: 4, count: 1, violations: [v(2, 20)] },
    ], 2);
    expect(merged).toMatchObject({ sessions: 3, reports: 14, count: 6 });
    expect(merged.first?.session).toBe(1);
    expect(merged.lines).toEqual([
      'session report: client 1 order 9 (symbol 1), report 0: known-order: m',
      'session report: client 2 order 9 (symbol 1), report 0: known-order: m',
      'session report: … and 4 more',
    ]);
    expect(mergeSessionChecks([undefined])).toMatchObject({ sessions: 0, count: 0, first: undefined, lines: [] });
  });
});
