/**
 * The matcher benchmark: one seeded flow, three implementations, one command.
 *
 *   generateMatcherFlow(seed) ──► flow (typed arrays, built before any timing)
 *                                   │
 *         ┌─────────────────────────┼──────────────────────────┐
 *         ▼                         ▼                          ▼
 *   OrderBook (fast)        OrderBookReference (oracle)   nodejs-order-book (peer)
 *         │                         │                          │
 *         └──── throughput pass: one clock read around the whole flow, per repetition
 *         └──── latency pass: a clock read around every operation, into an HDR histogram
 *         └──── end state: traded quantity and resting depth must agree, or the run fails
 *
 * After timing, the fast matcher's full event stream is also checked event by event against the
 * oracle's, with the stream checker and the book invariants, and a difference fails the run: a
 * speed figure always comes with a proof that the answer was right. (After, not before: the check
 * drives both books through the same Matcher call sites, which would then be timed polymorphic.)
 */
import { median } from 'simple-statistics';
import { createRequire } from 'node:module';
import * as hdr from 'hdr-histogram-js';
import { EventBuffer, EVENT_STRIDE } from '../../engine/book/EventBuffer.js';
import { checkBookInvariants, EventStreamChecker } from '../../engine/book/invariants.js';
import { fastBook, Matcher, type BookFactory } from '../../engine/book/Matcher.js';
import { OrderBook } from '../../engine/book/OrderBook.js';
import { OrderBookReference } from '../../engine/book/OrderBookReference.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { FlowOp, generateMatcherFlow, type MatcherFlow } from '../generate/matcherFlow.js';

// The codes the replay loops compare with and send, as constants of this module, so that optimised
// code folds them to numbers rather than loading an imported object's field at every operation
// (the same reason as in OrderBook; both our loop and the peer's get it).
const CANCEL = FlowOp.Cancel;
const MARKET = FlowOp.Market;
const IOC = FlowOp.Ioc;
const BUY = Side.Buy;
const LIMIT_ORDER = OrderType.Limit;
const MARKET_ORDER = OrderType.Market;
const GTC = TimeInForce.GTC;
const IOC_TIME_IN_FORCE = TimeInForce.IOC;

/** Options of {@link runMatcherBench}. */
export interface MatcherBenchOptions {
  /** Operations in the flow. Default 1,000,000. */
  readonly operations: number;
  /** Flow seed. Default 1. */
  readonly seed: number;
  /** Timed repetitions per implementation; the median is reported. Default 5. */
  readonly repetitions: number;
  /**
   * Untimed warm-up repetitions before them. Default 3: V8 compiles the inlined match loop in the
   * background over the first few passes, and with one warm-up the first timed passes ran at 40-70%
   * of the steady rate (seen with --trace-deopt and the per-repetition figures).
   */
  readonly warmups: number;
  /** Repetitions for the oracle, which is slow by design. Default 1. */
  readonly referenceRepetitions: number;
  /** Operations checked event by event against the oracle, after the timing. Default: the whole flow. */
  readonly verifyOperations: number;
  /** Called with a line of progress text (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export const MATCHER_BENCH_DEFAULTS: MatcherBenchOptions = {
  operations: 1_000_000,
  seed: 1,
  repetitions: 5,
  warmups: 3,
  referenceRepetitions: 1,
  verifyOperations: Number.POSITIVE_INFINITY,
};

/** One implementation's figures. */
export interface ImplementationResult {
  readonly name: string;
  /** Median over the timed repetitions. */
  readonly opsPerSecond: number;
  /** Each timed repetition's throughput. */
  readonly runsOpsPerSecond: readonly number[];
  /** Per-operation latency from the latency passes, timer cost subtracted, in ns. */
  readonly latencyNs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number };
  /** Quantity traded over the flow (each trade counted once). */
  readonly tradedQuantity: number;
  readonly bidLevels: number;
  readonly askLevels: number;
  /** Median throughput divided by the peer's. */
  readonly ratioToPeer: number;
}

/** What {@link runMatcherBench} returns. */
export interface MatcherBenchResult {
  readonly operations: number;
  readonly seed: number;
  readonly repetitions: number;
  readonly flow: MatcherFlow['counts'] & { readonly peakResting: number };
  /** Median cost of one empty timed region (two clock reads), subtracted from every latency sample. */
  readonly timerOverheadNs: number;
  readonly implementations: readonly ImplementationResult[];
  /** Every disagreement or broken invariant found; the run has failed when this is not empty. */
  readonly problems: readonly string[];
}

