import type * as hdr from 'hdr-histogram-js';
import { HistogramSet } from '../harness/record/HistogramSet.js';
import { bootstrapPercentileDifference, type DifferenceInterval } from './bootstrapPercentileDifference.js';
import { mannWhitneyU } from './mannWhitneyU.js';
import type { RunDirectory } from './readRunDirectory.js';

/** Statistics compared per latency histogram, and what each reads (percentile; 100 = max). */
export const COMPARED_STATS = { p50: 50, p90: 90, p99: 99, 'p99.9': 99.9, max: 100 } as const;
export type LatencyStat = keyof typeof COMPARED_STATS;

/** A regression gate: `p99 +10%` (every histogram's p99), `order_rtt.p99 +10%`, `throughput -5%`. */
export interface GateRule {
  readonly source: string;
  /** The histogram it applies to, or null for every histogram (latency stats) / the run (throughput). */
  readonly metric: string | null;
  readonly stat: LatencyStat | 'throughput';
  /** Allowed change in %: positive for latency (higher is worse), negative for throughput (lower is worse). */
  readonly limitPct: number;
}

/** Parses gate rules; returns every problem at once. */
export function parseGateRules(sources: readonly string[]): { ok: true; rules: GateRule[] } | { ok: false; problems: string[] } {
  const rules: GateRule[] = [];
  const problems: string[] = [];
  for (const source of sources) {
    const m = /^\s*(?:([\w.]+)\.)?(p50|p90|p99|p99\.9|max|throughput)\s+([+-]\d+(?:\.\d+)?)%\s*$/.exec(source);
    if (m === null) {
      problems.push(`gate "${source}": expected "<stat> <+|-><n>%" with stat p50, p90, p99, p99.9, max or throughput, optionally after a histogram name (order_rtt.p99 +10%)`);
      continue;
    }
    const stat = m[2] as LatencyStat | 'throughput';
    const limitPct = Number(m[3]);
    if (stat === 'throughput' && (m[1] !== undefined || limitPct >= 0)) {
      problems.push(`gate "${source}": throughput takes no histogram name and a negative limit (throughput -5%)`);
    } else if (stat !== 'throughput' && limitPct <= 0) {
      problems.push(`gate "${source}": a latency limit is a positive change (p99 +10%)`);
    } else {
      rules.push({ source: source.trim(), metric: m[1] ?? null, stat, limitPct });
    }
  }
  return problems.length === 0 ? { ok: true, rules } : { ok: false, problems };
}

/** Gates used when none are given. */
export const DEFAULT_GATES = ['p99 +10%', 'throughput -5%'] as const;

/** Options of {@link compareRuns}; each documents its default. */
export interface CompareOptions {
  /** Regression gates. Default {@link DEFAULT_GATES}. */
  readonly gates?: readonly GateRule[];
  /** Significance level of each test. Default 0.01 (many metrics are tested at once). */
  readonly alpha?: number;
  /** Runs per side from which repeats are the samples (one value per run). Default 5. */
  readonly minRepeats?: number;
  /** Fewest samples per side a test is run on; below it: "too little data". Default 5. */
  readonly minSamples?: number;
  /** A second counts as a sample of a latency statistic only with this many values in it. Default 10. */
  readonly minIntervalCount?: number;
  /** Seed of the bootstrap. Default 1. */
  readonly seed?: number;
}

export const COMPARE_DEFAULTS = { alpha: 0.01, minRepeats: 5, minSamples: 5, minIntervalCount: 10, seed: 1 } as const;

export type CompareVerdict = 'too little data' | 'no significant change' | 'significantly higher' | 'significantly lower' | 'no change';

/** One metric compared. */
export interface CompareRow {
  /** `order_rtt.p99`, `throughput`, `feed_gaps.fast`, `feed_drops.slow`. */
  readonly name: string;
  readonly unit: 'ns' | 'per-second' | 'count';
  readonly baseline: number;
  readonly candidate: number;
  /** (candidate − baseline) / baseline in %, null when the baseline is 0. */
  readonly changePct: number | null;
  /** What the test ran over: one value per run, or per-second values of every run. */
  readonly samples: 'runs' | 'seconds' | 'none';
  readonly sampleCounts: readonly [number, number];
  readonly pValue: number | null;
  readonly verdict: CompareVerdict;
  /** For p99: the bootstrap interval of candidate − baseline (ns). */
  readonly p99DifferenceCi: DifferenceInterval | null;
  /** The gate that this row breaks (significant and beyond the limit in the bad direction), or null. */
  readonly regression: string | null;
}

