/**
 * The fan-out benchmark (`npm run bench:fanout`): how fast the reference engine's market-data
 * broadcaster feeds 1,000 subscribers, a fifth of them slow and some stalled, and whether the slow
 * ones cost the fast ones anything.
 *
 * ```
 *   engine process (fanoutBench.engine.ts)                 this process
 *   ┌──────────────────────────────────────────┐           ┌────────────────────────────────────────┐
 *   │ recorded matcher feed ─► EventPublisher   │  TCP      │ fast pool thread 1 (SubscriberPool) ◄─┐│
 *   │  ─► DepthMirror ─► Broadcaster ──────────────────────►│ fast pool thread 2                    ││
 *   │  ─► MarketDataServer (cap, drop policy)   │ loopback  │ slow + stalled pool thread            ││
 *   │  play(rateHz, stepMs) · RSS sampled       │           │ main: steps, IPC ──────────────────────┘│
 *   └──────────────────────────────────────────┘           └────────────────────────────────────────┘
 * ```
 * 1. Warm-up, then rounds at the first rate (`ratioRounds`): windows with the fast subscribers only
 *    (the baseline), then a fresh set of slow and stalled subscribers connects, the feed fills their
 *    queues, and windows run with them; they disconnect before the next round. The fast p99 ratio
 *    pools every round's windows, so that drift over the run falls on both sides.
 * 2. The last round's slow and stalled subscribers stay; the feed rate is raised step by step (each step
 *    bounded by `stepMs`). After each step the feed stops for `drainMs`; then every pool reports.
 *    A step is kept up when the engine published at ≥ `minAchievedRatio` of the offered rate and
 *    every fast subscriber is logged in and has received the last frame of the step (it is less
 *    than `drainMs` behind the head). The ladder stops at the first step not kept up.
 * 3. The feed stops; once the fast subscribers have everything, their rebuilt books are compared
 *    with the engine's.
 *
 * Checks (a failure puts a line in `problems`; the CLI exits with ExitCode.Invariant): no
 * protocol error (CRC, sequence going back, malformed frame) for any subscriber; no book that a
 * snapshot found different; no fast subscriber gap in the baseline or in a step kept up (the
 * engine must not drop frames for a subscriber that keeps up); every fast book equal to the
 * engine's at the end.
 */
import { median } from 'simple-statistics';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SlowSubscriberPolicy } from '../../engine/broadcast/outboundLimits.js';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import { inProcessClockOffsetNs } from '../clients/FeedSubscriber.js';
import { SubscriberPoolThread } from '../clients/SubscriberPoolThread.js';
import { decodeLatency, mergeClassResults, type SubscriberClassResult } from '../clients/SubscriberPoolResult.js';
import { summarize, type LatencySummary } from '../record/HistogramSet.js';
import type { SubscriberClass, SubscriberGroup } from '../scenario/Scenario.js';
import type { EngineReply, EngineRequest, EngineSample } from './fanoutBench.engine.js';
import type { PlayResult } from './fanoutBenchEngine.js';

