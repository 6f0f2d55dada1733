/**
 * The ring benchmark: messages per second from producer threads to a consumer thread through the
 * disruptor ring (engine/ring), against worker postMessage and MessageChannel, in one run.
 *
 *   ring SPSC       [producer worker] ──► RingBuffer (single producer) ──► [consumer worker]
 *   ring MPSC       [producer worker 0] ─┬► RingBuffer (multi producer) ──► [consumer worker]
 *                   [producer worker 1] ─┘
 *   postMessage     [producer worker] ── parentPort.postMessage ──────────► [main thread]
 *   MessageChannel  [producer worker] ── port1 ══════ port2 ──────────────► [consumer worker]
 *
 *   main thread: builds the ring or channel, sends it to the (long-lived) workers, waits for every
 *   `ready`, opens the start gate (Atomics.notify) and collects `done`. The consumer times from the
 *   gate to its last message. One untimed warm-up run per transport first (JIT).
 *
 * Every message is (producer, index, value). The consumer checks, per producer, that the indexes
 * arrive as 0, 1, 2, … and sums the values; a run counts only if the count, the order and the sums
 * match exactly (else `problems` is not empty and the CLI exits with ExitCode.Invariant).
 */
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import { RingBuffer } from '../../engine/ring/RingBuffer.js';

/** Options of {@link runRingBench}. */
export interface RingBenchOptions {
  /** Messages through the ring per run (split evenly between the MPSC producers). Default 10,000,000. */
  readonly messages: number;
  /** Messages per run for postMessage and MessageChannel, which are far slower. Default 1,000,000. */
  readonly portMessages: number;
  /** Timed runs per transport; the median is reported. Default 3. */
  readonly repetitions: number;
  /** Untimed warm-up runs per transport, on the same workers, before them. Default 1. */
  readonly warmups: number;
  /** Ring slots. Default 16,384. */
  readonly capacity: number;
  /** Bytes per slot; a message uses 24 (three doubles). Default 64. */
  readonly slotBytes: number;
  /** Slots a producer claims and publishes at once. Default 64. */
  readonly batch: number;
  /** Refused claims in a row after which a ring producer sleeps {@link busySleepMs}. Default 64. */
  readonly busySpins: number;
  /** How long a ring producer sleeps when the ring stays full (Atomics.wait timeout), in ms. Default 0.05. */
  readonly busySleepMs: number;
  /**
   * How the ring consumer waits when the ring is empty. Default 'spin-then-park' (the engine's
   * default too): the MPSC run has three threads on the 2-core machine, and a consumer that only
   * spins takes a producer's core whenever it catches up. Measured, four runs each on a quiet
   * machine: MPSC 36.0, 35.9, 30.7, 19.6 M msgs/s (median 33.3) against busy-spin's 30.1, 17.5,
   * 36.9, 19.9 (25.0); SPSC 79.5, 79.5, 89.5, 104.4 (84.5) against 87.0, 25.9, 69.4, 64.4 (66.9).
   */
  readonly waitStrategy: 'busy-spin' | 'spin-then-park';
  /** Longest a single run may take before it is abandoned as failed, in ms. Default 120,000. */
  readonly timeoutMs: number;
  /** Called with a line of progress text (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export const RING_BENCH_DEFAULTS: RingBenchOptions = {
  messages: 10_000_000,
  portMessages: 1_000_000,
  repetitions: 3,
  warmups: 1,
  capacity: 16_384,
  slotBytes: 64,
  batch: 64,
  busySpins: 64,
  busySleepMs: 0.05,
  waitStrategy: 'spin-then-park',
  timeoutMs: 120_000,
};

/** One transport's figures. */
export interface TransportResult {
  readonly name: string;
  readonly producers: number;
  /** Messages per timed run (all producers together). */
  readonly messages: number;
  /** Median over the timed runs. */
  readonly msgsPerSecond: number;
  /** Each timed run's throughput. */
  readonly runsMsgsPerSecond: readonly number[];
  /** Median throughput divided by postMessage's. */
  readonly ratioToPostMessage: number;
  /** Ring only: messages per consumer batch, mean over the timed runs. */
  readonly meanConsumerBatch?: number;
  /** Ring only: producer claims refused because the ring was full, summed over the timed runs. */
  readonly busyClaims?: number;
}

/** What {@link runRingBench} returns. */
export interface RingBenchResult {
  readonly messages: number;
  readonly portMessages: number;
  readonly repetitions: number;
  readonly warmups: number;
  readonly ring: {
    readonly capacity: number; readonly slotBytes: number; readonly batch: number; readonly waitStrategy: string;
    readonly busySpins: number; readonly busySleepMs: number;
  };
  readonly transports: readonly TransportResult[];
  /** Every checksum or run failure; the benchmark has failed when this is not empty. */
  readonly problems: readonly string[];
}

/** The roles a benchmark worker plays (ringBench.worker.ts). */
export type RingBenchRole = 'ring-producer' | 'ring-consumer' | 'port-producer' | 'port-consumer';

/** One run's instructions for one worker. */
export interface RingBenchRun {
  readonly gate: SharedArrayBuffer;
  readonly ring?: SharedArrayBuffer;
  readonly port?: MessagePort;
  readonly producer: number;
  readonly producers: number;
  readonly messagesPerProducer: number;
  readonly batch: number;
  readonly busySpins: number;
  readonly busySleepMs: number;
  readonly waitStrategy: RingBenchOptions['waitStrategy'];
  readonly timeoutMs: number;
}

/** What a consumer saw, per producer. */
export interface ConsumerReport {
  readonly received: number;
  /** Messages whose producer field was not a known producer. */
  readonly unknownProducer: number;
  readonly producers: readonly { readonly count: number; readonly sum: number; readonly outOfOrder: number }[];
}

/** A worker's answer to a run. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly ok: false; readonly error: string }
  | { readonly type: 'done'; readonly ok: true; readonly elapsedNs?: number; readonly report?: ConsumerReport;
      readonly batches?: number; readonly busyClaims?: number };

/** The value field of message `index` from `producer`: a cheap hash, so a wrong slot changes the sum. */
export function messageValue(producer: number, index: number): number {
  // 20-bit values: 10 M of them sum to at most 2^44, exact in a double.
  return Math.imul(index ^ (producer << 24), 0x9e3779b1) >>> 12;
}

/**
 * Checks a stream of (producer, index, value) messages as they arrive: per producer, indexes must
 * come as 0, 1, 2, … (anything else counts as out of order) and the values are summed.
 */
export class MessageChecker {
  received = 0;
  unknownProducer = 0;
  private readonly nextIndex: Float64Array;
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly outOfOrder: Float64Array;