/** A benchmarked implementation behind one small interface; each owns its replay loop. */
interface Subject {
  readonly name: string;
  readonly repetitions: number;
  /** A fresh, empty book. */
  reset(): void;
  /** Replays flow operations [from, to). */
  run(flow: MatcherFlow, from: number, to: number): void;
  tradedQuantity(): number;
  /** Resting depth per side, best first, as [price, quantity]. */
  depth(): { bids: [number, number][]; asks: [number, number][] };
}

/** Sends flow operation i to a matcher (owner 1, symbol 1, timestamp 0). */
function applyOperation(m: Matcher, flow: MatcherFlow, i: number): void {
  const kind = flow.op[i];
  const id = flow.clientOrderId[i] as number;
  if (kind === CANCEL) {
    m.cancel(1, 1, id, 0);
  } else if (kind === MARKET) {
    m.newOrder(1, 1, id, flow.side[i] as number, MARKET_ORDER, IOC_TIME_IN_FORCE, 0, flow.quantity[i] as number, 0);
  } else {
    m.newOrder(1, 1, id, flow.side[i] as number, LIMIT_ORDER, kind === IOC ? IOC_TIME_IN_FORCE : GTC,
      flow.price[i] as number, flow.quantity[i] as number, 0);
  }
}

/** A matchbench Matcher over the fast book or the oracle. */
class MatcherSubject implements Subject {
  private matcher!: Matcher;
  constructor(readonly name: string, readonly repetitions: number, private readonly create: () => Matcher) {
    this.reset();
  }
  reset(): void {
    this.matcher = this.create();
  }
  run(flow: MatcherFlow, from: number, to: number): void {
    const m = this.matcher;
    const events = m.events;
    for (let i = from; i < to; i++) {
      applyOperation(m, flow, i);
      // The consumer of the event stream (here: nobody) takes the records; the producer reuses them.
      events.clear();
    }
  }
  tradedQuantity(): number {
    return (this.matcher.book(1) as OrderBook).state().counters.buyFilledQuantity;
  }
  depth(): { bids: [number, number][]; asks: [number, number][] } {
    const d = (this.matcher.book(1) as OrderBook).depth(Number.MAX_SAFE_INTEGER);
    return { bids: d.bids.map((l) => [l.price, l.quantity]), asks: d.asks.map((l) => [l.price, l.quantity]) };
  }
}

/** The part of nodejs-order-book's API used here (its package points `types` at a file it does not ship). */
interface PeerOrderBook {
  limit(options: { id: string; side: 'buy' | 'sell'; size: number; price: number; timeInForce?: 'GTC' | 'IOC' | 'FOK' }):
    { quantityLeft: number; err: unknown };
  market(options: { side: 'buy' | 'sell'; size: number }): { quantityLeft: number; err: unknown };
  cancel(id: string): unknown;
  depth(): [[number, number][], [number, number][]];
}

/** nodejs-order-book, latest from npm: the peer the issue names. */
class PeerSubject implements Subject {
  readonly name = 'nodejs-order-book';
  private book!: PeerOrderBook;
  private traded = 0;
  /** Order ids as the strings the peer wants, built before timing so conversion is not measured. */
  private ids: string[] = [];
  constructor(readonly repetitions: number, private readonly Peer: new () => PeerOrderBook) {
    this.reset();
  }
  reset(): void {
    this.book = new this.Peer();
    this.traded = 0;
  }
  prepare(flow: MatcherFlow): void {
    this.ids = Array.from(flow.clientOrderId, (id) => String(id));
  }
  run(flow: MatcherFlow, from: number, to: number): void {
    const book = this.book;
    const ids = this.ids;
    const { op, side, price, quantity } = flow;
    let traded = 0;
    for (let i = from; i < to; i++) {
      const kind = op[i];
      if (kind === CANCEL) {
        book.cancel(ids[i] as string);
        continue;
      }
      const size = quantity[i] as number;
      const s = side[i] === BUY ? 'buy' : 'sell';
      // The incoming order is the taker of every trade it makes: size - quantityLeft is what it traded.
      const result = kind === MARKET ? book.market({ side: s, size })
        : book.limit({ id: ids[i] as string, side: s, size, price: price[i] as number,
          timeInForce: kind === IOC ? 'IOC' : 'GTC' });
      traded += size - result.quantityLeft;
    }
    this.traded += traded;
  }
  tradedQuantity(): number {
    return this.traded;
  }
  depth(): { bids: [number, number][]; asks: [number, number][] } {
    const [asks, bids] = this.book.depth();
    return { bids: bids.map(([p, q]) => [p, q]), asks: asks.map(([p, q]) => [p, q]) };
  }
}

