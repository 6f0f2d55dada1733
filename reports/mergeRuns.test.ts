import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combineStreamHashes } from '../harness/generate/combineStreamHashes.js';
import { HistogramSet } from '../harness/record/HistogramSet.js';
import { IntervalSeries } from '../harness/record/IntervalSeries.js';
import { Rng } from '../harness/generate/Rng.js';
import { mergeRuns } from './mergeRuns.js';
import type { RunDirectory } from './readRunDirectory.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, type RunResult } from './RunResult.js';

const TIME_ZERO = 1_800_000_000_000;
const CLIENTS = 4;
const clientHash = (c: number): string => createHash('sha256').update(`client ${c}`).digest('hex');

interface FakeShard {
  readonly index: number;
  readonly count: number;
  /** order_rtt values (ns), each recorded at second (i mod 3). */
  readonly rttNs: readonly number[];
  readonly overrides?: (r: RunResult) => RunResult;
}

/** A shard's run directory in memory: its clients (c mod count = index), its values, made-up counts that scale with them. */
function shard({ index, count, rttNs, overrides }: FakeShard, dir = `shard-${index}`): RunDirectory {
  const histograms = new HistogramSet();
  const intervals = new IntervalSeries();
  rttNs.forEach((v, i) => {
    histograms.record('order_rtt', v);
    intervals.record((i % 3) * 1_000 + 10, 'order_rtt', v);
  });
  const n = rttNs.length;
  const phaseSet = (seconds: readonly number[]): RunResult['phases'][number]['latency'] => {
    const set = new HistogramSet();
    for (const k of seconds) if (intervals.at(k).find('order_rtt') !== undefined) set.get('order_rtt').add(intervals.at(k).get('order_rtt'));
    return set.summaries();
  };
  const clientStreamHashes: Record<string, string> = {};
  for (let c = index; c < CLIENTS; c += count) clientStreamHashes[String(c)] = clientHash(c);
  const result: RunResult = {
    schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION, verdict: 'passed',
    identity: { matchbenchVersion: '0.1.0', gitCommit: 'abc', nodeVersion: 'v20', cpuModel: 'cpu', cpuCount: 2, platform: 'linux',
      totalMemoryBytes: 1, command: `matchbench run --shard ${index}/${count}` },
    scenario: { name: 'fake', file: 'fake.yaml', hash: 'scenario-hash', description: '' },
    seed: 7,
    streamHash: combineStreamHashes(Object.values(clientStreamHashes)),
    target: { kind: 'tcp', description: 'tcp://engine:9001' },
    finalStateHash: null,
    startedAt: new Date(TIME_ZERO - 500 + index).toISOString(), endedAt: new Date(TIME_ZERO + 3_500 + index).toISOString(),
    durationMs: 3_500 + index, interrupted: false,
    phases: [
      { name: 'a', startMs: 0, durationMs: 1_000, offered: n, offeredRate: 100, sent: n - 1, achievedRate: n - 1, latency: phaseSet([0]) },
      { name: 'b', startMs: 1_000, durationMs: 2_000, offered: 2 * n, offeredRate: 200, sent: 2 * n, achievedRate: n, latency: phaseSet([1, 2]) },
    ],
    orders: { generated: 3 * n, sent: 3 * n - 1, byKind: { limit: 2 * n, cancel: n - 1 }, acked: n, fills: 2, canceled: 1, replaced: 0,
      rejected: index + 1, rejectsByReason: { UnknownOrder: 1, ...(index === 1 ? { PriceOutOfRange: 1 } : {}) }, unanswered: 0, backpressured: 0 },
    arrivals: { samples: 3 * n, ksStatistic: 0.01 * (index + 1), pValue: 0.5 / (index + 1), passed: true, note: '' },
    latency: histograms.summaries(), histograms: histograms.encode(),
    feed: { fast: { subscribers: 2, frames: 100 * (index + 1), bytes: 1_000, gaps: 0, gapFrames: 0, drops: 0, disconnects: index,
      reconnects: 0, snapshots: 2, protocolErrors: 0 } },
    invariants: { checked: 'nothing (no book state from this target)', violations: [] },
    thresholds: [{ source: 'orders.count > 150', actual: 3 * n - 1, passed: 3 * n - 1 > 150 }, { source: 'order_rtt.p50 < 1s',
      actual: histograms.get('order_rtt').getValueAtPercentile(50) / 1e6, passed: true }],
    knee: null,
    processCpu: { userMs: 100, systemMs: 10, coresUsed: 0.2, engineInProcess: false },
    errors: index === 0 ? ['1 of 2 subscribers did not log in at the start'] : [],
    shard: { index, count, timeZeroEpochMs: TIME_ZERO, clientStreamHashes },
  };
  return { dir, result: overrides === undefined ? result : overrides(result), histograms, intervals };
}

