/**
 * The nightly pipeline: runs the `matchbench` CLI as child processes, one command at a time (runs
 * must not share the machine with each other), and collects what they wrote.
 *
 *   for each matrix entry:
 *     scenario  →  matchbench run <file> --seed s_i --out <out>/<name>/r<i>-seed<s_i>   (i = 1..repeats)
 *               →  matchbench compare <baseline>/<name> <out>/<name> --json --html      (when a baseline exists)
 *     fuzz      →  matchbench fuzz --json --out <out>/fuzz (--havoc-frames 1000000 | --quick)
 *   → exit code (ci/nightlyVerdict.ts) → nightly.json + summary.md → promote <out> to <baseline> when it passed
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompareResult } from '../reports/compareRuns.js';
import type { RunVerdict } from '../reports/RunResult.js';
import { RUN_FILES } from '../reports/writers/writeRunDirectory.js';
import { ExitCode } from '../harness/exitCodes.js';
import { gitCommit } from '../harness/run/runIdentity.js';
import {
  NIGHTLY_MANIFEST_FILE, NIGHTLY_MANIFEST_SCHEMA, NIGHTLY_MANIFEST_VERSION, NIGHTLY_SUMMARY_FILE,
  type NightlyComparison, type NightlyEntry, type NightlyFuzzEntry, type NightlyManifest, type NightlyRun, type NightlyScenarioEntry,
} from './NightlyManifest.js';
import { deriveRunSeeds, FUZZ_ENTRY, fuzzEntryArgs, fuzzTargetOf, reproduceCommand, scenarioFile, type NightlyOptions } from './nightlyPlan.js';
import { nightlySummary, type NightlySummaryTexts } from './nightlySummary.js';
import { scenarioExitCode, worstExitCode } from './nightlyVerdict.js';
import { shortenScenario } from './shortenScenario.js';

/** Where and how the pipeline runs: the parts that are not the night's options. */
export interface NightlyContext {
  /** The built CLI, `dist/harness/cli.js`. */
  readonly cliPath: string;
  /** The working directory: the repository (git commit, relative paths). */
  readonly cwd: string;
  /** Progress lines (the entry prints them on stderr). */
  readonly log: (line: string) => void;
  /** A child still running after this long is killed and counts as a crash (exit 1), ms. */
  readonly childTimeoutMs?: number;
  readonly now?: () => Date;
}

/** Kill a hung child after 30 min: longer than any library scenario (75 s) plus its start and final checks, many times over. */
export const DEFAULT_CHILD_TIMEOUT_MS = 30 * 60_000;

export interface NightlyOutcome {
  readonly manifest: NightlyManifest;
  /** The text written to summary.md. */
  readonly summary: string;
}

