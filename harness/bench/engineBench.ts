/**
 * The engine benchmark (TCP part): requests per second through the reference engine's TCP order
 * entry, ring, matcher and back, and the round trip at half that load.
 *
 *   main thread (this module)                      load worker(s) (engineBench.worker.ts, from dist/)
 *   Engine.start (in process, 127.0.0.1, port 0)   EngineBenchConnection × connections
 *    ├ OrderEntryServer ◄══════ TCP, docs/PROTOCOL.md ═══════► OrderEntryClient (seeded flow, own-order book)
 *    ├ MatcherThread ─ rings ─► matcher worker                   │
 *    │                                                           │ phase 1 throughput: `window` outstanding
 *    │   ◄── phase request ───────────────────────────────────── │   per connection (closed loop)
 *    │   ─── counts, encoded histograms, believed resting ──────►│ phase 2 latency: Poisson arrivals at
 *    │                                                               latencyLoadFraction × phase 1's rate
 *    └ stop: the matcher's final books ─► checkBookInvariants, and equal to what the clients believe
 *   EchoPeer (127.0.0.1, port 0) ◄═══ TCP ═══════════════════► the same worker, fresh sessions
 *                                                              phase 3 echo peer: phase 2 again, same rate,
 *                                                              connections, seeds and duration
 *
 * Phase 1's rate is completions (a response: ACK or REJECT for a NEW_ORDER, CANCELED or REJECT for
 * a CANCEL) per second after a warm-up. Phase 2 records each round trip twice into HDR histograms:
 * from the intended send time (coordinated-omission corrected) and from the actual send time (the
 * timestamp the engine echoes). Worker histograms come back encoded and are added, never averaged.
 * Phase 3 (unless `peer` is off) runs phase 2's code against a trivial echo peer (EchoPeer.ts) on
 * this thread, where the engine's gateways ran, after the engine has stopped: the round trip that
 * Node and loopback TCP alone take on this machine at the same offered rate, the floor under the
 * engine's figure.
 *
 * A figure counts only if the answer was right: every request answered with the echoed
 * timestamp, every session's sequences contiguous and ended by LOGOUT, each report consistent with
 * the client's view of its order, the book invariants on the engine's final state, and the final
 * books equal to the resting orders the clients derived from their reports. Otherwise `problems`
 * is not empty (the CLI exits with ExitCode.Invariant). The echo peer keeps no book, so its run
 * checks the answers, echoes and sessions, and the peer's own count of answers, not the books.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkBookInvariants } from '../../engine/book/invariants.js';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';
import type { Durability } from '../../engine/journal/JournalWriter.js';
import { WAIT_STRATEGY_NAMES, type FinalState, type WaitStrategyName } from '../../engine/matcherWorkerProtocol.js';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import { HistogramSet, summarize, type LatencySummary } from '../record/HistogramSet.js';
import { EchoPeer } from './EchoPeer.js';
import {
  ENGINE_BENCH_FLOW_DEFAULTS, type BelievedOrder, type EngineBenchFlow, type LoadOpenRequest, type LoadPhaseRequest, type LoadReply, type LoadRequest,
  type PhaseDone,
} from './engineBenchProtocol.js';

/** Options of {@link runEngineBench}; each documents its default in {@link ENGINE_BENCH_DEFAULTS}. */
export interface EngineBenchOptions {
  /** Order-entry connections (sessions), split over the load threads. Default 16. */
  readonly connections: number;
  /** Load worker threads. Default 1 (on 2 cores the engine's two threads need the rest). */
  readonly clientThreads: number;
  /** Requests each connection keeps outstanding in the throughput phase. Default 64. */
  readonly window: number;
  /** Throughput phase: how long requests are sent, ms. Default 8,000. */
  readonly throughputDurationMs: number;
  /**
   * Throughput phase: completions in the first warmupMs are not counted (JIT, TCP windows, heap
   * growth). Default 3,000: with 1,000 (and 5,000 in all) five runs here gave 257–335 k requests/s,
   * with 3,000 (and 8,000) four gave 331–356 k: the first seconds are slower, and by how much varies.
   */
  readonly warmupMs: number;
  /** Latency phase: how long arrivals are sent, ms. Default 5,000. */
  readonly latencyDurationMs: number;
  /** Latency phase rate as a share of the measured maximum. Default 0.5. */
  readonly latencyLoadFraction: number;
  /** Count bound of each connection's load loop, per phase. Default 5,000,000. */
  readonly maxRequestsPerConnection: number;
  /** Latency phase: stop early (overload) when a connection has this many requests unanswered. Default 50,000. */
  readonly maxOutstandingPerConnection: number;
  /** Longest wait for outstanding answers after a phase stops sending, ms. Default 10,000. */
  readonly drainTimeoutMs: number;
  /** Seed of the flow and the arrival times. Default 1. */
  readonly seed: number;
  /** Symbols the engine trades and the flow spreads over. Default 1. */
  readonly symbols: number;
  /** Run the engine with a journal (in a temporary directory, removed afterwards). Default false. */
  readonly journal: boolean;
  /** Journal durability when `journal` is on. Default 'batch'. */
  readonly durability: Durability;
  /**
   * How the engine's matcher worker waits for commands. Default 'blocking', not the engine's
   * 'spin-then-park': this benchmark runs the engine's main thread, its matcher worker and the load
   * client on one machine, and on the 2-core project machine a matcher that spins between batches
   * takes the core the other two need. Measured on that machine (shared, noisy), same build, two
   * A/B rounds: 192 k and 104 k requests/s with 'blocking' against 133 k and 121 k spinning up to
   * 10,000 times, and a round-trip p50 of 1.3 and 0.8 ms against 8.0 and 14.5 ms at half load.
   */
  readonly waitStrategy: WaitStrategyName;
  /** Fault injection for tests: each connection ignores every n-th report (0: never). Default 0. */
  readonly dropEveryNthReport: number;
  /**
   * After the engine's latency phase, run it again against a trivial echo peer (EchoPeer.ts) at
   * the same offered rate, for latencyDurationMs. Default true.
   */
  readonly peer: boolean;
  /** Called with a line of progress text (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export const ENGINE_BENCH_DEFAULTS: EngineBenchOptions = {
  connections: 16,
  clientThreads: 1,
  window: 64,
  throughputDurationMs: 8_000,
  warmupMs: 3_000,
  latencyDurationMs: 5_000,
  latencyLoadFraction: 0.5,
  maxRequestsPerConnection: 5_000_000,
  maxOutstandingPerConnection: 50_000,
  drainTimeoutMs: 10_000,
  seed: 1,
  symbols: 1,
  journal: false,
  durability: 'batch',
  waitStrategy: 'blocking',
  dropEveryNthReport: 0,
  peer: true,
};

/** The targets for this benchmark. */
export const ENGINE_BENCH_TARGETS = {
  /** End-to-end requests per second. */
  requestsPerSecond: 300_000,
  /** Round-trip p99 from the intended send time at half load, ns. */
  latencyP99Ns: 1_000_000,
} as const;

/** What one phase sent and got back, over every load thread. */
export interface PhaseTotals {
  readonly newOrdersSent: number;
  readonly cancelsSent: number;
  readonly completed: number;
  /** REJECT counts by `request type/reason name`. */
  readonly rejects: Readonly<Record<string, number>>;
}

/** A latency phase's figures, over every load thread. */
export interface LatencyPhaseResult extends PhaseTotals {
  readonly targetRateHz: number;
  /** Requests sent per second of the phase. */
  readonly achievedRateHz: number;
  readonly skippedBackpressure: number;
  readonly overloaded: boolean;
  /** Round trip from the intended send time (coordinated-omission corrected), ns. */
  readonly intendedNs: LatencySummary;
  /** Round trip from the actual send time, ns. */
  readonly serviceNs: LatencySummary;
  /** The merged histograms, encoded (compressed base64), by name. */
  readonly histograms: Readonly<Record<string, string>>;
}

/** The latency phase against the echo peer at the engine's offered rate. */
export interface EchoPeerResult extends LatencyPhaseResult {
  /** Requests the peer itself counted as answered. */
  readonly answered: number;
  /** The engine's round-trip p99 over the peer's, from the intended and from the actual send time (NaN when the peer's is 0). */
  readonly engineP99Ratio: { readonly intended: number; readonly service: number };
  /** The checks that do not apply to a peer with no book. */
  readonly notChecked: string;
}

/** What {@link runEngineBench} returns. */
export interface EngineBenchResult {
  readonly options: Omit<EngineBenchOptions, 'progress'>;
  readonly flow: EngineBenchFlow;
  readonly throughput: PhaseTotals & {
    /** Completions per second between the warm-up's end and the end of sending: the maximum. */
    readonly requestsPerSecond: number;
    readonly measuredMs: number;
  };
  readonly latency: LatencyPhaseResult | undefined;
  /** The echo peer's run; undefined when `peer` is off or the engine's latency phase did not run. */
  readonly peer: EchoPeerResult | undefined;
  readonly engine: {
    readonly processed: number;
    readonly stateHash: string;
    readonly restingOrders: number;
    readonly invariantViolations: number;
  };
  readonly targets: typeof ENGINE_BENCH_TARGETS & { readonly throughputMet: boolean; readonly latencyMet: boolean };
  /** Every correctness failure; the benchmark failed when this is not empty. */
  readonly problems: readonly string[];
}

/** Every problem with `options`, each naming its field; empty when they are usable. */
export function engineBenchOptionProblems(options: EngineBenchOptions): string[] {
  const problems: string[] = [];
  const int = (name: keyof EngineBenchOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const value = options[name] as number;
    if (!Number.isSafeInteger(value) || value < min || value > max) problems.push(`${name} must be an integer in ${min}..${max}, got ${value}`);
  };
  int('connections', 1, 1_000);
  int('clientThreads', 1, 64);
  int('window', 1, 4_096);
  int('throughputDurationMs', 1);
  int('warmupMs', 0);
  int('latencyDurationMs', 1);
  int('maxRequestsPerConnection', 1);
  int('maxOutstandingPerConnection', 1);
  int('drainTimeoutMs', 1);
  int('seed', Number.MIN_SAFE_INTEGER);
  int('symbols', 1, 64);
  int('dropEveryNthReport', 0);
  if (!(options.latencyLoadFraction > 0 && options.latencyLoadFraction <= 1)) {
    problems.push(`latencyLoadFraction must be in (0, 1], got ${options.latencyLoadFraction}`);
  }
  if (options.warmupMs >= options.throughputDurationMs) {
    problems.push(`warmupMs (${options.warmupMs}) must be below throughputDurationMs (${options.throughputDurationMs})`);
  }
  if (options.clientThreads > options.connections) {
    problems.push(`clientThreads (${options.clientThreads}) must not exceed connections (${options.connections})`);
  }
  if (!WAIT_STRATEGY_NAMES.includes(options.waitStrategy)) {
    problems.push(`waitStrategy must be one of ${WAIT_STRATEGY_NAMES.join(', ')}, got ${options.waitStrategy}`);
  }
  if (typeof options.peer !== 'boolean') problems.push(`peer must be true or false, got ${String(options.peer)}`);
  if (!['none', 'batch', 'sync'].includes(options.durability)) problems.push(`durability must be none, batch or sync, got ${options.durability}`);
  return problems;
}

/** Extra time a worker gets for a phase beyond sending and draining (connect, LOGOUT), ms. */
const PHASE_SLACK_MS = 15_000;

/** The load threads; every request goes to each and waits for all their answers. */
class LoadThreads {
  private constructor(private readonly workers: Worker[], private readonly connections: number) {}