/** Options of {@link runFanoutBench}; each documents its default. */
export interface FanoutBenchOptions {
  /** Subscribers in all. Default 1,000. */
  readonly subscribers: number;
  /** Fractions of them that are slow and stalled (rounded down); the rest are fast. Defaults 0.2 and 0.05. */
  readonly slowFraction: number;
  readonly stalledFraction: number;
  /** What a slow subscriber reads per second, bytes. Default 65,536. */
  readonly slowBytesPerSecond: number;
  /** Feed rates to try, frames per second (each frame goes to every subscriber), ascending. Default 5 k to 50 k in steps of 5 k. */
  readonly ratesHz: readonly number[];
  /**
   * After the slow and stalled subscribers connect, the feed plays at `slowFillRateHz` (in steps of
   * a second, at most `slowFillMs` in all) until the engine has dropped frames for every one of
   * them: until their socket buffers are full and the engine's cap is what holds them back, the
   * steady state of a slow consumer. Before that the kernel takes everything written to them (4 MiB
   * of send buffer per socket here, more on the receiving side), so for tens of seconds at 5 k/s a
   * stalled subscriber costs the engine a write per batch like a fast one. 0 skips the fill.
   * Defaults 20,000 ms and 20,000 frames/s.
   */
  readonly slowFillMs: number;
  readonly slowFillRateHz: number;
  /**
   * The baseline and step 1 (the first rate without and with the slow and stalled subscribers) run
   * `ratioWindows` windows of `ratioWindowMs` each instead of one `stepMs`, and the p99 ratio
   * compares the medians of the windows' fast p99s. Defaults 5 and 1,000 ms.
   */
  readonly ratioWindows: number;
  readonly ratioWindowMs: number;
  /**
   * Rounds of that comparison, so that what drifts over a run (the machine's other load, the heap)
   * falls on both sides: each round plays its windows without the slow and stalled subscribers,
   * connects a fresh set of them, fills (see `slowFillMs`), plays its windows with them and, except
   * in the last round, disconnects them. The last round's windows with them are step 1 of the
   * ladder. The ratio compares the medians of all rounds' windows. Default 3.
   */
  readonly ratioRounds: number;
  /** Length of each step, and of the baseline, ms. Default 3,000. */
  readonly stepMs: number;
  /** Untimed warm-up at the first rate before the baseline, ms. Default 1,000. */
  readonly warmupMs: number;
  /**
   * Least time between two flushes of the feed (each is one socket write per subscriber), ms; 0
   * flushes on every turn of the engine's event loop, as the engine does. Default 0.
   */
  readonly flushIntervalMs: number;
  /** Quiet time after each step before the pools report: how far behind the head a fast subscriber may be, ms. Default 250. */
  readonly drainMs: number;
  /** At the end, longest wait for the fast subscribers to have every frame before comparing books, ms. Default 10,000. */
  readonly catchUpMs: number;
  /** A step counts only if the engine published at least this fraction of the offered rate. Default 0.95. */
  readonly minAchievedRatio: number;
  /** Worker threads for the fast subscribers; the slow and stalled ones get one more. Default 2. */
  readonly workers: number;
  /**
   * Fast subscribers that also check every frame's CRC-32C and rebuild every book (compared with the
   * engine's at the end), spread evenly over the fast ones; the others check framing, version,
   * length and sequence of every frame and record its latency. Every subscriber gets the same bytes,
   * and a subscriber that checks the CRC of every frame costs about as much CPU as the engine's whole
   * fan-out, on the same cores: checking them all measured the subscribers, not the broadcaster.
   * Default 50; the number of fast subscribers makes every one check everything.
   */
  readonly auditedFast: number;
  /** Per-subscriber outbound cap of the engine, bytes, and its policy. Defaults 1 MiB and drop. */
  readonly capBytes: number;
  readonly policy: SlowSubscriberPolicy;
  /** Seed of the recorded feed and the subscribers. Default 1. */
  readonly seed: number;
  /** Symbols and matcher operations per symbol of the recorded feed. Defaults 4 and 50,000. */
  readonly feedSymbols: number;
  readonly feedOperationsPerSymbol: number;
  /** Heartbeat interval subscribers ask for, ms. Default 1,000. */
  readonly heartbeatIntervalMs: number;
  /** Called with a line of progress text (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

/** The defaults of {@link FanoutBenchOptions}. */
export const FANOUT_BENCH_DEFAULTS: FanoutBenchOptions = {
  subscribers: 1_000,
  slowFraction: 0.2,
  stalledFraction: 0.05,
  slowBytesPerSecond: 65_536,
  ratesHz: [5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 45_000, 50_000],
  slowFillMs: 20_000,
  slowFillRateHz: 20_000,
  ratioWindows: 5,
  ratioWindowMs: 1_000,
  ratioRounds: 3,
  stepMs: 3_000,
  warmupMs: 1_000,
  flushIntervalMs: 0,
  drainMs: 250,
  catchUpMs: 10_000,
  minAchievedRatio: 0.95,
  workers: 2,
  auditedFast: 50,
  capBytes: 1024 * 1024,
  policy: 'drop',
  seed: 1,
  feedSymbols: 4,
  feedOperationsPerSymbol: 50_000,
  heartbeatIntervalMs: 1_000,
};

/** Added to the sum of the caps for the engine's RSS target (issue 3), bytes. */
export const RSS_ALLOWANCE_BYTES = 200 * 1024 * 1024;

/** One class over one step. */
export interface FanoutClassStep {
  readonly subscribers: number;
  /** Logged in when the step's results were taken. */
  readonly active: number;
  readonly feedFrames: number;
  readonly gaps: number;
  readonly gapFrames: number;
  readonly protocolErrors: number;
  readonly snapshotsReceived: number;
  readonly disconnects: number;
  /** Head (last frame published) minus the lowest last feed sequence among the class's logged-in subscribers, after the drain; −1 when none is logged in. */
  readonly behindHeadFrames: number;
  /** Feed latency over the step, ns. */
  readonly latency: LatencySummary;
}

/** One rate step (or the baseline). */
export interface FanoutStep {
  readonly name: string;
  readonly rateHz: number;
  /** Slow and stalled subscribers connected during the step. */
  readonly withSlow: boolean;
  readonly play: PlayResult;
  /** Feed frames received by all subscribers during the step and its drain, and per second of the step. */
  readonly deliveredFrames: number;
  readonly deliveredFramesPerSecond: number;
  /** Feed frames the engine handed to subscribers' sockets (or queues), per second of the step. */
  readonly engineFramesSentPerSecond: number;
  readonly keptUp: boolean;
  /** Why the step was not kept up; empty when it was. */
  readonly notKeptUpBecause: readonly string[];
  readonly classes: Readonly<Partial<Record<SubscriberClass, FanoutClassStep>>>;
  readonly engine: EngineSample;
  /** Fast subscribers' feed-latency p99 in each window of a windowed step (the baseline and step 1, see `ratioWindows`), ns. */
  readonly fastWindowP99Ns?: readonly number[];
}

/** What the fill before the steps did (see `slowFillMs`). */
export interface SlowFill {
  readonly ms: number;
  readonly rateHz: number;
  /** Slow and stalled subscribers the engine had dropped frames for when the fill ended, of `subscribers`. */
  readonly dropping: number;
  readonly subscribers: number;
}

/** What {@link runFanoutBench} returns. */
export interface FanoutBenchResult {
  readonly options: Omit<FanoutBenchOptions, 'progress'>;
  readonly counts: { readonly fast: number; readonly slow: number; readonly stalled: number };
  readonly feed: { readonly frames: number; readonly symbols: number };
  /** Engine clock minus subscriber clock (from the processes' time origins), ns. */
  readonly engineClockOffsetNs: number;
  readonly baseline: FanoutStep;
  /**
   * The rounds of the ratio before the last (see `ratioRounds`): in each, the first rate without
   * the slow and stalled subscribers, then with them. The first round's without is `baseline`, the
   * last round's with is `steps[0]`; those are not repeated here.
   */
  readonly ratioRounds: readonly FanoutStep[];
  /** The last fill after the slow and stalled subscribers connected (see `slowFillMs`); null when skipped or there were none. */
  readonly slowFill: SlowFill | null;
  readonly steps: readonly FanoutStep[];
  /** The highest rate kept up, frames per second per subscriber; null when none was. */
  readonly highestKeptUpRateHz: number | null;
  /** Frames per second delivered in total at that rate. */
  readonly deliveredFramesPerSecond: number | null;
  /** Fast subscribers' feed-latency p99 at the first rate with the slow and stalled ones, over it without them (medians of every round's windows' p99s). */
  readonly fastP99RatioWithSlow: number | null;
  /** Fast subscribers' gaps over the baseline and the steps kept up. */
  readonly fastGaps: number;
  readonly engineRss: { readonly maxBytes: number; readonly limitBytes: number };
  readonly books: { readonly compared: number; readonly equal: number; readonly inexact: number; readonly caughtUp: boolean };
  /** Every failed check; the benchmark has failed when this is not empty. */
  readonly problems: readonly string[];
}

/** Every problem with the options, each naming its field; empty when usable. */
export function fanoutBenchProblems(o: FanoutBenchOptions): string[] {
  const problems: string[] = [];
  const int = (name: string, value: number, min: number): void => {
    if (!Number.isSafeInteger(value) || value < min) problems.push(`${name} must be an integer ≥ ${min}, got ${value}`);
  };
  const positive = (name: string, value: number): void => {
    if (!(value > 0 && value < Infinity)) problems.push(`${name} must be a finite number > 0, got ${value}`);
  };
  int('subscribers', o.subscribers, 1);
  for (const [name, value] of [['slowFraction', o.slowFraction], ['stalledFraction', o.stalledFraction]] as const) {
    if (!(value >= 0 && value <= 1)) problems.push(`${name} must be in 0..1, got ${value}`);
  }
  if (o.slowFraction + o.stalledFraction >= 1) problems.push(`slowFraction + stalledFraction must leave fast subscribers, got ${o.slowFraction + o.stalledFraction}`);
  positive('slowBytesPerSecond', o.slowBytesPerSecond);
  if (o.ratesHz.length === 0) problems.push('ratesHz must list at least one rate');
  o.ratesHz.forEach((rate, i) => positive(`ratesHz[${i}]`, rate));
  if (o.ratesHz.some((rate, i) => i > 0 && rate <= (o.ratesHz[i - 1] ?? 0))) problems.push('ratesHz must be ascending');
  int('slowFillMs', o.slowFillMs, 0);
  positive('slowFillRateHz', o.slowFillRateHz);
  int('ratioWindows', o.ratioWindows, 1);
  int('ratioRounds', o.ratioRounds, 1);
  positive('ratioWindowMs', o.ratioWindowMs);
  positive('stepMs', o.stepMs);
  int('warmupMs', o.warmupMs, 0);
  positive('drainMs', o.drainMs);
  if (!(o.flushIntervalMs >= 0 && o.flushIntervalMs < 1_000)) problems.push(`flushIntervalMs must be in 0..999, got ${o.flushIntervalMs}`);
  positive('catchUpMs', o.catchUpMs);
  if (!(o.minAchievedRatio > 0 && o.minAchievedRatio <= 1)) problems.push(`minAchievedRatio must be in (0, 1], got ${o.minAchievedRatio}`);
  int('workers', o.workers, 1);
  int('auditedFast', o.auditedFast, 1);
  int('capBytes', o.capBytes, 1);
  if (o.policy !== 'drop' && o.policy !== 'disconnect') problems.push(`policy must be drop or disconnect, got ${String(o.policy)}`);
  int('seed', o.seed, Number.MIN_SAFE_INTEGER);
  int('feedSymbols', o.feedSymbols, 1);
  int('feedOperationsPerSymbol', o.feedOperationsPerSymbol, 100);
  int('heartbeatIntervalMs', o.heartbeatIntervalMs, 100);
  return problems;
}

/** The engine child process, one request at a time. */
class EngineProcess {
  readonly #child: ChildProcess;
  #waiting: { resolve: (reply: EngineReply) => void; reject: (error: Error) => void } | undefined;
  #exited: Error | undefined;

