import os from 'node:os';
import type { CommandModule } from 'yargs';
import { formatMatcherBench } from '../bench/formatMatcherBench.js';
import { MATCHER_BENCH_DEFAULTS, runMatcherBench } from '../bench/matcherBench.js';
import { ExitCode } from '../exitCodes.js';
import { V8_FLAGS } from '../v8Tuning.js';

interface MatcherArgs {
  operations: number;
  seed: number;
  repetitions: number;
  json: boolean;
}

/** A one-line description of this machine for benchmark output. */
export function machineSummary(): string {
  const cpus = os.cpus();
  const flags = process.env.MATCHBENCH_V8_DEFAULTS === '1' ? 'default V8 flags' : `V8 ${V8_FLAGS.join(' ')}`;
  return `Node ${process.version}, ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${flags}`;
}

const matcher: CommandModule<object, MatcherArgs> = {
  command: 'matcher',
  describe: 'Matcher throughput and per-operation latency: matchbench OrderBook vs the oracle vs nodejs-order-book',
  builder: (y) => y
    .option('operations', { type: 'number', default: MATCHER_BENCH_DEFAULTS.operations, describe: 'Operations in the flow' })
    .option('seed', { type: 'number', default: MATCHER_BENCH_DEFAULTS.seed, describe: 'Seed of the generated flow' })
    .option('repetitions', { type: 'number', default: MATCHER_BENCH_DEFAULTS.repetitions, describe: 'Timed repetitions (median reported)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the results as one JSON object on stdout' })
    .check((a) => {
      if (!Number.isSafeInteger(a.operations) || a.operations < 1) throw new Error(`--operations must be a positive integer, got ${a.operations}`);
      if (!Number.isSafeInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
      if (!Number.isSafeInteger(a.repetitions) || a.repetitions < 1) throw new Error(`--repetitions must be a positive integer, got ${a.repetitions}`);
      return true;
    }),
  handler: (a) => {
    const result = runMatcherBench({ operations: a.operations, seed: a.seed, repetitions: a.repetitions,
      progress: (line) => process.stderr.write(`${line}\n`) });
    const machine = machineSummary();
    if (a.json) process.stdout.write(`${JSON.stringify({ benchmark: 'matcher', machine, ...result }, null, 2)}\n`);
    else process.stdout.write(`${formatMatcherBench(result, machine)}\n`);
    if (result.problems.length > 0) process.exitCode = ExitCode.Invariant;
  },
};

/** `matchbench bench <name>`: the benchmarks behind `npm run bench:*`. */
export const benchCommand: CommandModule = {
  command: 'bench <benchmark>',
  describe: 'Run a benchmark (also: npm run bench:<benchmark>)',
  builder: (y) => y.command(matcher).demandCommand(1, 'Name a benchmark: matcher'),
  handler: () => {},
};
