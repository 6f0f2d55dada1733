/**
 * `matchbench history`: the nightly runs of each scenario as one series per metric, with change
 * points found by E-divisive means ({@link eDivisive}).
 *
 *   runs (RunDirectory + night) ─► group by scenario ─► order nights by start ─► per run: the values
 *   compare reads (runMetricValues) ─► per night: median of its repeats (+ spread) ─► per metric:
 *   eDivisive over the nightly medians ─► change points with before/after means, regression or not
 */
import { median } from 'simple-statistics';
import { closestKey } from '../../harness/scenario/closestKey.js';
import { COMPARE_DEFAULTS, COMPARED_STATS, runMetricValues } from '../compareRuns.js';
import type { RunDirectory } from '../readRunDirectory.js';
import { E_DIVISIVE_DEFAULTS, eDivisive } from './eDivisive.js';

/** A run and the night it belongs to (null: the UTC date it started). */
export interface HistoryRun {
  readonly run: RunDirectory;
  readonly night: string | null;
}

/** Options of {@link buildHistory}; each documents its default ({@link HISTORY_DEFAULTS}). */
export interface HistoryOptions {
  /** Significance level of each change point's permutation test. Default 0.01. */
  readonly alpha?: number;
  /** Permutations per candidate change point. Default 199. */
  readonly permutations?: number;
  /** Seed of the permutations (each scenario and metric draws its own stream of it). Default 1. */
  readonly seed?: number;
  /** Fewest nights on either side of a change point. Default 3. */
  readonly minNights?: number;
  /** Seconds left out at the start of every run, as compare does. Default 1. */
  readonly warmupSeconds?: number;
  /** Metrics to keep: a full name (`order_rtt.p99`) or a prefix before a dot (`order_rtt`, `feed_gaps`). Default all. */
  readonly metrics?: readonly string[];
  /** Scenario names to keep. Default all. */
  readonly scenarios?: readonly string[];
}

export const HISTORY_DEFAULTS = {
  alpha: E_DIVISIVE_DEFAULTS.alpha,
  permutations: E_DIVISIVE_DEFAULTS.permutations,
  seed: E_DIVISIVE_DEFAULTS.seed,
  minNights: E_DIVISIVE_DEFAULTS.minSegment,
  warmupSeconds: COMPARE_DEFAULTS.warmupSeconds,
} as const;

/** One night of a scenario: its runs (repeats) and what they ran. */
export interface HistoryNight {
  readonly key: string;
  /** The earliest start of its runs (ISO). */
  readonly startedAt: string;
  /** The git commits its runs were built from, distinct, in run order. */
  readonly commits: readonly string[];
  readonly runs: readonly string[];
  readonly seeds: readonly number[];
}

export type HistoryUnit = 'ns' | 'per-second' | 'count';

/** A change point of one metric: the series is different from night `index` on. */
export interface HistoryChangePoint {
  readonly metric: string;
  /** Index of the first night of the new segment. */
  readonly index: number;
  readonly night: string;
  /** Means of the nightly values of the segment before and the segment from this night (to the next change point). */
  readonly before: number;
  readonly after: number;
  /** (after − before) / before in %; null when before is 0. */
  readonly changePct: number | null;
  readonly pValue: number;
  /** True when the change is for the worse: latency, gaps, drops, errors up; throughput down. */
  readonly regression: boolean;
}

/** One metric of a scenario, night by night. */
export interface MetricHistory {
  readonly metric: string;
  readonly unit: HistoryUnit;
  readonly higherIsWorse: boolean;
  /** Per night: the median over its runs; null when no run of the night has the metric. */
  readonly values: readonly (number | null)[];
  /** Per night: every run's value, in run order (the spread of repeats), empty when none. */
  readonly runValues: readonly (readonly number[])[];
  /** Per night: the mean of the segment (between change points) it belongs to; null where `values` is. */
  readonly segmentMeans: readonly (number | null)[];
  readonly first: number | null;
  readonly last: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly changePoints: readonly HistoryChangePoint[];
  /** The change point that starts the latest segment, when that change is a regression; else null. */
  readonly latestRegression: HistoryChangePoint | null;
}