export interface CompareResult {
  readonly baseline: readonly string[];
  readonly candidate: readonly string[];
  readonly gates: readonly string[];
  readonly alpha: number;
  readonly rows: readonly CompareRow[];
  readonly regressions: readonly string[];
  /** Notes for the reader (different scenarios, identities). */
  readonly notes: readonly string[];
}

const ANSWERS = ['order_rtt', 'cancel_rtt', 'replace_rtt'];

function merged(runs: readonly RunDirectory[]): HistogramSet {
  const set = new HistogramSet();
  for (const r of runs) set.add(r.histograms);
  return set;
}
const statOf = (h: hdr.Histogram, p: number): number => (p >= 100 ? h.maxValue : h.getValueAtPercentile(p));
const answered = (set: HistogramSet): number => ANSWERS.reduce((n, m) => n + (set.find(m)?.totalCount ?? 0), 0);
/** Whole seconds a run lasted: its later intervals are partial. */
const fullSeconds = (r: RunDirectory): number => Math.max(0, Math.floor(r.result.durationMs / 1_000));

/**
 * Compares a baseline and a candidate (each one run directory or several repeats): throughput,
 * p50/p90/p99/p99.9/max of every histogram both have, feed gaps and drops per class. Values come
 * from the runs' histograms added together. Significance is a Mann-Whitney U test over one value
 * per run when both sides have `minRepeats` runs, else over per-second values from the interval
 * logs; with fewer than `minSamples` on a side the verdict is "too little data". p99 rows carry a
 * seeded bootstrap interval of the difference. A row is a regression when it is significant and
 * beyond a gate in the bad direction.
 */
