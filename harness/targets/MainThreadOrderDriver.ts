import { CommandKind } from '../../engine/book/Command.js';
import type { NsClock } from '../../engine/gateway/monotonicNowNs.js';
import { SessionViolationLog, type SessionReportChecker } from '../check/SessionReportChecker.js';
import type { ClientFlow } from '../generate/ClientFlow.js';
import type { FlowOrder } from '../generate/FlowOrder.js';
import { RequestTally, type DriverProgress, type DriverResult } from '../run/RequestTally.js';

/** What the skeleton keeps of each session; a protocol's session type adds its connection and its requests waiting. */
export interface MainThreadSession {
  readonly index: number;
  readonly flow: ClientFlow;
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  next: FlowOrder | null;
  /** Since when the oldest unanswered request has waited without any answer arriving, ns; 0 when none waits. */
  waitingSinceNs: number;
  heartbeatsAtWait: number;
  /** The order accepted last (its token or ClOrdID): a fill of it next gives fill_rtt. */
  lastAckedKey: string;
  lastAckedIntendedNs: number;
  lastAckedSentNs: number;
  done: boolean;
  /**
   * Checks the session's execution reports against what it sent (harness/check/SessionReportChecker.ts),
   * writing to the driver's {@link MainThreadOrderDriver.sessionLog}; the skeleton tells it every
   * request sent and ends it after a clean logout, the protocol's driver feeds it the reports in
   * matchbench's terms (FixReportCheck, SoupReportCheck). null where a protocol's answers are not mapped onto them.
   */
  readonly checker: SessionReportChecker | null;
}

/** A request on the wire, as the skeleton needs it to record its answer. */
export interface SentRequest {
  readonly kind: CommandKind;
  readonly intendedNs: number;
  readonly sentNs: number;
}

/** Settings of {@link MainThreadOrderDriver}, resolved (defaults applied) by the protocol's driver. */
export interface MainThreadDriverSettings {
  /** Starts every error line and verdict: 'soup', 'fix'. */
  readonly label: string;
  readonly phaseCount: number;
  readonly maxSendSamples: number;
  readonly drainTimeoutMs: number;
  readonly unresponsiveAfterMs: number;
  readonly clock: NsClock;
}

/** How often the unresponsiveness watchdog looks, ms. */
const WATCHDOG_MS = 250;

/**
 * The part every order driver that runs on the calling thread shares, whatever its protocol: each
 * session's ClientFlow orders leave at their intended times (open workload model: a timer to ~1 ms
 * before, then setImmediate), a watchdog ends the run when requests wait with no answer for
 * unresponsiveAfterMs, and the answers land in one RequestTally.
 *
 * ```
 *  run ─► per session: advance ─► schedule ─► send (protocol) ─► advance … ─► checkFinished ─► drain ─► endSessions (protocol) ─► result
 *  protocol's message handler ─► answered / accepted / executed / rejectedFor ─► RequestTally
 *  watch (every 250 ms) ─► fail("engine unresponsive") ─► stop
 * ```
 *
 * A protocol's driver connects, encodes and sends, decodes answers and reports lost sessions with
 * {@link fail}; the skeleton calls it back through the abstract members.
 */
export abstract class MainThreadOrderDriver<S extends MainThreadSession> {
  protected readonly sessions: S[] = [];
  protected readonly tally: RequestTally;
  protected readonly clock: NsClock;
  /** The run's time 0 on the clock, ns; NaN before {@link run}. */
  protected runStartNs = Number.NaN;
  /** Where the sessions' checkers put their violations (the result's sessionCheck). */
  protected readonly sessionLog = new SessionViolationLog(() => this.runMs(this.clock()));
  private stopped = false;
  private finished: (() => void) | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  /** Problems by kind, with counts (one line each in the result). */
  private readonly problems = new Map<string, number>();
  private newOrdersAnswered = 0;
  private readonly rejectsOfNew = new Map<string, number>();

  protected constructor(private readonly settings: MainThreadDriverSettings) {
    this.tally = new RequestTally(settings.phaseCount, settings.maxSendSamples);
    this.clock = settings.clock;
  }

