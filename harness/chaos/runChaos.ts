/**
 * `matchbench chaos`: crash and restart checks of an engine with a durable journal.
 *
 * ```
 *  ChaosSession × n (seeded ClientFlow, OrderEntryClient) ──TCP──►  engine child process (--durability sync --journal F)
 *  FeedSubscriber × m (fast, reconnecting, snapshot after a gap) ◄──  │ SIGKILL at seeded moments, restart on the same
 *                                                                     │ journal and ports; sessions log in again and go on
 *  after a clean stop (SIGINT):                                       ▼
 *  F ─► replayJournal (fast books: replay rate, state hash)
 *    ─► replayWithOracle (OrderBookReference: state hash after each restart's records, every client's reports)
 *    ─► checkOrders (ACKed orders lost, duplicates, in-doubt orders, reports as told)
 *    ─► checkTornTail / checkBitFlip on copies
 * ```
 * The load clock stops while the engine is down, so the scenario's order stream is sent whole.
 */
import { median } from 'simple-statistics';
import fs from 'node:fs';
import path from 'node:path';
import type { Durability } from '../../engine/journal/JournalWriter.js';
import { RECORD_LENGTH } from '../../engine/journal/journalFormat.js';
import { replayJournal } from '../../engine/journal/replayJournal.js';
import { depthDigest } from '../clients/FeedBook.js';
import { FeedSubscriber, type FeedBookReport, type FeedCounts } from '../clients/FeedSubscriber.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import { Rng } from '../generate/Rng.js';
import { scenarioSymbols } from '../run/runScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { ChaosSession } from './ChaosSession.js';
import { checkOrders, type OrderChecks } from './checkOrders.js';
import { EngineProcess } from './EngineProcess.js';
import { checkBitFlip, checkTornTail, type BitFlipResult, type TornTailResult } from './journalDamageChecks.js';
import { replayWithOracle } from './journalOracle.js';

/** Options of {@link runChaos}; each documents its default. */
export interface ChaosOptions {
  readonly scenario: Scenario;
  /** Seeds the order stream, the kill moments and the bit flip. */
  readonly seed: number;
  /** Engine kills (SIGKILL) at seeded moments of the load. */
  readonly kills: number;
  /** argv that runs `matchbench engine` (its flags are appended). */
  readonly engineCommand: readonly string[];
  /** The engine's --durability. */
  readonly durability: Durability;
  /** Where the journal, the engine config, engine.log and chaos.json go. */
  readonly outDir: string;
  /** Feed subscribers that must resume after each restart. Default 2. */
  readonly subscribers?: number;
  /** More engine flags (test-only hooks). Default none. */
  readonly engineArgs?: readonly string[];
  /** Longest wait for an engine to start, ms. Default 20,000. */
  readonly startTimeoutMs?: number;
  /** Progress lines. Default none. */
  readonly progress?: (line: string) => void;
}

/** One kill and restart. */
export interface ChaosKill {
  /** Scenario time of the kill, ms. */
  readonly atMs: number;
  /** NEW_ORDERs sent to the killed engine and not answered (in doubt). */
  readonly unanswered: number;
  /** Kill to the restarted engine's ready line, and to its first accepted LOGIN (recovery), ms. */
  readonly restartMs: number;
  readonly recoveryMs: number;
  /** Journal records the restarted engine replayed, its state hash, the oracle's after as many records. */
  readonly recoveredRecords: number;
  readonly recoveredStateHash: string;
  readonly oracleStateHash: string;
  readonly stateHashMatch: boolean;
}

/** The chaos.json document (`matchbench.chaos` v1). */
export interface ChaosResult {
  readonly schema: 'matchbench.chaos';
  readonly version: 1;
  readonly verdict: 'pass' | 'fail';
  /** Why it failed, one line per failed check. */
  readonly failures: readonly string[];
  readonly scenario: string;
  readonly seed: number;
  readonly durability: Durability;
  readonly killsRequested: number;
  readonly kills: readonly ChaosKill[];
  readonly recoveryMs: { readonly median: number; readonly max: number };
  /** The final journal replayed on the engine's books. */
  readonly replay: { readonly records: number; readonly seconds: number;
    /** Of `seconds`: replaying the header alone (building empty books), left out of the rate. */
    readonly setupSeconds: number;
    /** Records per second of replay, the set-up left out. */
    readonly recordsPerSecond: number;
    readonly stateHash: string; readonly oracleStateHash: string; readonly stateHashMatch: boolean };
  readonly orders: OrderChecks;
  readonly subscribers: { readonly count: number; readonly resumes: number; readonly resumesExpected: number;
    readonly booksCompared: number; readonly booksEqual: number; readonly booksInexact: number };
  readonly truncation: { readonly tornTail: TornTailResult; readonly bitFlip: BitFlipResult | null };
  /** The final SIGINT's exit code (0: clean). */
  readonly finalStopExitCode: number | null;
}

