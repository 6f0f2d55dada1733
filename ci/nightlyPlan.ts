import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../harness/generate/Rng.js';
import { parseScenario } from '../harness/scenario/loadScenario.js';
import { parseTargetFlag } from '../harness/scenario/parseTarget.js';
import { scenarioTargetProblems } from '../harness/scenario/resolveScenario.js';
import type { TargetSpec } from '../harness/scenario/Scenario.js';

/** The matrix entry that runs `matchbench fuzz` instead of a scenario file. */
export const FUZZ_ENTRY = 'fuzz';

/** The nightly matrix: scenario files in --scenario-dir (`<name>.yaml`), and the fuzzer. */
export const NIGHTLY_SCENARIOS = ['smoke', 'steady', 'volatility-spike', 'slow-consumer-storm', 'fanout-1000', FUZZ_ENTRY] as const;

/** What a nightly runs; `npm run nightly -- --help` documents each flag. */
export interface NightlyOptions {
  /** Matrix entries: scenario names in `scenarioDir`, or {@link FUZZ_ENTRY}. */
  readonly scenarios: readonly string[];
  /** Runs per scenario (each with its own seed); see {@link NIGHTLY_DEFAULTS} for why 6. */
  readonly repeats: number;
  /** The nightly seed; every run's seed is derived from it ({@link deriveRunSeeds}). */
  readonly seed: number;
  /** `matchbench run --target` (tcp://…, http://…, embedded, inproc); undefined: each scenario's own. */
  readonly target: string | undefined;
  /** `matchbench fuzz --target` (tcp://host:port); undefined: the tcp part of `target`, or the embedded engine. */
  readonly fuzzTarget: string | undefined;
  /** Directory of a previous night's candidate (`<dir>/<scenario>/<run dirs>`); undefined or missing: first night. */
  readonly baselineDir: string | undefined;
  /** Where the run directories, compare pages, summary.md and nightly.json go. */
  readonly outDir: string;
  /** Copy the candidate to `baselineDir` when the night passed. */
  readonly promote: boolean;
  /** The tiny configuration: scenarios shortened (ci/shortenScenario.ts), `fuzz --quick`. */
  readonly quick: boolean;
  /** Where scenario files are looked up. */
  readonly scenarioDir: string;
}

export const NIGHTLY_DEFAULTS = {
  scenarios: NIGHTLY_SCENARIOS,
  /**
   * What the comparison needs: the default gates put the p99 of every histogram in one Holm family
   * (13 gated rows for smoke), and with 5 runs a side even completely separated samples reach only
   * p = 2/252 = 0.0079 > 0.05/13, so a regression could never be found; 6 a side reach 2/924 = 0.0022,
   * enough for up to 22 gated rows.
   */
  repeats: 6,
  /** --quick: enough to exercise compare (it reads "too little data"), not to decide. */
  quickRepeats: 2,
  outDir: 'runs/nightly',
  scenarioDir: 'scenarios',
  promote: false,
  quick: false,
} as const;

/** The default nightly seed: the UTC date as YYYYMMDD, so each night differs and the seed is readable. */
export function defaultNightlySeed(now: Date): number {
  return now.getUTCFullYear() * 10_000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
}

/** A stream index per entry name, so that the seeds of one entry do not depend on which others run. */
function entryStream(name: string): number {
  return createHash('sha256').update(name).digest().readInt32LE(0);
}

/**
 * The seeds of an entry's `repeats` runs: drawn from the nightly seed and the entry's name, so
 * `--scenarios X --seed S` reproduces X's seeds of the full night, and a longer `--repeats` keeps
 * the first seeds. Distinct, in [1, 2^31 − 1].
 */
export function deriveRunSeeds(nightlySeed: number, entry: string, repeats: number): number[] {
  const rng = new Rng(nightlySeed, entryStream(entry));
  const seeds: number[] = [];
  while (seeds.length < repeats) {
    const seed = rng.int(1, 2 ** 31 - 1);
    if (!seeds.includes(seed)) seeds.push(seed);
  }
  return seeds;
}

/** The scenario file of a matrix entry. */
export function scenarioFile(scenarioDir: string, name: string): string {
  return path.join(scenarioDir, `${name}.yaml`);
}

/**
 * The `matchbench fuzz --target` for a nightly: --fuzz-target, else a tcp --target (its
 * order-entry address and, with `md=`, its market-data address, which the md/* cases fuzz), else
 * undefined (the embedded engine).
 */
export function fuzzTargetOf(options: Pick<NightlyOptions, 'target' | 'fuzzTarget'>): string | undefined {
  if (options.fuzzTarget !== undefined) return options.fuzzTarget;
  const target = options.target?.trim();
  if (target === undefined || !target.startsWith('tcp://')) return undefined;
  const [orderEntry, ...rest] = target.split(',');
  const md = rest.find((part) => part.startsWith('md=') || part.startsWith('marketData='));
  return md === undefined ? orderEntry : `${orderEntry},md=${md.slice(md.indexOf('=') + 1)}`;
}