  /** Puts `o` on the wire (or counts why not), then calls {@link sent}. */
  protected abstract send(s: S, o: FlowOrder): void;
  /** Whether the session can still send and be answered. */
  protected abstract isActive(s: S): boolean;
  /** Requests of the session waiting for their answer. */
  protected abstract waiting(s: S): number;
  /** Heartbeats the engine has sent on the session so far. */
  protected abstract heartbeats(s: S): number;
  /** How the session is named in messages. */
  protected abstract sessionName(s: S): string;
  /** ` while … stayed up (n … heartbeats in that time)` for the unresponsive verdict. */
  protected abstract stayedUp(beats: number): string;
  /** Logs every session out at the end of the run (errors swallowed). */
  protected abstract endSessions(): Promise<void>;
  /** Closes the session at once. */
  protected abstract destroy(s: S): void;
  /** The session logged out cleanly at the end (so every report it was owed has arrived). */
  protected abstract endedCleanly(s: S): boolean;

  /**
   * Sends every session's stream from `runStartEpochMs` (the run's time 0, epoch ms), waits up to
   * drainTimeoutMs for the last answers, logs out and returns what was measured; ends early (and
   * says why) when the engine stops answering or a session is lost.
   */
  async run(runStartEpochMs: number): Promise<DriverResult> {
    this.runStartNs = (runStartEpochMs - performance.timeOrigin) * 1e6;
    const done = new Promise<void>((resolve) => { this.finished = resolve; });
    this.watchdog = setInterval(this.watch, WATCHDOG_MS);
    for (const s of this.sessions) {
      this.advance(s);
      this.schedule(s);
    }
    this.checkFinished();
    await done;
    await this.drain();
    clearInterval(this.watchdog);
    await this.endSessions();
    return this.result();
  }

  /** Stops sending at once (Ctrl-C); {@link run} then drains briefly and resolves. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.sessions) this.clearTimer(s);
    this.finished?.();
  }

  /** Counts so far, and the order round trips since the last call (encoded). */
  progress(): Promise<DriverProgress> {
    let errors = this.failure === undefined ? 0 : 1;
    for (const n of this.problems.values()) errors += n;
    return Promise.resolve(this.tally.progress(errors));
  }

  /** Closes every session at once. */
  terminate(): Promise<number> {
    this.stop();
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    for (const s of this.sessions) this.destroy(s);
    return Promise.resolve(0);
  }

  /** When `o` should leave, on the clock, ns. */
  protected intendedNs(o: FlowOrder): number {
    return this.runStartNs + o.intendedMs * 1e6;
  }

  /** ms since the run's time 0 of clock time `ns`. */
  protected runMs(ns: number): number {
    return (ns - this.runStartNs) / 1e6;
  }

  /** Requests waiting over every session. */
  protected unansweredNow(): number {
    return this.sessions.reduce((sum, s) => sum + this.waiting(s), 0);
  }

  /** Records a request just put on the wire; call after counting it as waiting. */
  protected sent(s: S, o: FlowOrder, sentNs: number): void {
    const intendedNs = this.intendedNs(o);
    if (this.waiting(s) === 1) {
      s.waitingSinceNs = sentNs;
      s.heartbeatsAtWait = this.heartbeats(s);
    }
    s.checker?.sent(o, s.flow.count - 1);
    this.tally.sentAt(o.kind, this.runMs(sentNs), sentNs - intendedNs);
  }

  /** Records the answer to `request`; call after it no longer counts as waiting. */
  protected answered(s: S, request: SentRequest, receivedNs: number): void {
    s.waitingSinceNs = this.waiting(s) > 0 ? receivedNs : 0;
    s.heartbeatsAtWait = this.heartbeats(s);
    this.tally.answeredAt(request.kind, this.runMs(receivedNs), receivedNs - request.intendedNs, receivedNs - request.sentNs);
  }

  /** A new order accepted under `key` (its fill right behind gives fill_rtt), or, with key null, accepted by a fill. */
  protected accepted(s: S, request: SentRequest, key: string | null, receivedNs: number): void {
    this.newOrdersAnswered++;
    this.tally.acked++;
    if (key === null) {
      this.tally.filledAt(this.runMs(receivedNs), receivedNs - request.intendedNs, receivedNs - request.sentNs);
      return;
    }
    s.lastAckedKey = key;
    s.lastAckedIntendedNs = request.intendedNs;
    s.lastAckedSentNs = request.sentNs;
  }

  /** A fill of the order known as `key`. */
  protected executed(s: S, key: string, receivedNs: number): void {
    this.tally.fills++;
    if (key !== s.lastAckedKey) return;
    // The fill of an order that traded on arrival, right behind its acceptance.
    s.lastAckedKey = '';
    this.tally.filledAt(this.runMs(receivedNs), receivedNs - s.lastAckedIntendedNs, receivedNs - s.lastAckedSentNs);
  }

