import os from 'node:os';
import { checkBookInvariants } from '../../engine/book/invariants.js';
import { symbolConfig, type SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';
import type { FinalState } from '../../engine/matcherWorkerProtocol.js';
import type { ArrivalCheck, ArrivalTest, FeedClassResult, KneeResult, PhaseResult, RunFeedLayout, RunFuzzResult, RunResult, RunVerdict } from '../../reports/RunResult.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION } from '../../reports/RunResult.js';
import { depthDigest } from '../clients/FeedBook.js';
import type { FeedClockOffset } from '../clients/FeedSubscriber.js';
import { FuzzClients } from '../clients/FuzzClients.js';
import { FUZZ_RULES_DEFAULTS } from '../fuzz/fuzzRules.js';
import { SubscriberPoolThread } from '../clients/SubscriberPoolThread.js';
import { mergeClassResults, type SubscriberClassResult } from '../clients/SubscriberPoolResult.js';
import { RateSchedule } from '../executors/RateSchedule.js';
import { combineStreamHashes } from '../generate/combineStreamHashes.js';
import { HistogramSet, summarize } from '../record/HistogramSet.js';
import { IntervalSeries } from '../record/IntervalSeries.js';
import type { HostPort, Scenario, SubscriberGroup, TargetSpec } from '../scenario/Scenario.js';
import { arrivalKsTest } from '../stats/arrivalKsTest.js';
import { phaseRates } from '../stats/phaseRates.js';
import { evaluateThresholds, type Measured } from './evaluateThresholds.js';
import type { DriverResult } from './RequestTally.js';
import { OrderEntryDriverThread } from './OrderEntryDriverThread.js';
import { runIdentity } from './runIdentity.js';
import { checkMappedBooks } from '../targets/httpMapping/checkMappedBooks.js';
import type { HttpMapping } from '../targets/httpMapping/HttpMapping.js';
import { requireHttpMapping } from '../targets/httpMapping/loadHttpMapping.js';
import { mappedSymbols } from '../targets/httpMapping/MappedHttpSession.js';
import { HttpOrderDriver } from '../targets/HttpOrderDriver.js';
import { START_AT_LATE_LIMIT_MS, type ShardSpec } from '../scenario/parseShard.js';
import { shardClientIndexes, shardFirstSubscriberId, shardScenario, shardSchedule, shardSubscriberSeed } from './shardShare.js';
import { runInproc } from '../targets/runInproc.js';
import { connectSoupTarget } from '../targets/soup/connectSoupTarget.js';
import { mergeSessionChecks } from '../check/mergeSessionChecks.js';
import { sessionViolationFile, type SessionViolationFile } from '../check/sessionViolationFile.js';
import { differentialCheck } from '../check/differentialCheck.js';
import { differentialViolationFile, type DifferentialViolationFile } from '../check/differentialViolationFile.js';
import { feedViolationFile, type FeedViolationFile } from '../check/feedViolationFile.js';
import { describeFeedViolation, mergeFeedViolations } from '../check/snapshotInvariants.js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { loadFeedLayout } from '../feeds/loadFeedLayout.js';
import { layoutFeedNotChecked } from './layoutFeedNotChecked.js';

/** Options of {@link runScenario}; each documents its default. */
export interface RunOptions {
  readonly scenario: Scenario;
  /** sha256 of the validated scenario (loadScenario's `hash`). */
  readonly scenarioHash: string;
  /** The file it came from, for the record. */
  readonly scenarioFile: string;
  readonly seed: number;
  /** Where the load goes; default the scenario's own target. */
  readonly target?: TargetSpec;
  /** The command line, for the record. */
  readonly command?: string;
  /** Load-generator threads; default the scenario's clients.workers (0: one per core, at most 4). */
  readonly workers?: number;
  /** Called about once a second while the load runs. */
  readonly progress?: (p: RunProgress) => void;
  /** Aborting stops the load at once; the result holds what was measured until then. */
  readonly signal?: AbortSignal;
  /** A planted stall of the inproc target (tests of coordinated-omission correction); see runInproc. */
  readonly inprocStall?: { readonly atMs: number; readonly durationMs: number };
  /** A planted slowdown of the inproc target (tests of `matchbench compare`): ns busy-waited per order; see runInproc. Default 0. */
  readonly inprocDelayPerOrderNs?: number;
  /** Lines worth telling the user (the engine's own log, for the embedded target). */
  readonly log?: (line: string) => void;
  /** Run only this shard's clients and subscribers (`run --shard i/N`, harness/run/shardShare.ts); default all. */
  readonly shard?: ShardSpec;
  /** Time 0 as an epoch ms, the same for every shard (`--start-at`); default 250 ms after everyone is connected. */
  readonly startAtEpochMs?: number;
  /** How often each fast subscriber checks a BOOK_SNAPSHOT of every book it holds exact against its feed-rebuilt book, ms (0: only at resyncs). Default 1,000. */
  readonly snapshotCheckIntervalMs?: number;
  /** tcp and http targets: a request unanswered this long ends its session, and the run once none is left (verdict error), ms. Default 5,000 (harness/run/TargetWatch.ts). */
  readonly unresponsiveAfterMs?: number;
  /** Environment variables an HTTP mapping's headers may name (`${env:NAME}`, docs/HTTP_MAPPING.md); the CLI passes process.env. Default none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What the progress display shows. */
export interface RunProgress {
  readonly elapsedMs: number;
  readonly totalMs: number;
  readonly phase: string;
  readonly offeredRate: number;
  /** Requests sent in the last second. */
  readonly achievedRate: number;
  readonly sent: number;
  readonly answered: number;
  /** order_rtt p99 over the last second, ns (0 when nothing was answered). */
  readonly p99Ns: number;
  readonly errors: number;
}

/** What a run gives back: the result (result.json) and the per-second histograms (latency.hlog). */
export interface RunOutput {
  readonly result: RunResult;
  readonly intervals: IntervalSeries;
  /** Epoch ms of the run's time 0. */
  readonly startEpochMs: number;
  /** violation.json: the first execution-report violation and its reproduction; absent when every report held. */
  readonly violation?: SessionViolationFile | DifferentialViolationFile | FeedViolationFile;
}

/** Default of {@link RunOptions.snapshotCheckIntervalMs}. */
export const SNAPSHOT_CHECK_INTERVAL_MS = 1_000;
/** Lead time between everyone being connected and the first intended send, ms. */
const START_LEAD_MS = 250;
/** Client ids of market-data subscribers start here (order-entry clients count from 1). */
const FIRST_SUBSCRIBER_ID = 1_000_001;

/** The engine symbols a scenario trades: ids 1…count. */
export function scenarioSymbols(scenario: Scenario): SymbolConfig[] {
  const s = scenario.symbols;
  return Array.from({ length: s.count }, (_, i) => symbolConfig({
    symbolId: i + 1, name: `${s.namePrefix}${i + 1}`, tickSize: s.tickSize, minPrice: s.minPrice, maxPrice: s.maxPrice,
    maxQuantity: s.maxQuantity,
  }));
}

function describeTarget(t: TargetSpec, resolved?: { orderEntry: HostPort; marketData: HostPort | null }): string {
  const hp = (x: HostPort): string => `${x.host}:${x.port}`;
  switch (t.kind) {
    case 'embedded': return `embedded reference engine (tcp://${resolved === undefined ? '?' : hp(resolved.orderEntry)})`;
    case 'inproc': return 'inproc (the reference matcher in this process)';
    case 'tcp': return `tcp://${hp(t.orderEntry)}${t.marketData === null ? '' : `, market data ${hp(t.marketData)}`}${layoutNote(t.mdLayout)}`;
    case 'http': return `${t.mapping === undefined ? t.url : `${t.url} (mapping ${t.mapping})`}` +
      `${t.mdLayout === undefined || t.marketData === null ? '' : `, market data ${hp(t.marketData)}${layoutNote(t.mdLayout)}`}`;
    case 'soup': return `soup://${hp(t.orderEntry)} (SoupBinTCP 3.00, messages ${t.messages})`;
    case 'fix': return `fix://${hp(t.orderEntry)} (FIX ${t.version}, ${t.senderCompId} → ${t.targetCompId})`;
  }
}

function layoutNote(file: string | undefined): string {
  return file === undefined ? '' : ` read with layout ${file}`;
}

/** A feed read with a layout file (target `md-layout=`): the layout, the groups that read it, and those that cannot. */
interface RunLayoutFeed {
  readonly file: string;
  readonly layout: FeedLayout;
  /** The fast groups; for MoldUDP64 one subscriber. */
  readonly read: readonly SubscriberGroup[];
  /** Groups not run: every class but fast, and for MoldUDP64 the fast subscribers beyond the first. */
  readonly skipped: readonly SubscriberGroup[];
}

/**
 * The target's feed layout, loaded, or undefined when the target reads matchbench's protocol.
 * @throws RangeError naming the file and every problem with it (the CLI's usage error), before anything connects.
 */
async function loadRunLayoutFeed(target: TargetSpec, groups: readonly SubscriberGroup[]): Promise<RunLayoutFeed | undefined> {
  if ((target.kind !== 'tcp' && target.kind !== 'http') || target.mdLayout === undefined) return undefined;
  const file = target.mdLayout;
  const loaded = await loadFeedLayout(file);
  if (!loaded.ok) throw new RangeError(`md-layout=${file}: ${loaded.problems.join('; ')}`);
  const fast = groups.filter((g) => g.class === 'fast' && g.count > 0);
  const skipped = groups.filter((g) => g.class !== 'fast' && g.count > 0);
  const fastCount = fast.reduce((n, g) => n + g.count, 0);
  if (loaded.layout.framing.kind !== 'moldudp64' || fastCount <= 1) return { file, layout: loaded.layout, read: fast, skipped };
  // One socket reads a unicast UDP port: one MoldUDP64 reader per run (per shard).
  return { file, layout: loaded.layout, read: [{ class: 'fast', count: 1 }], skipped: [...skipped, { class: 'fast', count: fastCount - 1 }] };
}

/** Splits `items` round-robin into at most `parts` non-empty lists. */
function deal<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, Math.min(parts, items.length)) }, () => []);
  items.forEach((item, i) => out[i % out.length]?.push(item));
  return items.length === 0 ? [] : out;
}

