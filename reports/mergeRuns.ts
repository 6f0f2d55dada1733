import { combineStreamHashes } from '../harness/generate/combineStreamHashes.js';
import { HistogramSet } from '../harness/record/HistogramSet.js';
import { IntervalSeries } from '../harness/record/IntervalSeries.js';
import { evaluateThresholds, type Measured } from '../harness/run/evaluateThresholds.js';
import { parseThreshold } from '../harness/scenario/parseThreshold.js';
import type { Threshold } from '../harness/scenario/Scenario.js';
import type { RunDirectory } from './readRunDirectory.js';
import type { ArrivalCheck, ArrivalTest, FeedClassResult, KneeResult, PhaseResult, RunFeedLayout, RunMoldFigures, RunResult, RunVerdict } from './RunResult.js';

/** A merged run: what `matchbench merge` writes as a run directory (writeRunDirectory's arguments). */
export interface MergedRun {
  readonly result: RunResult;
  readonly intervals: IntervalSeries;
  /** The shards' shared time 0, epoch ms. */
  readonly startEpochMs: number;
}

/** Result of {@link mergeRuns}: the merged run, or every reason the shards do not make one run. */
export type MergeOutcome =
  | { readonly ok: true; readonly merged: MergedRun }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Metrics whose per-phase summaries a run records (as runScenario does, from the per-second intervals). */
const PHASE_METRICS = ['order_rtt', 'order_service_time', 'fill_rtt'] as const;