interface ChildResult { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs `node <cli> ...args`, bounded by `timeoutMs`; a child killed or crashed by a signal reads as exit 1. */
function runCli(context: NightlyContext, args: readonly string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [context.cliPath, ...args], { cwd: context.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timeoutMs = context.childTimeoutMs ?? DEFAULT_CHILD_TIMEOUT_MS;
    const timer = setTimeout(() => {
      stderr += `\nnightly: killed after ${timeoutMs / 1000} s\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? ExitCode.Error, stdout, stderr });
    });
  });
}

const lastLines = (text: string, n = 6): string => text.trim().split('\n').slice(-n).join('\n');

/** True when `dir` holds run directories (subdirectories with result.json), as compare reads them. */
function holdsRuns(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir, { withFileTypes: true })
    .some((e) => e.isDirectory() && existsSync(path.join(dir, e.name, RUN_FILES.result)));
}

function readVerdict(runDir: string): RunVerdict | null {
  try {
    return (JSON.parse(readFileSync(path.join(runDir, RUN_FILES.result), 'utf8')) as { verdict: RunVerdict }).verdict;
  } catch {
    return null;
  }
}

async function runScenarioEntry(name: string, options: NightlyOptions, context: NightlyContext, outDir: string): Promise<NightlyScenarioEntry> {
  const entryDir = path.join(outDir, name);
  // A previous night in the same --out would be read by compare as more candidate runs.
  rmSync(entryDir, { recursive: true, force: true });
  mkdirSync(entryDir, { recursive: true });
  let file = scenarioFile(options.scenarioDir, name);
  if (options.quick) {
    const shortened = path.join(outDir, 'quick-scenarios', `${name}.yaml`);
    mkdirSync(path.dirname(shortened), { recursive: true });
    writeFileSync(shortened, shortenScenario(readFileSync(path.resolve(context.cwd, file), 'utf8')));
    const relative = path.relative(context.cwd, shortened);
    file = relative.startsWith('..') ? shortened : relative;
  }
  const runs: NightlyRun[] = [];
  const seeds = deriveRunSeeds(options.seed, name, options.repeats);
  for (const [i, seed] of seeds.entries()) {
    const dir = path.join(name, `r${i + 1}-seed${seed}`);
    const abs = path.join(outDir, dir);
    const started = Date.now();
    const child = await runCli(context, ['run', file, '--seed', String(seed), '--out', abs, '--quiet',
      ...(options.target === undefined ? [] : ['--target', options.target])]);
    writeFileSync(`${abs}.log`, `$ matchbench run ${file} --seed ${seed}\n${child.stdout}${child.stderr}`);
    const verdict = readVerdict(abs);
    runs.push({ repeat: i + 1, seed, dir, exitCode: child.code, verdict, problem: verdict === null ? lastLines(child.stderr) || `exit ${child.code}` : null });
    context.log(`${name} run ${i + 1}/${seeds.length} seed ${seed}: exit ${child.code} (${verdict ?? 'no result'}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const comparison = await compareEntry(name, options, context, outDir);
  return { kind: 'scenario', name, file, runs, comparison, exitCode: scenarioExitCode(runs, comparison) };
}

async function compareEntry(name: string, options: NightlyOptions, context: NightlyContext, outDir: string): Promise<NightlyComparison> {
  const candidate = path.join(outDir, name);
  if (options.baselineDir === undefined) return { state: 'no-baseline', baselineDir: null };
  const baselineDir = path.join(options.baselineDir, name);
  if (!holdsRuns(path.resolve(context.cwd, baselineDir))) {
    context.log(`${name}: no baseline in ${baselineDir} (first night): nothing to compare`);
    return { state: 'no-baseline', baselineDir };
  }
  if (!holdsRuns(candidate)) return { state: 'no-candidate' };
  const html = path.join(name, 'compare.html');
  const child = await runCli(context, ['compare', baselineDir, candidate, '--json', '--html', path.join(outDir, html)]);
  let result: CompareResult | undefined;
  try {
    result = JSON.parse(child.stdout) as CompareResult;
  } catch {
    result = undefined;
  }
  if (result === undefined || (child.code !== ExitCode.Ok && child.code !== ExitCode.Regression)) {
    context.log(`${name}: compare failed with exit ${child.code}`);
    return { state: 'failed', baselineDir, exitCode: child.code === ExitCode.Ok ? ExitCode.Error : child.code, problem: lastLines(child.stderr, 20) };
  }
  writeFileSync(path.join(candidate, 'compare.json'), child.stdout);
  context.log(`${name}: compared with ${baselineDir}: ${result.regressions.length === 0 ? 'no regression' : `REGRESSION ${result.regressions.join('; ')}`}`);
  return {
    state: 'compared', baselineDir, exitCode: child.code, baselineRuns: result.baseline.length, candidateRuns: result.candidate.length,
    decided: result.decided, runsNeeded: result.runsNeeded, regressions: result.regressions, notes: result.notes, html,
    rows: result.rows.filter((r) => r.gate !== null || r.regression !== null).map((r) => ({
      name: r.name, unit: r.unit, baseline: r.baseline, candidate: r.candidate, changePct: r.changePct,
      pAdjusted: r.pAdjusted, verdict: r.verdict, gate: r.gate, regression: r.regression,
    })),
  };
}

async function runFuzzEntry(options: NightlyOptions, context: NightlyContext, outDir: string): Promise<NightlyFuzzEntry> {
  const dir = path.join(outDir, FUZZ_ENTRY);
  rmSync(dir, { recursive: true, force: true });
  const [seed = 1] = deriveRunSeeds(options.seed, FUZZ_ENTRY, 1);
  const target = fuzzTargetOf(options) ?? null;
  const child = await runCli(context, fuzzEntryArgs(options, seed, dir));
  let report: { cases: number; failed: number } | undefined;
  try {
    report = JSON.parse(readFileSync(path.join(dir, 'fuzz-report.json'), 'utf8')) as { cases: number; failed: number };
  } catch {
    report = undefined;
  }
  context.log(`fuzz seed ${seed}: exit ${child.code}${report === undefined ? '' : ` (${report.cases} cases, ${report.failed} failed)`}`);
  return {
    kind: 'fuzz', name: FUZZ_ENTRY, seed, quick: options.quick, target, exitCode: child.code,
    cases: report?.cases ?? null, failed: report?.failed ?? null,
    report: report === undefined ? null : path.join(FUZZ_ENTRY, 'fuzz-report.md'),
    problem: report === undefined ? lastLines(child.stderr, 20) || `exit ${child.code}` : null,
  };
}

function summaryTexts(entries: readonly NightlyEntry[], outDir: string): NightlySummaryTexts {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(path.join(outDir, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const runSummaries = new Map<string, string>();
  let fuzzReport: string | undefined;
  for (const e of entries) {
    if (e.kind === 'fuzz') {
      fuzzReport = e.report === null ? undefined : read(e.report);
      continue;
    }
    for (const r of e.runs) {
      const text = read(path.join(r.dir, RUN_FILES.summary));
      if (text !== undefined) runSummaries.set(r.dir, text);
    }
  }
  return fuzzReport === undefined ? { runSummaries } : { runSummaries, fuzzReport };
}

/**
 * Runs a night: every matrix entry in order, the comparisons, then writes `nightly.json` and
 * `summary.md` into `options.outDir` and, when `options.promote` is set and the night passed,
 * replaces each scenario's baseline with this night's runs. Options must have passed
 * `nightlyProblems` first.
 */
export async function runNightly(options: NightlyOptions, context: NightlyContext): Promise<NightlyOutcome> {
  const now = context.now ?? ((): Date => new Date());
  const startedAt = now().toISOString();
  const outDir = path.resolve(context.cwd, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const commit = gitCommit(context.cwd);
  context.log(`nightly seed ${options.seed} · commit ${commit} · ${options.scenarios.join(', ')} · ${options.repeats} repeats${options.quick ? ' · quick' : ''}`);
  const entries: NightlyEntry[] = [];
  for (const name of options.scenarios) {
    entries.push(name === FUZZ_ENTRY ? await runFuzzEntry(options, context, outDir) : await runScenarioEntry(name, options, context, outDir));
  }
  const exitCode = worstExitCode(entries.map((e) => e.exitCode));
  const promote = options.promote && options.baselineDir !== undefined && exitCode === ExitCode.Ok;
  const manifest: NightlyManifest = {
    schema: NIGHTLY_MANIFEST_SCHEMA, version: NIGHTLY_MANIFEST_VERSION, seed: options.seed, gitCommit: commit,
    startedAt, endedAt: now().toISOString(), scenarios: options.scenarios, repeats: options.repeats, quick: options.quick,
    target: options.target ?? null, baseline: options.baselineDir ?? null, entries, exitCode, promoted: promote,
    reproduce: reproduceCommand(options),
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(outDir, NIGHTLY_MANIFEST_FILE), manifestText);
  const summary = nightlySummary(manifest, summaryTexts(entries, outDir));
  writeFileSync(path.join(outDir, NIGHTLY_SUMMARY_FILE), summary);
  if (promote && options.baselineDir !== undefined) {
    const baselineDir = path.resolve(context.cwd, options.baselineDir);
    for (const e of entries) {
      if (e.kind !== 'scenario') continue;
      rmSync(path.join(baselineDir, e.name), { recursive: true, force: true });
      cpSync(path.join(outDir, e.name), path.join(baselineDir, e.name), { recursive: true });
    }
    writeFileSync(path.join(baselineDir, NIGHTLY_MANIFEST_FILE), manifestText);
    context.log(`promoted this night's runs to the baseline ${options.baselineDir}`);
  } else if (options.promote) {
    context.log(`not promoted: the night failed (exit ${exitCode}); the baseline ${options.baselineDir ?? ''} is unchanged`);
  }
  return { manifest, summary };
}