/** Splits subscriber groups into `parts` pools with counts as even as possible. */
function splitGroups(groups: readonly SubscriberGroup[], parts: number): SubscriberGroup[][] {
  const pools: SubscriberGroup[][] = Array.from({ length: parts }, () => []);
  for (const g of groups) {
    for (let p = 0; p < parts; p++) {
      const count = Math.floor(g.count / parts) + (p < g.count % parts ? 1 : 0);
      if (count > 0) pools[p]?.push({ ...g, count });
    }
  }
  return pools.filter((p) => p.length > 0);
}

function feedResult(c: SubscriberClassResult): FeedClassResult {
  const k = c.counts;
  const l = c.layout?.counts;
  return {
    subscribers: c.subscribers, frames: k.frames, bytes: k.bytes, gaps: k.gaps, gapFrames: k.gapFrames, drops: k.gapFrames,
    disconnects: k.disconnects, reconnects: Math.max(0, k.logins - c.subscribers), snapshots: k.snapshotsReceived,
    protocolErrors: k.protocolErrors,
    // MoldUDP64: heartbeats and silences are the packets' (the messages' own are counted too, if the layout has any).
    ...(l === undefined ? {} : { checksumFailures: l.checksumFailures, heartbeats: l.heartbeats + (c.layout?.mold?.heartbeats ?? 0),
      heartbeatSilences: l.heartbeatSilences + (c.layout?.mold?.heartbeatSilences ?? 0), sequenceRegressions: l.sequenceRegressions }),
  };
}