export interface ScenarioHistory {
  readonly scenario: string;
  readonly nights: readonly HistoryNight[];
  readonly metrics: readonly MetricHistory[];
  /** Things to know when reading it (the scenario file changed, a night mixed commits). */
  readonly notes: readonly string[];
}

export interface HistoryResult {
  readonly alpha: number;
  readonly permutations: number;
  readonly seed: number;
  readonly minNights: number;
  readonly warmupSeconds: number;
  readonly scenarios: readonly ScenarioHistory[];
  /** One line per metric whose latest segment is a regression: what `--fail-on-regression` fails on. */
  readonly regressions: readonly string[];
}

/** Metrics counted once per run (not compare rows). */
const ERRORS = 'errors';

/** Whether metric `name` is selected by `filter` (the name itself, or a prefix ending before a dot). */
export function metricSelected(name: string, filter: string): boolean {
  // `order_rtt.p99` is a full name: it must not also select `order_rtt.p99.9`.
  const full = Object.keys(COMPARED_STATS).some((stat) => filter.endsWith(`.${stat}`));
  return name === filter || (!full && name.startsWith(`${filter}.`));
}

function unitOf(metric: string): HistoryUnit {
  if (metric === 'throughput') return 'per-second';
  if (metric === ERRORS || metric.startsWith('feed_gaps.') || metric.startsWith('feed_drops.')) return 'count';
  return 'ns';
}

/** The night of a run right under the history directory: the UTC date it started. */
function nightOf(entry: HistoryRun): string {
  if (entry.night !== null) return entry.night;
  const t = Date.parse(entry.run.result.startedAt);
  return Number.isNaN(t) ? entry.run.result.startedAt : new Date(t).toISOString().slice(0, 10);
}

