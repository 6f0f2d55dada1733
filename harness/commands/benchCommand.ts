import os from 'node:os';
import type { CommandModule } from 'yargs';
import { formatMatcherBench } from '../bench/formatMatcherBench.js';
import { MATCHER_BENCH_DEFAULTS, runMatcherBench } from '../bench/matcherBench.js';
import { formatRingBench } from '../bench/formatRingBench.js';
import { RING_BENCH_DEFAULTS, runRingBench } from '../bench/ringBench.js';
import { validateRingBufferRequest } from '../../engine/ring/RingBuffer.js';
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

interface RingArgs {
  messages: number;
  'port-messages': number;
  repetitions: number;
  capacity: number;
  'slot-bytes': number;
  batch: number;
  'wait-strategy': 'busy-spin' | 'spin-then-park';
  json: boolean;
}

const ring: CommandModule<object, RingArgs> = {
  command: 'ring',
  describe: 'Messages/s between worker threads: the disruptor ring (SPSC, MPSC) vs postMessage and MessageChannel',
  builder: (y) => y
    .option('messages', { type: 'number', default: RING_BENCH_DEFAULTS.messages, describe: 'Messages through the ring per run' })
    .option('port-messages', { type: 'number', default: RING_BENCH_DEFAULTS.portMessages, describe: 'Messages per run for postMessage and MessageChannel' })
    .option('repetitions', { type: 'number', default: RING_BENCH_DEFAULTS.repetitions, describe: 'Timed runs per transport (median reported)' })
    .option('capacity', { type: 'number', default: RING_BENCH_DEFAULTS.capacity, describe: 'Ring slots (a power of two)' })
    .option('slot-bytes', { type: 'number', default: RING_BENCH_DEFAULTS.slotBytes, describe: 'Bytes per slot (a multiple of 8)' })
    .option('batch', { type: 'number', default: RING_BENCH_DEFAULTS.batch, describe: 'Slots a producer claims and publishes at once' })
    .option('wait-strategy', { choices: ['busy-spin', 'spin-then-park'] as const, default: RING_BENCH_DEFAULTS.waitStrategy,
      describe: 'How the ring consumer waits when empty' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the results as one JSON object on stdout' })
    .check((a) => {
      const problems = validateRingBufferRequest({ capacity: a.capacity, slotBytes: a['slot-bytes'], producers: 'multi', consumers: 1, initialSequence: 0 })
        .map((p) => `--${p.replace(/^slotBytes/, 'slot-bytes')}`);
      for (const [flag, value] of [['messages', a.messages], ['port-messages', a['port-messages']], ['repetitions', a.repetitions], ['batch', a.batch]] as const) {
        if (!Number.isSafeInteger(value) || value < 1) problems.push(`--${flag} must be a positive integer, got ${value}`);
      }
      if (a.messages < 2 || a['port-messages'] < 2) problems.push('--messages and --port-messages must be at least 2 (two MPSC producers)');
      if (a.batch > a.capacity) problems.push(`--batch must be at most --capacity (${a.capacity}), got ${a.batch}`);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    const result = await runRingBench({ messages: a.messages, portMessages: a['port-messages'], repetitions: a.repetitions,
      capacity: a.capacity, slotBytes: a['slot-bytes'], batch: a.batch, waitStrategy: a['wait-strategy'],
      progress: (line) => process.stderr.write(`${line}\n`) });
    const machine = machineSummary();
    if (a.json) process.stdout.write(`${JSON.stringify({ benchmark: 'ring', machine, ...result }, null, 2)}\n`);
    else process.stdout.write(`${formatRingBench(result, machine)}\n`);
    if (result.problems.length > 0) process.exitCode = ExitCode.Invariant;
  },
};

/** `matchbench bench <name>`: the benchmarks behind `npm run bench:*`. */
export const benchCommand: CommandModule = {
  command: 'bench <benchmark>',
  describe: 'Run a benchmark (also: npm run bench:<benchmark>)',
  builder: (y) => y.command(matcher).command(ring).demandCommand(1, 'Name a benchmark: matcher, ring'),
  handler: () => {},
};
