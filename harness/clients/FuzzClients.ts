/**
 * The `fuzz` client class of a scenario (`clients.fuzz`, docs/SCENARIOS.md): while the phases
 * run, hostile sessions play `matchbench fuzz` cases against the same engine as the load, and each
 * outcome is judged as `matchbench fuzz` judges it (docs/FUZZ.md).
 *
 * ```
 *  FuzzCaseStream (seeded: a class at random, then that class's next unplayed case; havoc on demand)
 *        │
 *  case k due at time 0 + k / rateHz ─► one of `sessions` workers ─► judgeFuzzCase ─► results
 *        │                              (each case on its own connection; at most `sessions` at once)
 *  end of the phases or abort: no new case; cases in flight finish ─► RunFuzzResult (result.json `fuzz`)
 * ```
 * A worker that is still busy when its next case is due starts it late: the rate is a ceiling.
 */
import type { RunFuzzResult } from '../../reports/RunResult.js';
import { Rng } from '../generate/Rng.js';
import { fuzzCatalogue, RUNNER_CLIENT_ID_BASE } from '../fuzz/fuzzCatalogue.js';
import type { FuzzCase, FuzzClass } from '../fuzz/FuzzCase.js';
import { FUZZ_RULES_DEFAULTS, type FuzzRules } from '../fuzz/fuzzRules.js';
import { havocCase } from '../fuzz/havocCase.js';
import { PLAY_DEFAULTS, sleep, type FuzzTarget, type PlayOptions } from '../fuzz/playFuzzCase.js';
import { judgeFuzzCase, summarize, type FuzzCaseResult } from '../fuzz/runFuzz.js';
import type { FuzzClientsSpec } from '../scenario/Scenario.js';

/** Options of {@link FuzzClients}; each documents its default. */
export interface FuzzClientsOptions {
  readonly spec: FuzzClientsSpec;
  /** The run's seed; the case stream uses it plus `spec.seedOffset`. */
  readonly seed: number;
  readonly target: FuzzTarget;
  /** Default {@link FUZZ_RULES_DEFAULTS}: the symbols the embedded engine adds for fuzz clients. */
  readonly rules?: FuzzRules;
  /**
   * Symbol ids the engine trades besides the fuzz symbols (the scenario's own): catalogue cases
   * that expect one of them to be unknown (the symbolId sweep sends 0, 1, 2, 65535 …) are left out. Default none.
   */
  readonly tradedSymbolIds?: readonly number[];
  /** Default {@link FUZZ_CLIENT_PLAY}. */
  readonly play?: PlayOptions;
}

/**
 * How long fuzz clients wait for the engine: longer than `matchbench fuzz` does, because here the
 * engine is busy with the load too (and shares the machine with the load generator); an answer
 * that takes a while is the load's latency to measure, not a wrong answer.
 */
export const FUZZ_CLIENT_PLAY: PlayOptions = { ...PLAY_DEFAULTS, connectTimeoutMs: 5_000, answerTimeoutMs: 5_000 };

/** Longest single sleep of a waiting worker, ms: it notices an abort at least this often. */
const WAKE_MS = 100;

/** A scenario's fuzz clients: built before time 0 (the catalogue takes a moment), then {@link FuzzClients.run}. */
export class FuzzClients {
  readonly #options: FuzzClientsOptions;
  readonly #rules: FuzzRules;
  readonly #stream: FuzzCaseStream;

  constructor(options: FuzzClientsOptions) {
    this.#options = options;
    this.#rules = options.rules ?? FUZZ_RULES_DEFAULTS;
    this.#stream = new FuzzCaseStream(options.spec.classes, this.#rules, options.seed + options.spec.seedOffset, options.tradedSymbolIds);
  }