  constructor() {
    // The parent's execArgv (test runners' loaders) has no business in the engine process.
    this.#child = fork(fileURLToPath(builtModuleUrl('harness/bench/fanoutBench.engine.ts')), [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: EngineReply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (reply.type === 'error') waiting?.reject(new Error(`fan-out engine process: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = new Error(`fan-out engine process exited (code ${code}, signal ${signal})`);
      this.#waiting?.reject(this.#exited);
      this.#waiting = undefined;
    });
  }

  request<T extends EngineReply['type']>(request: EngineRequest, expect: T): Promise<Extract<EngineReply, { type: T }>> {
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      this.#waiting = {
        resolve: (reply) => (reply.type === expect ? resolve(reply as Extract<EngineReply, { type: T }>)
          : reject(new Error(`fan-out engine process answered ${reply.type} to ${request.type}`))),
        reject,
      };
      this.#child.send(request);
    });
  }

  kill(): void {
    if (this.#exited === undefined) this.#child.kill();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits `count` into `parts` near-equal integers. */
function split(count: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0));
}

/** Runs the benchmark. Rejects only for a failure to run (a thread or the engine process died); failed checks go into `problems`. */
export async function runFanoutBench(overrides: Partial<FanoutBenchOptions> = {}): Promise<FanoutBenchResult> {
  const options: FanoutBenchOptions = { ...FANOUT_BENCH_DEFAULTS, ...overrides };
  const invalid = fanoutBenchProblems(options);
  if (invalid.length > 0) throw new RangeError(`invalid fan-out benchmark options: ${invalid.join('; ')}`);
  const { progress: _progress, ...recorded } = options;
  const progress = options.progress ?? ((): void => {});
  const slow = Math.floor(options.subscribers * options.slowFraction);
  const stalled = Math.floor(options.subscribers * options.stalledFraction);
  const fast = options.subscribers - slow - stalled;
  // Snapshots of a few-hundred-level book must fit one frame on both sides.
  const maxFrameLength = 16_384;
  const engine = new EngineProcess();
  const threads: SubscriberPoolThread[] = [];
  try {
    const ready = await engine.request({
      type: 'init',
      feed: { symbols: options.feedSymbols, operationsPerSymbol: options.feedOperationsPerSymbol, seed: options.seed, priceSigmaTicks: 8 },
      outbound: { capBytes: options.capBytes, policy: options.policy },
      maxConnections: options.subscribers + 16,
      maxFrameLength,
    }, 'ready');
    const engineClockOffsetNs = inProcessClockOffsetNs(ready.timeOriginMs);
    progress(`engine process on 127.0.0.1:${ready.port}: ${ready.feedFrames} recorded feed frames over ${ready.symbols.length} symbols, clock offset ${engineClockOffsetNs} ns`);
    const poolBase = {
      port: ready.port, seed: options.seed, symbols: ready.symbols, heartbeatIntervalMs: options.heartbeatIntervalMs, maxFrameLength,
      clockOffset: { kind: 'fixed', engineClockOffsetNs } as const, connectTimeoutMs: 20_000,
    };
    let clientId = 1;
    const fastThreads = await Promise.all(split(fast, options.workers).map((count) => {
      const first = clientId;
      clientId += count;
      // The first of every auditEvery fast subscribers checks everything (see auditedFast).
      const auditEvery = Math.max(1, Math.floor(fast / Math.min(fast, options.auditedFast)));
      return SubscriberPoolThread.start({ ...poolBase, firstClientId: first, groups: [{ class: 'fast', count }], auditEvery });
    }));
    threads.push(...fastThreads);
    const fastLoggedIn = fastThreads.reduce((n, t) => n + t.loggedIn, 0);
    progress(`${fastLoggedIn} of ${fast} fast subscribers logged in on ${options.workers} threads`);

    const intervals = async (): Promise<SubscriberClassResult[]> => mergeClassResults(await Promise.all(threads.map((t) => t.interval())));
    const firstRate = options.ratesHz[0] ?? 1;
    if (options.warmupMs > 0) {
      await engine.request({ type: 'play', rateHz: firstRate, durationMs: options.warmupMs, flushIntervalMs: options.flushIntervalMs }, 'played');
      await sleep(options.drainMs);
    }
    await intervals();
    // Frames the engine had handed to subscribers before the step, for the step's own count.
    let framesSent = (await engine.request({ type: 'stats' }, 'stats')).sample.framesSent;
    // `windows` > 0: the step is that many plays of ratioWindowMs back to back, each window's fast p99 taken on its own.
    const step = async (name: string, rateHz: number, withSlow: boolean, windows = 0): Promise<FanoutStep> => {
      const plays: PlayResult[] = [];
      const windowClasses: SubscriberClassResult[][] = [];
      let sample: EngineSample | undefined;
      const count = Math.max(1, windows);
      const durationMs = windows > 0 ? options.ratioWindowMs : options.stepMs;
      for (let w = 0; w < count; w++) {
        const played = await engine.request({ type: 'play', rateHz, durationMs, flushIntervalMs: options.flushIntervalMs }, 'played');
        plays.push(played.play);
        sample = played.sample;
        if (w + 1 === count) await sleep(options.drainMs);
        windowClasses.push(await intervals());
      }
      const classes = mergeWindows(windowClasses);
      const windowP99Ns = windows > 0 ? windowClasses.map((c) => {
        const encoded = c.find((x) => x.class === 'fast')?.latencyHistogram;
        return encoded === undefined ? 0 : decodeLatency(encoded).getValueAtPercentile(99);
      }) : undefined;
      const last = sample as EngineSample;
      const result = describeStep(name, rateHz, withSlow, joinPlays(plays), last, classes, fast, framesSent, options, windowP99Ns);
      framesSent = last.framesSent;
      progress(`${name}: ${formatRate(rateHz)}/s offered, ${formatRate(result.play.achievedRateHz)}/s published, ` +
        `${formatRate(result.deliveredFramesPerSecond)} frames/s delivered, fast p99 ${(result.classes.fast?.latency.p99Ns ?? 0) / 1e3} µs` +
        `${result.keptUp ? '' : ` — not kept up: ${result.notKeptUpBecause.join('; ')}`}`);
      return result;
    };
    const slowGroups: SubscriberGroup[] = [
      { class: 'slow', count: slow, bytesPerSecond: options.slowBytesPerSecond },
      { class: 'stalled', count: stalled },
    ].filter((g) => g.count > 0) as SubscriberGroup[];
    /** What the slow and stalled subscribers of rounds before the last reported when they were disconnected. */
    const retired: SubscriberClassResult[][] = [];
    let slowFill: SlowFill | null = null;
    /** Connects a fresh set of slow and stalled subscribers (new client ids) and fills their queues (see `slowFillMs`). */
    const connectSlow = async (): Promise<SubscriberPoolThread> => {
      const slowThread = await SubscriberPoolThread.start({ ...poolBase, firstClientId: clientId, groups: slowGroups });
      clientId += slow + stalled;
      threads.push(slowThread);
      progress(`${slowThread.loggedIn} of ${slow + stalled} slow and stalled subscribers logged in`);
      if (options.slowFillMs > 0) {
        const startedMs = performance.now();
        let dropping = 0;
        while (performance.now() - startedMs < options.slowFillMs) {
          const played = await engine.request({ type: 'play', rateHz: options.slowFillRateHz, durationMs: Math.min(1_000, options.slowFillMs),
            flushIntervalMs: options.flushIntervalMs }, 'played');
          dropping = played.sample.subscribersDropping;
          if (dropping >= slow + stalled) break;
        }
        slowFill = { ms: Math.round(performance.now() - startedMs), rateHz: options.slowFillRateHz, dropping, subscribers: slow + stalled };
        progress(`fill: ${formatRate(options.slowFillRateHz)}/s for ${slowFill.ms} ms; the engine dropped frames for ${dropping} of ` +
          `${slow + stalled} slow and stalled subscribers${dropping >= slow + stalled ? '' : ` (bound of ${options.slowFillMs} ms reached)`}`);
        await sleep(options.drainMs);
      }
      framesSent = (await engine.request({ type: 'stats' }, 'stats')).sample.framesSent;
      await intervals();
      return slowThread;
    };
    /** Disconnects them again and waits (at most 10 s) until the engine has only the fast ones. */
    const disconnectSlow = async (thread: SubscriberPoolThread): Promise<void> => {
      threads.splice(threads.indexOf(thread), 1);
      retired.push(await thread.stop());
      await thread.terminate();
      const deadline = performance.now() + 10_000;
      const stats = async (): Promise<EngineSample> => (await engine.request({ type: 'stats' }, 'stats')).sample;
      let s = await stats();
      while (s.subscribers > fast && performance.now() < deadline) {
        await sleep(50);
        s = await stats();
      }
      if (s.subscribers > fast) throw new Error(`the engine still had ${s.subscribers} subscribers 10 s after the slow and stalled ones disconnected (${fast} fast)`);
      framesSent = s.framesSent;
      await intervals();
    };

    // The first rate without and with the slow and stalled subscribers, in rounds (see `ratioRounds`).
    const rounds = slowGroups.length > 0 ? options.ratioRounds : 1;
    const ratioRounds: FanoutStep[] = [];
    let baseline: FanoutStep | undefined;
    for (let r = 0; r < rounds; r++) {
      const round = rounds > 1 ? ` (round ${r + 1} of ${rounds})` : '';
      const without = await step(`baseline (fast only)${round}`, firstRate, false, options.ratioWindows);
      if (r === 0) baseline = without;
      else ratioRounds.push(without);
      if (slowGroups.length === 0) break; // one round, nothing to connect (see `rounds`)
      const slowThread = await connectSlow();
      if (r + 1 < rounds) {
        ratioRounds.push(await step(`step 1${round}`, firstRate, true, options.ratioWindows));
        await disconnectSlow(slowThread);
      }
    }
    const steps: FanoutStep[] = [];
    for (const [i, rateHz] of options.ratesHz.entries()) {
      const name = i === 0 && rounds > 1 ? `step 1 (round ${rounds} of ${rounds})` : `step ${i + 1}`;
      const s = await step(name, rateHz, slowGroups.length > 0, i === 0 ? options.ratioWindows : 0);
      steps.push(s);
      if (!s.keptUp) break;
    }

    // The feed is quiet now: let the fast subscribers get everything, then compare their books with the engine's.
    const head = (await engine.request({ type: 'stats' }, 'stats')).sample.lastSequence;
    const deadline = performance.now() + options.catchUpMs;
    let caughtUp = false;
    for (;;) {
      const fastNow = (await intervals()).find((c) => c.class === 'fast');
      caughtUp = fastNow !== undefined && fastNow.active === fast && fastNow.minLastFeedSequence === head;
      if (caughtUp || performance.now() > deadline) break;
      await sleep(100);
    }
    const digests = (await engine.request({ type: 'digests' }, 'digests')).digests;
    const finals = mergeClassResults([...retired, ...await Promise.all(threads.splice(0).map((t) => t.stop()))]);
    const final = await engine.request({ type: 'stats' }, 'stats');
    return summarizeRun({
      options: recorded, counts: { fast, slow, stalled }, feed: { frames: ready.feedFrames, symbols: ready.symbols.length }, engineClockOffsetNs,
      baseline: baseline as FanoutStep, ratioRounds, slowFill, steps, finals, digests, caughtUp, finalSample: final.sample,
    });
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
    await engine.request({ type: 'close' }, 'closed').catch(() => undefined);
    engine.kill();
  }
}