/** Streaming havoc frames of the full nightly's fuzz entry (issue 5: at least a million). */
export const NIGHTLY_HAVOC_FRAMES = 1_000_000;

/**
 * The `matchbench fuzz` arguments of a nightly's fuzz entry: the whole catalogue plus
 * {@link NIGHTLY_HAVOC_FRAMES} streaming havoc frames, or with --quick the quick sample alone.
 */
export function fuzzEntryArgs(options: Pick<NightlyOptions, 'target' | 'fuzzTarget' | 'quick'>, seed: number, outDir: string): string[] {
  const target = fuzzTargetOf(options);
  return ['fuzz', '--json', '--out', outDir, '--seed', String(seed),
    ...(options.quick ? ['--quick'] : ['--havoc-frames', String(NIGHTLY_HAVOC_FRAMES)]), ...(target === undefined ? [] : ['--target', target])];
}

/** Every problem with the options at once (empty when they are usable); nothing is run before this passes. */
export function nightlyProblems(options: NightlyOptions): string[] {
  const problems: string[] = [];
  if (!(Number.isSafeInteger(options.repeats) && options.repeats >= 1 && options.repeats <= 100)) {
    problems.push(`--repeats must be an integer from 1 to 100, got ${options.repeats}`);
  }
  if (!Number.isSafeInteger(options.seed)) problems.push(`--seed must be a safe integer, got ${options.seed}`);
  if (options.scenarios.length === 0) problems.push('--scenarios names no scenario');
  let target: TargetSpec | undefined;
  if (options.target !== undefined) {
    const parsed = parseTargetFlag(options.target);
    if (parsed.ok) target = parsed.value;
    else problems.push(...parsed.problems.map((p) => `--target: ${p}`));
  }
  const seen = new Set<string>();
  for (const name of options.scenarios) {
    if (seen.has(name)) problems.push(`--scenarios: "${name}" is named twice`);
    seen.add(name);
    if (name === FUZZ_ENTRY) continue;
    const file = scenarioFile(options.scenarioDir, name);
    if (!/^[\w.-]+$/.test(name)) {
      problems.push(`--scenarios: "${name}" is not a scenario name (a file name in ${options.scenarioDir} without .yaml)`);
      continue;
    }
    if (!existsSync(file)) {
      problems.push(`--scenarios: no scenario "${name}" (${file} does not exist)`);
      continue;
    }
    // The checks `matchbench run` would make, before an hour of runs rather than at each of them.
    const loaded = parseScenario(readFileSync(file, 'utf8'), file);
    if (!loaded.ok) problems.push(...loaded.problems.map((p) => `${file}: ${p}`));
    else if (target !== undefined && target.kind !== 'inproc') {
      problems.push(...scenarioTargetProblems(loaded.scenario.clients, target).map((p) => `--target ${options.target} with ${name}: ${p}`));
    }
  }
  if (options.fuzzTarget !== undefined && !options.fuzzTarget.trim().startsWith('tcp://')) {
    problems.push(`--fuzz-target: "${options.fuzzTarget}" is not tcp://host:port (the fuzzer speaks the binary protocol)`);
  }
  if (seen.has(FUZZ_ENTRY) && options.fuzzTarget === undefined && options.target !== undefined && options.target.trim().startsWith('http://')) {
    problems.push(`--target ${options.target}: the fuzzer speaks the binary protocol only; give --fuzz-target tcp://host:port or leave "${FUZZ_ENTRY}" out of --scenarios`);
  }
  if (options.promote && options.baselineDir === undefined) problems.push('--promote needs --baseline DIR (where to promote the candidate to)');
  if (options.baselineDir !== undefined && path.resolve(options.baselineDir) === path.resolve(options.outDir)) {
    problems.push('--baseline and --out must be different directories');
  }
  return problems;
}

/** The command that reproduces a night (after `git checkout <commit>`): same seed, entries and configuration. */
export function reproduceCommand(options: Pick<NightlyOptions, 'seed' | 'scenarios' | 'repeats' | 'quick' | 'target' | 'fuzzTarget'>): string {
  const quote = (s: string): string => (/^[\w.,:/=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ['npm run nightly --', `--seed ${options.seed}`, `--scenarios ${quote(options.scenarios.join(','))}`, `--repeats ${options.repeats}`,
    ...(options.quick ? ['--quick'] : []),
    ...(options.target === undefined ? [] : [`--target ${quote(options.target)}`]),
    ...(options.fuzzTarget === undefined ? [] : [`--fuzz-target ${quote(options.fuzzTarget)}`])].join(' ');
}