function finalBookViolations(state: FinalState): string[] {
  const out: string[] = [];
  for (const book of state.books) {
    for (const v of checkBookInvariants(book)) out.push(`book invariant ${v.invariant} broken on symbol ${v.symbolId}: ${v.message}`);
  }
  return out;
}

/** Books fast subscribers rebuilt from the feed must equal the engine's at the end. */
function feedBookViolations(state: FinalState, fast: SubscriberClassResult | undefined): string[] {
  if (fast?.books === undefined) return [];
  const out: string[] = [];
  for (const book of state.books) {
    const engineDigest = depthDigest({
      bids: book.bids.map((l) => ({ price: l.price, quantity: l.quantity, orderCount: l.orderCount })),
      asks: book.asks.map((l) => ({ price: l.price, quantity: l.quantity, orderCount: l.orderCount })),
    });
    for (const [digest, count] of Object.entries(fast.books[String(book.symbolId)] ?? {})) {
      if (digest !== engineDigest) {
        out.push(`${count} fast subscriber(s) rebuilt symbol ${book.symbolId}'s book from the feed as ${digest}; the engine's is ${engineDigest}`);
      }
    }
  }
  return out;
}

/**
 * Runs a scenario against its target and returns what was measured; writes nothing (the CLI
 * writes the run directory). Throws a TargetError when the target cannot be reached or refuses
 * login, before any load is sent.
 *
 * ```
 *  scenario + seed ─► OrderEntryDriverThread ×W (ClientFlow per client ─► OrderEntryClient) ──► engine order entry
 *                  └► SubscriberPoolThread ×W (fast / slow / stalled / churning FeedSubscribers) ◄── engine market data
 *                       (target md-layout=: fast LayoutFeedSubscribers only, the rest named as not run)
 *  each second: progress (counts, last second's p99) and feed intervals
 *  at the end: histograms added (encoded across threads), arrivals KS-tested, books checked, thresholds judged
 * ```
 */