  static start(count: number, connections: number): LoadThreads {
    return new LoadThreads(Array.from({ length: count }, () => new Worker(builtModuleUrl('harness/bench/engineBench.worker.ts'))),
      connections);
  }

  /** Worker w's share of the connections: [lo, hi). */
  private share(w: number): { lo: number; hi: number } {
    const n = this.workers.length;
    return { lo: Math.floor((this.connections * w) / n), hi: Math.floor((this.connections * (w + 1)) / n) };
  }

  open(base: Omit<LoadOpenRequest, 'firstClientId' | 'connections'>, timeoutMs: number): Promise<LoadReply[]> {
    return this.ask((w) => {
      const { lo, hi } = this.share(w);
      return { ...base, firstClientId: 1 + lo, connections: hi - lo };
    }, timeoutMs);
  }

  /** Runs a phase; `totalRateHz` is split over the threads by their share of connections. */
  async phase(base: LoadPhaseRequest, timeoutMs: number): Promise<PhaseDone[]> {
    const replies = await this.ask((w) => {
      const { lo, hi } = this.share(w);
      return { ...base, rateHz: (base.rateHz * (hi - lo)) / this.connections };
    }, timeoutMs);
    return replies as PhaseDone[];
  }

  async close(timeoutMs: number): Promise<Extract<LoadReply, { type: 'closed' }>[]> {
    return (await this.ask(() => ({ type: 'close' }), timeoutMs)) as Extract<LoadReply, { type: 'closed' }>[];
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Sends each worker its request; rejects on a `failed` answer, a worker error or a late answer. */
  private ask(requestOf: (w: number) => LoadRequest, timeoutMs: number): Promise<LoadReply[]> {
    return Promise.all(this.workers.map((worker, w) => new Promise<LoadReply>((resolve, reject) => {
      const request = requestOf(w);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`load thread ${w} did not answer '${request.type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (reply: LoadReply): void => {
        done();
        if (reply.type === 'failed') reject(new Error(`load thread ${w}, '${request.type}': ${reply.error}`));
        else resolve(reply);
      };
      const onError = (error: Error): void => {
        done();
        reject(error);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(request);
    })));
  }
}

function totals(replies: readonly PhaseDone[]): PhaseTotals {
  const rejects: Record<string, number> = {};
  for (const r of replies) for (const [k, v] of Object.entries(r.rejects)) rejects[k] = (rejects[k] ?? 0) + v;
  return {
    newOrdersSent: replies.reduce((n, r) => n + r.newOrdersSent, 0),
    cancelsSent: replies.reduce((n, r) => n + r.cancelsSent, 0),
    completed: replies.reduce((n, r) => n + r.completed, 0),
    rejects,
  };
}

/**
 * The engine's final books against invariants and against what the clients believe rests.
 * Returns the problems, at most `limit` described per kind.
 */
export function checkFinalState(state: FinalState, believed: readonly BelievedOrder[], limit = 5):
{ problems: string[]; restingOrders: number; invariantViolations: number } {
  const problems: string[] = [];
  let invariantViolations = 0;
  for (const book of state.books) {
    for (const v of checkBookInvariants(book)) {
      if (++invariantViolations <= limit) problems.push(`book invariant ${v.invariant} broken on symbol ${v.symbolId}: ${v.message}`);
    }
  }
  if (invariantViolations > limit) problems.push(`… and ${invariantViolations - limit} more broken book invariants`);
  const key = (owner: number, symbolId: number, clientOrderId: number): string => `${owner}/${symbolId}/${clientOrderId}`;
  const expected = new Map<string, number>();
  for (const b of believed) expected.set(key(b.owner, b.symbolId, b.clientOrderId), b.leavesQuantity);
  let mismatches = 0;
  let restingOrders = 0;
  const mismatch = (detail: string): void => {
    if (++mismatches <= limit) problems.push(detail);
  };
  for (const book of state.books) {
    for (const level of [...book.bids, ...book.asks]) {
      for (const o of level.orders) {
        restingOrders++;
        const k = key(o.owner, book.symbolId, o.clientOrderId);
        const leaves = expected.get(k);
        if (leaves === undefined) mismatch(`the engine rests order ${o.orderId} (client ${o.owner}, clientOrderId ${o.clientOrderId}, ` +
          `leaves ${o.leavesQuantity}) that its client believes filled or canceled`);
        else if (leaves !== o.leavesQuantity) mismatch(`client ${o.owner} believes clientOrderId ${o.clientOrderId} has ${leaves} open, ` +
          `the engine's book has ${o.leavesQuantity}`);
        expected.delete(k);
      }
    }
  }
  for (const [k, leaves] of expected) mismatch(`client/symbol/clientOrderId ${k} believes ${leaves} rest, the engine's book has no such order`);
  if (mismatches > limit) problems.push(`… and ${mismatches - limit} more differences between the engine's books and the clients' reports`);
  return { problems, restingOrders, invariantViolations };
}

/**
 * Runs the benchmark: starts the engine and the load threads, the throughput phase, the latency
 * phase at `latencyLoadFraction` of its rate, stops the engine and checks its final state.
 * The load threads run from dist/ (`npm run build` first).
 *
 * @throws RangeError listing every bad option at once (nothing is started).
 */
export async function runEngineBench(input: Partial<EngineBenchOptions> = {}): Promise<EngineBenchResult> {
  const options: EngineBenchOptions = { ...ENGINE_BENCH_DEFAULTS, ...input };
  const optionProblems = engineBenchOptionProblems(options);
  if (optionProblems.length > 0) throw new RangeError(`invalid engine benchmark options: ${optionProblems.join('; ')}`);
  const progress = options.progress ?? ((): void => {});
  const flow: EngineBenchFlow = { ...ENGINE_BENCH_FLOW_DEFAULTS, symbolIds: Array.from({ length: options.symbols }, (_, i) => i + 1) };
  const symbols = flow.symbolIds.map((symbolId) => symbolConfig({ symbolId, name: `SYM${symbolId}`, maxPrice: 100_000 }));
  const journalDir = options.journal ? fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-engine-bench-')) : undefined;
  const problems: string[] = [];
  const engine = await Engine.start({ symbols, waitStrategy: options.waitStrategy, ...(journalDir === undefined ? {} : {
    journalPath: path.join(journalDir, 'engine.journal'), durability: options.durability }) });
  engine.matcher.requestFinalState();
  const threads = LoadThreads.start(options.clientThreads, options.connections);
  const c = options.connections;
  const phase = {
    type: 'phase', window: options.window, warmupMs: options.warmupMs, maxRequestsPerConnection: options.maxRequestsPerConnection,
    maxOutstandingPerConnection: options.maxOutstandingPerConnection, drainTimeoutMs: options.drainTimeoutMs,
  } as const;
  const phaseTimeoutMs = (durationMs: number): number => durationMs + options.drainTimeoutMs + PHASE_SLACK_MS;
  const latencyPhase = async (targetRateHz: number): Promise<{ result: LatencyPhaseResult; problems: string[] }> => {
    const lp = await threads.phase({ ...phase, mode: 'latency', rateHz: targetRateHz, durationMs: options.latencyDurationMs },
      phaseTimeoutMs(options.latencyDurationMs));
    const merged = new HistogramSet();
    for (const r of lp) merged.add(HistogramSet.decode(r.histograms));
    const sentNs = Math.max(...lp.map((r) => r.stoppedNs - r.startedNs));
    const t = totals(lp);
    const result: LatencyPhaseResult = {
      ...t,
      targetRateHz,
      achievedRateHz: (t.newOrdersSent + t.cancelsSent) / (sentNs / 1e9),
      skippedBackpressure: lp.reduce((n, r) => n + r.skippedBackpressure, 0),
      overloaded: lp.some((r) => r.overloaded),
      intendedNs: summarize(merged.get('rtt.intended')),
      serviceNs: summarize(merged.get('rtt.service')),
      histograms: merged.encode(),
    };
    const phaseProblems = lp.flatMap((r) => r.problems);
    if (result.overloaded) {
      phaseProblems.push(`latency phase stopped early: a connection had ${options.maxOutstandingPerConnection} requests unanswered`);
    }
    return { result, problems: phaseProblems };
  };
  const openBase = { type: 'open', host: '127.0.0.1', seed: options.seed, flow, dropEveryNthReport: options.dropEveryNthReport } as const;
  const believed: BelievedOrder[] = [];
  let throughput: EngineBenchResult['throughput'] = { newOrdersSent: 0, cancelsSent: 0, completed: 0, rejects: {}, requestsPerSecond: 0,
    measuredMs: 0 };
  let latency: EngineBenchResult['latency'];
  let peer: EngineBenchResult['peer'];
  let finalState: FinalState | undefined;
  try {
    let opened = false;
    try {
      await threads.open({ ...openBase, port: engine.orderEntry.port, checkBeliefs: true }, PHASE_SLACK_MS);
      opened = true;
      progress(`throughput: ${c} connections × ${options.window} outstanding, ${options.throughputDurationMs} ms ` +
        `(first ${options.warmupMs} ms not counted), seed ${options.seed}`);
      const tp = await threads.phase({ ...phase, mode: 'throughput', rateHz: 0, durationMs: options.throughputDurationMs },
        phaseTimeoutMs(options.throughputDurationMs));
      for (const r of tp) problems.push(...r.problems);
      const measuredMs = options.throughputDurationMs - options.warmupMs;
      const inWindow = tp.reduce((n, r) => n + r.completedInWindow, 0);
      throughput = { ...totals(tp), requestsPerSecond: inWindow / (measuredMs / 1_000), measuredMs };
      progress(`throughput: ${Math.round(throughput.requestsPerSecond).toLocaleString('en-US')} requests/s`);

      const targetRateHz = throughput.requestsPerSecond * options.latencyLoadFraction;
      if (targetRateHz <= 0) {
        problems.push('latency phase not run: the throughput phase completed nothing');
      } else {
        progress(`latency: Poisson arrivals at ${Math.round(targetRateHz).toLocaleString('en-US')} requests/s ` +
          `(${options.latencyLoadFraction} of the maximum) for ${options.latencyDurationMs} ms`);
        const lp = await latencyPhase(targetRateHz);
        problems.push(...lp.problems);
        latency = lp.result;
      }
    } catch (error) {
      problems.push(`benchmark run failed: ${(error as Error).message}`);
    } finally {
      try {
        if (opened) {
          for (const r of await threads.close(PHASE_SLACK_MS)) {
            problems.push(...r.problems);
            believed.push(...r.believedResting);
          }
        }
      } catch (error) {
        problems.push(`load threads did not log out: ${(error as Error).message}`);
      }
      await engine.stop();
      finalState = engine.matcher.finalState;
      if (journalDir !== undefined) fs.rmSync(journalDir, { recursive: true, force: true });
    }

    // Phase 3, with the engine stopped: the same latency phase against the echo peer on this thread.
    const engineLatency = latency;
    if (options.peer && engineLatency !== undefined) {
      progress(`echo peer: Poisson arrivals at ${Math.round(engineLatency.targetRateHz).toLocaleString('en-US')} requests/s ` +
        `for ${options.latencyDurationMs} ms against a trivial echo peer on the engine's thread (book checks skipped)`);
      const run = await echoPeerPhase(threads, { ...openBase, checkBeliefs: false }, () => latencyPhase(engineLatency.targetRateHz),
        engineLatency);
      peer = run.peer;
      problems.push(...run.problems.map((p) => `echo peer: ${p}`));
    }
  } finally {
    await threads.stop();
  }

  let engineSummary: EngineBenchResult['engine'] = { processed: engine.processed, stateHash: '', restingOrders: 0, invariantViolations: 0 };
  if (finalState === undefined) {
    problems.push('the matcher did not report its final state: the books could not be checked');
  } else {
    const checked = checkFinalState(finalState, believed);
    problems.push(...checked.problems);
    engineSummary = { processed: engine.processed, stateHash: finalState.stateHash, restingOrders: checked.restingOrders,
      invariantViolations: checked.invariantViolations };
  }
  const sentTotal = throughput.newOrdersSent + throughput.cancelsSent + (latency === undefined ? 0 : latency.newOrdersSent + latency.cancelsSent);
  if (engine.processed !== sentTotal - busyRejects(throughput.rejects) - busyRejects(latency?.rejects ?? {})) {
    problems.push(`the engine processed ${engine.processed} commands, the clients sent ${sentTotal} requests ` +
      `(${busyRejects(throughput.rejects) + busyRejects(latency?.rejects ?? {})} refused EngineBusy)`);
  }

  // The HTTP half of bench:engine (autocannon against the engine's HTTP port next to a trivial Node
  // server) is harness/bench/engineHttpBench.ts, written separately: the CLI's `bench engine`
  // handler is where its runEngineHttpBench joins this result.
  const { progress: _progress, ...recorded } = options;
  return {
    options: recorded,
    flow,
    throughput,
    latency,
    peer,
    engine: engineSummary,
    targets: {
      ...ENGINE_BENCH_TARGETS,
      throughputMet: throughput.requestsPerSecond >= ENGINE_BENCH_TARGETS.requestsPerSecond,
      latencyMet: latency !== undefined && latency.intendedNs.count > 0 && latency.intendedNs.p99Ns < ENGINE_BENCH_TARGETS.latencyP99Ns,
    },
    problems,
  };
}

/**
 * Phase 3: an EchoPeer on this thread, the load threads' fresh sessions to it, one latency phase
 * (`measure`), LOGOUT, the peer closed. Every failure is a problem, none throws.
 */
async function echoPeerPhase(threads: LoadThreads, open: Omit<LoadOpenRequest, 'port' | 'firstClientId' | 'connections'>,
  measure: () => Promise<{ result: LatencyPhaseResult; problems: string[] }>, engineLatency: LatencyPhaseResult):
  Promise<{ peer: EchoPeerResult | undefined; problems: string[] }> {
  const problems: string[] = [];
  let measured: LatencyPhaseResult | undefined;
  let answered = 0;
  let echo: EchoPeer | undefined;
  try {
    echo = await EchoPeer.listen();
    let opened = false;
    try {
      await threads.open({ ...open, port: echo.port }, PHASE_SLACK_MS);
      opened = true;
      const run = await measure();
      measured = run.result;
      problems.push(...run.problems);
    } finally {
      // The sessions' LOGOUT; what they believe rests means nothing without a book.
      if (opened) for (const r of await threads.close(PHASE_SLACK_MS)) problems.push(...r.problems);
    }
  } catch (error) {
    problems.push(`run failed: ${(error as Error).message}`);
  } finally {
    answered = echo?.answered ?? 0;
    await echo?.close();
  }
  if (measured === undefined) return { peer: undefined, problems };
  const sent = measured.newOrdersSent + measured.cancelsSent;
  if (answered !== sent) problems.push(`the peer answered ${answered} requests, the clients sent ${sent}`);
  const ratio = (engineNs: number, peerNs: number): number => (peerNs > 0 ? engineNs / peerNs : Number.NaN);
  return {
    peer: {
      ...measured,
      answered,
      engineP99Ratio: { intended: ratio(engineLatency.intendedNs.p99Ns, measured.intendedNs.p99Ns),
        service: ratio(engineLatency.serviceNs.p99Ns, measured.serviceNs.p99Ns) },
      notChecked: 'book invariants, final books and FILL/CANCELED quantities against the clients\' beliefs (the peer keeps no book)',
    },
    problems,
  };
}

/** REJECT EngineBusy answers: requests that never reached the matcher. */
function busyRejects(rejects: Readonly<Record<string, number>>): number {
  return (rejects['NEW_ORDER/EngineBusy'] ?? 0) + (rejects['CANCEL/EngineBusy'] ?? 0);
}
