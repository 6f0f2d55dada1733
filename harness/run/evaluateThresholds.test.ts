import { describe, expect, it } from 'vitest';
import { HistogramSet } from '../record/HistogramSet.js';
import { parseThreshold } from '../scenario/parseThreshold.js';
import type { Threshold } from '../scenario/Scenario.js';
import { evaluateThresholds, type Measured } from './evaluateThresholds.js';

function rule(source: string): Threshold {
  const parsed = parseThreshold(source);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.threshold;
}

/** A run of 10 s: 1,000 order round trips of 1…1,000 µs, 990 sent of 1,000 offered, some feed. */
function measured(): Measured {
  const h = new HistogramSet();
  for (let i = 1; i <= 1_000; i++) h.record('order_rtt', i * 1_000);
  const feed = { subscribers: 2, frames: 5_000, bytes: 1e6, gaps: 3, gapFrames: 40, drops: 40, disconnects: 1, reconnects: 0,
    snapshots: 3, protocolErrors: 0 };
  const phase = (name: string, offered: number, sent: number) => ({ name, startMs: 0, durationMs: 5_000, offered, offeredRate: offered / 5,
    sent, achievedRate: sent / 5, latency: {} });
  return {
    schema: 'matchbench.run-result', version: 1,
    identity: { matchbenchVersion: '0', gitCommit: 'x', nodeVersion: 'v20', cpuModel: 'cpu', cpuCount: 2, platform: 'linux', totalMemoryBytes: 1, command: 'x' },
    scenario: { name: 't', file: 't', hash: 'h', description: '' }, seed: 1, streamHash: 's', target: { kind: 'inproc', description: '' },
    finalStateHash: null, startedAt: '', endedAt: '', durationMs: 10_000, interrupted: false,
    phases: [phase('a', 500, 500), phase('b', 500, 490)],
    orders: { generated: 1_000, sent: 990, byKind: {}, acked: 900, fills: 10, canceled: 0, replaced: 0, rejected: 99, rejectsByReason: {},
      unanswered: 0, backpressured: 0 },
    arrivals: { samples: 990, ksStatistic: 0.02, pValue: 0.4, passed: true, note: '' },
    latency: h.summaries(), histograms: h.encode(),
    feed: { fast: feed, slow: { ...feed, gaps: 10, drops: 100 } },
    invariants: { checked: 'x', violations: [] }, knee: null, errors: [],
    processCpu: { userMs: 0, systemMs: 0, coresUsed: 0, engineInProcess: true },
  };
}

describe('evaluateThresholds', () => {
  const cases: [string, number | null, boolean][] = [
    ['order_rtt.p99 < 2ms', 0.99, true],
    ['order_rtt.p95 <= 0.9ms', 0.95, false],
    ['order_rtt.max < 1ms', 1, false],
    ['order_rtt.count == 1000', 1_000, true],
    ['feed_gaps.fast == 0', 3, false],
    ['feed_gaps.all <= 13', 13, true],
    ['feed_drops.slow.rate < 11', 10, true],
    ['achieved_rate.ratio >= 0.99', 0.99, true],
    ['achieved_rate.min_ratio >= 0.99', 0.98, false],
    ['rejects.ratio < 0.05', 0.1, false],
    ['errors.count == 0', 0, true],
    ['invariant_violations == 0', 0, true],
    ['arrivals.p_value > 0.01', 0.4, true],
  ];
  it.each(cases)('%s → %s (%s)', (source, actual, passed) => {
    const [result] = evaluateThresholds(measured(), [rule(source)]);
    if (actual === null) expect(result?.actual).toBeNull();
    else expect(result?.actual).toBeCloseTo(actual, 2);
    expect(result?.passed).toBe(passed);
  });

  it('a rule about something the run never measured fails, saying so', () => {
    const [result] = evaluateThresholds(measured(), [rule('feed_latency.churning.p99 < 5ms')]);
    expect(result).toEqual({ source: 'feed_latency.churning.p99 < 5ms', actual: null, passed: false });
  });
});