  constructor(readonly producers: number) {
    this.nextIndex = new Float64Array(producers);
    this.counts = new Float64Array(producers);
    this.sums = new Float64Array(producers);
    this.outOfOrder = new Float64Array(producers);
  }

  accept(producer: number, index: number, value: number): void {
    this.received++;
    if (!(producer >= 0 && producer < this.producers && producer === Math.floor(producer))) {
      this.unknownProducer++;
      return;
    }
    if (this.nextIndex[producer] !== index) this.outOfOrder[producer] = (this.outOfOrder[producer] as number) + 1;
    this.nextIndex[producer] = index + 1;
    this.counts[producer] = (this.counts[producer] as number) + 1;
    this.sums[producer] = (this.sums[producer] as number) + value;
  }

  report(): ConsumerReport {
    return {
      received: this.received,
      unknownProducer: this.unknownProducer,
      producers: Array.from(this.counts, (count, p) => ({ count, sum: this.sums[p] as number, outOfOrder: this.outOfOrder[p] as number })),
    };
  }
}

/** Σ messageValue(producer, i) for i < messages. */
export function expectedSum(producer: number, messages: number): number {
  let sum = 0;
  for (let i = 0; i < messages; i++) sum += messageValue(producer, i);
  return sum;
}

/** Every way a consumer's report differs from `producers` × `messagesPerProducer` messages delivered once, in order. */
export function checkConsumerReport(report: ConsumerReport, producers: number, messagesPerProducer: number): string[] {
  const problems: string[] = [];
  const total = producers * messagesPerProducer;
  if (report.received !== total) problems.push(`received ${report.received} messages, expected ${total}`);
  if (report.unknownProducer > 0) problems.push(`${report.unknownProducer} messages name an unknown producer`);
  for (let p = 0; p < producers; p++) {
    const seen = report.producers[p];
    if (seen === undefined) {
      problems.push(`producer ${p}: no report`);
      continue;
    }
    if (seen.count !== messagesPerProducer) problems.push(`producer ${p}: ${seen.count} messages, expected ${messagesPerProducer}`);
    if (seen.outOfOrder > 0) problems.push(`producer ${p}: ${seen.outOfOrder} messages out of order (lost, duplicated or reordered)`);
    const sum = expectedSum(p, messagesPerProducer);
    if (seen.sum !== sum) problems.push(`producer ${p}: checksum ${seen.sum}, expected ${sum}`);
  }
  return problems;
}

/** A long-lived benchmark worker and the replies it has sent. */
class BenchWorker {
  private readonly worker: Worker;
  private readonly replies: WorkerReply[] = [];
  private waiter: ((reply: WorkerReply) => void) | undefined;
  /** Receives the data messages a port producer posts to the main thread. */
  onData: ((message: [number, number, number]) => void) | undefined;

