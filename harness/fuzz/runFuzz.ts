/**
 * Plays fuzz cases against an engine's order-entry port (and its market-data port for the `md/*`
 * classes) and reports per class.
 *
 * ```
 *  cases ─► pool of `concurrency` connections ─► playCase ─► judgeOutcome ─► FuzzCaseResult
 *          (catalogue, then havoc, [streaming      │ havoc, churn, md/churn, md/flood: a liveness
 *           havoc], then churn one at a time)      ▼ probe of their port after each case
 *                                        FuzzReport (per class: cases, passed, failed; failures; havocStream)
 * ```
 * Bounded: at most `concurrency` connections at once, and no case starts after `deadlineMs`
 * (cases not started are counted as skipped, and the report says so).
 */

import { RUNNER_CLIENT_ID_BASE } from './fuzzCatalogue.js';
import { ALL_FUZZ_CLASSES, caseBytes, toHex, type FuzzCase, type FuzzClass } from './FuzzCase.js';
import { runHavocStream, type HavocStreamOptions, type HavocStreamReport } from './runHavocStream.js';
import type { FuzzRules } from './fuzzRules.js';
import { describeObservation, describeOutcome, judgeOutcome } from './judgeOutcome.js';
import { TargetError } from '../clients/TargetError.js';
import { playCase } from './playChurnCase.js';
import { PLAY_DEFAULTS, sleep, type FuzzTarget, type PlayOptions } from './playFuzzCase.js';
import { probe, probeLiveness, probeMarketData, probeMarketDataLiveness } from './probeLiveness.js';

// Kept importable from here, where they were first.
export { probeLiveness, probeMarketDataLiveness };

/** Options of {@link runFuzz}; each documents its default. */
export interface RunFuzzOptions extends Partial<PlayOptions> {
  /** The engine's order-entry port. */
  readonly target: FuzzTarget;
  /** The engine's market-data port: where the `md/*` cases play. Required when there are any. */
  readonly marketDataTarget?: FuzzTarget;
  /**
   * Streaming havoc after the havoc cases (harness/fuzz/runHavocStream.ts): many seeded frames per
   * connection, liveness probes and an RSS check. Absent: none.
   */
  readonly havocStream?: Omit<HavocStreamOptions, 'target' | 'marketDataTarget' | 'rules' | 'play' | 'clientId'>;
  readonly rules: FuzzRules;
  /** Connections at once. Default 32. */
  readonly concurrency?: number;
  /** Start no case after this long, ms. Default 600,000. */
  readonly deadlineMs?: number;
  /**
   * Client ids of the runner's logins count up from here. They do not change any case's bytes;
   * a different base keeps reruns against a long-lived engine from meeting earlier runs' orders.
   * Default {@link RUNNER_CLIENT_ID_BASE}.
   */
  readonly clientIdBase?: number;
  /** Called after each case, for progress. */
  readonly onResult?: (result: FuzzCaseResult, done: number, total: number) => void;
}

/** The defaults of {@link RunFuzzOptions}. */
export const RUN_FUZZ_DEFAULTS = { concurrency: 32, deadlineMs: 600_000, clientIdBase: RUNNER_CLIENT_ID_BASE } as const;

/** The verdict on one case. */
export type FuzzCaseResult =
  | { readonly state: 'passed'; readonly id: string; readonly class: FuzzClass }
  | {
    readonly state: 'failed';
    readonly id: string;
    readonly class: FuzzClass;
    readonly description: string;
    readonly expected: string;
    readonly observed: string;
    /** The case's bytes (after the login prelude, if any), hex. */
    readonly hex: string;
    readonly login: boolean;
  };

/** Counts of one class. */
export interface FuzzClassSummary {
  readonly class: FuzzClass;
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
}

/** What {@link runFuzz} returns. */
export interface FuzzReport {
  readonly target: string;
  readonly classes: readonly FuzzClassSummary[];
  readonly failures: readonly Extract<FuzzCaseResult, { state: 'failed' }>[];
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
  /** Cases not started because the deadline passed. */
  readonly skipped: number;
  readonly durationMs: number;
  /** The streaming havoc's report, when it ran; its failures fail the run too. */
  readonly havocStream?: HavocStreamReport;
}