/** A stable 31-bit stream index for a scenario's metric (FNV-1a), so a series' permutations do not depend on which others are analysed. */
function streamOf(scenario: string, metric: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${scenario}\n${metric}`) h = Math.imul(h ^ (ch.codePointAt(0) as number), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

const meanOf = (xs: readonly number[]): number => xs.reduce((t, x) => t + x, 0) / xs.length;
const startOf = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

/** The runs of one scenario grouped into nights, ordered by their earliest start. */
function groupNights(entries: readonly HistoryRun[]): { night: HistoryNight; runs: RunDirectory[] }[] {
  const byKey = new Map<string, RunDirectory[]>();
  for (const e of entries) {
    const key = nightOf(e);
    byKey.set(key, [...(byKey.get(key) ?? []), e.run]);
  }
  const nights = [...byKey.entries()].map(([key, runs]) => {
    const ordered = [...runs].sort((a, b) => startOf(a.result.startedAt) - startOf(b.result.startedAt) || a.dir.localeCompare(b.dir));
    const first = ordered[0] as RunDirectory;
    return { night: { key, startedAt: first.result.startedAt, commits: [...new Set(ordered.map((r) => r.result.identity.gitCommit))],
      runs: ordered.map((r) => r.dir), seeds: ordered.map((r) => r.result.seed) }, runs: ordered };
  });
  return nights.sort((a, b) => startOf(a.night.startedAt) - startOf(b.night.startedAt) || a.night.key.localeCompare(b.night.key));
}

/** A metric's nightly series with its change points (E-divisive over the nights that have a value). */
function metricHistory(scenario: string, metric: string, nights: readonly HistoryNight[], runValues: readonly (readonly number[])[],
  options: Required<Pick<HistoryOptions, 'alpha' | 'permutations' | 'seed' | 'minNights'>>): MetricHistory {
  const values = runValues.map((vs) => (vs.length === 0 ? null : median([...vs])));
  const present = values.flatMap((v, i) => (v === null ? [] : [i]));
  const series = present.map((i) => values[i] as number);
  const found = eDivisive(series, { alpha: options.alpha, permutations: options.permutations, seed: options.seed,
    stream: streamOf(scenario, metric), minSegment: options.minNights });
  const bounds = [0, ...found.map((c) => c.index), series.length];
  const segmentMean = bounds.slice(0, -1).map((b, k) => meanOf(series.slice(b, bounds[k + 1])));
  const higherIsWorse = metric !== 'throughput';
  const changePoints = found.map((c, k): HistoryChangePoint => {
    const before = segmentMean[k] as number;
    const after = segmentMean[k + 1] as number;
    const index = present[c.index] as number;
    return { metric, index, night: (nights[index] as HistoryNight).key, before, after,
      changePct: before === 0 ? null : (100 * (after - before)) / Math.abs(before), pValue: c.pValue,
      regression: higherIsWorse ? after > before : after < before };
  });
  const segmentMeans: (number | null)[] = values.map(() => null);
  present.forEach((night, k) => {
    let segment = 0;
    while (segment + 1 < bounds.length - 1 && k >= (bounds[segment + 1] as number)) segment++;
    segmentMeans[night] = segmentMean[segment] as number;
  });
  const last = changePoints[changePoints.length - 1];
  return { metric, unit: unitOf(metric), higherIsWorse, values, runValues, segmentMeans,
    first: series[0] ?? null, last: series[series.length - 1] ?? null,
    min: series.length === 0 ? null : Math.min(...series), max: series.length === 0 ? null : Math.max(...series),
    changePoints, latestRegression: last !== undefined && last.regression ? last : null };
}

/** Every problem with the filters: scenarios and metrics that no run has (with the nearest name). */
function filterProblems(known: { scenarios: readonly string[]; metrics: readonly string[] }, options: HistoryOptions): string[] {
  const problems: string[] = [];
  const suggest = (word: string, candidates: readonly string[]): string => {
    const near = closestKey(word, candidates);
    return near === undefined ? '' : ` (did you mean "${near}"?)`;
  };
  for (const s of options.scenarios ?? []) {
    if (!known.scenarios.includes(s)) problems.push(`--scenario ${s}: no run of that scenario${suggest(s, known.scenarios)}; the runs are of: ${known.scenarios.join(', ')}`);
  }
  const prefixes = [...new Set(known.metrics.flatMap((m) => m.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))))];
  for (const m of options.metrics ?? []) {
    if (!known.metrics.some((name) => metricSelected(name, m))) {
      problems.push(`--metric ${m}: no run has that metric${suggest(m, prefixes)}; metrics are throughput, errors, ` +
        '<histogram>.<p50|p90|p99|p99.9|max>, feed_gaps.<class> and feed_drops.<class>, or a prefix of one (order_rtt, feed_gaps)');
    }
  }
  return problems;
}

/**
 * The history of every scenario in `runs`: nights in order of their first start, one series per
 * metric (the median of each night's repeats), and the change points of each series (E-divisive
 * means, permutation test at `alpha`). Fails, listing every problem, when a `--scenario` or
 * `--metric` filter names nothing the runs have.
 */
export function buildHistory(runs: readonly HistoryRun[], options: HistoryOptions = {}):
  { ok: true; history: HistoryResult } | { ok: false; problems: string[] } {
  if (runs.length === 0) return { ok: false, problems: ['no run directories to read'] };
  const settings = {
    alpha: options.alpha ?? HISTORY_DEFAULTS.alpha, permutations: options.permutations ?? HISTORY_DEFAULTS.permutations,
    seed: options.seed ?? HISTORY_DEFAULTS.seed, minNights: options.minNights ?? HISTORY_DEFAULTS.minNights,
  };
  const warmupSeconds = options.warmupSeconds ?? HISTORY_DEFAULTS.warmupSeconds;
  const valuesOf = new Map<RunDirectory, Map<string, number>>();
  for (const { run } of runs) {
    const values = runMetricValues(run, warmupSeconds);
    values.set(ERRORS, run.result.errors.length);
    valuesOf.set(run, values);
  }
  const scenarioNames = [...new Set(runs.map((r) => r.run.result.scenario.name))].sort();
  const metricNames = [...new Set([...valuesOf.values()].flatMap((v) => [...v.keys()]))];
  const problems = filterProblems({ scenarios: scenarioNames, metrics: metricNames }, options);
  if (problems.length > 0) return { ok: false, problems };

  const scenarios: ScenarioHistory[] = [];
  for (const scenario of scenarioNames.filter((s) => options.scenarios === undefined || options.scenarios.length === 0 || options.scenarios.includes(s))) {
    const grouped = groupNights(runs.filter((r) => r.run.result.scenario.name === scenario));
    const nights = grouped.map((g) => g.night);
    const names = [...new Set(grouped.flatMap((g) => g.runs.flatMap((r) => [...(valuesOf.get(r) as Map<string, number>).keys()])))]
      .filter((m) => options.metrics === undefined || options.metrics.length === 0 || options.metrics.some((f) => metricSelected(m, f)));
    const metrics = sortMetrics(names).map((metric) => metricHistory(scenario, metric, nights,
      grouped.map((g) => g.runs.flatMap((r) => {
        const v = valuesOf.get(r)?.get(metric);
        return v === undefined ? [] : [v];
      })), settings));
    const notes: string[] = [];
    grouped.forEach((g, i) => {
      const hashes = new Set(g.runs.map((r) => r.result.scenario.hash));
      const previous = grouped[i - 1]?.runs.map((r) => r.result.scenario.hash) ?? [];
      if (i > 0 && ![...hashes].every((h) => previous.includes(h))) {
        notes.push(`the scenario file changed on night ${g.night.key} (hash ${[...hashes].map((h) => h.slice(0, 12)).join(', ')}): a change point there may be the file's, not the engine's`);
      }
      if (g.night.commits.length > 1) notes.push(`night ${g.night.key} mixes commits ${g.night.commits.map((c) => c.slice(0, 12)).join(', ')}`);
    });
    if (nights.length < 2 * settings.minNights) {
      notes.push(`${nights.length} night(s): change points need at least ${settings.minNights} nights on each side (${2 * settings.minNights} in all)`);
    }
    scenarios.push({ scenario, nights, metrics, notes });
  }
  const regressions = scenarios.flatMap((s) => s.metrics.flatMap((m) => {
    const r = m.latestRegression;
    if (r === null) return [];
    return [`${s.scenario} ${m.metric}: ${r.changePct === null ? `${r.before} → ${r.after}` : `${r.changePct > 0 ? '+' : '−'}${Math.abs(r.changePct).toFixed(1)}%`} ` +
      `since night ${r.night} (p=${r.pValue.toPrecision(2)})`];
  }));
  return { ok: true, history: { ...settings, warmupSeconds, scenarios, regressions } };
}

/** Throughput first, then latency histograms (order_rtt first) stat by stat, then feed counts and errors. */
function sortMetrics(names: readonly string[]): string[] {
  const statRank = ['p50', 'p90', 'p99', 'p99.9', 'max'];
  const rank = (m: string): [number, string, number] => {
    if (m === 'throughput') return [0, '', 0];
    if (m === ERRORS) return [4, '', 0];
    if (m.startsWith('feed_gaps.') || m.startsWith('feed_drops.')) return [3, m, 0];
    const stat = statRank.find((s) => m.endsWith(`.${s}`)) ?? '';
    const histogram = m.slice(0, m.length - stat.length - 1);
    return [histogram === 'order_rtt' ? 1 : 2, histogram, statRank.indexOf(stat)];
  };
  return [...names].sort((a, b) => {
    const [ga, ha, sa] = rank(a);
    const [gb, hb, sb] = rank(b);
    return ga - gb || ha.localeCompare(hb) || sa - sb;
  });
}