function classStep(c: SubscriberClassResult | undefined, head: number): FanoutClassStep | undefined {
  if (c === undefined) return undefined;
  return {
    subscribers: c.subscribers, active: c.active, feedFrames: c.counts.feedFrames, gaps: c.counts.gaps, gapFrames: c.counts.gapFrames,
    protocolErrors: c.counts.protocolErrors, snapshotsReceived: c.counts.snapshotsReceived, disconnects: c.counts.disconnects,
    behindHeadFrames: c.minLastFeedSequence < 0 ? -1 : head - c.minLastFeedSequence,
    latency: summarize(decodeLatency(c.latencyHistogram)),
  };
}

/** Consecutive windows of one step as one result: counts and latency added, the rest (who is logged in, where they are) from the last window. */
function mergeWindows(windows: readonly (readonly SubscriberClassResult[])[]): SubscriberClassResult[] {
  const last = windows.at(-1) ?? [];
  return mergeClassResults(windows).map((merged) => {
    const now = last.find((c) => c.class === merged.class);
    return now === undefined ? merged : { ...merged, subscribers: now.subscribers, active: now.active, minLastFeedSequence: now.minLastFeedSequence,
      maxLastFeedSequence: now.maxLastFeedSequence };
  });
}

/** Consecutive plays at one rate as one. */
function joinPlays(plays: readonly PlayResult[]): PlayResult {
  const frames = plays.reduce((n, p) => n + p.frames, 0);
  const elapsedMs = plays.reduce((n, p) => n + p.elapsedMs, 0);
  const last = plays.at(-1) as PlayResult;
  return { offeredRateHz: last.offeredRateHz, frames, elapsedMs, achievedRateHz: (frames * 1_000) / elapsedMs,
    flushes: plays.reduce((n, p) => n + p.flushes, 0), lastSequence: last.lastSequence };
}