  constructor(role: RingBenchRole) {
    this.worker = new Worker(builtModuleUrl('harness/bench/ringBench.worker.ts'), { workerData: { role } });
    this.worker.on('message', (m: WorkerReply | [number, number, number]) => {
      if (Array.isArray(m)) this.onData?.(m);
      else this.deliver(m);
    });
    this.worker.on('error', (e) => this.deliver({ type: 'done', ok: false, error: `worker ${role} failed: ${String(e)}` }));
    // A worker that exits without answering must not leave a run waiting forever.
    this.worker.on('exit', (code) => this.deliver({ type: 'done', ok: false, error: `worker ${role} exited (code ${code})` }));
  }

  private deliver(reply: WorkerReply): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter !== undefined) waiter(reply);
    else this.replies.push(reply);
  }

  send(run: RingBenchRun): void {
    this.worker.postMessage({ type: 'run', run }, run.port === undefined ? [] : [run.port]);
  }

  reply(): Promise<WorkerReply> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A transport under test. */
interface Transport {
  readonly name: string;
  readonly kind: 'ring' | 'postMessage' | 'channel';
  readonly producers: number;
}

const TRANSPORTS: readonly Transport[] = [
  { name: 'ring SPSC', kind: 'ring', producers: 1 },
  { name: 'ring MPSC (2 producers)', kind: 'ring', producers: 2 },
  { name: 'postMessage (worker → main)', kind: 'postMessage', producers: 1 },
  { name: 'MessageChannel (worker → worker)', kind: 'channel', producers: 1 },
];

interface RunOutcome {
  readonly elapsedNs: number;
  readonly batches: number;
  readonly busyClaims: number;
  readonly problems: string[];
}

/** One run of a transport with its workers: set up, gate, collect, check. */
async function runOnce(transport: Transport, producers: readonly BenchWorker[], consumer: BenchWorker | undefined,
  messages: number, options: RingBenchOptions): Promise<RunOutcome> {
  const messagesPerProducer = Math.floor(messages / transport.producers);
  const gateBuffer = new SharedArrayBuffer(4);
  const base = { gate: gateBuffer, producers: transport.producers, messagesPerProducer, batch: options.batch,
    busySpins: options.busySpins, busySleepMs: options.busySleepMs, waitStrategy: options.waitStrategy, timeoutMs: options.timeoutMs };
  const problems: string[] = [];
  let gateOpenedNs = 0n;

  let mainChecker: MessageChecker | undefined;
  let mainDone: Promise<number> | undefined;
  if (transport.kind === 'ring') {
    const ring = RingBuffer.build({ capacity: options.capacity, slotBytes: options.slotBytes,
      producers: transport.producers > 1 ? 'multi' : 'single' }).buffer;
    producers.forEach((w, producer) => w.send({ ...base, ring, producer }));
    consumer?.send({ ...base, ring, producer: -1 });
  } else if (transport.kind === 'channel') {
    const channel = new MessageChannel();
    producers[0]?.send({ ...base, port: channel.port1, producer: 0 });
    consumer?.send({ ...base, port: channel.port2, producer: -1 });
  } else {
    const checker = new MessageChecker(transport.producers);
    mainChecker = checker;
    const total = messagesPerProducer * transport.producers;
    mainDone = new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(Number.NaN), options.timeoutMs);
      producers.forEach((w) => {
        w.onData = (m): void => {
          checker.accept(m[0], m[1], m[2]);
          if (checker.received === total) {
            clearTimeout(timer);
            resolve(Number(process.hrtime.bigint() - gateOpenedNs));
          }
        };
      });
    });
    producers.forEach((w, producer) => w.send({ ...base, producer }));
  }

  const workers = consumer === undefined ? [...producers] : [...producers, consumer];
  for (const reply of await Promise.all(workers.map((w) => w.reply()))) {
    if (reply.type !== 'ready') problems.push(`a worker answered ${JSON.stringify(reply)} instead of ready`);
  }
  const gate = new Int32Array(gateBuffer);
  gateOpenedNs = process.hrtime.bigint();
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);

  let elapsedNs = Number.NaN;
  let batches = 0;
  let busyClaims = 0;
  const replies = await Promise.all(workers.map((w) => w.reply()));
  for (const reply of replies) {
    if (reply.type !== 'done') {
      problems.push(`a worker answered ${reply.type} instead of done`);
    } else if (!reply.ok) {
      problems.push(reply.error);
    } else {
      busyClaims += reply.busyClaims ?? 0;
      if (reply.report !== undefined) {
        elapsedNs = reply.elapsedNs ?? Number.NaN;
        batches = reply.batches ?? 0;
        problems.push(...checkConsumerReport(reply.report, transport.producers, messagesPerProducer));
      }
    }
  }
  if (mainDone !== undefined && mainChecker !== undefined) {
    elapsedNs = await mainDone;
    problems.push(...checkConsumerReport(mainChecker.report(), transport.producers, messagesPerProducer));
  }
  if (!Number.isFinite(elapsedNs)) problems.push('the consumer did not finish in time');
  return { elapsedNs, batches, busyClaims, problems };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Runs the whole benchmark and returns its figures; never prints (see `progress`). */