export const CHAOS_DEFAULTS = { subscribers: 2, startTimeoutMs: 20_000 } as const;

/** Rng stream of the kill moments (streamIndex lane 0, k = 7001: free for run members). */
const KILL_STREAM = 4 * 7_001;
const FIRST_SUBSCRIBER_ID = 1_000_001;
/** Kills fall in this part of the load, so there is load before and after each. */
const KILL_WINDOW = [0.1, 0.9] as const;
/** Longest wait after a restart for the subscribers to be back before the next kill, and for answers at the end, ms. */
const SETTLE_MS = 5_000;

/** Replays timed for the replay rate (after one untimed). */
const REPLAY_TIMINGS = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Times replayJournal on the journal and on a copy of its header alone (empty books: the fixed
 * cost of preallocating the fast books), fastest of a few each after one untimed run.
 */
function timeReplay(journal: string, headerBytes: number, workDir: string): { seconds: number; setupSeconds: number } {
  const headerOnly = path.join(workDir, 'header-only.journal');
  fs.writeFileSync(headerOnly, fs.readFileSync(journal).subarray(0, headerBytes));
  const fastest = (file: string): number => {
    replayJournal(file);
    let best = Infinity;
    for (let i = 0; i < REPLAY_TIMINGS; i++) {
      const started = performance.now();
      replayJournal(file);
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    return best;
  };
  try {
    return { seconds: fastest(journal), setupSeconds: fastest(headerOnly) };
  } finally {
    fs.rmSync(headerOnly, { force: true });
  }
}

/** The seeded kill moments, scenario time in ms, ascending. */
export function killMoments(seed: number, kills: number, durationMs: number): number[] {
  const rng = new Rng(seed, KILL_STREAM);
  const [from, to] = KILL_WINDOW;
  return Array.from({ length: kills }, () => Math.round(durationMs * (from + (to - from) * rng.next()))).sort((a, b) => a - b);
}

/**
 * Runs the load against an engine child process, kills and restarts it, stops it cleanly, and
 * checks the journal against what the clients were told.
 *
 * @throws EngineStartError when an engine does not start (the first one, or a restart).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const o = { ...CHAOS_DEFAULTS, engineArgs: [], progress: (): void => {}, ...options };
  const { scenario, seed } = o;
  fs.mkdirSync(o.outDir, { recursive: true });
  const journal = path.join(o.outDir, 'engine.journal');
  const config = path.join(o.outDir, 'engine.json');
  const logPath = path.join(o.outDir, 'engine.log');
  fs.rmSync(journal, { force: true });
  fs.writeFileSync(config, `${JSON.stringify({ symbols: scenarioSymbols(scenario) }, null, 2)}\n`);
  fs.writeFileSync(logPath, '');
  let epoch = 0;
  const engineArgs = ['--config', config, '--journal', journal, '--durability', o.durability, '--http-port', '0', ...o.engineArgs];
  const startEngine = (orderPort: number, mdPort: number): Promise<EngineProcess> => EngineProcess.start({
    command: o.engineCommand, args: engineArgs, orderPort, mdPort, startTimeoutMs: o.startTimeoutMs,
    onLine: (line) => fs.appendFileSync(logPath, `[epoch ${epoch}] ${line}\n`),
  });

  let engine = await startEngine(0, 0);
  const { orderPort, mdPort } = engine.started;
  o.progress(`engine up: order entry 127.0.0.1:${orderPort}, market data 127.0.0.1:${mdPort}`);
  const shared = ClientFlow.shared(scenario, seed);
  const sessions = Array.from({ length: scenario.clients.orderEntry }, (_, i) => new ChaosSession(i + 1, new ClientFlow(scenario, seed, i, { shared })));
  const symbols = scenarioSymbols(scenario).map((s) => s.symbolId);
  const subscribers = Array.from({ length: o.subscribers }, (_, i) => new FeedSubscriber({
    port: mdPort, clientId: FIRST_SUBSCRIBER_ID + i, behaviour: { class: 'fast' }, symbols, seed, stream: i,
    clockOffset: { kind: 'login' }, minBackoffMs: 50, maxBackoffMs: 250, connectTimeoutMs: 2_000,
  }));
  const kills: Omit<ChaosKill, 'oracleStateHash' | 'stateHashMatch'>[] = [];
  const countsAtKill: FeedCounts[][] = [];
  let finalStopExitCode: number | null = null;
  let books: FeedBookReport[][] = [];
  try {
    await Promise.all(sessions.map((s) => s.connect(orderPort, 0)));
    for (const s of subscribers) s.start();

    const durationMs = scenario.phases.reduce((sum, p) => sum + p.durationMs, 0);
    const moments = killMoments(seed, o.kills, durationMs);
    const t0 = performance.now();
    let downMs = 0;
    let restartedAt = t0;
    // Bounds the whole run: the load, every restart and settling, and a minute to spare.
    const deadline = t0 + durationMs + 60_000 + o.kills * (o.startTimeoutMs + 2 * SETTLE_MS);
    const subscribersBack = (): boolean => {
      const before = countsAtKill[countsAtKill.length - 1];
      return subscribers.every((s, i) => s.state === 'active' && s.books().every((b) => b.exact) &&
        (before === undefined || s.counts.logins > (before[i]?.logins ?? 0)));
    };
    while (!sessions.every((s) => s.done) || kills.length < moments.length) {
      const nowMs = performance.now() - t0 - downMs;
      const due = moments[kills.length];
      if (due !== undefined && nowMs >= due && (subscribersBack() || performance.now() - restartedAt > SETTLE_MS)) {
        // Kill just after a send, so that requests are on their way in: some land in the journal, some not.
        for (const s of sessions) s.sendDue(nowMs);
        await sleep(1);
        const unanswered = sessions.reduce((n, s) => n + s.unanswered, 0);
        countsAtKill.push(subscribers.map((s) => ({ ...s.counts })));
        const killedAt = performance.now();
        await engine.kill();
        for (const s of sessions) s.drop();
        epoch++;
        engine = await startEngine(orderPort, mdPort);
        const logins = sessions.map((s) => s.connect(orderPort, epoch).then(() => performance.now()));
        const firstLoginAt = await Promise.race(logins);
        await Promise.all(logins);
        restartedAt = performance.now();
        downMs += restartedAt - killedAt;
        const { recoveredRecords, recoveredStateHash, readyAtMs } = engine.started;
        kills.push({ atMs: Math.round(nowMs), unanswered, restartMs: readyAtMs - killedAt, recoveryMs: firstLoginAt - killedAt,
          recoveredRecords, recoveredStateHash });
        o.progress(`kill ${kills.length} at ${(nowMs / 1000).toFixed(2)} s: ${unanswered} orders in flight; ` +
          `back after ${(firstLoginAt - killedAt).toFixed(0)} ms with ${recoveredRecords} journal records`);
        continue;
      }
      for (const s of sessions) {
        // Only a kill of ours may end a session: anything else is the engine failing on its own.
        if (!s.sendDue(nowMs)) throw new Error(`the engine ended order-entry session ${s.clientId} on its own: ${s.closeDetail ?? 'not logged in'}`);
      }
      if (performance.now() > deadline) throw new Error(`the run took longer than ${Math.round((deadline - t0) / 1000)} s; stopped`);
      await sleep(2);
    }
    // Let the last answers and feed frames arrive, then read the subscribers' books before the stop.
    const settleUntil = performance.now() + SETTLE_MS;
    while (performance.now() < settleUntil && sessions.some((s) => s.unanswered > 0)) await sleep(10);
    while (performance.now() < settleUntil && !subscribersBack()) await sleep(10);
    await sleep(200);
    countsAtKill.push(subscribers.map((s) => ({ ...s.counts })));
    books = subscribers.map((s) => s.books());
  } catch (error) {
    await Promise.all(subscribers.map((s) => s.stop()));
    throw error;
  } finally {
    finalStopExitCode = await engine.stop();
    await Promise.race([Promise.all(sessions.map((s) => s.closed())), sleep(SETTLE_MS)]);
    for (const s of sessions) s.drop();
  }
  await Promise.all(subscribers.map((s) => s.stop()));
  o.progress(`stopped (exit code ${finalStopExitCode}); checking the journal`);

  const fast = replayJournal(journal);
  const replay = timeReplay(journal, fast.validBytes - fast.records * RECORD_LENGTH, o.outDir);
  const oracle = replayWithOracle(journal, kills.map((k) => k.recoveredRecords));
  const checkedKills: ChaosKill[] = kills.map((k) => {
    const oracleStateHash = oracle.hashAfter.get(k.recoveredRecords) ?? '';
    return { ...k, oracleStateHash, stateHashMatch: oracleStateHash === k.recoveredStateHash };
  });
  const orders = checkOrders(sessions, oracle, [...kills.map((k) => k.recoveredRecords), oracle.records], finalStopExitCode === 0);

  let resumes = 0;
  for (let k = 0; k + 1 < countsAtKill.length; k++) {
    subscribers.forEach((_, i) => {
      const before = countsAtKill[k]?.[i];
      const after = countsAtKill[k + 1]?.[i];
      if (before !== undefined && after !== undefined && after.disconnects > before.disconnects && after.logins > before.logins &&
        after.resyncs > before.resyncs) resumes++;
    });
  }
  let booksCompared = 0;
  let booksEqual = 0;
  let booksInexact = 0;
  for (const held of books) {
    for (const b of held) {
      if (!b.exact) {
        booksInexact++;
        continue;
      }
      booksCompared++;
      const depth = fast.matcher.book(b.symbolId)?.depth(Number.POSITIVE_INFINITY) ?? { bids: [], asks: [] };
      if (depthDigest(depth) === b.digest) booksEqual++;
    }
  }
  const tornTail = checkTornTail(journal, o.outDir);
  const bitFlip = checkBitFlip(journal, o.outDir, seed) ?? null;

  const failures: string[] = [];
  if (kills.length < o.kills) failures.push(`only ${kills.length} of ${o.kills} kills happened`);
  for (const [i, k] of checkedKills.entries()) {
    if (!k.stateHashMatch) failures.push(`restart ${i + 1}: the engine recovered state hash ${k.recoveredStateHash.slice(0, 12)}… from ` +
      `${k.recoveredRecords} records; the oracle has ${k.oracleStateHash.slice(0, 12)}…`);
  }
  if (fast.stateHash !== oracle.stateHash) failures.push(`the journal replays to state hash ${fast.stateHash.slice(0, 12)}…, the oracle to ${oracle.stateHash.slice(0, 12)}…`);
  if (orders.acknowledgedLost > 0) failures.push(`${orders.acknowledgedLost} acknowledged orders lost (ACKed, not in the journal)`);
  if (orders.duplicates > 0) failures.push(`${orders.duplicates} orders journaled twice`);
  if (orders.outcomeMismatches > 0) failures.push(`${orders.outcomeMismatches} session epochs were told other outcomes than the journal holds`);
  const resumesExpected = kills.length * subscribers.length;
  if (resumes < resumesExpected) failures.push(`subscribers resumed with a snapshot ${resumes} of ${resumesExpected} times`);
  if (booksEqual < booksCompared) failures.push(`${booksCompared - booksEqual} of ${booksCompared} subscriber books differ from the journal's final books`);
  if (booksInexact > 0) failures.push(`${booksInexact} subscriber books were not exact at the end`);
  if (tornTail.recovered < tornTail.cuts || tornTail.cuts === 0) failures.push(`a torn last record: ${tornTail.recovered} of ${tornTail.cuts} cuts recovered to the record before`);
  if (bitFlip !== null && !bitFlip.detected) failures.push(`a flipped bit at byte ${bitFlip.byteOffset} was not refused at its record: ${bitFlip.message}`);
  if (finalStopExitCode !== 0) failures.push(`the final stop (SIGINT) ended with exit code ${finalStopExitCode}`);

  const result: ChaosResult = {
    schema: 'matchbench.chaos', version: 1, verdict: failures.length === 0 ? 'pass' : 'fail', failures,
    scenario: scenario.name, seed, durability: o.durability, killsRequested: o.kills, kills: checkedKills,
    recoveryMs: { median: checkedKills.length === 0 ? 0 : median(checkedKills.map((k) => k.recoveryMs)), max: Math.max(0, ...checkedKills.map((k) => k.recoveryMs)) },
    replay: { records: fast.records, seconds: replay.seconds, setupSeconds: replay.setupSeconds,
      recordsPerSecond: Math.round(fast.records / Math.max(replay.seconds - replay.setupSeconds, 1e-9)), stateHash: fast.stateHash, oracleStateHash: oracle.stateHash, stateHashMatch: fast.stateHash === oracle.stateHash },
    orders,
    subscribers: { count: subscribers.length, resumes, resumesExpected, booksCompared, booksEqual, booksInexact },
    truncation: { tornTail, bitFlip },
    finalStopExitCode,
  };
  fs.writeFileSync(path.join(o.outDir, 'chaos.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