const values = (seed: number, n: number): number[] => {
  const rng = Rng.stream(seed, 0);
  return Array.from({ length: n }, () => Math.round(rng.logNormal(Math.log(2e6), 0.6)));
};

describe('mergeRuns', () => {
  const a = values(1, 90);
  const b = values(2, 110);

  it('adds histograms and intervals, sums counts and recomputes rates, summaries and thresholds exactly', () => {
    const outcome = mergeRuns([shard({ index: 1, count: 2, rttNs: b }), shard({ index: 0, count: 2, rttNs: a })]);
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    const { result, intervals, startEpochMs } = outcome.merged;

    // The summaries are those of one histogram holding every value of both shards.
    const all = new HistogramSet();
    for (const v of [...a, ...b]) all.record('order_rtt', v);
    expect(result.latency.order_rtt).toEqual(all.summaries().order_rtt);
    expect(HistogramSet.decode(result.histograms).get('order_rtt').totalCount).toBe(200);
    expect(intervals.at(0).get('order_rtt').totalCount + intervals.at(1).get('order_rtt').totalCount
      + intervals.at(2).get('order_rtt').totalCount).toBe(200);
    expect(startEpochMs).toBe(TIME_ZERO);

    expect(result.orders).toMatchObject({ generated: 600, sent: 598, acked: 200, fills: 4, canceled: 2, rejected: 3,
      byKind: { limit: 400, cancel: 198 }, rejectsByReason: { UnknownOrder: 2, PriceOutOfRange: 1 } });
    expect(result.phases.map((p) => [p.offered, p.sent, p.offeredRate, p.achievedRate])).toEqual([[200, 198, 200, 198], [400, 400, 400, 200]]);
    // Phase latency comes from the merged per-second intervals: phase a is second 0, phase b seconds 1 and 2.
    expect(result.phases[0]?.latency.order_rtt?.count).toBe(a.filter((_, i) => i % 3 === 0).length + b.filter((_, i) => i % 3 === 0).length);
    expect(result.feed.fast).toMatchObject({ subscribers: 4, frames: 300, disconnects: 1, snapshots: 4 });
    expect(result.errors).toEqual(['shard 0: 1 of 2 subscribers did not log in at the start']);
    expect(result.processCpu).toMatchObject({ userMs: 200, systemMs: 20, coresUsed: 0.4 });

    // Client order, not shard order: the unsharded run's hash.
    expect(result.streamHash).toBe(combineStreamHashes([0, 1, 2, 3].map(clientHash)));
    expect(result.shard).toMatchObject({ index: null, count: 2, timeZeroEpochMs: TIME_ZERO });

    // Each shard alone sent too few orders for `orders.count > 150`; together they did.
    expect(result.thresholds[0]).toEqual({ source: 'orders.count > 150', actual: 598, passed: true });
    expect(result.verdict).toBe('passed');
    expect(result.arrivals).toMatchObject({ samples: 600, ksStatistic: 0.02, pValue: 0.25, passed: true });
  });

  it('fails the arrival check when one shard failed it, and the verdict on an invariant any shard saw', () => {
    const outcome = mergeRuns([
      shard({ index: 0, count: 2, rttNs: a, overrides: (r) => ({ ...r, arrivals: { ...r.arrivals, passed: false, pValue: 0.001 } }) }),
      shard({ index: 1, count: 2, rttNs: b, overrides: (r) => ({ ...r, invariants: { ...r.invariants, violations: ['book crossed'] } }) }),
    ]);
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    expect(outcome.merged.result.arrivals).toMatchObject({ passed: false, pValue: 0.001 });
    expect(outcome.merged.result.arrivals.note).toMatch(/failed: shard 0/);
    expect(outcome.merged.result.invariants.violations).toEqual(['book crossed']);
    expect(outcome.merged.result.verdict).toBe('invariant-failed');
  });

  it('merges the intended times\u2019 tests by the same rule, and leaves them out when a shard has none', () => {
    const intended = (ksStatistic: number, pValue: number) =>
      (r: RunResult): RunResult => ({ ...r, arrivals: { ...r.arrivals, intended: { samples: 300, ksStatistic, pValue, passed: pValue >= 0.01 } } });
    const both = mergeRuns([shard({ index: 0, count: 2, rttNs: a, overrides: intended(0.03, 0.2) }),
      shard({ index: 1, count: 2, rttNs: b, overrides: intended(0.08, 0.004) })]);
    if (!both.ok) throw new Error(both.problems.join('\n'));
    expect(both.merged.result.arrivals.intended).toEqual({ samples: 600, ksStatistic: 0.08, pValue: 0.004, passed: false });
    const one = mergeRuns([shard({ index: 0, count: 2, rttNs: a, overrides: intended(0.03, 0.2) }), shard({ index: 1, count: 2, rttNs: b })]);
    if (!one.ok) throw new Error(one.problems.join('\n'));
    expect(one.merged.result.arrivals.intended).toBeUndefined();
  });

  it('merging the only shard of a 1-shard run gives that run back', () => {
    const only = shard({ index: 0, count: 1, rttNs: a });
    const outcome = mergeRuns([only]);
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    const merged = outcome.merged.result;
    // Everything but what says it is a merge: the command, the shard record, the arrival note and the error prefix.
    const strip = (r: RunResult): unknown => ({ ...r, identity: { ...r.identity, command: '' }, shard: null,
      arrivals: { ...r.arrivals, note: '' }, errors: r.errors.map((e) => e.replace(/^shard 0: /, '')) });
    expect(strip(merged)).toEqual(strip(only.result));
    expect(merged.errors).toEqual(['shard 0: 1 of 2 subscribers did not log in at the start']);
  });

  it('refuses shards of different runs, naming every difference', () => {
    const outcome = mergeRuns([
      shard({ index: 0, count: 2, rttNs: a }),
      shard({ index: 1, count: 2, rttNs: b, overrides: (r) => ({ ...r, seed: 8, scenario: { ...r.scenario, hash: 'other' },
        target: { kind: 'tcp', description: 'tcp://elsewhere:9001' }, identity: { ...r.identity, matchbenchVersion: '0.2.0' } }) }),
      shard({ index: 1, count: 3, rttNs: b }, 'shard-1-of-3'),
    ]);
    expect(outcome.ok).toBe(false);
    const problems = outcome.ok ? [] : outcome.problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^shard-1: scenario hash is "other", but shard-0 has "scenario-hash"/),
      expect.stringMatching(/^shard-1: seed is 8, but shard-0 has 7/),
      expect.stringMatching(/^shard-1: target is "tcp tcp:\/\/elsewhere:9001"/),
      expect.stringMatching(/^shard-1-of-3: shard count is 3, but shard-0 has 2/),
      expect.stringMatching(/^shard-1: matchbench version is "0.2.0", but shard-0 has "0.1.0"/),
    ]));
  });

  it('refuses a duplicated or missing shard, a different time 0, and a directory that is not a shard', () => {
    const twice = mergeRuns([shard({ index: 0, count: 3, rttNs: a }, 'x'), shard({ index: 0, count: 3, rttNs: a }, 'y')]);
    expect(twice.ok ? [] : twice.problems).toEqual([
      'shard 0/3 is given 2 times: x, y',
      'incomplete: shard(s) 1/3, 2/3 missing (need all of 0…2)',
    ]);
    const late = mergeRuns([shard({ index: 0, count: 2, rttNs: a }),
      shard({ index: 1, count: 2, rttNs: b, overrides: (r) => ({ ...r, shard: { ...r.shard!, timeZeroEpochMs: TIME_ZERO + 250 } }) })]);
    expect(late.ok ? [] : late.problems).toEqual([expect.stringMatching(/^shard-1: time 0 \(--start-at, epoch ms\) is 1800000000250/)]);
    const plain = mergeRuns([shard({ index: 0, count: 1, rttNs: a, overrides: ({ shard: _s, ...r }) => r }, 'plain')]);
    expect(plain.ok ? [] : plain.problems).toEqual(['plain: not a shard (its run had no --shard i/N)']);
    expect(mergeRuns([]).ok).toBe(false);
  });
});