export async function runScenario(options: RunOptions): Promise<RunOutput> {
  const { seed } = options;
  const scenario = shardScenario(options.scenario, options.shard);
  const target = options.target ?? scenario.target;
  if (target.kind === 'inproc') return runInprocScenario(options, target);
  const log = options.log ?? ((): void => {});
  const workers = Math.max(1, options.workers ?? (scenario.clients.workers === 0
    ? Math.min(4, os.cpus().length) : scenario.clients.workers));
  // A layout feed (target md-layout=) is read by the fast groups only; the others are named in the report as not run.
  const layoutFeed = await loadRunLayoutFeed(target, scenario.clients.marketData);
  const subscriberGroups = layoutFeed === undefined ? scenario.clients.marketData : layoutFeed.read;
  const subscriberCount = subscriberGroups.reduce((s, g) => s + g.count, 0);
  const startedAt = new Date();
  const errors: string[] = [];

  let engine: Engine | undefined;
  let endpoints: { orderEntry: HostPort; marketData: HostPort | null };
  if (target.kind === 'embedded') {
    // Fuzz clients' cases trade the fuzzer's own two symbols (docs/FUZZ.md).
    const fuzzSymbols = scenario.clients.fuzz === undefined ? [] : [FUZZ_RULES_DEFAULTS.sweepSymbol, FUZZ_RULES_DEFAULTS.semanticSymbol];
    engine = await Engine.start({ symbols: [...scenarioSymbols(scenario), ...fuzzSymbols], log,
      maxConnections: Math.max(1_000, scenario.clients.orderEntry + subscriberCount + 16) });
    endpoints = { orderEntry: { host: '127.0.0.1', port: engine.orderEntry.port },
      marketData: { host: '127.0.0.1', port: engine.marketData.port } };
  } else if (target.kind === 'http') {
    // No order-entry host:port: the HTTP driver goes to target.url (describeTarget shows it).
    endpoints = { orderEntry: { host: '', port: 0 }, marketData: target.marketData };
  } else {
    endpoints = { orderEntry: target.orderEntry, marketData: target.marketData };
  }

  const drivers: Pick<OrderEntryDriverThread, 'run' | 'progress' | 'stop' | 'terminate'>[] = [];
  const watchOptions = options.unresponsiveAfterMs === undefined ? {} : { unresponsiveAfterMs: options.unresponsiveAfterMs };
  // An http target's mapping file (docs/HTTP_MAPPING.md), when it has one.
  let mapping: HttpMapping | undefined;
  const pools: SubscriberPoolThread[] = [];
  try {
    if (target.kind === 'http') {
      // One autocannon instance on this thread, one keep-alive connection per client (see HttpOrderDriver).
      mapping = target.mapping === undefined ? undefined : await requireHttpMapping(target.mapping, options.env);
      drivers.push(await HttpOrderDriver.connect({ scenario, seed, url: target.url, ...(mapping === undefined ? {} : { mapping }), ...watchOptions,
        ...(options.shard === undefined ? {} : { clientIndexes: shardClientIndexes(scenario.clients.orderEntry, options.shard) }) }));
    } else if (target.kind === 'soup') {
      drivers.push(await connectSoupTarget(target, scenario, seed, options.shard === undefined ? undefined : shardClientIndexes(scenario.clients.orderEntry, options.shard)));
    } else if (target.kind === 'fix') {
      // Loaded only for a fix:// target: the FIX engine (jspurefix) takes longer to import than the rest
      // of the harness together, and every other run, and every start of the CLI, paid for it.
      const { FixOrderDriver } = await import('../targets/fix/FixOrderDriver.js');
      drivers.push(await FixOrderDriver.connect({ scenario, seed, target, ...watchOptions,
        ...(options.shard === undefined ? {} : { clientIndexes: shardClientIndexes(scenario.clients.orderEntry, options.shard) }) }));
    } else {
      const clientIndexes = options.shard === undefined ? Array.from({ length: scenario.clients.orderEntry }, (_, i) => i)
        : shardClientIndexes(scenario.clients.orderEntry, options.shard);
      const started = await Promise.allSettled(deal(clientIndexes, workers).map((indexes) => OrderEntryDriverThread.start({
        scenario, seed, clientIndexes: indexes, host: endpoints.orderEntry.host, port: endpoints.orderEntry.port, ...watchOptions })));
      for (const s of started) if (s.status === 'fulfilled') drivers.push(s.value);
      const refused = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (refused !== undefined) throw refused.reason;
    }

    if (subscriberCount > 0) {
      if (endpoints.marketData === null) {
        errors.push(`the scenario has ${subscriberCount} market-data subscribers but the target has no market-data address; none were started`);
      } else {
        // The embedded engine stamps frames on this process's clock; an engine in another process has
        // its own epoch, so each subscriber estimates the offset from its LOGIN / LOGIN_ACK round trip.
        const feedClockOffset: FeedClockOffset = target.kind === 'embedded' ? { kind: 'fixed', engineClockOffsetNs: 0 } : { kind: 'login' };
        let firstClientId = shardFirstSubscriberId(FIRST_SUBSCRIBER_ID, options.scenario.clients.marketData, options.shard);
        for (const groups of splitGroups(subscriberGroups, workers)) {
          pools.push(await SubscriberPoolThread.start({ host: endpoints.marketData.host, port: endpoints.marketData.port, groups,
            firstClientId, seed: shardSubscriberSeed(seed ^ 0x5eed_feed, options.shard), clockOffset: feedClockOffset, rebuildBooks: true, resync: true,
            snapshotCheckIntervalMs: options.snapshotCheckIntervalMs ?? SNAPSHOT_CHECK_INTERVAL_MS,
            ...(layoutFeed === undefined ? {} : { layout: layoutFeed.layout }) }));
          firstClientId += groups.reduce((s, g) => s + g.count, 0);
        }
        const loggedIn = pools.reduce((s, p) => s + p.loggedIn, 0);
        if (loggedIn < subscriberCount) errors.push(`${subscriberCount - loggedIn} of ${subscriberCount} subscribers did not log in at the start`);
      }
    }

    const fuzzClients = scenario.clients.fuzz === undefined || target.kind === 'http' ? undefined
      : new FuzzClients({ spec: scenario.clients.fuzz, seed, target: endpoints.orderEntry,
        tradedSymbolIds: scenarioSymbols(scenario).map((s) => s.symbolId) });
    // Time 0, as an epoch time every thread converts to its own monotonic clock.
    const startEpochMs = options.startAtEpochMs ?? performance.timeOrigin + performance.now() + START_LEAD_MS;
    const lateMs = performance.timeOrigin + performance.now() - startEpochMs;
    if (lateMs > START_AT_LATE_LIMIT_MS) errors.push(`connecting ended ${(lateMs / 1000).toFixed(1)} s after --start-at; the first orders went out late`);
    const schedule = shardSchedule(scenario.phases, scenario.clients.orderEntry, options.shard);
    const totalMs = scenario.phases.reduce((s, p) => s + p.durationMs, 0);
    const intervals = new IntervalSeries();
    const onAbort = (): void => { for (const d of drivers) d.stop(); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted === true) onAbort();

    const results = Promise.all(drivers.map((d) => d.run(startEpochMs)));
    results.catch(() => undefined); // awaited below; marked handled so a fast failure is not an unhandled rejection
    const fuzzRun = fuzzClients?.run(startEpochMs, totalMs, options.signal);
    fuzzRun?.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startEpochMs - performance.timeOrigin - performance.now())));
    const cpuStart = process.cpuUsage();
    let lastSent = 0;
    let tickIndex = 0;
    const ticker = setInterval(() => {
      void (async () => {
        const elapsedMs = performance.timeOrigin + performance.now() - startEpochMs;
        const second = Math.max(0, Math.floor(elapsedMs / IntervalSeries.INTERVAL_MS) - 1);
        tickIndex++;
        const [progress, feeds] = await Promise.all([Promise.all(drivers.map((d) => d.progress())),
          Promise.all(pools.map((p) => p.interval().catch(() => [])))]);
        for (const c of mergeClassResults(feeds)) {
          if (c.latencyHistogram !== '') intervals.at(second).get(`feed_latency.${c.class}`).add(HistogramSet.decode({ x: c.latencyHistogram }).get('x'));
        }
        const last = new HistogramSet();
        let sent = 0;
        let answered = 0;
        let errs = 0;
        for (const p of progress) {
          if (p === undefined) continue;
          last.add(HistogramSet.decode(p.lastSecond));
          sent += p.sent;
          answered += p.answered;
          errs += p.errors;
        }
        const phaseIndex = Math.max(0, schedule.phaseAt(Math.min(elapsedMs, totalMs - 1)));
        options.progress?.({ elapsedMs, totalMs, phase: scenario.phases[phaseIndex]?.name ?? '', sent, answered,
          offeredRate: schedule.rateHzAt(Math.min(elapsedMs, totalMs - 1)), achievedRate: sent - lastSent,
          p99Ns: summarize(last.get('order_rtt')).p99Ns, errors: errs });
        lastSent = sent;
      })();
    }, 1_000);
    let driverResults: DriverResult[];
    try {
      driverResults = await results;
    } finally {
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
    }
    void tickIndex;
    const fuzz = await fuzzRun;

    // Every request was answered (or timed out): let the last feed frames arrive, then stop the
    // subscribers (they report the books they rebuilt) and the engine (it reports its books).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cpu = process.cpuUsage(cpuStart);
    const feedClasses = mergeClassResults(await Promise.all(pools.splice(0).map((p) => p.stop())));
    let finalState: FinalState | undefined;
    if (engine !== undefined) {
      engine.matcher.requestFinalState();
      await engine.stop();
      finalState = engine.matcher.finalState;
      engine = undefined;
    }
    // A mapped engine's books, through its book operation (or a note that it has none).
    const books = mapping === undefined || target.kind !== 'http' ? undefined : await checkMappedBooks(target.url, mapping, mappedSymbols(scenario));
    const endedAt = new Date();
    return assemble({ options, target, endpoints, startedAt, endedAt, startEpochMs, schedule, intervals, driverResults,
      feedClasses, finalState, errors, cpu, engineInProcess: target.kind === 'embedded', fuzz,
      ...(layoutFeed === undefined ? {} : { layoutFeed }),
      ...(books === undefined ? {} : { checked: books.checked, liveViolations: books.violations }) });
  } finally {
    await Promise.all([...drivers.map((d) => d.terminate().catch(() => 0)), ...pools.map((p) => p.terminate().catch(() => undefined))]);
    await engine?.stop();
  }
}