function loadPeer(): new () => PeerOrderBook {
  // Its ESM build uses extension-less imports that Node's resolver refuses, so load the CommonJS build.
  const require = createRequire(import.meta.url);
  return (require('nodejs-order-book') as { OrderBook: new () => PeerOrderBook }).OrderBook;
}

/** Median cost of `process.hrtime.bigint()` read twice back to back, in ns. */
export function measureTimerOverheadNs(samples = 200_000): number {
  const costs = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    costs[i] = Number(t1 - t0);
  }
  costs.sort();
  return costs[samples >> 1] as number;
}

/** One implementation's timed repetitions, latency figures and end state. */
interface Measured {
  readonly subject: Subject;
  readonly runs: readonly number[];
  readonly latencyNs: ImplementationResult['latencyNs'];
  readonly state: { readonly traded: number; readonly depth: ReturnType<Subject['depth']> };
}

/** Operations per call of a subject's replay loop during warm-up (see {@link warmUp}). */
const WARMUP_CHUNK = 1_000;

/**
 * Replays the whole flow, untimed, in calls of {@link WARMUP_CHUNK} operations. Called a thousand
 * times, the replay loop gets hot as a function, and V8 compiles it whole. Played as one long call,
 * V8 compiled it only on-stack (OSR) and, in about a third of the processes, the timed calls then
 * ran that OSR code, about 5% slower (seen with --trace-opt: the later regular compile took
 * 0.2 ms instead of about 90, and those processes were the slow ones).
 */
function warmUp(subject: Subject, flow: MatcherFlow): void {
  subject.reset();
  for (let from = 0; from < flow.length; from += WARMUP_CHUNK) {
    subject.run(flow, from, Math.min(flow.length, from + WARMUP_CHUNK));
  }
}

function timeThroughput(subject: Subject, flow: MatcherFlow): number {
  subject.reset();
  const t0 = process.hrtime.bigint();
  subject.run(flow, 0, flow.length);
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  return flow.length / (elapsedNs / 1e9);
}

function recordLatency(subject: Subject, flow: MatcherFlow, histogram: hdr.Histogram, overheadNs: number): void {
  subject.reset();
  for (let i = 0; i < flow.length; i++) {
    const t0 = process.hrtime.bigint();
    subject.run(flow, i, i + 1);
    const ns = Number(process.hrtime.bigint() - t0) - overheadNs;
    histogram.recordValue(ns > 0 ? ns : 0);
  }
}

/**
 * Plays the fast matcher (or the book `createBook` makes) and the oracle side by side over the first
 * `operations` of the flow and compares their event records after every operation; checks the
 * stream and the final books. Returns what it found wrong (at most about ten problems).
 */
export function verifyAgainstOracle(flow: MatcherFlow, operations: number, createBook: BookFactory = fastBook): string[] {
  const problems: string[] = [];
  const fast = new Matcher([flow.symbol], createBook, new EventBuffer(4096));
  const oracle = new Matcher([flow.symbol], (c, x) => new OrderBookReference(c, x), new EventBuffer(4096));
  const checker = new EventStreamChecker();
  const end = Math.min(operations, flow.length);
  for (let i = 0; i < end && problems.length < 10; i++) {
    applyOperation(fast, flow, i);
    applyOperation(oracle, flow, i);
    const a = fast.events;
    const b = oracle.events;
    const same = a.length === b.length &&
      a.data.subarray(0, a.length * EVENT_STRIDE).every((v, k) => v === b.data[k]);
    if (!same) problems.push(`operation ${i}: the fast book's events differ from the oracle's`);
    for (let e = 0; e < a.length; e++) {
      for (const v of checker.check(a.event(e))) problems.push(`operation ${i}: ${v.invariant}: ${v.message}`);
    }
    a.clear();
    b.clear();
  }
  for (const m of [fast, oracle]) {
    for (const v of checkBookInvariants((m.book(1) as OrderBook).state())) {
      problems.push(`after ${end} operations: ${v.invariant}: ${v.message}`);
    }
  }
  if (fast.stateHash() !== oracle.stateHash()) problems.push(`after ${end} operations: state hashes differ`);
  return problems;
}