/** Checks that the shards are the N parts of one run: same scenario, seed, target, shard count, time 0 and matchbench version; indexes 0 … N−1 once each. */
function shardProblems(shards: readonly RunDirectory[]): string[] {
  if (shards.length === 0) return ['no shard directories given'];
  const problems: string[] = [];
  for (const s of shards) {
    if (s.result.shard === undefined) problems.push(`${s.dir}: not a shard (its run had no --shard i/N)`);
    else if (s.result.shard.index === null) problems.push(`${s.dir}: already a merged run, not a shard`);
  }
  if (problems.length > 0) return problems;
  const first = shards[0] as RunDirectory;
  const same = (what: string, pick: (r: RunResult) => unknown): void => {
    const want = JSON.stringify(pick(first.result));
    for (const s of shards.slice(1)) {
      const got = JSON.stringify(pick(s.result));
      if (got !== want) problems.push(`${s.dir}: ${what} is ${got}, but ${first.dir} has ${want}; shards of one run share it`);
    }
  };
  same('scenario hash', (r) => r.scenario.hash);
  same('seed', (r) => r.seed);
  same('target', (r) => `${r.target.kind} ${r.target.description}`);
  same('shard count', (r) => r.shard?.count);
  same('time 0 (--start-at, epoch ms)', (r) => r.shard?.timeZeroEpochMs);
  // Another version may generate other orders from the same seed: the parts would not be one run.
  same('matchbench version', (r) => r.identity.matchbenchVersion);
  if (problems.length > 0) return problems;

  const count = first.result.shard?.count ?? 0;
  const byIndex = new Map<number, string[]>();
  for (const s of shards) {
    const index = s.result.shard?.index as number;
    byIndex.set(index, [...(byIndex.get(index) ?? []), s.dir]);
  }
  for (const [index, dirs] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (index >= count) problems.push(`shard ${index}/${count} (${dirs.join(', ')}): index out of range 0…${count - 1}`);
    if (dirs.length > 1) problems.push(`shard ${index}/${count} is given ${dirs.length} times: ${dirs.join(', ')}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) problems.push(`incomplete: shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing (need all of 0…${count - 1})`);
  return problems;
}

/** Adds number fields of records key by key. */
function addRecords(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Phase summaries from the merged per-second intervals, as runScenario builds them. */
function phaseLatency(intervals: IntervalSeries, startMs: number, durationMs: number): PhaseResult['latency'] {
  const set = new HistogramSet();
  for (const { startMs: s, set: interval } of intervals.entries()) {
    if (s < startMs || s >= startMs + durationMs) continue;
    for (const name of PHASE_METRICS) {
      const h = interval.find(name);
      if (h !== undefined) set.get(name).add(h);
    }
  }
  return set.summaries();
}

function kneeOf(knee: KneeResult | null, phases: readonly PhaseResult[]): KneeResult | null {
  if (knee === null) return null;
  const rows = phases.map((ph) => {
    const s = ph.latency[knee.metric] ?? ph.latency.order_rtt;
    return { phase: ph.name, offeredRate: ph.offeredRate, achievedRate: ph.achievedRate,
      p50Ms: (s?.p50Ns ?? 0) / 1e6, p99Ms: (s?.p99Ns ?? 0) / 1e6, p999Ms: (s?.p999Ns ?? 0) / 1e6 };
  });
  return { metric: knee.metric, p99LimitMs: knee.p99LimitMs, kneePhase: rows.find((r) => r.p99Ms > knee.p99LimitMs)?.phase ?? null, rows };
}

/**
 * The arrival check of a sharded run. Each shard KS-tested its own sends against its share of the
 * rate; the shards' send times are not in the run directories, so the merged check cannot be
 * recomputed on all sends at once. It passes only if every shard passed; samples are summed, the
 * statistic is the largest and the p-value the smallest of the shards'.
 */
function mergeArrivals(shards: readonly RunResult[]): ArrivalCheck {
  const failed = shards.filter((r) => !r.arrivals.passed).map((r) => r.shard?.index);
  const intended = shards.map((r) => r.arrivals.intended);
  return {
    ...mergeArrivalTests(shards.map((r) => r.arrivals)),
    note: `${shards.length} shard(s), each tested against its share of the rate; passed only if every shard passed` +
      (failed.length === 0 ? '' : ` (failed: shard ${failed.join(', ')})`) + '; statistic the largest, p-value the smallest of the shards\u2019',
    // The intended times by the same rule, when every shard tested them.
    ...(intended.every((t) => t !== undefined) ? { intended: mergeArrivalTests(intended as ArrivalTest[]) } : {}),
  };
}

/** Shards' arrival tests as one: samples summed, the largest statistic, the smallest p-value, passed if every shard passed. */
function mergeArrivalTests(tests: readonly ArrivalTest[]): ArrivalTest {
  return {
    samples: tests.reduce((s, t) => s + t.samples, 0),
    ksStatistic: Math.max(...tests.map((t) => t.ksStatistic)),
    pValue: Math.min(...tests.map((t) => t.pValue)),
    passed: tests.every((t) => t.passed),
  };
}

function mergeFeed(shards: readonly RunResult[]): Record<string, FeedClassResult> {
  const out: Record<string, FeedClassResult> = {};
  for (const r of shards) {
    for (const [name, f] of Object.entries(r.feed)) {
      const prior = out[name];
      out[name] = prior === undefined ? { ...f }
        : addRecords([prior, f] as unknown as Record<string, number>[]) as unknown as FeedClassResult;
    }
  }
  return out;
}

/** The shards' layout feed (target md-layout=): frames per type and end verdicts summed, what was not checked once each. */
function mergeFeedLayout(shards: readonly RunResult[]): { feedLayout?: RunFeedLayout } {
  const layouts = shards.flatMap((r) => (r.feedLayout === undefined ? [] : [r.feedLayout]));
  const first = layouts[0];
  if (first === undefined) return {};
  return { feedLayout: { file: first.file, name: first.name, framesByType: addRecords(layouts.map((l) => l.framesByType)),
    verdicts: addRecords(layouts.map((l) => l.verdicts)), notChecked: [...new Set(layouts.flatMap((l) => l.notChecked))],
    ...(layouts.every((l) => l.mold === undefined) ? {} : {
      mold: addRecords(layouts.flatMap((l) => (l.mold === undefined ? [] : [l.mold as unknown as Record<string, number>]))) as unknown as RunMoldFigures }) } };
}

/**
 * Combines the run directories of the N shards of a sharded run (`run --shard i/N`) into the one
 * run they make, exactly: histograms decoded and added (summaries recomputed from them), counts and
 * rejects by reason summed, per-phase offered and sent summed with rates recomputed, per-second
 * intervals added, feed classes summed, invariant violations unioned, errors prefixed by shard,
 * the stream hash recombined from the clients' hashes in client order (equal to the unsharded
 * run's), thresholds re-evaluated and the verdict recomputed. Arrivals: see {@link mergeArrivals}.
 * Pure: reads nothing, writes nothing. Refuses (every problem at once) shards that are not the N
 * parts of one run.
 */
export function mergeRuns(shards: readonly RunDirectory[], command = 'matchbench merge'): MergeOutcome {
  const problems = shardProblems(shards);
  if (problems.length > 0) return { ok: false, problems };
  const ordered = [...shards].sort((a, b) => (a.result.shard?.index ?? 0) - (b.result.shard?.index ?? 0));
  const results = ordered.map((s) => s.result);
  const first = results[0] as RunResult;
  const shardInfo = first.shard as NonNullable<RunResult['shard']>;

  const clientStreamHashes: Record<string, string> = {};
  for (const r of results) Object.assign(clientStreamHashes, r.shard?.clientStreamHashes);
  const clients = Object.keys(clientStreamHashes).map(Number).sort((a, b) => a - b);
  const gaps = clients.filter((c, i) => c !== i);
  if (gaps.length > 0 || clients.length === 0) {
    return { ok: false, problems: [`the shards' order-entry clients are not 0…${clients.length - 1} exactly (got ${clients.join(', ')}); ` +
      'were they run with the same scenario and --shard count?'] };
  }
  const thresholdSpecs: Threshold[] = [];
  for (const t of first.thresholds) {
    const parsed = parseThreshold(t.source);
    if (parsed.ok) thresholdSpecs.push(parsed.threshold);
    else problems.push(`threshold "${t.source}" of ${ordered[0]?.dir}: ${parsed.problems.join('; ')}`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const histograms = new HistogramSet();
  const intervals = new IntervalSeries();
  for (const s of ordered) {
    histograms.add(s.histograms);
    intervals.add(s.intervals);
  }
  const phases: PhaseResult[] = first.phases.map((phase, i) => {
    const parts = results.map((r) => r.phases[i] as PhaseResult);
    const sent = parts.reduce((s, p) => s + p.sent, 0);
    return { name: phase.name, startMs: phase.startMs, durationMs: phase.durationMs,
      offered: parts.reduce((s, p) => s + p.offered, 0), offeredRate: parts.reduce((s, p) => s + p.offeredRate, 0),
      sent, achievedRate: sent / (phase.durationMs / 1000), latency: phaseLatency(intervals, phase.startMs, phase.durationMs) };
  });
  const sum = (f: (r: RunResult) => number): number => results.reduce((s, r) => s + f(r), 0);
  const o = (r: RunResult): RunResult['orders'] => r.orders;
  const violations = [...new Set(results.flatMap((r) => r.invariants.violations))];
  const checked = [...new Set(results.map((r) => r.invariants.checked))].join('; ');
  const stateHashes = new Set(results.map((r) => r.finalStateHash));
  const startedAt = results.map((r) => r.startedAt).sort()[0] as string;
  const endedAt = results.map((r) => r.endedAt).sort().at(-1) as string;
  const timeZero = shardInfo.timeZeroEpochMs;

  const measured: Measured = {
    schema: first.schema, version: first.version,
    identity: { ...first.identity, command },
    scenario: first.scenario,
    seed: first.seed,
    streamHash: combineStreamHashes(clients.map((c) => clientStreamHashes[String(c)] as string)),
    target: first.target,
    finalStateHash: stateHashes.size === 1 ? first.finalStateHash : null,
    startedAt, endedAt,
    durationMs: Math.max(0, Math.round(Date.parse(endedAt) - timeZero)),
    interrupted: results.some((r) => r.interrupted),
    phases,
    orders: {
      generated: sum((r) => o(r).generated), sent: sum((r) => o(r).sent), byKind: addRecords(results.map((r) => o(r).byKind)),
      acked: sum((r) => o(r).acked), fills: sum((r) => o(r).fills), canceled: sum((r) => o(r).canceled),
      replaced: sum((r) => o(r).replaced), rejected: sum((r) => o(r).rejected),
      rejectsByReason: addRecords(results.map((r) => o(r).rejectsByReason)), unanswered: sum((r) => o(r).unanswered),
      backpressured: sum((r) => o(r).backpressured),
    },
    arrivals: mergeArrivals(results),
    latency: histograms.summaries(),
    histograms: histograms.encode(),
    feed: mergeFeed(results),
    ...mergeFeedLayout(results),
    invariants: { checked, violations },
    knee: kneeOf(first.knee, phases),
    // Each shard's own process (its own machine, in a Kubernetes job): the total is what the load generators cost together.
    processCpu: { userMs: sum((r) => r.processCpu.userMs), systemMs: sum((r) => r.processCpu.systemMs),
      coresUsed: Number(sum((r) => r.processCpu.coresUsed).toFixed(3)), engineInProcess: results.some((r) => r.processCpu.engineInProcess) },
    errors: results.flatMap((r) => r.errors.map((e) => `shard ${r.shard?.index}: ${e}`)),
    shard: { index: null, count: shardInfo.count, timeZeroEpochMs: timeZero, clientStreamHashes },
  };
  const thresholds = evaluateThresholds(measured, thresholdSpecs);
  // Fuzz clients run on shard 0 only (harness/run/shardShare.ts): its outcome is the run's.
  const fuzz = results.find((r) => r.fuzz !== undefined)?.fuzz;
  const verdict: RunVerdict = violations.length > 0 || (fuzz?.failed ?? 0) > 0 ? 'invariant-failed'
    : thresholds.some((t) => !t.passed) ? 'thresholds-failed' : 'passed';
  return { ok: true, merged: { result: { ...measured, verdict, thresholds, ...(fuzz === undefined ? {} : { fuzz }) }, intervals,
    startEpochMs: timeZero } };
}