interface Parts {
  readonly options: RunOptions;
  readonly target: TargetSpec;
  readonly endpoints: { orderEntry: HostPort; marketData: HostPort | null };
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly startEpochMs: number;
  readonly schedule: RateSchedule;
  readonly intervals: IntervalSeries;
  readonly driverResults: readonly DriverResult[];
  readonly feedClasses: readonly SubscriberClassResult[];
  readonly finalState: FinalState | undefined;
  readonly errors: string[];
  /** process.cpuUsage over the load (µs). */
  readonly cpu: NodeJS.CpuUsage;
  readonly engineInProcess: boolean;
  /** Violations found during the run (inproc checks every event). */
  readonly liveViolations?: readonly string[];
  readonly checked?: string;
  /** What the fuzz clients played, when the scenario has them. */
  readonly fuzz?: RunFuzzResult | undefined;
  /** The feed layout the subscribers read, when the target names one. */
  readonly layoutFeed?: RunLayoutFeed;
}

async function runInprocScenario(options: RunOptions, target: TargetSpec): Promise<RunOutput> {
  const { scenario } = options;
  const startedAt = new Date();
  const startEpochMs = performance.timeOrigin + performance.now();
  const schedule = new RateSchedule(scenario.phases, 1);
  const totalMs = scenario.phases.reduce((s, p) => s + p.durationMs, 0);
  let lastSent = 0;
  const cpuStart = process.cpuUsage();
  const result = await runInproc({
    scenario, seed: options.seed, symbols: scenarioSymbols(scenario),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.inprocStall === undefined ? {} : { stall: options.inprocStall }),
    ...(options.inprocDelayPerOrderNs === undefined ? {} : { delayPerOrderNs: options.inprocDelayPerOrderNs }),
    progress: (p) => {
      const elapsedMs = performance.timeOrigin + performance.now() - startEpochMs;
      const at = Math.min(elapsedMs, totalMs - 1);
      options.progress?.({ elapsedMs, totalMs, phase: scenario.phases[Math.max(0, schedule.phaseAt(at))]?.name ?? '',
        offeredRate: schedule.rateHzAt(at), achievedRate: p.sent - lastSent, sent: p.sent, answered: p.answered,
        p99Ns: summarize(HistogramSet.decode(p.lastSecond).get('order_rtt')).p99Ns, errors: p.errors });
      lastSent = p.sent;
    },
  });
  const errors: string[] = [];
  return assemble({ options, target, endpoints: { orderEntry: { host: '', port: 0 }, marketData: null }, startedAt,
    endedAt: new Date(), startEpochMs, schedule, intervals: new IntervalSeries(), driverResults: [result], feedClasses: [],
    finalState: result.finalState, errors, liveViolations: result.violations, cpu: process.cpuUsage(cpuStart), engineInProcess: true,
    checked: 'every event (stream checker) and the final books (inproc)' });
}

