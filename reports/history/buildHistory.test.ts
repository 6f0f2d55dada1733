import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRunDirectory } from '../readRunDirectory.js';
import { buildHistory, type HistoryResult, type HistoryRun, type MetricHistory } from './buildHistory.js';
import { findRunDirectories } from './findRunDirectories.js';
import { nightStart, NIGHTLY, writeSyntheticNightly, writeSyntheticRun } from './syntheticRun.testkit.js';

const { nights: NIGHTS, stepNight: STEP_NIGHT } = NIGHTLY;

const readAll = (root: string): HistoryRun[] => findRunDirectories(root).map((f) => ({ run: readRunDirectory(f.dir), night: f.night }));
const built = (runs: readonly HistoryRun[], options: Parameters<typeof buildHistory>[1] = {}): HistoryResult => {
  const r = buildHistory(runs, options);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.history;
};
const metricOf = (h: HistoryResult, scenario: string, metric: string): MetricHistory => {
  const m = h.scenarios.find((s) => s.scenario === scenario)?.metrics.find((x) => x.metric === metric);
  if (m === undefined) throw new Error(`no ${scenario} ${metric}`);
  return m;
};

describe('buildHistory on nightly run directories', () => {
  let root = '';
  let runs: HistoryRun[] = [];
  let history: HistoryResult;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-'));
    writeSyntheticNightly(root);
    runs = readAll(root);
    history = built(runs);
  }, 60_000);

  it('finds every run two levels down, groups them by scenario and orders the nights by start, not by name', () => {
    expect(runs).toHaveLength(NIGHTS * 2 * 2);
    expect(history.scenarios.map((s) => s.scenario)).toEqual(['rate-y', 'steady-x']);
    const steady = history.scenarios.find((s) => s.scenario === 'steady-x');
    expect(steady?.nights.map((n) => n.key)).toEqual(Array.from({ length: NIGHTS }, (_, k) => `night-${(NIGHTS - k) * 7}`));
    expect(steady?.nights[0]?.runs).toHaveLength(2);
    expect(steady?.nights[0]?.seeds).toEqual([1_000, 1_001]);
    expect(steady?.nights[0]?.commits).toEqual(['aaaaaaaaaaaaaaaa']);
    expect(steady?.nights[STEP_NIGHT]?.commits).toEqual(['bbbbbbbbbbbbbbbb']);
  });

  it('takes the median of each night\'s repeats as its value and keeps every run\'s value', () => {
    const p50 = metricOf(history, 'steady-x', 'order_rtt.p50');
    for (const [night, values] of p50.runValues.entries()) {
      expect(values, `night ${night}`).toHaveLength(2);
      expect(p50.values[night]).toBeCloseTo(((values[0] as number) + (values[1] as number)) / 2, 6);
    }
    expect(p50.first).toBeGreaterThan(900_000);
    expect(p50.last).toBeGreaterThan(1_200_000);
    // Metrics named as compare names them.
    const names = history.scenarios.find((s) => s.scenario === 'steady-x')?.metrics.map((m) => m.metric);
    expect(names?.slice(0, 6)).toEqual(['throughput', 'order_rtt.p50', 'order_rtt.p90', 'order_rtt.p99', 'order_rtt.p99.9', 'order_rtt.max']);
    expect(names).toEqual(expect.arrayContaining(['order_service_time.p99', 'feed_gaps.fast', 'feed_drops.fast', 'errors']));
  });

  it('marks the latency step at night 8 as a change point and a regression of the latest segment', () => {
    for (const metric of ['order_rtt.p50', 'order_rtt.p90', 'order_service_time.p50']) {
      const m = metricOf(history, 'steady-x', metric);
      expect(m.changePoints.map((c) => c.index), metric).toEqual([STEP_NIGHT]);
      const c = m.changePoints[0];
      expect(c?.night).toBe(`night-${(NIGHTS - STEP_NIGHT) * 7}`);
      expect(c?.regression).toBe(true);
      expect(c?.changePct).toBeGreaterThan(25);
      expect(c?.changePct).toBeLessThan(35);
      expect(c?.pValue).toBeLessThanOrEqual(history.alpha);
      expect(m.latestRegression).toBe(c);
      expect(m.segmentMeans[0]).toBeCloseTo(c?.before as number, 6);
      expect(m.segmentMeans[NIGHTS - 1]).toBeCloseTo(c?.after as number, 6);
    }
    expect(metricOf(history, 'steady-x', 'throughput').changePoints).toEqual([]);
    expect(metricOf(history, 'steady-x', 'feed_gaps.fast').changePoints).toEqual([]);
    expect(history.regressions).toEqual(expect.arrayContaining([expect.stringMatching(/^steady-x order_rtt\.p50: \+\d+\.\d% since night night-42 \(p=/)]));
  });

  it('calls a throughput drop a regression and a latency drop an improvement', () => {
    const throughput = metricOf(history, 'rate-y', 'throughput');
    expect(throughput.changePoints.map((c) => [c.index, c.regression, Math.round(c.changePct ?? 0)])).toEqual([[6, true, -20]]);
    const p50 = metricOf(history, 'rate-y', 'order_rtt.p50');
    expect(p50.changePoints.map((c) => [c.index, c.regression])).toEqual([[6, false]]);
    expect(p50.latestRegression).toBeNull();
    expect(history.regressions.filter((r) => r.startsWith('rate-y '))).toEqual([expect.stringMatching(/^rate-y throughput: −20\.0% since night night-56 /)]);
  });

  it('gives the same change points for the same seed, whichever metrics are asked for', () => {
    const again = built(runs, { metrics: ['order_rtt.p99'], scenarios: ['steady-x'] });
    expect(again.scenarios.map((s) => s.scenario)).toEqual(['steady-x']);
    expect(again.scenarios[0]?.metrics.map((m) => m.metric)).toEqual(['order_rtt.p99']);
    expect(metricOf(again, 'steady-x', 'order_rtt.p99')).toEqual(metricOf(history, 'steady-x', 'order_rtt.p99'));
    expect(built(runs, { metrics: ['order_rtt'] }).scenarios[0]?.metrics.map((m) => m.metric))
      .toEqual(['order_rtt.p50', 'order_rtt.p90', 'order_rtt.p99', 'order_rtt.p99.9', 'order_rtt.max']);
  });

  it('names every filter that matches nothing, with the nearest name', () => {
    const r = buildHistory(runs, { metrics: ['order_rt.p99', 'throughput'], scenarios: ['steady-z'] });
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^--scenario steady-z: no run of that scenario \(did you mean "steady-x"\?\); the runs are of: rate-y, steady-x$/);
    expect(problems[1]).toMatch(/^--metric order_rt\.p99: no run has that metric \(did you mean "order_rtt\.p99"\?\)/);
  });
});