  /**
   * Plays cases from `startEpochMs` (the run's time 0, epoch ms; case k is due k / rateHz seconds
   * after it) until `durationMs` after it, and returns what was played and how each case was
   * judged. Aborting `signal` stops starting cases; those in flight finish. Never throws for what
   * the engine does: a case it gets wrong, or refusing connections, is a failed case.
   */
  async run(startEpochMs: number, durationMs: number, signal?: AbortSignal): Promise<RunFuzzResult> {
    const { spec, target } = this.#options;
    const play = this.#options.play ?? FUZZ_CLIENT_PLAY;
    const played: FuzzCase[] = [];
    const results: FuzzCaseResult[] = [];
    let nextClientId = RUNNER_CLIENT_ID_BASE;
    const clientId = (): number => nextClientId++;
    const nowEpochMs = (): number => performance.timeOrigin + performance.now();
    const aborted = (): boolean => signal?.aborted === true;
    let k = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const dueMs = (k * 1_000) / spec.rateHz;
        if (dueMs >= durationMs || aborted()) return;
        k++;
        for (let waitMs = startEpochMs + dueMs - nowEpochMs(); waitMs > 0; waitMs = startEpochMs + dueMs - nowEpochMs()) {
          if (aborted()) return;
          await sleep(Math.min(waitMs, WAKE_MS));
        }
        const fuzzCase = this.#stream.next();
        if (fuzzCase === undefined) return;
        played.push(fuzzCase);
        results.push(await judgeFuzzCase(fuzzCase, target, this.#rules, clientId, play));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: spec.sessions }, worker));
    const report = summarize(`${target.host}:${target.port}`, played, results, 0, performance.now() - started);
    return { sessions: spec.sessions, rateHz: spec.rateHz, cases: report.cases, passed: report.passed, failed: report.failed,
      classes: report.classes, failures: report.failures };
  }
}

/**
 * The cases fuzz clients play, seeded: each pick chooses one of the classes uniformly (so a class
 * of ten cases is not drowned by one of two thousand), then that class's next case in a shuffled
 * order; havoc cases are made on demand, a new index each time. A catalogue case is played at most
 * once: some log in with a fixed client id and leave orders resting under it, which a replay
 * would meet. A class played out is dropped; with none left (and no havoc) the stream ends.
 */
export class FuzzCaseStream {
  readonly #rng: Rng;
  readonly #seed: number;
  readonly #rules: FuzzRules;
  #classes: FuzzClass[];
  readonly #byClass = new Map<FuzzClass, { readonly cases: readonly FuzzCase[]; next: number }>();
  #havocIndex = 0;

  /** @param tradedSymbolIds see {@link FuzzClientsOptions.tradedSymbolIds}. */
  constructor(classes: readonly FuzzClass[], rules: FuzzRules, seed: number, tradedSymbolIds: readonly number[] = []) {
    this.#rng = new Rng(seed, 0xf022);
    this.#seed = seed;
    this.#rules = rules;
    // churn/beyond-limit needs a known limit and the engine to itself: never played alongside load.
    const traded = new Set(tradedSymbolIds.map(String));
    const catalogue = fuzzCatalogue(rules).filter((c) => c.churn?.kind !== 'beyondLimit'
      && !(/^numeric\/[A-Z_]+\/symbolId\//.test(c.id) && traded.has(c.id.split('/')[3]!)));
    for (const cls of classes) {
      if (cls === 'havoc') continue;
      const cases = catalogue.filter((c) => c.class === cls);
      for (let i = cases.length - 1; i > 0; i--) {
        const j = this.#rng.int(0, i);
        [cases[i], cases[j]] = [cases[j]!, cases[i]!];
      }
      this.#byClass.set(cls, { cases, next: 0 });
    }
    this.#classes = [...classes];
  }

  /** The next case to play, or undefined when every class is played out. */
  next(): FuzzCase | undefined {
    while (this.#classes.length > 0) {
      const cls = this.#classes[this.#rng.int(0, this.#classes.length - 1)]!;
      const list = this.#byClass.get(cls);
      if (list === undefined) return havocCase(this.#seed, this.#havocIndex++, this.#rules);
      const fuzzCase = list.cases[list.next++];
      if (fuzzCase !== undefined) return fuzzCase;
      this.#classes = this.#classes.filter((c) => c !== cls);
    }
    return undefined;
  }
}
