import os from 'node:os';
import type { CommandModule } from 'yargs';
import { ENGINE_BENCH_DEFAULTS, engineBenchOptionProblems, runEngineBench, type EngineBenchOptions } from '../bench/engineBench.js';
import { formatEngineBench } from '../bench/formatEngineBench.js';
import { FANOUT_BENCH_DEFAULTS, fanoutBenchProblems, runFanoutBench, type FanoutBenchOptions } from '../bench/fanoutBench.js';
import { formatFanoutBench } from '../bench/formatFanoutBench.js';
import { formatMatcherBench } from '../bench/formatMatcherBench.js';
import { MATCHER_BENCH_DEFAULTS, runMatcherBench } from '../bench/matcherBench.js';
import { formatRingBench } from '../bench/formatRingBench.js';
import { ENGINE_HTTP_BENCH_DEFAULTS, runEngineHttpBench, type EngineHttpBenchResult, type HttpLoadResult } from '../bench/engineHttpBench.js';
import { HARNESS_BENCH_DEFAULTS, runHarnessBench } from '../bench/harnessBench.js';
import { RING_BENCH_DEFAULTS, runRingBench } from '../bench/ringBench.js';
import { WAIT_STRATEGY_NAMES, type WaitStrategyName } from '../../engine/matcherWorkerProtocol.js';
import { validateRingBufferRequest } from '../../engine/ring/RingBuffer.js';
import { ExitCode } from '../exitCodes.js';
import { flagProblem } from './flagProblem.js';
import { appliedV8Flags, tuneV8 } from '../v8Tuning.js';

interface MatcherArgs {
  operations: number;
  seed: number;
  repetitions: number;
  json: boolean;
}

/** A one-line description of this machine for benchmark output. */
export function machineSummary(): string {
  const cpus = os.cpus();
  const applied = appliedV8Flags();
  const flags = applied.length === 0 ? 'default V8 flags' : `V8 ${applied.join(' ')}`;
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
    tuneV8(); // before any of the matcher's hot code is optimised (v8Tuning.ts)
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
    tuneV8(); // before the ring's hot code is optimised, on this thread and its workers (v8Tuning.ts)
    const result = await runRingBench({ messages: a.messages, portMessages: a['port-messages'], repetitions: a.repetitions,
      capacity: a.capacity, slotBytes: a['slot-bytes'], batch: a.batch, waitStrategy: a['wait-strategy'],
      progress: (line) => process.stderr.write(`${line}\n`) });
    const machine = machineSummary();
    if (a.json) process.stdout.write(`${JSON.stringify({ benchmark: 'ring', machine, ...result }, null, 2)}\n`);
    else process.stdout.write(`${formatRingBench(result, machine)}\n`);
    if (result.problems.length > 0) process.exitCode = ExitCode.Invariant;
  },
};

interface EngineArgs {
  connections: number;
  'client-threads': number;
  window: number;
  'throughput-ms': number;
  'warmup-ms': number;
  'latency-ms': number;
  'latency-load': number;
  seed: number;
  symbols: number;
  journal: boolean;
  durability: 'none' | 'batch' | 'sync';
  'wait-strategy': WaitStrategyName;
  json: boolean;
  'http-seconds': number;
  peer: boolean;
}