/**
 * Plays `cases` against `options.target` and, for `md/*` cases, `options.marketDataTarget` (each
 * on its own connection, `concurrency` at once: catalogue cases, then havoc cases, then
 * `options.havocStream` if given, then churn cases one at a time) and judges each against its
 * expected outcome ({@link judgeFuzzCase}). A havoc, churn or md/churn case passes only if a
 * fresh session can still log in (and on order entry get an ACK) afterwards.
 *
 * @throws TargetError if, before the first case, the target does not accept a connection
 *   (`unreachable`) or a fresh session does not log in and get an ACK (`protocol`), or, with
 *   market-data cases, a fresh subscriber does not get LOGIN_ACK; nothing is played then.
 * @throws Error if there are market-data cases and no `marketDataTarget`.
 */
export async function runFuzz(cases: readonly FuzzCase[], options: RunFuzzOptions): Promise<FuzzReport> {
  const play: PlayOptions = {
    connectTimeoutMs: options.connectTimeoutMs ?? PLAY_DEFAULTS.connectTimeoutMs,
    answerTimeoutMs: options.answerTimeoutMs ?? PLAY_DEFAULTS.answerTimeoutMs,
    quietMs: options.quietMs ?? PLAY_DEFAULTS.quietMs,
  };
  const concurrency = options.concurrency ?? RUN_FUZZ_DEFAULTS.concurrency;
  const deadlineMs = options.deadlineMs ?? RUN_FUZZ_DEFAULTS.deadlineMs;
  let nextClientId = options.clientIdBase ?? RUN_FUZZ_DEFAULTS.clientIdBase;
  const clientId = (): number => nextClientId++;
  const started = performance.now();
  // A target that cannot even log in and ACK an order would fail every case for that one reason: refuse it up front.
  const first = await probe(options.target, options.rules, clientId(), play);
  if (first !== undefined) {
    const where = `${options.target.host}:${options.target.port}`;
    throw new TargetError('protocol', where, `${where}: a fresh session could not log in and get an ACK: ${first}`);
  }
  const md = options.marketDataTarget;
  if (cases.some((c) => c.channel === 'marketData')) {
    if (md === undefined) throw new Error('runFuzz: market-data cases need options.marketDataTarget');
    const mdFirst = await probeMarketData(md, clientId(), play);
    if (mdFirst !== undefined) {
      const where = `${md.host}:${md.port}`;
      throw new TargetError('protocol', where, `${where} (market data): a fresh subscriber could not log in: ${mdFirst}`);
    }
  }
  const targets: Targets = { orderEntry: options.target, ...(md === undefined ? {} : { marketData: md }) };

  const results: FuzzCaseResult[] = [];
  let skipped = 0;
  const runCase = async (fuzzCase: FuzzCase): Promise<void> => {
    const result = await judgeFuzzCase(fuzzCase, targets, options.rules, clientId, play);
    results.push(result);
    options.onResult?.(result, results.length, cases.length);
  };
  // Havoc after the catalogue: its mutated frames must not overlap the catalogue's semantic cases.
  // Churn last and one at a time: its bursts and the limit case count the engine's connections.
  const last = (c: FuzzCase): boolean => c.class === 'churn' || c.class === 'md/churn';
  const phases: [readonly FuzzCase[], number][] = [
    [cases.filter((c) => c.class !== 'havoc' && !last(c)), concurrency],
    [cases.filter((c) => c.class === 'havoc'), concurrency],
    [cases.filter(last), 1],
  ];
  let havocStream: HavocStreamReport | undefined;
  for (const [index, [phase, width]] of phases.entries()) {
    if (index === 2 && options.havocStream !== undefined) {
      // After the havoc cases, before churn: churn's bursts and limit case need the engine to themselves.
      havocStream = await runHavocStream({ ...options.havocStream, target: options.target, ...(md === undefined ? {} : { marketDataTarget: md }),
        rules: options.rules, play, clientId });
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < phase.length) {
        const fuzzCase = phase[next++]!;
        if (performance.now() - started > deadlineMs) {
          skipped++;
          continue;
        }
        await runCase(fuzzCase);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, phase.length) }, worker));
  }
  const where = `${options.target.host}:${options.target.port}${md === undefined ? '' : `, md ${md.host}:${md.port}`}`;
  const report = summarize(where, cases, results, skipped, performance.now() - started);
  return havocStream === undefined ? report : { ...report, havocStream };
}