  /** A request rejected for `reason` (counted by reason; a run whose every new order is rejected fails). */
  protected rejectedFor(kind: CommandKind, reason: string): void {
    this.tally.rejectedFor(reason);
    if (kind !== CommandKind.NewOrder) return;
    this.newOrdersAnswered++;
    this.rejectsOfNew.set(reason, (this.rejectsOfNew.get(reason) ?? 0) + 1);
  }

  /** Ends the run early with the first failure as its verdict. */
  protected fail(verdict: string): void {
    this.failure ??= verdict;
    this.stop();
  }

  /** Counts a problem of this kind (one line per kind in the result). */
  protected problem(kind: string): void {
    this.problems.set(kind, (this.problems.get(kind) ?? 0) + 1);
  }

  /** Checks whether the run is over: every session has sent its stream or is gone. */
  protected checkFinished(): void {
    if (this.finished !== undefined && this.sessions.every((s) => s.done || !this.isActive(s))) this.finished();
  }

  private advance(s: S): void {
    s.next = this.stopped ? null : s.flow.next();
    if (s.next === null) s.done = true;
    else this.tally.generatedIn(s.next.phaseIndex);
  }

  /** Sends what is due, then sleeps until the session's next intended time (a timer to ~1 ms before, then setImmediate). */
  private schedule(s: S): void {
    s.timer = undefined;
    while (!this.stopped && s.next !== null) {
      const waitMs = this.intendedNs(s.next) / 1e6 - this.clock() / 1e6;
      if (waitMs > 1.5) {
        s.timer = setTimeout(() => this.schedule(s), waitMs - 1);
        return;
      }
      if (waitMs > 0) {
        s.timer = setImmediate(() => this.schedule(s));
        return;
      }
      this.send(s, s.next);
      this.advance(s);
    }
    this.checkFinished();
  }

  private readonly watch = (): void => {
    const now = this.clock();
    for (const s of this.sessions) {
      const waiting = this.waiting(s);
      if (waiting === 0 || !this.isActive(s)) continue;
      const waitedMs = (now - s.waitingSinceNs) / 1e6;
      if (waitedMs < this.settings.unresponsiveAfterMs) continue;
      const beats = this.heartbeats(s) - s.heartbeatsAtWait;
      this.fail(`${this.settings.label}: engine unresponsive after ${(waitedMs / 1000).toFixed(1)} s: session ${this.sessionName(s)} has ${waiting} requests ` +
        `unanswered and received no answer for ${(waitedMs / 1000).toFixed(1)} s` + (beats > 0 ? this.stayedUp(beats) : ''));
      return;
    }
  };

  private clearTimer(s: S): void {
    if (s.timer === undefined) return;
    clearTimeout(s.timer as NodeJS.Timeout);
    clearImmediate(s.timer as NodeJS.Immediate);
    s.timer = undefined;
  }

  private async drain(): Promise<void> {
    const limitMs = this.failure !== undefined ? 0 : this.stopped ? 500 : this.settings.drainTimeoutMs;
    const until = performance.now() + limitMs;
    while (performance.now() < until && this.sessions.some((s) => this.waiting(s) > 0 && this.isActive(s))) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private result(): DriverResult {
    const label = this.settings.label;
    const streamHashes: Record<number, string> = {};
    for (const s of this.sessions) streamHashes[s.index] = s.flow.streamHash();
    const unanswered = this.unansweredNow();
    const errors = [...this.problems].map(([kind, n]) => `${label}: ${n} ${kind}`);
    if (unanswered > 0) errors.push(`${label}: ${unanswered} requests unanswered when the run ended (timed out)`);
    let failure = this.failure;
    if (failure === undefined && this.newOrdersAnswered > 0 && this.tally.acked === 0) {
      const reasons = [...this.rejectsOfNew].map(([r, n]) => `${r} ${n}`).join(', ');
      failure = `${label}: rejected everything: all ${this.newOrdersAnswered} orders answered were rejected (${reasons})`;
    }
    if (failure !== undefined) errors.unshift(failure);
    // Orders must have ended only where every report could arrive: a full run, a clean logout.
    for (const s of this.sessions) if (!this.stopped && this.endedCleanly(s)) s.checker?.finish();
    const checked = this.sessions.some((s) => s.checker !== null);
    return { ...this.tally.result({ streamHashes, unanswered, errors }), ...(checked ? { sessionCheck: this.sessionLog.summary() } : {}),
      ...(failure === undefined ? {} : { targetFailure: failure }) };
  }
}
