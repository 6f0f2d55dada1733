import type * as hdr from 'hdr-histogram-js';
import { HistogramSet } from '../harness/record/HistogramSet.js';
import { bootstrapPercentileDifference, type DifferenceInterval } from './bootstrapPercentileDifference.js';
import { mannWhitneyU, smallestTwoSidedPValue } from './mannWhitneyU.js';
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
  /** Family-wise significance level: of the gated rows together, and of the other rows together (Holm). Default 0.05. */
  readonly alpha?: number;
  /** Seconds left out at the start of every run (JIT warm-up, connection set-up), rounded up to whole seconds (the interval log's). Default 1. */
  readonly warmupSeconds?: number;
  /** A second counts in the p99 bootstrap only with this many values of the histogram in it. Default 10. */
  readonly minIntervalCount?: number;
  /** Seed of the bootstrap. Default 1. */
  readonly seed?: number;
}

export const COMPARE_DEFAULTS = { alpha: 0.05, warmupSeconds: 1, minIntervalCount: 10, seed: 1 } as const;

export type CompareVerdict = 'too little data' | 'no significant change' | 'significantly higher' | 'significantly lower' | 'no change';

/** One metric compared. */
export interface CompareRow {
  /** `order_rtt.p99`, `throughput`, `feed_gaps.fast`, `feed_drops.slow`. */
  readonly name: string;
  readonly unit: 'ns' | 'per-second' | 'count';
  /** The side's value: from its runs' histograms added together (warm-up left out); counts are means per run. */
  readonly baseline: number;
  readonly candidate: number;
  /** (candidate − baseline) / baseline in %, null when the baseline is 0. */
  readonly changePct: number | null;
  /** The value of each run (the samples of the test), in run order. */
  readonly baselineRuns: readonly number[];
  readonly candidateRuns: readonly number[];
  /** The gate that applies to this row, or null (an informational row). */
  readonly gate: string | null;
  /** Mann-Whitney U over the runs' values, two-sided, raw (for information where the row is "too little data"); null when untested. */
  readonly pValue: number | null;
  /** `pValue` adjusted by Holm's method within the row's family (gated rows, or the others); compared with alpha. */
  readonly pAdjusted: number | null;
  readonly verdict: CompareVerdict;
  /** For p99: the bootstrap interval of candidate − baseline (ns), over per-second histograms. */
  readonly p99DifferenceCi: DifferenceInterval | null;
  /** The gate that this row breaks, or null: see {@link compareRuns}. */
  readonly regression: string | null;
}

export interface CompareResult {
  readonly baseline: readonly string[];
  readonly candidate: readonly string[];
  readonly gates: readonly string[];
  readonly alpha: number;
  readonly warmupSeconds: number;
  /** False when the runs are too few for any gated row to be decided: the gate could not fire, whatever the data. */
  readonly decided: boolean;
  /** Runs per side the gated rows need to be decidable at alpha (Holm's first step). */
  readonly runsNeeded: number;
  readonly rows: readonly CompareRow[];
  readonly regressions: readonly string[];
  /** Notes for the reader (too little data, different scenarios, warm-up). */
  readonly notes: readonly string[];
}

const ANSWERS = ['order_rtt', 'cancel_rtt', 'replace_rtt'];

const statOf = (h: hdr.Histogram, p: number): number => (p >= 100 ? h.maxValue : h.getValueAtPercentile(p));
const answered = (set: HistogramSet): number => ANSWERS.reduce((n, m) => n + (set.find(m)?.totalCount ?? 0), 0);

/** A run after its warm-up: its histograms from the later intervals, its per-second sets, and its answer rate. */
interface TrimmedRun {
  readonly histograms: HistogramSet;
  readonly seconds: readonly HistogramSet[];
  /** Answers per second over the run's full seconds after the warm-up (see {@link trim}). */
  readonly throughput: number;
  /** True when no full second followed the warm-up and the throughput came from the warm-up's seconds (or the whole run). */
  readonly throughputInWarmup: boolean;
}

/**
 * Leaves out the first `warmupSeconds` of a run: the histograms are rebuilt from the interval log's
 * later seconds. A run no longer than its warm-up is kept whole (there would be nothing left).
 *
 * Throughput is the mean of answers per second over the full seconds after the warm-up: the last
 * interval of the log is partial (the answers stop somewhere in it) and `durationMs` runs on past
 * the last answer (final checks, encoding), so neither may be divided by. Without a full second
 * after the warm-up, the full seconds of the whole run; without any, answers / duration.
 */
