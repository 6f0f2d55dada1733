/**
 * `nightly.json`: what a nightly ran (seed, commit, options, every run's seed and exit code, the
 * comparisons) so that a failing night can be reproduced and its summary rebuilt. Written to the
 * --out directory next to the run directories.
 */
import type { RunVerdict } from '../reports/RunResult.js';

export const NIGHTLY_MANIFEST_SCHEMA = 'matchbench.nightly';
export const NIGHTLY_MANIFEST_VERSION = 1;
export const NIGHTLY_MANIFEST_FILE = 'nightly.json';
export const NIGHTLY_SUMMARY_FILE = 'summary.md';

/** One `matchbench run` of a scenario. */
export interface NightlyRun {
  /** 1-based. */
  readonly repeat: number;
  readonly seed: number;
  /** The run directory, relative to the nightly's --out directory. */
  readonly dir: string;
  readonly exitCode: number;
  /** From the run's result.json; null when the run wrote none (it could not start or crashed). */
  readonly verdict: RunVerdict | null;
  /** The last lines of the run's stderr when it failed without a verdict. */
  readonly problem: string | null;
}

/** A gated row of a comparison, as the summary shows it. */
export interface NightlyCompareRow {
  readonly name: string;
  readonly unit: 'ns' | 'per-second' | 'count';
  readonly baseline: number;
  readonly candidate: number;
  readonly changePct: number | null;
  readonly pAdjusted: number | null;
  readonly verdict: string;
  readonly gate: string | null;
  readonly regression: string | null;
}

/** `matchbench compare <baseline>/<scenario> <candidate>/<scenario>`, or why it was not run. */
export type NightlyComparison =
  | { readonly state: 'no-baseline'; readonly baselineDir: string | null }
  | { readonly state: 'no-candidate' }
  | {
    readonly state: 'compared';
    readonly baselineDir: string;
    readonly exitCode: number;
    readonly baselineRuns: number;
    readonly candidateRuns: number;
    readonly decided: boolean;
    readonly runsNeeded: number;
    readonly regressions: readonly string[];
    readonly notes: readonly string[];
    /** Rows with a gate, and any other row that regressed. */
    readonly rows: readonly NightlyCompareRow[];
    /** compare.html, relative to the --out directory. */
    readonly html: string;
  }
  | { readonly state: 'failed'; readonly baselineDir: string; readonly exitCode: number; readonly problem: string };

export interface NightlyScenarioEntry {
  readonly kind: 'scenario';
  readonly name: string;
  /** The scenario file that was run (the shortened copy under --quick). */
  readonly file: string;
  readonly runs: readonly NightlyRun[];
  readonly comparison: NightlyComparison;
  readonly exitCode: number;
}

export interface NightlyFuzzEntry {
  readonly kind: 'fuzz';
  readonly name: 'fuzz';
  readonly seed: number;
  readonly quick: boolean;
  readonly target: string | null;
  readonly exitCode: number;
  /** Null when the fuzzer wrote no report (usage error, unreachable target). */
  readonly cases: number | null;
  readonly failed: number | null;
  /** fuzz-report.md, relative to the --out directory, or null. */
  readonly report: string | null;
  readonly problem: string | null;
}

export type NightlyEntry = NightlyScenarioEntry | NightlyFuzzEntry;

export interface NightlyManifest {
  readonly schema: typeof NIGHTLY_MANIFEST_SCHEMA;
  readonly version: typeof NIGHTLY_MANIFEST_VERSION;
  /** The nightly seed every run's seed is derived from (ci/nightlyPlan.ts, deriveRunSeeds). */
  readonly seed: number;
  /** `git rev-parse HEAD` of the working directory (`-dirty` with local changes), or 'unknown'. */
  readonly gitCommit: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly scenarios: readonly string[];
  readonly repeats: number;
  readonly quick: boolean;
  /** The --target given, or null (each scenario's own target: the embedded reference engine). */
  readonly target: string | null;
  readonly baseline: string | null;
  readonly entries: readonly NightlyEntry[];
  readonly exitCode: number;
  /** True when the candidate was copied to the baseline (--promote and a passing night). */
  readonly promoted: boolean;
  /** The command that reproduces this night after `git checkout <gitCommit>`. */
  readonly reproduce: string;
}