describe('buildHistory on a metric that only later nights have', () => {
  it('leaves the nights without it empty and puts its change point at the right night', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-late-'));
    for (let night = 0; night < 12; night++) {
      writeSyntheticRun(path.join(root, `n${night}`, 'run'), { scenario: 'late', seed: night, startedAt: nightStart('2026-11-01', night),
        orderRttNs: 500_000, ...(night >= 2 ? { feed: { slow: { gaps: night >= 7 ? 5 : 0, drops: 0 } } } : {}),
        ...(night >= 9 ? { errors: ['a client could not connect'] } : {}) });
    }
    const h = built(readAll(root), { metrics: ['feed_gaps', 'errors'], alpha: 0.05 });
    const gaps = metricOf(h, 'late', 'feed_gaps.slow');
    expect(gaps.values).toEqual([null, null, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5]);
    expect(gaps.segmentMeans).toEqual([null, null, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5]);
    expect(gaps.changePoints.map((c) => [c.night, c.before, c.after, c.changePct, c.regression])).toEqual([['n7', 0, 5, null, true]]);
    expect(gaps.first).toBe(0);
    expect(metricOf(h, 'late', 'errors').changePoints.map((c) => [c.index, c.regression])).toEqual([[9, true]]);
    expect(h.regressions).toEqual([expect.stringMatching(/^late feed_gaps\.slow: 0 → 5 since night n7 /), expect.stringMatching(/^late errors: 0 → 1 since night n9 /)]);
  });
});

describe('buildHistory on runs right under the directory', () => {
  it('makes one night of the runs that started on the same UTC date, and says when there are too few nights', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-flat-'));
    for (const [i, startedAt] of [nightStart('2026-11-01', 0), nightStart('2026-11-01', 0, 90), nightStart('2026-11-01', 1)].entries()) {
      writeSyntheticRun(path.join(root, `smoke-${i}`), { scenario: 'smoke', seed: i, startedAt, orderRttNs: 500_000 });
    }
    const found = findRunDirectories(root);
    expect(found.map((f) => f.night)).toEqual([null, null, null]);
    const h = built(found.map((f) => ({ run: readRunDirectory(f.dir), night: f.night })));
    expect(h.scenarios[0]?.nights.map((n) => [n.key, n.runs.length])).toEqual([['2026-11-01', 2], ['2026-11-02', 1]]);
    expect(h.scenarios[0]?.notes).toEqual(['2 night(s): change points need at least 3 nights on each side (6 in all)']);
    expect(metricOf(h, 'smoke', 'order_rtt.p50').changePoints).toEqual([]);
  });
});