export async function runRingBench(overrides: Partial<RingBenchOptions> = {}): Promise<RingBenchResult> {
  const options: RingBenchOptions = { ...RING_BENCH_DEFAULTS, ...overrides };
  const say = options.progress ?? ((): void => {});
  const problems: string[] = [];
  const measured: { transport: Transport; messages: number; runs: number[]; batches: number; busyClaims: number }[] = [];

  for (const transport of TRANSPORTS) {
    const ring = transport.kind === 'ring';
    const messages = Math.floor((ring ? options.messages : options.portMessages) / transport.producers) * transport.producers;
    const producers = Array.from({ length: transport.producers }, () => new BenchWorker(ring ? 'ring-producer' : 'port-producer'));
    const consumer = transport.kind === 'postMessage' ? undefined : new BenchWorker(ring ? 'ring-consumer' : 'port-consumer');
    const runs: number[] = [];
    let batches = 0;
    let busyClaims = 0;
    try {
      for (let w = 0; w < options.warmups; w++) {
        const warm = Math.min(messages, 500_000);
        say(`${transport.name}: warm-up ${w + 1}/${options.warmups} (${warm.toLocaleString('en-US')} messages)`);
        const outcome = await runOnce(transport, producers, consumer, warm, options);
        problems.push(...outcome.problems.map((p) => `${transport.name}, warm-up ${w + 1}: ${p}`));
      }
      for (let r = 0; r < options.repetitions; r++) {
        const outcome = await runOnce(transport, producers, consumer, messages, options);
        problems.push(...outcome.problems.map((p) => `${transport.name}, run ${r + 1}: ${p}`));
        const msgsPerSecond = messages / (outcome.elapsedNs / 1e9);
        runs.push(msgsPerSecond);
        batches += outcome.batches;
        busyClaims += outcome.busyClaims;
        say(`${transport.name}: run ${r + 1}/${options.repetitions}: ${(msgsPerSecond / 1e6).toFixed(2)} M msgs/s` +
          (outcome.problems.length === 0 ? ', checksum ok' : ', CHECK FAILED'));
      }
    } finally {
      await Promise.all([...producers, ...(consumer === undefined ? [] : [consumer])].map((w) => w.stop()));
    }
    measured.push({ transport, messages, runs, batches, busyClaims });
  }

  const postMessage = measured.find((m) => m.transport.kind === 'postMessage');
  const baseline = postMessage === undefined ? Number.NaN : median(postMessage.runs);
  return {
    messages: options.messages,
    portMessages: options.portMessages,
    repetitions: options.repetitions,
    warmups: options.warmups,
    ring: { capacity: options.capacity, slotBytes: options.slotBytes, batch: options.batch, waitStrategy: options.waitStrategy,
      busySpins: options.busySpins, busySleepMs: options.busySleepMs },
    transports: measured.map(({ transport, messages, runs, batches, busyClaims }) => ({
      name: transport.name,
      producers: transport.producers,
      messages,
      msgsPerSecond: median(runs),
      runsMsgsPerSecond: runs,
      ratioToPostMessage: median(runs) / baseline,
      ...(transport.kind === 'ring' ? { meanConsumerBatch: batches > 0 ? (messages * runs.length) / batches : 0, busyClaims } : {}),
    })),
    problems,
  };
}