function describeStep(name: string, rateHz: number, withSlow: boolean, play: PlayResult, sample: EngineSample,
  classes: readonly SubscriberClassResult[], fastCount: number, framesSentBefore: number, options: FanoutBenchOptions,
  windowP99Ns?: readonly number[]): FanoutStep {
  const head = play.lastSequence;
  const byClass: Partial<Record<SubscriberClass, FanoutClassStep>> = {};
  for (const c of classes) {
    const s = classStep(c, head);
    if (s !== undefined) byClass[c.class] = s;
  }
  const fast = byClass.fast;
  const reasons: string[] = [];
  if (play.achievedRateHz < rateHz * options.minAchievedRatio) {
    reasons.push(`engine published ${formatRate(play.achievedRateHz)}/s of ${formatRate(rateHz)}/s offered`);
  }
  if (fast === undefined || fast.active < fastCount) reasons.push(`${fast?.active ?? 0} of ${fastCount} fast subscribers logged in`);
  else if (fast.behindHeadFrames !== 0) reasons.push(`a fast subscriber was ${fast.behindHeadFrames} frames behind the head ${options.drainMs} ms after the step`);
  const deliveredFrames = classes.reduce((n, c) => n + c.counts.feedFrames, 0);
  const seconds = play.elapsedMs / 1_000;
  const framesSent = sample.framesSent - framesSentBefore;
  return {
    name, rateHz, withSlow, play, deliveredFrames, deliveredFramesPerSecond: deliveredFrames / seconds,
    engineFramesSentPerSecond: framesSent / seconds, keptUp: reasons.length === 0, notKeptUpBecause: reasons, classes: byClass, engine: sample,
    ...(windowP99Ns === undefined ? {} : { fastWindowP99Ns: windowP99Ns }),
  };
}