function assemble(p: Parts): RunOutput {
  const { options, driverResults, schedule, intervals } = p;
  const { scenario } = options;
  const histograms = new HistogramSet();
  for (const r of driverResults) {
    histograms.add(HistogramSet.decode(r.histograms));
    intervals.add(IntervalSeries.decode(r.intervals));
  }
  // Feed latency per class, and over all reading classes.
  for (const c of p.feedClasses) {
    if (c.latencyHistogram === '') continue;
    const h = HistogramSet.decode({ x: c.latencyHistogram }).get('x');
    if (h.totalCount === 0) continue;
    histograms.get(`feed_latency.${c.class}`).add(h);
    histograms.get('feed_latency.all').add(h);
  }
  const sum = (f: (r: DriverResult) => number): number => driverResults.reduce((s, r) => s + f(r), 0);
  const addRecords = (f: (r: DriverResult) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of driverResults) for (const [k, v] of Object.entries(f(r))) out[k] = (out[k] ?? 0) + v;
    return out;
  };

  // Send times of all clients merged: Poisson at the whole run's rate if the harness kept up. The
  // same requests' intended times go through the same test, to tell the generator from the sender.
  const totalMs = scenario.phases.reduce((s, ph) => s + ph.durationMs, 0);
  const merged = (pick: (r: DriverResult) => Float64Array): Float64Array => {
    const times = new Float64Array(sum((r) => pick(r).length));
    let at = 0;
    for (const r of driverResults) { times.set(pick(r), at); at += pick(r).length; }
    return times.sort().filter((t) => t >= 0 && t < totalMs);
  };
  const inRun = merged((r) => r.sendTimesMs);
  const intendedInRun = merged((r) => r.intendedTimesMs);
  /** One arrival test, and the mean rescaled gap; a pass with no statistic when there are too few times to tell. */
  const arrivalTest = (times: Float64Array): { readonly test: ArrivalTest; readonly meanRescaledGap: number | null } => {
    if (times.length < 20) return { test: { samples: times.length, ksStatistic: 0, pValue: 1, passed: true }, meanRescaledGap: null };
    const ks = arrivalKsTest(times, schedule);
    return { test: { samples: times.length, ksStatistic: ks.statistic, pValue: ks.pValue, passed: ks.pValue >= 0.01 },
      meanRescaledGap: ks.meanRescaledGap };
  };
  const sent = arrivalTest(inRun);
  const arrivals: ArrivalCheck = { ...sent.test,
    note: sent.meanRescaledGap === null ? 'too few sends to test' : `mean rescaled gap ${sent.meanRescaledGap.toFixed(3)} (1 when the rate was right)`,
    intended: arrivalTest(intendedInRun).test };
  const rates = phaseRates(inRun, schedule);
  const generatedByPhase = scenario.phases.map((_, i) => sum((r) => r.generatedByPhase[i] ?? 0));

  // Per-phase latency: the intervals that fall inside the phase, added.
  const phases: PhaseResult[] = scenario.phases.map((phase, i) => {
    const startMs = schedule.phaseStartMs[i] as number;
    const set = new HistogramSet();
    for (const { startMs: s, set: interval } of intervals.entries()) {
      if (s >= startMs && s < startMs + phase.durationMs) {
        for (const name of ['order_rtt', 'order_service_time', 'fill_rtt']) {
          const h = interval.find(name);
          if (h !== undefined) set.get(name).add(h);
        }
      }
    }
    const rate = rates[i];
    return { name: phase.name, startMs, durationMs: phase.durationMs, offered: generatedByPhase[i] ?? 0,
      offeredRate: rate?.offeredPerSecond ?? 0, sent: rate?.achievedCount ?? 0, achievedRate: rate?.achievedPerSecond ?? 0,
      latency: set.summaries() };
  });

  const violations: string[] = [...(p.liveViolations ?? [])];
  let checked = p.checked ?? 'nothing (no book state from this target)';
  if (p.finalState !== undefined && p.checked === undefined) {
    checked = 'final books from the engine; fast subscribers\u2019 rebuilt books against them';
    violations.push(...finalBookViolations(p.finalState));
    violations.push(...feedBookViolations(p.finalState, p.feedClasses.find((c) => c.class === 'fast')));
  }
  const sessionCheck = mergeSessionChecks(driverResults.map((r) => r.sessionCheck));
  violations.push(...sessionCheck.lines);
  if (sessionCheck.sessions > 0) {
    const reports = `every execution report of ${sessionCheck.sessions} session(s) against what it sent (${sessionCheck.reports} reports)`;
    checked = checked.startsWith('nothing') ? reports : `${checked}; ${reports}`;
  }
  // The differential check (harness/check/differentialCheck.ts): TCP drivers' transcripts replayed through OrderBookReference
  // (other network drivers keep none: the check then says it did not run; inproc checks every event instead).
  const fastBooks = p.finalState === undefined ? p.feedClasses.find((c) => c.class === 'fast')?.books : undefined;
  const differential = p.target.kind === 'inproc' ? undefined : differentialCheck({
    transcripts: driverResults.flatMap((r) => r.transcripts ?? []), symbols: scenarioSymbols(scenario),
    ...(p.finalState === undefined ? {} : { engineBooks: p.finalState }), ...(fastBooks === undefined ? {} : { feedBooks: fastBooks }),
    ...(sessionCheck.count > 0 ? { skipReason: 'the session report checks failed first; the replay needs well-formed reports' } : {}) });
  if (differential !== undefined) {
    checked = `${checked}; ${differential.checked}`;
    violations.push(...differential.violations);
  }
  // BOOK_SNAPSHOT checks by the subscribers (harness/check/snapshotInvariants.ts): at resyncs, and every snapshotCheckIntervalMs per fast subscriber.
  const feedCheck = mergeFeedViolations(p.feedClasses.map((c) => c.feedViolations));
  // A layout feed matters to the report only when the scenario has subscribers to read it.
  const layoutFeed = p.layoutFeed !== undefined && p.layoutFeed.read.length + p.layoutFeed.skipped.length > 0 ? p.layoutFeed : undefined;
  const notChecked = layoutFeed === undefined ? [] : layoutFeedNotChecked(layoutFeed.layout, layoutFeed.skipped);
  if (layoutFeed !== undefined) {
    checked = `${checked}; no feed-book checks (layout feed ${layoutFeed.layout.name}: no BOOK_SNAPSHOT, no book rebuilt; see the feed's "not checked")`;
  } else if (p.feedClasses.length > 0) {
    checked = `${checked}; ${feedCheck.snapshots} BOOK_SNAPSHOT(s) (every ${options.snapshotCheckIntervalMs ?? SNAPSHOT_CHECK_INTERVAL_MS} ms ` +
      'per fast subscriber, and at resyncs): not crossed, level order, level totals, and equal to the book rebuilt from the feed';
    violations.push(...feedCheck.first.map(describeFeedViolation));
    if (feedCheck.count > feedCheck.first.length) violations.push(`feed: … and ${feedCheck.count - feedCheck.first.length} more`);
  }
  // What every violation file's repro command runs again: this scenario, seed, target, and shard if it is one.
  const run = { scenario, scenarioFile: options.scenarioFile, scenarioHash: options.scenarioHash, seed: options.seed, target: p.target,
    shard: options.shard };
  const violation = sessionCheck.first !== undefined ? sessionViolationFile(sessionCheck.first, { ...run,
    symbols: scenarioSymbols(scenario), violationCount: sessionCheck.count })
    : differential?.first !== undefined ? differentialViolationFile(differential.first, { ...run, violationCount: differential.violations.length })
    : feedCheck.first[0] === undefined ? undefined : feedViolationFile(feedCheck.first[0], { ...run, violationCount: feedCheck.count });
  const errors = [...p.errors, ...driverResults.flatMap((r) => r.errors)];
  for (const c of p.feedClasses) for (const e of c.errors.slice(0, 5)) errors.push(`${c.class} subscriber: ${e}`);

  const feed: Record<string, FeedClassResult> = {};
  for (const c of p.feedClasses) if (c.subscribers > 0) feed[c.class] = feedResult(c);
  // Layout feeds are read by the fast class only (none read when the scenario has no fast subscriber).
  const figures = p.feedClasses.find((c) => c.layout !== undefined)?.layout;
  const feedLayout: RunFeedLayout | undefined = layoutFeed === undefined ? undefined : {
    file: layoutFeed.file, name: layoutFeed.layout.name, notChecked,
    framesByType: figures?.framesByType ?? Object.fromEntries(layoutFeed.layout.messages.map((m) => [m.name, 0])),
    verdicts: figures?.verdicts ?? {},
    ...(figures?.mold === undefined ? {} : { mold: figures.mold }),
  };

  const streamHashes: Record<number, string> = Object.assign({}, ...driverResults.map((r) => r.streamHashes)) as Record<number, string>;
  const measured: Measured = {
    schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION,
    identity: runIdentity(options.command ?? 'matchbench run'),
    scenario: { name: scenario.name, file: options.scenarioFile, hash: options.scenarioHash, description: scenario.description },
    seed: options.seed,
    streamHash: combineStreamHashes(Object.keys(streamHashes).map(Number).sort((a, b) => a - b).map((i) => streamHashes[i] as string)),
    target: { kind: p.target.kind, description: describeTarget(p.target, p.endpoints) },
    finalStateHash: p.finalState?.stateHash ?? null,
    startedAt: p.startedAt.toISOString(), endedAt: p.endedAt.toISOString(),
    durationMs: Math.round(p.endedAt.getTime() - p.startEpochMs),
    interrupted: options.signal?.aborted === true,
    phases,
    orders: {
      generated: sum((r) => r.generated), sent: sum((r) => r.sent), byKind: addRecords((r) => r.sentByKind),
      acked: sum((r) => r.acked), fills: sum((r) => r.fills), canceled: sum((r) => r.canceled), replaced: sum((r) => r.replaced),
      rejected: sum((r) => r.rejected), rejectsByReason: addRecords((r) => r.rejectsByReason), unanswered: sum((r) => r.unanswered),
      backpressured: sum((r) => r.backpressured),
    },
    arrivals,
    latency: histograms.summaries(),
    histograms: histograms.encode(),
    feed,
    ...(feedLayout === undefined ? {} : { feedLayout }),
    invariants: { checked, violations },
    knee: kneeOf(scenario, phases),
    processCpu: { userMs: Math.round(p.cpu.user / 1_000), systemMs: Math.round(p.cpu.system / 1_000),
      coresUsed: Number(((p.cpu.user + p.cpu.system) / 1_000 / Math.max(1, p.endedAt.getTime() - p.startEpochMs)).toFixed(3)),
      engineInProcess: p.engineInProcess },
    errors,
    ...(options.shard === undefined ? {} : { shard: { index: options.shard.index, count: options.shard.count,
      timeZeroEpochMs: p.startEpochMs, clientStreamHashes: streamHashes } }),
  };
  const thresholds = evaluateThresholds(measured, scenario.thresholds);
  const verdict: RunVerdict = driverResults.some((r) => r.targetFailure !== undefined) ? 'error'
    : violations.length > 0 || (p.fuzz?.failed ?? 0) > 0 ? 'invariant-failed'
    : thresholds.some((t) => !t.passed) ? 'thresholds-failed' : 'passed';
  return { result: { ...measured, verdict, thresholds, ...(p.fuzz === undefined ? {} : { fuzz: p.fuzz }) }, intervals, startEpochMs: p.startEpochMs, ...(violation === undefined ? {} : { violation }) };
}

function kneeOf(scenario: Scenario, phases: readonly PhaseResult[]): KneeResult | null {
  if (scenario.knee === null) return null;
  const { metric, p99LimitMs } = scenario.knee;
  const rows = phases.map((ph) => {
    const s = ph.latency[metric] ?? ph.latency.order_rtt;
    return { phase: ph.name, offeredRate: ph.offeredRate, achievedRate: ph.achievedRate,
      p50Ms: (s?.p50Ns ?? 0) / 1e6, p99Ms: (s?.p99Ns ?? 0) / 1e6, p999Ms: (s?.p999Ns ?? 0) / 1e6 };
  });
  return { metric, p99LimitMs, kneePhase: rows.find((r) => r.p99Ms > p99LimitMs)?.phase ?? null, rows };
}
