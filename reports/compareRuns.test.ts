import { describe, expect, it } from 'vitest';
import { holmAdjust, parseGateRules } from './compareRuns.js';

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

describe('holmAdjust', () => {
  it('multiplies the k-th smallest p by (m − k + 1), keeps the order monotone and caps at 1', () => {
    // Sorted: 0.01·3 = 0.03, 0.02·2 = 0.04, 0.04·1 = 0.04; in input order.
    expect(holmAdjust([0.04, 0.01, 0.02])).toEqual([0.04, 0.03, 0.04]);
    // A later step never falls below an earlier one: 0.03·2 = 0.06, then 0.035·1 stays 0.06.
    expect(holmAdjust([0.035, 0.03])).toEqual([0.06, 0.06]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });
});