interface RunParts {
  readonly options: Omit<FanoutBenchOptions, 'progress'>;
  readonly counts: FanoutBenchResult['counts'];
  readonly feed: FanoutBenchResult['feed'];
  readonly engineClockOffsetNs: number;
  readonly baseline: FanoutStep;
  readonly ratioRounds: readonly FanoutStep[];
  readonly slowFill: SlowFill | null;
  readonly steps: readonly FanoutStep[];
  readonly finals: readonly SubscriberClassResult[];
  readonly digests: Readonly<Record<number, string>>;
  readonly caughtUp: boolean;
  readonly finalSample: EngineSample;
}

/** The verdicts and headline figures of a run. Exported for tests. */
export function summarizeRun(parts: RunParts): FanoutBenchResult {
  const { baseline, ratioRounds, steps, finals, digests } = parts;
  const problems: string[] = [];
  for (const c of finals) {
    if (c.counts.protocolErrors > 0) problems.push(`${c.class} subscribers: ${c.counts.protocolErrors} protocol errors (${c.counts.checksumErrors} CRC): ${c.errors.slice(0, 3).join(' | ')}`);
    if (c.counts.bookMismatches > 0) problems.push(`${c.class} subscribers: ${c.counts.bookMismatches} rebuilt books differed from a BOOK_SNAPSHOT`);
  }
  let fastGaps = 0;
  for (const s of [baseline, ...ratioRounds, ...steps].filter((x) => x === baseline || x.keptUp)) {
    const gaps = s.classes.fast?.gaps ?? 0;
    fastGaps += gaps;
    if (gaps > 0) problems.push(`${s.name}: fast subscribers saw ${gaps} gaps (${s.classes.fast?.gapFrames ?? 0} frames) while keeping up`);
  }
  const fastFinal = finals.find((c) => c.class === 'fast');
  let compared = 0;
  let equal = 0;
  for (const [symbol, byDigest] of Object.entries(fastFinal?.books ?? {})) {
    for (const [digest, n] of Object.entries(byDigest)) {
      compared += n;
      if (digest === digests[Number(symbol)]) equal += n;
      else problems.push(`${n} fast subscribers' rebuilt book of symbol ${symbol} (${digest}) differs from the engine's (${digests[Number(symbol)] ?? 'none'})`);
    }
  }
  if (compared === 0) problems.push('no fast subscriber held an exact book to compare with the engine\'s');
  const kept = steps.filter((s) => s.keptUp);
  const highest = kept.at(-1);
  const withSlowFirst = steps[0];
  // The median of every round's windows' p99s where there are windows: one stall of a second (a GC, the scheduler) moves one
  // window, not the figure; a step without windows counts its whole p99 once.
  const p99s = (s: FanoutStep): readonly number[] =>
    (s.fastWindowP99Ns !== undefined && s.fastWindowP99Ns.length > 0 ? s.fastWindowP99Ns : [s.classes.fast?.latency.p99Ns ?? 0]);
  const medianP99 = (of: readonly FanoutStep[]): number => median(of.flatMap((s) => [...p99s(s)]));
  const p99Without = medianP99([baseline, ...ratioRounds.filter((s) => !s.withSlow)]);
  const p99With = withSlowFirst === undefined ? 0 : medianP99([...ratioRounds.filter((s) => s.withSlow), withSlowFirst]);
  const maxRss = Math.max(parts.finalSample.maxRssBytes, ...[baseline, ...ratioRounds, ...steps].map((s) => s.engine.maxRssBytes));
  return {
    options: parts.options, counts: parts.counts, feed: parts.feed, engineClockOffsetNs: parts.engineClockOffsetNs, baseline, ratioRounds,
    slowFill: parts.slowFill, steps,
    highestKeptUpRateHz: highest?.rateHz ?? null,
    deliveredFramesPerSecond: highest?.deliveredFramesPerSecond ?? null,
    fastP99RatioWithSlow: p99Without > 0 && withSlowFirst !== undefined ? p99With / p99Without : null,
    fastGaps,
    engineRss: { maxBytes: maxRss, limitBytes: parts.options.subscribers * parts.options.capBytes + RSS_ALLOWANCE_BYTES },
    books: { compared, equal, inexact: fastFinal?.inexactBooks ?? 0, caughtUp: parts.caughtUp },
    problems,
  };
}

/** 12345678 → "12.3 M". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}