function trim(run: RunDirectory, warmupSeconds: number): TrimmedRun {
  const entries = [...run.intervals.entries()];
  const firstKept = Math.ceil(warmupSeconds);
  const full = entries.slice(0, -1);
  const fullAfter = full.slice(firstKept);
  const rateOf = (sets: readonly { set: HistogramSet }[]): number => sets.reduce((n, e) => n + answered(e.set), 0) / sets.length;
  const throughput = fullAfter.length > 0 ? rateOf(fullAfter) : full.length > 0 ? rateOf(full)
    : answered(run.histograms) / Math.max(1e-3, run.result.durationMs / 1_000);
  const throughputInWarmup = firstKept > 0 && fullAfter.length === 0;
  if (firstKept <= 0 || entries.length <= firstKept) {
    return { histograms: run.histograms, seconds: entries.map((e) => e.set), throughput, throughputInWarmup };
  }
  const histograms = new HistogramSet();
  const seconds: HistogramSet[] = [];
  for (const { set } of entries.slice(firstKept)) {
    histograms.add(set);
    seconds.push(set);
  }
  return { histograms, seconds, throughput, throughputInWarmup };
}

function merged(runs: readonly TrimmedRun[]): HistogramSet {
  const set = new HistogramSet();
  for (const r of runs) set.add(r.histograms);
  return set;
}

/** One side's histograms as {@link compareRuns} reads them: its runs' after their warm-up, added together (values in ns). */
export function sideHistograms(runs: readonly RunDirectory[], warmupSeconds: number = COMPARE_DEFAULTS.warmupSeconds): HistogramSet {
  return merged(runs.map((r) => trim(r, warmupSeconds)));
}

/**
 * One run's value of every metric a comparison has a row for, by the row's name: `throughput`
 * (answers/s), `<histogram>.<stat>` (ns, each stat of {@link COMPARED_STATS}), `feed_gaps.<class>`
 * and `feed_drops.<class>`, read as compareRuns reads them (after the warm-up). `matchbench history`
 * charts these night by night, so history and compare speak of the same numbers.
 */
export function runMetricValues(run: RunDirectory, warmupSeconds: number = COMPARE_DEFAULTS.warmupSeconds): Map<string, number> {
  const trimmed = trim(run, warmupSeconds);
  const out = new Map<string, number>([['throughput', trimmed.throughput]]);
  for (const metric of trimmed.histograms.names()) {
    const h = trimmed.histograms.get(metric);
    if (h.totalCount === 0) continue;
    for (const [stat, p] of Object.entries(COMPARED_STATS)) out.set(`${metric}.${stat}`, statOf(h, p));
  }
  for (const [c, feed] of Object.entries(run.result.feed)) {
    out.set(`feed_gaps.${c}`, feed.gaps);
    out.set(`feed_drops.${c}`, feed.drops);
  }
  return out;
}

/** Holm's step-down adjustment: adjusted p-values (in input order) controlling the family-wise error rate. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/** Fewest runs per side for which a completely separated comparison reaches `threshold`. */
function runsFor(threshold: number): number {
  let n = 2;
  while (smallestTwoSidedPValue(n, n) >= threshold && n < 50) n++;
  return n;
}

interface Draft {
  name: string;
  unit: CompareRow['unit'];
  baseline: number;
  candidate: number;
  baselineRuns: number[];
  candidateRuns: number[];
  gate: GateRule | null;
  /** True when a higher value is worse (latency, gaps); false for throughput. */
  higherIsWorse: boolean;
  ci: DifferenceInterval | null;
}

/**
 * Compares a baseline and a candidate, each one run directory or several repeats: throughput,
 * p50/p90/p99/p99.9/max of every histogram both have, feed gaps and drops per class. The side's
 * value comes from its runs' histograms added together, after each run's first `warmupSeconds`.
 *
 * How a change is called significant (benchstat-like, and why):
 * - The samples are the runs: one value per run per row, tested with a two-sided Mann-Whitney U
 *   (exact for small samples). Per-second values within one run are not independent samples of
 *   what changes between builds — they share the run's machine state, JIT and layout, and two A/A
 *   runs differed at p = 0.005 that way — so they are never the samples of a test.
 * - Rows form two families, the gated rows (a gate applies) and the rest; within each, p-values
 *   are adjusted by Holm's method so that the chance of any false alarm in the family is `alpha`.
 * - When the runs per side are so few that even two completely separated samples could not reach
 *   Holm's first threshold (alpha / rows in the family), the row says "too little data" rather
 *   than guess; `decided` is false when no gated row could be decided, and `runsNeeded` says how
 *   many runs per side would do.
 * - A row is a regression when it is significantly worse, its change is beyond its gate, and (for
 *   p99 rows with a bootstrap interval) the interval of the difference excludes zero on the worse
 *   side: a change must be both real and large.
 */