export function compareRuns(baseline: readonly RunDirectory[], candidate: readonly RunDirectory[], options: CompareOptions = {}): CompareResult {
  if (baseline.length === 0 || candidate.length === 0) throw new RangeError('compareRuns needs at least one run on each side');
  const alpha = options.alpha ?? COMPARE_DEFAULTS.alpha;
  const minSamples = options.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const minIntervalCount = options.minIntervalCount ?? COMPARE_DEFAULTS.minIntervalCount;
  const useRuns = Math.min(baseline.length, candidate.length) >= (options.minRepeats ?? COMPARE_DEFAULTS.minRepeats);
  const gates = options.gates ?? (parseGateRules(DEFAULT_GATES) as { rules: GateRule[] }).rules;
  const A = merged(baseline);
  const B = merged(candidate);
  const rows: CompareRow[] = [];
  const notes: string[] = [];
  const scenarios = new Set([...baseline, ...candidate].map((r) => r.result.scenario.hash));
  if (scenarios.size > 1) notes.push('the runs are of different scenarios (scenario hashes differ): the comparison may mean little');

  const decide = (name: string, unit: CompareRow['unit'], a: number, b: number, sa: number[] | null, sb: number[] | null,
    ci: DifferenceInterval | null, gate: (changePct: number, higher: boolean) => string | null): void => {
    const changePct = a === 0 ? null : (100 * (b - a)) / a;
    const counts: [number, number] = [sa?.length ?? 0, sb?.length ?? 0];
    let verdict: CompareVerdict;
    let pValue: number | null = null;
    if (a === b && (sa === null || sa.length < minSamples)) verdict = a === 0 ? 'no change' : 'too little data';
    else if (sa === null || sb === null || sa.length < minSamples || sb.length < minSamples) verdict = 'too little data';
    else {
      pValue = mannWhitneyU(sb, sa).pValue;
      verdict = pValue >= alpha ? 'no significant change' : b > a ? 'significantly higher' : 'significantly lower';
    }
    const significant = verdict === 'significantly higher' || verdict === 'significantly lower';
    const regression = significant && changePct !== null ? gate(changePct, b > a) : null;
    rows.push({ name, unit, baseline: a, candidate: b, changePct, samples: sa === null ? 'none' : useRuns ? 'runs' : 'seconds',
      sampleCounts: counts, pValue, verdict, p99DifferenceCi: ci, regression });
  };

  // Throughput: answers per second.
  const perSecondAnswers = (runs: readonly RunDirectory[]): number[] => runs.flatMap((r) => {
    const out: number[] = [];
    for (const { startMs, set } of r.intervals.entries()) if (startMs / 1_000 < fullSeconds(r)) out.push(answered(set));
    return out;
  });
  const throughput = (runs: readonly RunDirectory[]): number =>
    answered(merged(runs)) / (runs.reduce((s, r) => s + r.result.durationMs, 0) / 1_000);
  const throughputGate = gates.find((g) => g.stat === 'throughput');
  decide('throughput', 'per-second', throughput(baseline), throughput(candidate),
    useRuns ? baseline.map((r) => throughput([r])) : perSecondAnswers(baseline),
    useRuns ? candidate.map((r) => throughput([r])) : perSecondAnswers(candidate), null,
    (change, higher) => (throughputGate !== undefined && !higher && change < throughputGate.limitPct ? throughputGate.source : null));

  // Latency: every histogram both sides have.
  const intervalsOf = (runs: readonly RunDirectory[], metric: string): hdr.Histogram[] => runs.flatMap((r) => {
    const out: hdr.Histogram[] = [];
    for (const { set } of r.intervals.entries()) {
      const h = set.find(metric);
      if (h !== undefined && h.totalCount > 0) out.push(h);
    }
    return out;
  });
  for (const metric of A.names().filter((m) => B.find(m) !== undefined)) {
    const ha = A.get(metric);
    const hb = B.get(metric);
    if (ha.totalCount === 0 || hb.totalCount === 0) continue;
    const ia = intervalsOf(baseline, metric);
    const ib = intervalsOf(candidate, metric);
    for (const [stat, p] of Object.entries(COMPARED_STATS) as [LatencyStat, number][]) {
      const samples = (runs: readonly RunDirectory[], intervals: hdr.Histogram[]): number[] => (useRuns
        ? runs.map((r) => r.histograms.find(metric)).filter((h): h is hdr.Histogram => h !== undefined && h.totalCount > 0).map((h) => statOf(h, p))
        : intervals.filter((h) => h.totalCount >= minIntervalCount).map((h) => statOf(h, p)));
      const gate = gates.find((g) => g.stat === stat && (g.metric === null || g.metric === metric));
      decide(`${metric}.${stat}`, 'ns', statOf(ha, p), statOf(hb, p), samples(baseline, ia), samples(candidate, ib),
        stat === 'p99' ? bootstrapPercentileDifference(ia, ib, 99, { seed: options.seed ?? COMPARE_DEFAULTS.seed }) : null,
        (change, higher) => (gate !== undefined && higher && change > gate.limitPct ? gate.source : null));
    }
  }

  // Feed: gaps and drops per class, tested over repeats only (a run has one count).
  const classes = [...new Set([...baseline, ...candidate].flatMap((r) => Object.keys(r.result.feed)))].sort();
  for (const c of classes) {
    for (const [field, label] of [['gaps', 'feed_gaps'], ['drops', 'feed_drops']] as const) {
      const per = (runs: readonly RunDirectory[]): number[] => runs.map((r) => r.result.feed[c]?.[field] ?? 0);
      const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
      decide(`${label}.${c}`, 'count', sum(per(baseline)) / baseline.length, sum(per(candidate)) / candidate.length,
        useRuns ? per(baseline) : null, useRuns ? per(candidate) : null, null, () => null);
    }
  }
  const regressions = rows.filter((r) => r.regression !== null).map((r) =>
    `${r.name}: ${r.changePct === null ? '' : `${r.changePct > 0 ? '+' : ''}${r.changePct.toFixed(1)}% `}(gate ${r.regression}, p=${r.pValue?.toPrecision(2)})`);
  return { baseline: baseline.map((r) => r.dir), candidate: candidate.map((r) => r.dir), gates: gates.map((g) => g.source), alpha, rows,
    regressions, notes };
}