/** Where a run's cases go: order entry, and market data for the `md/*` classes. */
export interface Targets {
  readonly orderEntry: FuzzTarget;
  readonly marketData?: FuzzTarget;
}

/** Classes whose cases are followed by a liveness probe (their expected outcome is only that the engine survives). */
const PROBED_CLASSES: ReadonlySet<FuzzClass> = new Set<FuzzClass>(['havoc', 'churn', 'md/churn', 'md/flood']);

/**
 * Plays one case and judges it: the verdict {@link runFuzz} reports for it. After a havoc or
 * churn case that passed, a fresh session must still log in and get an ACK (after churn, retried
 * for `answerTimeoutMs` while the engine refuses it with TooManyConnections: the case's own
 * connections may still be closing there). `clientId` hands out fresh client ids.
 */
export async function judgeFuzzCase(fuzzCase: FuzzCase, targets: FuzzTarget | Targets, rules: FuzzRules, clientId: () => number,
  play: PlayOptions): Promise<FuzzCaseResult> {
  let verdict: string | undefined;
  let observed = '';
  const where: Targets = 'orderEntry' in targets ? targets : { orderEntry: targets };
  const md = fuzzCase.channel === 'marketData';
  try {
    if (md && where.marketData === undefined) throw new Error(`fuzz case ${fuzzCase.id} is for the market-data port, and there is none`);
    const target = md ? where.marketData! : where.orderEntry;
    const observation = await playCase(target, fuzzCase, clientId, play);
    verdict = judgeOutcome(fuzzCase.expected, observation);
    observed = describeObservation(observation);
    if (verdict === undefined && PROBED_CLASSES.has(fuzzCase.class)) {
      const deadline = performance.now() + play.answerTimeoutMs;
      const alive = (): Promise<string | undefined> => (md ? probeMarketDataLiveness(target, clientId(), play) : probeLiveness(target, rules, clientId(), play));
      let dead = await alive();
      while ((fuzzCase.class === 'churn' || fuzzCase.class === 'md/churn') && dead?.includes('TooManyConnections') === true
        && performance.now() < deadline) {
        await sleep(25);
        dead = await alive();
      }
      if (dead !== undefined) verdict = observed = `the engine is not alive after the case: ${dead}`;
    }
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    verdict = observed = `the engine stopped accepting connections: ${error.message}`;
  }
  return verdict === undefined
    ? { state: 'passed', id: fuzzCase.id, class: fuzzCase.class }
    : { state: 'failed', id: fuzzCase.id, class: fuzzCase.class, description: fuzzCase.description,
      expected: describeOutcome(fuzzCase.expected), observed: `${verdict}${verdict === observed ? '' : ` (observed: ${observed})`}`,
      hex: toHex(caseBytes(fuzzCase)), login: fuzzCase.login };
}

/** Counts per class and the failures (in case order) of `results`, the cases of a run. */
export function summarize(target: string, cases: readonly FuzzCase[], results: readonly FuzzCaseResult[], skipped: number,
  durationMs: number): FuzzReport {
  const order = new Map(cases.map((c, i) => [c.id, i]));
  const failures = results.filter((r): r is Extract<FuzzCaseResult, { state: 'failed' }> => r.state === 'failed')
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const classes = ALL_FUZZ_CLASSES.map((cls) => {
    const ofClass = results.filter((r) => r.class === cls);
    const failed = ofClass.filter((r) => r.state === 'failed').length;
    return { class: cls, cases: ofClass.length, passed: ofClass.length - failed, failed };
  }).filter((c) => c.cases > 0);
  return {
    target,
    classes,
    failures,
    cases: results.length,
    passed: results.length - failures.length,
    failed: failures.length,
    skipped,
    durationMs: Math.round(durationMs),
  };
}
