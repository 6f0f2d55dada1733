/**
 * Plays fuzz cases against an engine's order-entry port and reports per class.
 *
 * ```
 *  cases ─► pool of `concurrency` connections ─► playCase ─► judgeOutcome ─► FuzzCaseResult
 *          (catalogue, then havoc, then churn          │ havoc, churn: probeLiveness after each case
 *           one case at a time)                        ▼
 *                                        FuzzReport (per class: cases, passed, failed; failures)
 * ```
 * Bounded: at most `concurrency` connections at once, and no case starts after `deadlineMs`
 * (cases not started are counted as skipped, and the report says so).
 */

import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { RUNNER_CLIENT_ID_BASE } from './fuzzCatalogue.js';
import { caseBytes, FUZZ_CLASSES, toHex, type FuzzCase, type FuzzClass } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';
import { describeObservation, describeOutcome, judgeOutcome } from './judgeOutcome.js';
import { TargetError } from '../clients/TargetError.js';
import { playCase } from './playChurnCase.js';
import { PLAY_DEFAULTS, playFuzzCase, sleep, type FuzzTarget, type PlayOptions } from './playFuzzCase.js';

/** Options of {@link runFuzz}; each documents its default. */
export interface RunFuzzOptions extends Partial<PlayOptions> {
  readonly target: FuzzTarget;
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
}

/**
 * Plays `cases` against `options.target` (each on its own connection, `concurrency` at once,
 * catalogue cases, then havoc cases, then churn cases one at a time) and judges each against its
 * expected outcome ({@link judgeFuzzCase}). A havoc or churn case passes only if a fresh session
 * can still log in and get an ACK afterwards.
 *
 * @throws TargetError if, before the first case, the target does not accept a connection
 *   (`unreachable`) or a fresh session does not log in and get an ACK (`protocol`); nothing is
 *   played then.
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

  const results: FuzzCaseResult[] = [];
  let skipped = 0;
  const runCase = async (fuzzCase: FuzzCase): Promise<void> => {
    const result = await judgeFuzzCase(fuzzCase, options.target, options.rules, clientId, play);
    results.push(result);
    options.onResult?.(result, results.length, cases.length);
  };
  // Havoc after the catalogue: its mutated frames must not overlap the catalogue's semantic cases.
  // Churn last and one at a time: its bursts and the limit case count the engine's connections.
  const phases: [readonly FuzzCase[], number][] = [
    [cases.filter((c) => c.class !== 'havoc' && c.class !== 'churn'), concurrency],
    [cases.filter((c) => c.class === 'havoc'), concurrency],
    [cases.filter((c) => c.class === 'churn'), 1],
  ];
  for (const [phase, width] of phases) {
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
  return summarize(`${options.target.host}:${options.target.port}`, cases, results, skipped, performance.now() - started);
}

/**
 * Plays one case and judges it: the verdict {@link runFuzz} reports for it. After a havoc or
 * churn case that passed, a fresh session must still log in and get an ACK (after churn, retried
 * for `answerTimeoutMs` while the engine refuses it with TooManyConnections: the case's own
 * connections may still be closing there). `clientId` hands out fresh client ids.
 */
export async function judgeFuzzCase(fuzzCase: FuzzCase, target: FuzzTarget, rules: FuzzRules, clientId: () => number,
  play: PlayOptions): Promise<FuzzCaseResult> {
  let verdict: string | undefined;
  let observed = '';
  try {
    const observation = await playCase(target, fuzzCase, clientId, play);
    verdict = judgeOutcome(fuzzCase.expected, observation);
    observed = describeObservation(observation);
    if (verdict === undefined && (fuzzCase.class === 'havoc' || fuzzCase.class === 'churn')) {
      const deadline = performance.now() + play.answerTimeoutMs;
      let dead = await probeLiveness(target, rules, clientId(), play);
      while (fuzzCase.class === 'churn' && dead?.includes('TooManyConnections') === true && performance.now() < deadline) {
        await sleep(25);
        dead = await probeLiveness(target, rules, clientId(), play);
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

/**
 * Whether the engine still works: a fresh session logs in and gets an ACK for a valid IOC buy on
 * the sweep symbol. Returns undefined if so, else what went wrong.
 */
export async function probeLiveness(target: FuzzTarget, rules: FuzzRules, clientId: number, play: PlayOptions): Promise<string | undefined> {
  try {
    return await probe(target, rules, clientId, play);
  } catch (error) {
    if (error instanceof TargetError) return error.message;
    throw error;
  }
}

/** {@link probeLiveness}, throwing TargetError (`unreachable`) when the connection cannot be made. */
async function probe(target: FuzzTarget, rules: FuzzRules, clientId: number, play: PlayOptions): Promise<string | undefined> {
  const symbol = rules.sweepSymbol;
  const order = encode({ type: MessageType.NewOrder, symbolId: symbol.symbolId, sequence: 2, timestampNs: 2, clientOrderId: 1,
    price: symbol.minPrice, quantity: 1, side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC });
  const probeCase: FuzzCase = {
    id: 'probe', class: 'semantic', description: 'liveness probe', login: true, chunks: [{ bytes: order }],
    expected: { answers: [{ type: 'ACK', clientOrderId: 1 }], end: { kind: 'alive', nextSequence: 3 } },
  };
  const observation = await playFuzzCase(target, probeCase, clientId, play);
  const verdict = judgeOutcome(probeCase.expected, observation);
  return verdict === undefined ? undefined : `probe session: ${verdict}`;
}

/** Counts per class and the failures (in case order) of `results`, the cases of a run. */
export function summarize(target: string, cases: readonly FuzzCase[], results: readonly FuzzCaseResult[], skipped: number,
  durationMs: number): FuzzReport {
  const order = new Map(cases.map((c, i) => [c.id, i]));
  const failures = results.filter((r): r is Extract<FuzzCaseResult, { state: 'failed' }> => r.state === 'failed')
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const classes = FUZZ_CLASSES.map((cls) => {
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
