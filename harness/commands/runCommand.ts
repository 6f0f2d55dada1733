import type { CommandModule } from 'yargs';
import { summaryText, formatNs } from '../../reports/writers/summaryText.js';
import type { RunVerdict } from '../../reports/RunResult.js';
import { ExitCode } from '../exitCodes.js';
import { defaultRunDir, runErrorExit, scenarioProblemLines, stopLoadOnSignal, writeRunOutput } from './scenarioRunEdges.js';
import { runScenario, type RunProgress } from '../run/runScenario.js';
import { loadScenario } from '../scenario/loadScenario.js';
import { parseTargetFlag, TARGET_FLAG_FORMS } from '../scenario/parseTarget.js';
import { scenarioTargetProblems } from '../scenario/resolveScenario.js';
import { parseShard, parseStartAt, type ShardSpec } from '../scenario/parseShard.js';
import type { TargetSpec } from '../scenario/Scenario.js';

interface RunArgs {
  scenario: string;
  seed: number | undefined;
  target: string | undefined;
  out: string | undefined;
  workers: number | undefined;
  quiet: boolean;
  json: boolean;
  'inproc-delay-ns': number | undefined;
  shard: string | undefined;
  'start-at': string | undefined;
  'unresponsive-after': number | undefined;
  'snapshot-check-ms': number | undefined;
}

/** Exit code of each verdict (README, "Exit codes"). */
export const VERDICT_EXIT: Record<RunVerdict, ExitCode> = {
  passed: ExitCode.Ok,
  'thresholds-failed': ExitCode.Thresholds,
  'invariant-failed': ExitCode.Invariant,
  error: ExitCode.Error,
};

function progressLine(p: RunProgress): string {
  const pct = Math.min(100, (100 * p.elapsedMs) / p.totalMs).toFixed(0).padStart(3);
  return `${pct}% ${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s/${(p.totalMs / 1000).toFixed(0)}s ${p.phase.padEnd(12)} ` +
    `offered ${p.offeredRate.toFixed(0).padStart(6)}/s achieved ${String(p.achievedRate).padStart(6)}/s ` +
    `sent ${p.sent} p99 ${p.p99Ns === 0 ? '–' : formatNs(p.p99Ns)} errors ${p.errors}`;
}