export function compareRuns(baseline: readonly RunDirectory[], candidate: readonly RunDirectory[], options: CompareOptions = {}): CompareResult {
  if (baseline.length === 0 || candidate.length === 0) throw new RangeError('compareRuns needs at least one run on each side');
  const alpha = options.alpha ?? COMPARE_DEFAULTS.alpha;
  const warmupSeconds = options.warmupSeconds ?? COMPARE_DEFAULTS.warmupSeconds;
  const minIntervalCount = options.minIntervalCount ?? COMPARE_DEFAULTS.minIntervalCount;
  const gates = options.gates ?? (parseGateRules(DEFAULT_GATES) as { rules: GateRule[] }).rules;
  const seed = options.seed ?? COMPARE_DEFAULTS.seed;
  const ta = baseline.map((r) => trim(r, warmupSeconds));
  const tb = candidate.map((r) => trim(r, warmupSeconds));
  const A = merged(ta);
  const B = merged(tb);
  const drafts: Draft[] = [];
  const notes: string[] = [];
  const scenarios = new Set([...baseline, ...candidate].map((r) => r.result.scenario.hash));
  if (scenarios.size > 1) notes.push('the runs are of different scenarios (scenario hashes differ): the comparison may mean little');
  if (warmupSeconds > 0) notes.push(`the first ${Math.ceil(warmupSeconds)} s of every run is left out (warm-up)`);
  const early = [...ta, ...tb].filter((r) => r.throughputInWarmup).length;
  if (early > 0) notes.push(`${early} run(s) have no full second after the warm-up: their throughput includes the warm-up`);

  // Throughput: answers per second over full seconds after the warm-up; a side's is the mean of its runs'.
  const mean = (xs: readonly number[]): number => xs.reduce((t, x) => t + x, 0) / xs.length;
  drafts.push({ name: 'throughput', unit: 'per-second', baseline: mean(ta.map((r) => r.throughput)), candidate: mean(tb.map((r) => r.throughput)),
    baselineRuns: ta.map((r) => r.throughput), candidateRuns: tb.map((r) => r.throughput),
    gate: gates.find((g) => g.stat === 'throughput') ?? null, higherIsWorse: false, ci: null });

  // Latency: every histogram both sides have.
  for (const metric of A.names().filter((m) => B.find(m) !== undefined)) {
    const ha = A.get(metric);
    const hb = B.get(metric);
    if (ha.totalCount === 0 || hb.totalCount === 0) continue;
    const perRun = (runs: readonly TrimmedRun[], p: number): number[] => runs.map((r) => r.histograms.find(metric))
      .filter((h): h is hdr.Histogram => h !== undefined && h.totalCount > 0).map((h) => statOf(h, p));
    const seconds = (runs: readonly TrimmedRun[]): hdr.Histogram[] => runs.flatMap((r) => r.seconds.map((s) => s.find(metric))
      .filter((h): h is hdr.Histogram => h !== undefined && h.totalCount >= minIntervalCount));
    for (const [stat, p] of Object.entries(COMPARED_STATS) as [LatencyStat, number][]) {
      drafts.push({ name: `${metric}.${stat}`, unit: 'ns', baseline: statOf(ha, p), candidate: statOf(hb, p),
        baselineRuns: perRun(ta, p), candidateRuns: perRun(tb, p),
        gate: gates.find((g) => g.stat === stat && g.metric === metric) ?? gates.find((g) => g.stat === stat && g.metric === null) ?? null,
        higherIsWorse: true, ci: stat === 'p99' ? bootstrapPercentileDifference(seconds(ta), seconds(tb), 99, { seed }) : null });
    }
  }

  // Feed: gaps and drops per class (one count per run).
  const classes = [...new Set([...baseline, ...candidate].flatMap((r) => Object.keys(r.result.feed)))].sort();
  for (const c of classes) {
    for (const [field, label] of [['gaps', 'feed_gaps'], ['drops', 'feed_drops']] as const) {
      const per = (runs: readonly RunDirectory[]): number[] => runs.map((r) => r.result.feed[c]?.[field] ?? 0);
      drafts.push({ name: `${label}.${c}`, unit: 'count', baseline: mean(per(baseline)), candidate: mean(per(candidate)),
        baselineRuns: per(baseline), candidateRuns: per(candidate), gate: null, higherIsWorse: true, ci: null });
    }
  }

  // Significance, family by family.
  const rows = new Map<Draft, CompareRow>();
  let gatedDecidable = 0;
  let gatedRows = 0;
  let runsNeeded = 0;
  for (const [index, family] of [drafts.filter((d) => d.gate !== null), drafts.filter((d) => d.gate === null)].entries()) {
    const tested = family.filter((d) => !(d.baseline === 0 && d.candidate === 0) && d.baselineRuns.length > 0 && d.candidateRuns.length > 0);
    const threshold = alpha / Math.max(1, tested.length);
    const decidable = tested.filter((d) => smallestTwoSidedPValue(d.baselineRuns.length, d.candidateRuns.length) < threshold);
    const pValues = decidable.map((d) => mannWhitneyU(d.candidateRuns, d.baselineRuns).pValue);
    // Holm over every testable row of the family (the undecidable ones count as tested with p = 1: the family's size is what it is).
    const adjusted = holmAdjust([...pValues, ...tested.filter((d) => !decidable.includes(d)).map(() => 1)]);
    if (index === 0) {
      gatedRows = tested.length;
      gatedDecidable = decidable.length;
      runsNeeded = runsFor(threshold);
    }
    for (const d of family) {
      const k = decidable.indexOf(d);
      // The raw p is shown for every testable row, for information; only the adjusted p of a decidable row decides.
      const pValue = k >= 0 ? (pValues[k] as number) : tested.includes(d) ? mannWhitneyU(d.candidateRuns, d.baselineRuns).pValue : null;
      const pAdjusted = k < 0 ? null : (adjusted[k] as number);
      let verdict: CompareVerdict;
      if (d.baseline === 0 && d.candidate === 0) verdict = 'no change';
      else if (pAdjusted === null) verdict = 'too little data';
      else if (pAdjusted >= alpha) verdict = 'no significant change';
      else verdict = d.candidate > d.baseline ? 'significantly higher' : 'significantly lower';
      const changePct = d.baseline === 0 ? null : (100 * (d.candidate - d.baseline)) / d.baseline;
      const worse = d.higherIsWorse ? verdict === 'significantly higher' : verdict === 'significantly lower';
      const beyond = d.gate !== null && changePct !== null && (d.higherIsWorse ? changePct > d.gate.limitPct : changePct < d.gate.limitPct);
      const ciAgrees = d.ci === null || (d.higherIsWorse ? d.ci.lowNs > 0 : d.ci.highNs < 0);
      rows.set(d, { name: d.name, unit: d.unit, baseline: d.baseline, candidate: d.candidate, changePct, baselineRuns: d.baselineRuns,
        candidateRuns: d.candidateRuns, gate: d.gate?.source ?? null, pValue, pAdjusted, verdict, p99DifferenceCi: d.ci,
        regression: worse && beyond && ciAgrees ? (d.gate?.source ?? null) : null });
    }
  }
  const decided = gatedDecidable > 0;
  if (gatedRows > 0 && gatedDecidable < gatedRows) {
    notes.push(`too little data to decide ${gatedRows - gatedDecidable} of ${gatedRows} gated rows with ${baseline.length} and ` +
      `${candidate.length} run(s) per side: even completely separated runs could not reach p < ${(alpha / gatedRows).toPrecision(2)} ` +
      `(alpha ${alpha} over ${gatedRows} gated rows); repeat each side at least ${runsNeeded} times`);
  }
  const ordered = drafts.map((d) => rows.get(d) as CompareRow);
  const regressions = ordered.filter((r) => r.regression !== null).map((r) =>
    `${r.name}: ${r.changePct === null ? '' : `${r.changePct > 0 ? '+' : ''}${r.changePct.toFixed(1)}% `}(gate ${r.regression}, ` +
    `p=${r.pValue?.toPrecision(2)}, Holm-adjusted ${r.pAdjusted?.toPrecision(2)})`);
  return { baseline: baseline.map((r) => r.dir), candidate: candidate.map((r) => r.dir), gates: gates.map((g) => g.source), alpha,
    warmupSeconds, decided, runsNeeded, rows: ordered, regressions, notes };
}