const engine: CommandModule<object, EngineArgs> = {
  command: 'engine',
  describe: 'Requests/s through the reference engine over TCP order entry, and the round trip at half that load',
  builder: (y) => y
    .option('connections', { type: 'number', default: ENGINE_BENCH_DEFAULTS.connections, describe: 'Order-entry connections' })
    .option('client-threads', { type: 'number', default: ENGINE_BENCH_DEFAULTS.clientThreads, describe: 'Load worker threads' })
    .option('window', { type: 'number', default: ENGINE_BENCH_DEFAULTS.window, describe: 'Outstanding requests per connection (throughput phase)' })
    .option('throughput-ms', { type: 'number', default: ENGINE_BENCH_DEFAULTS.throughputDurationMs, describe: 'Throughput phase length, ms' })
    .option('warmup-ms', { type: 'number', default: ENGINE_BENCH_DEFAULTS.warmupMs, describe: 'Start of the throughput phase not counted, ms' })
    .option('latency-ms', { type: 'number', default: ENGINE_BENCH_DEFAULTS.latencyDurationMs, describe: 'Latency phase length, ms' })
    .option('latency-load', { type: 'number', default: ENGINE_BENCH_DEFAULTS.latencyLoadFraction, describe: 'Latency phase rate as a share of the maximum' })
    .option('seed', { type: 'number', default: ENGINE_BENCH_DEFAULTS.seed, describe: 'Seed of the flow and arrival times' })
    .option('symbols', { type: 'number', default: ENGINE_BENCH_DEFAULTS.symbols, describe: 'Symbols traded' })
    .option('journal', { type: 'boolean', default: ENGINE_BENCH_DEFAULTS.journal, describe: 'Run the engine with a journal (temporary file)' })
    .option('durability', { choices: ['none', 'batch', 'sync'] as const, default: ENGINE_BENCH_DEFAULTS.durability, describe: 'Journal durability with --journal' })
    .option('wait-strategy', { choices: WAIT_STRATEGY_NAMES, default: ENGINE_BENCH_DEFAULTS.waitStrategy,
      describe: "How the engine's matcher thread waits for commands" })
    .option('peer', { type: 'boolean', default: ENGINE_BENCH_DEFAULTS.peer,
      describe: 'Run the latency phase again against a trivial echo peer at the same rate (--no-peer: skip it)' })
    .option('http-seconds', { type: 'number', default: ENGINE_HTTP_BENCH_DEFAULTS.durationS,
      describe: 'Seconds of autocannon load on the HTTP API and on a trivial Node server each (0: skip the HTTP half)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the results as one JSON object on stdout' })
    .check((a) => {
      const problems = engineBenchOptionProblems(engineOptions(a)).map((p) => `--${p}`);
      if (!(a['http-seconds'] >= 0)) problems.push(`--http-seconds must be ≥ 0, got ${a['http-seconds']}`);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    const progress = (line: string): void => { process.stderr.write(`${line}\n`); };
    const result = await runEngineBench({ ...engineOptions(a), progress });
    // The HTTP half: autocannon against the engine's POST /orders next to a trivial node:http server.
    const http = a['http-seconds'] > 0 ? await runEngineHttpBench({ durationS: a['http-seconds'], seed: a.seed, progress }) : null;
    const machine = machineSummary();
    if (a.json) process.stdout.write(`${JSON.stringify({ benchmark: 'engine', machine, ...result, http }, null, 2)}\n`);
    else process.stdout.write(`${formatEngineBench(result, machine)}\n${http === null ? '' : `${formatHttpHalf(http)}\n`}`);
    if (result.problems.length > 0 || (http?.problems.length ?? 0) > 0) process.exitCode = ExitCode.Invariant;
  },
};

/** The HTTP half of `bench engine` as text. */
function formatHttpHalf(r: EngineHttpBenchResult): string {
  const row = (x: HttpLoadResult): string => `  ${x.target.padEnd(8)} ${Math.round(x.requestsPerS).toLocaleString('en-US').padStart(9)} requests/s  ` +
    `p50 ${x.latencyMs.p50} ms  p99 ${x.latencyMs.p99} ms  p99.9 ${x.latencyMs.p999} ms  non-2xx ${x.non2xx}  errors ${x.errors}`;
  return [
    `HTTP (autocannon, ${r.connections} connections, pipelining ${r.pipelining}, ${r.durationS} s per target):`,
    row(r.ceiling), row(r.engine),
    `  engine / trivial server: ${r.ratio.toFixed(2)}; engine processed ${r.processedCommands.toLocaleString('en-US')} commands`,
    ...(r.problems.length === 0 ? ['  check: every answer 2xx, no errors, commands processed match the answers'] : r.problems.map((p) => `  PROBLEM: ${p}`)),
  ].join('\n');
}

/** The flags of `bench engine` as runEngineBench options (flag names in problems map back by prefixing --). */
function engineOptions(a: EngineArgs): EngineBenchOptions {
  return { ...ENGINE_BENCH_DEFAULTS, connections: a.connections, clientThreads: a['client-threads'], window: a.window,
    throughputDurationMs: a['throughput-ms'], warmupMs: a['warmup-ms'], latencyDurationMs: a['latency-ms'],
    latencyLoadFraction: a['latency-load'], seed: a.seed, symbols: a.symbols, journal: a.journal, durability: a.durability,
    waitStrategy: a['wait-strategy'], peer: a.peer };
}

interface FanoutArgs {
  subscribers: number;
  'slow-fraction': number;
  'stalled-fraction': number;
  'slow-bytes-per-second': number;
  rates: number[];
  'step-ms': number;
  'slow-fill-ms': number;
  'ratio-windows': number;
  'ratio-rounds': number;
  'ratio-window-ms': number;
  'slow-fill-rate': number;
  'warmup-ms': number;
  'drain-ms': number;
  'flush-interval-ms': number;
  workers: number;
  'audited-fast': number;
  'cap-bytes': number;
  policy: 'drop' | 'disconnect';
  seed: number;
  json: boolean;
}

const fanout: CommandModule<object, FanoutArgs> = {
  command: 'fanout',
  describe: 'Market-data fan-out: 1,000 subscribers (slow and stalled among them) while the feed rate rises step by step',
  builder: (y) => y
    .option('subscribers', { type: 'number', default: FANOUT_BENCH_DEFAULTS.subscribers, describe: 'Subscribers in all' })
    .option('slow-fraction', { type: 'number', default: FANOUT_BENCH_DEFAULTS.slowFraction, describe: 'Fraction of them that read slowly' })
    .option('stalled-fraction', { type: 'number', default: FANOUT_BENCH_DEFAULTS.stalledFraction, describe: 'Fraction of them that never read' })
    .option('slow-bytes-per-second', { type: 'number', default: FANOUT_BENCH_DEFAULTS.slowBytesPerSecond, describe: 'What a slow subscriber reads per second' })
    .option('rates', { type: 'number', array: true, default: [...FANOUT_BENCH_DEFAULTS.ratesHz], describe: 'Feed rates to try, frames/s to each subscriber, ascending' })
    .option('step-ms', { type: 'number', default: FANOUT_BENCH_DEFAULTS.stepMs, describe: 'Length of each rate step, ms' })
    .option('slow-fill-ms', { type: 'number', default: FANOUT_BENCH_DEFAULTS.slowFillMs,
      describe: 'Before the steps, longest time the feed plays until the engine drops frames for every slow and stalled subscriber, ms (0: skip)' })
    .option('slow-fill-rate', { type: 'number', default: FANOUT_BENCH_DEFAULTS.slowFillRateHz, describe: 'Feed rate of that fill, frames/s' })
    .option('ratio-windows', { type: 'number', default: FANOUT_BENCH_DEFAULTS.ratioWindows,
      describe: 'Windows of the baseline and step 1; the p99 ratio compares the medians of their p99s' })
    .option('ratio-window-ms', { type: 'number', default: FANOUT_BENCH_DEFAULTS.ratioWindowMs, describe: 'Length of each of those windows, ms' })
    .option('ratio-rounds', { type: 'number', default: FANOUT_BENCH_DEFAULTS.ratioRounds,
      describe: 'Rounds of that comparison: without the slow and stalled subscribers, then with a fresh set of them (disconnected between rounds)' })
    .option('warmup-ms', { type: 'number', default: FANOUT_BENCH_DEFAULTS.warmupMs, describe: 'Untimed warm-up, ms' })
    .option('drain-ms', { type: 'number', default: FANOUT_BENCH_DEFAULTS.drainMs, describe: 'How far behind the head a fast subscriber may be after a step, ms' })
    .option('flush-interval-ms', { type: 'number', default: FANOUT_BENCH_DEFAULTS.flushIntervalMs,
      describe: 'Least time between feed flushes (one write per subscriber each), ms; 0: every event-loop turn' })
    .option('workers', { type: 'number', default: FANOUT_BENCH_DEFAULTS.workers, describe: 'Worker threads for the fast subscribers' })
    .option('audited-fast', { type: 'number', default: FANOUT_BENCH_DEFAULTS.auditedFast,
      describe: 'Fast subscribers that also check every CRC-32C and rebuild the books (the others: framing and sequence); the fast count: all' })
    .option('cap-bytes', { type: 'number', default: FANOUT_BENCH_DEFAULTS.capBytes, describe: 'Engine outbound cap per subscriber, bytes' })
    .option('policy', { choices: ['drop', 'disconnect'] as const, default: FANOUT_BENCH_DEFAULTS.policy, describe: 'Slow-subscriber policy of the engine' })
    .option('seed', { type: 'number', default: FANOUT_BENCH_DEFAULTS.seed, describe: 'Seed of the recorded feed and the subscribers' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the results as one JSON object on stdout' })
    .check((a) => {
      const names = new Set(Object.keys(FANOUT_BENCH_DEFAULTS));
      const problems = fanoutBenchProblems(fanoutOptions(a)).map((p) => flagProblem(p, names, { ratesHz: 'rates', slowFillRateHz: 'slow-fill-rate' }));
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    const result = await runFanoutBench({ ...fanoutOptions(a), progress: (line) => process.stderr.write(`${line}\n`) });
    const machine = machineSummary();
    if (a.json) process.stdout.write(`${JSON.stringify({ benchmark: 'fanout', machine, ...result }, null, 2)}\n`);
    else process.stdout.write(`${formatFanoutBench(result, machine)}\n`);
    if (result.problems.length > 0) process.exitCode = ExitCode.Invariant;
  },
};

/** The flags of `bench fanout` as runFanoutBench options. */
function fanoutOptions(a: FanoutArgs): FanoutBenchOptions {
  return { ...FANOUT_BENCH_DEFAULTS, subscribers: a.subscribers, slowFraction: a['slow-fraction'], stalledFraction: a['stalled-fraction'],
    slowBytesPerSecond: a['slow-bytes-per-second'], ratesHz: a.rates, slowFillMs: a['slow-fill-ms'], slowFillRateHz: a['slow-fill-rate'], ratioWindows: a['ratio-windows'], ratioWindowMs: a['ratio-window-ms'], ratioRounds: a['ratio-rounds'], stepMs: a['step-ms'], warmupMs: a['warmup-ms'], drainMs: a['drain-ms'],
    flushIntervalMs: a['flush-interval-ms'], workers: a.workers, auditedFast: a['audited-fast'], capBytes: a['cap-bytes'], policy: a.policy, seed: a.seed };
}

/** `matchbench bench <name>`: the benchmarks behind `npm run bench:*`. */
interface HarnessArgs {
  values: number;
  repetitions: number;
  json: boolean;
}

const harness: CommandModule<object, HarnessArgs> = {
  command: 'harness',
  describe: "The harness's own cost: orders generated per second, ns per latency value recorded",
  builder: (y) => y
    .option('values', { type: 'number', default: HARNESS_BENCH_DEFAULTS.values, describe: 'Values recorded per repetition' })
    .option('repetitions', { type: 'number', default: HARNESS_BENCH_DEFAULTS.repetitions, describe: 'Repetitions (median reported)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the results as one JSON object on stdout' })
    .check((a) => {
      if (!Number.isSafeInteger(a.values) || a.values < 1) throw new Error(`--values must be a positive integer, got ${a.values}`);
      if (!Number.isSafeInteger(a.repetitions) || a.repetitions < 1) throw new Error(`--repetitions must be a positive integer, got ${a.repetitions}`);
      return true;
    }),
  handler: (a) => {
    const r = runHarnessBench({ values: a.values, repetitions: a.repetitions });
    const machine = machineSummary();
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ benchmark: 'harness', machine, ...r }, null, 2)}\n`);
      return;
    }
    process.stdout.write([
      `harness benchmark; ${machine}`,
      `order generation: ${(r.flow.ordersPerSecond / 1e6).toFixed(2)} M orders/s (runs ${r.flow.ordersPerSecondRuns.map((x) => (x / 1e6).toFixed(2)).join(' ')}), ` +
        `${r.flow.clients} clients, ${r.flow.orders.toLocaleString('en-US')} orders per run, stream ${r.flow.streamHash.slice(0, 16)}`,
      `recording: ${r.recordNs.toFixed(1)} ns per value (runs ${r.recordNsRuns.map((x) => x.toFixed(1)).join(' ')}), ` +
        `into the run histogram and its per-second interval`,
      '',
    ].join('\n'));
  },
};

export const benchCommand: CommandModule = {
  command: 'bench <benchmark>',
  describe: 'Run a benchmark (also: npm run bench:<benchmark>)',
  builder: (y) => y.command(matcher).command(ring).command(engine).command(fanout).command(harness)
    .demandCommand(1, 'Name a benchmark: matcher, ring, engine, fanout, harness'),
  handler: () => {},
};