/** `matchbench run <scenario>`: drive an engine with a scenario and write a run directory. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Run a scenario against an engine (default: the embedded reference engine) and write a run directory',
  builder: (y) => y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (scenarios/*.yaml)' })
    .option('seed', { type: 'number', describe: "Run seed (default: the scenario's seed)" })
    .option('target', { type: 'string', describe: `Where the load goes: ${TARGET_FLAG_FORMS} (default: the scenario's target)` })
    .option('out', { type: 'string', describe: 'Run directory (default runs/<scenario>-<seed>-<time>)' })
    .option('workers', { type: 'number', describe: 'Load-generator threads (default: the scenario\'s clients.workers)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress display' })
    .option('json', { type: 'boolean', default: false, describe: 'Print result.json on stdout instead of the summary' })
    .option('inproc-delay-ns', { type: 'number', describe: 'inproc target only: busy-wait this many ns per order (a planted slowdown, to test compare)' })
    .option('shard', { type: 'string', describe: 'Run shard i of N (i/N, from 0): clients c with c mod N = i, against a shared tcp:// or http:// target; combine with `matchbench merge`' })
    .option('start-at', { type: 'string', describe: 'Time 0 of the run as epoch ms or an ISO time (give every shard the same one)' })
    .option('snapshot-check-ms', { type: 'number', describe: 'Each fast subscriber checks a BOOK_SNAPSHOT of every book against the one it rebuilt from the feed this often, ms (0: only at resyncs; default 1000)' })
    .option('unresponsive-after', { type: 'number', describe: 'tcp and http targets: seconds a request may go unanswered before its session stops and the run ends with verdict error (default 5)' })
    .check((a) => {
      if (a.seed !== undefined && !Number.isSafeInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
      if (a.workers !== undefined && (!Number.isSafeInteger(a.workers) || a.workers < 1 || a.workers > 64)) {
        throw new Error(`--workers must be an integer from 1 to 64, got ${a.workers}`);
      }
      const unresponsive = a['unresponsive-after'];
      if (unresponsive !== undefined && !(unresponsive >= 0.1 && unresponsive <= 3_600)) {
        throw new Error(`--unresponsive-after must be a number of seconds from 0.1 to 3600, got ${unresponsive}`);
      }
      const snapshotMs = a['snapshot-check-ms'];
      if (snapshotMs !== undefined && !(Number.isInteger(snapshotMs) && snapshotMs >= 0 && snapshotMs <= 3_600_000)) {
        throw new Error(`--snapshot-check-ms must be an integer number of ms from 0 to 3600000, got ${snapshotMs}`);
      }
      const delay = a['inproc-delay-ns'];
      if (delay !== undefined && (!Number.isFinite(delay) || delay < 0 || delay > 1e9)) {
        throw new Error(`--inproc-delay-ns must be a number of ns from 0 to 1e9, got ${delay}`);
      }
      return true;
    }),
  handler: async (a) => {
    const fail = (code: ExitCode, lines: readonly string[]): void => {
      process.stderr.write(lines.map((l) => `matchbench run: ${l}\n`).join(''));
      process.exitCode = code;
    };
    const loaded = await loadScenario(a.scenario);
    if (!loaded.ok) {
      fail(ExitCode.Usage, scenarioProblemLines(a.scenario, loaded.problems));
      return;
    }
    let scenario = loaded.scenario;
    let target: TargetSpec = scenario.target;
    if (a.target !== undefined) {
      const parsed = parseTargetFlag(a.target);
      if (!parsed.ok) {
        fail(ExitCode.Usage, parsed.problems.map((p) => `--target: ${p}`));
        return;
      }
      target = parsed.value;
      const subscribers = scenario.clients.marketData.reduce((n, g) => n + g.count, 0);
      if ((target.kind === 'inproc' || target.kind === 'soup' || target.kind === 'fix') && subscribers > 0) {
        // inproc, soup and fix have no feed: run the order flow alone rather than refuse a shared scenario file.
        process.stderr.write(`matchbench run: --target ${target.kind} has no market-data feed; the scenario's ${subscribers} subscribers are skipped ` +
          'and feed thresholds will read "not measured"\n');
        scenario = { ...scenario, clients: { ...scenario.clients, marketData: [] } };
      }
      const problems = scenarioTargetProblems(scenario.clients, target);
      if (problems.length > 0) {
        fail(ExitCode.Usage, problems.map((p) => `--target ${a.target}: ${p}`));
        return;
      }
    }
    if (a['inproc-delay-ns'] !== undefined && target.kind !== 'inproc') {
      // The planted delay lives in the inproc loop; silently running without it would make a "slowed" run that is not.
      fail(ExitCode.Usage, [`--inproc-delay-ns works only with the inproc target (--target inproc); the target is ${target.kind}`]);
      return;
    }
    // Sharding splits one load between processes against one engine: an engine each process starts (or none) cannot be shared.
    let shard: ShardSpec | undefined;
    let startAtEpochMs: number | undefined;
    const shardProblems: string[] = [];
    if (a.shard !== undefined) {
      const parsed = parseShard(a.shard);
      if (!parsed.ok) shardProblems.push(...parsed.problems.map((p) => `--shard: ${p}`));
      else shard = parsed.value;
      if (target.kind === 'embedded' || target.kind === 'inproc') {
        shardProblems.push(`--shard needs a shared network target (--target tcp://host:port[,md=host:port] or http://host:port): ` +
          `with the ${target.kind} target every shard would drive an engine of its own, and the merged result would not be one run`);
      }
    }
    if (a['start-at'] !== undefined) {
      const parsed = parseStartAt(a['start-at'], Date.now());
      if (!parsed.ok) shardProblems.push(...parsed.problems.map((p) => `--start-at: ${p}`));
      else startAtEpochMs = parsed.value;
      if (target.kind === 'inproc') shardProblems.push('--start-at does not work with the inproc target (it runs as fast as its own clock allows)');
    }
    if (shardProblems.length > 0) {
      fail(ExitCode.Usage, shardProblems);
      return;
    }
    const seed = a.seed ?? scenario.seed;
    const out = a.out ?? defaultRunDir(`${scenario.name}-${seed}`, shard === undefined ? '' : `-shard-${shard.index}-of-${shard.count}`);
    const tty = process.stderr.isTTY && !a.quiet && !a.json;
    const interrupt = stopLoadOnSignal('matchbench run: stopping (Ctrl-C again to abort without a report)');
    const engineLog: string[] = [];
    let output;
    try {
      output = await runScenario({
        scenario, scenarioHash: loaded.hash, scenarioFile: a.scenario, seed, target, signal: interrupt.signal, env: process.env,
        command: ['matchbench', ...process.argv.slice(2)].join(' '),
        ...(a.workers === undefined ? {} : { workers: a.workers }),
        ...(shard === undefined ? {} : { shard }),
        ...(startAtEpochMs === undefined ? {} : { startAtEpochMs }),
        ...(a['unresponsive-after'] === undefined ? {} : { unresponsiveAfterMs: a['unresponsive-after'] * 1_000 }),
        ...(a['inproc-delay-ns'] === undefined ? {} : { inprocDelayPerOrderNs: a['inproc-delay-ns'] }),
        ...(a['snapshot-check-ms'] === undefined ? {} : { snapshotCheckIntervalMs: a['snapshot-check-ms'] }),
        ...(tty ? { progress: (p: RunProgress) => process.stderr.write(`\r${progressLine(p)}\x1b[K`) } : {}),
        log: (line: string) => engineLog.push(`${new Date().toISOString()} ${line}`),
      });
    } catch (error) {
      const exit = runErrorExit(error);
      if (exit === undefined) throw error;
      fail(exit.code, [exit.line]);
      return;
    } finally {
      interrupt.release();
      if (tty) process.stderr.write('\r\x1b[K');
    }
    writeRunOutput(out, output, engineLog.length === 0 ? {} : { 'engine.log': `${engineLog.join('\n')}\n` });
    if (a.json) process.stdout.write(`${JSON.stringify(output.result)}\n`);
    else process.stdout.write(`${summaryText(output.result)}\nrun directory: ${out}\n`);
    process.exitCode = VERDICT_EXIT[output.result.verdict];
  },
};
