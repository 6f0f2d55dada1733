import { describe, expect, it } from 'vitest';
import { parseGateRules } from './compareRuns.js';

describe('parseGateRules', () => {
  it('reads latency and throughput gates, with or without a histogram name', () => {
    expect(parseGateRules(['p99 +10%', 'order_rtt.p99.9 +25%', 'throughput -5%'])).toEqual({ ok: true, rules: [
      { source: 'p99 +10%', metric: null, stat: 'p99', limitPct: 10 },
      { source: 'order_rtt.p99.9 +25%', metric: 'order_rtt', stat: 'p99.9', limitPct: 25 },
      { source: 'throughput -5%', metric: null, stat: 'throughput', limitPct: -5 }] });
  });

  it('lists every bad gate at once', () => {
    const r = parseGateRules(['p99 10%', 'throughput +5%', 'p50 -3%']);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toHaveLength(3);
  });
});