/** Runs the whole benchmark and returns its figures; never prints (see `progress`). */
export function runMatcherBench(overrides: Partial<MatcherBenchOptions> = {}): MatcherBenchResult {
  const options: MatcherBenchOptions = { ...MATCHER_BENCH_DEFAULTS, ...overrides };
  const say = options.progress ?? ((): void => {});
  say(`generating ${options.operations.toLocaleString('en-US')} operations (seed ${options.seed})`);
  const flow = generateMatcherFlow({ operations: options.operations, seed: options.seed });

  const capacity = Math.ceil(flow.peakResting * 1.25) + 16;
  const peer = new PeerSubject(options.repetitions, loadPeer());
  peer.prepare(flow);
  const fast = new MatcherSubject('matchbench OrderBook', options.repetitions,
    () => new Matcher([flow.symbol], (c, x) => new OrderBook(c, x, { initialOrderCapacity: capacity })));
  const oracle = new MatcherSubject('OrderBookReference (oracle)', options.referenceRepetitions,
    () => new Matcher([flow.symbol], (c, x) => new OrderBookReference(c, x)));
  const subjects: Subject[] = [fast, oracle, peer];

  const timerOverheadNs = measureTimerOverheadNs();
  const runs = new Map<Subject, number[]>(subjects.map((subject) => [subject, []]));
  const warm = (subject: Subject): void => {
    for (let w = 0; w < options.warmups; w++) {
      say(`${subject.name}: warm-up ${w + 1}/${options.warmups}`);
      warmUp(subject, flow);
    }
  };
  const time = (subject: Subject, r: number): void => {
    const opsPerSecond = timeThroughput(subject, flow);
    runs.get(subject)?.push(opsPerSecond);
    say(`${subject.name}: repetition ${r + 1}/${subject.repetitions}: ${(opsPerSecond / 1e6).toFixed(2)} M ops/s`);
  };
  const finish = (subject: Subject): Measured => {
    const state = { traded: subject.tradedQuantity(), depth: subject.depth() };
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 });
    for (let r = 0; r < subject.repetitions; r++) recordLatency(subject, flow, histogram, timerOverheadNs);
    const latencyNs = { p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99),
      p999: histogram.getValueAtPercentile(99.9), max: histogram.maxValue };
    histogram.destroy();
    return { subject, runs: runs.get(subject) ?? [], latencyNs, state };
  };

  // Our book and the peer take turns, repetition by repetition, so that both medians come from the
  // same stretch of time: timed one after the other, a few seconds of a busy host fell on one of them
  // only, and the ratio of one run moved by 20-40% with it. The oracle comes last, on its own:
  // it shares our book's replay code, which would be polymorphic if it ran in between.
  const paired = [fast, peer];
  for (const subject of paired) warm(subject);
  for (let r = 0; r < options.repetitions; r++) for (const subject of paired) time(subject, r);
  const [fastMeasured, peerMeasured] = paired.map(finish) as [Measured, Measured];
  warm(oracle);
  for (let r = 0; r < oracle.repetitions; r++) time(oracle, r);
  const measured = [fastMeasured, finish(oracle), peerMeasured];

  // The event-by-event check runs after the timing, and the run fails on what it finds all the same.
  // Before, it sent both books through Matcher's calls, and our book was then timed through call
  // sites that had seen the oracle too (polymorphic), about 2-3% slower than the engine's matcher
  // thread, which only ever runs OrderBook. The end-state check below covers the timed passes.
  const problems: string[] = [];
  const verify = Math.min(options.verifyOperations, flow.length);
  say(`checking the fast book against the oracle, event by event, over ${verify.toLocaleString('en-US')} operations`);
  problems.push(...verifyAgainstOracle(flow, verify));
  const [ours] = measured;
  for (const m of measured.slice(1)) {
    if (ours === undefined) break;
    if (m.state.traded !== ours.state.traded) {
      problems.push(`${m.subject.name} traded ${m.state.traded}, ${ours.subject.name} traded ${ours.state.traded}`);
    }
    if (JSON.stringify(m.state.depth) !== JSON.stringify(ours.state.depth)) {
      problems.push(`${m.subject.name} ends with a different resting depth than ${ours.subject.name}`);
    }
  }
  const peerOps = median(measured.at(-1)?.runs ?? [1]);
  return {
    operations: flow.length,
    seed: options.seed,
    repetitions: options.repetitions,
    flow: { ...flow.counts, peakResting: flow.peakResting },
    timerOverheadNs,
    implementations: measured.map(({ subject, runs, latencyNs, state }) => ({
      name: subject.name,
      opsPerSecond: median(runs),
      runsOpsPerSecond: runs,
      latencyNs,
      tradedQuantity: state.traded,
      bidLevels: state.depth.bids.length,
      askLevels: state.depth.asks.length,
      ratioToPeer: median(runs) / peerOps,
    })),
    problems,
  };
}
