import { CommandKind } from '../../engine/book/Command.js';
import { EventKind } from '../../engine/book/EventBuffer.js';
import { checkBookInvariants, EventStreamChecker } from '../../engine/book/invariants.js';
import { Matcher } from '../../engine/book/Matcher.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import type { FinalState } from '../../engine/matcherWorkerProtocol.js';
import { codeName, Liquidity, RejectReason } from '../../engine/protocol/codes.js';
import { InprocSessionChecks } from '../check/InprocSessionChecks.js';
import { SessionViolationLog } from '../check/SessionReportChecker.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import type { FlowOrder } from '../generate/FlowOrder.js';
import { RequestTally, type DriverProgress, type DriverResult } from '../run/RequestTally.js';
import type { Scenario } from '../scenario/Scenario.js';

/** Options of {@link runInproc}; each documents its default. */
export interface InprocOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly symbols: readonly SymbolConfig[];
  /** Aborting stops at once with what was measured. */
  readonly signal?: AbortSignal;
  /**
   * A planted stall, for tests of coordinated-omission correction: the first command whose
   * intended time is at or after `atMs` is held for `durationMs` (busy wait) before it is matched.
   * Default none.
   */
  readonly stall?: { readonly atMs: number; readonly durationMs: number };
  /**
   * A planted slowdown, for tests of regression comparison: every command is held this many ns
   * (busy wait, like a slower engine) before it is matched. Default 0.
   */
  readonly delayPerOrderNs?: number;
  /** Stop recording invariant violations after this many (the run still fails). Default 100. */
  readonly maxViolations?: number;
  /** Called about once a second with the counts so far and the last second's order round trips. */
  readonly progress?: (progress: DriverProgress) => void;
}

/** What an inproc run measured: the drivers' result shape, plus the checks only inproc can make. */
export interface InprocResult extends DriverResult {
  readonly violations: string[];
  readonly finalState: FinalState;
}


/**
 * The `inproc` target: every client's stream goes straight into the reference Matcher in this
 * thread, at its intended time (open model), no network. Latency is from the intended time to the
 * end of the matcher call (corrected), and the call alone (service time). Every event goes through
 * the EventStreamChecker as it is produced, and the books' invariants are checked at the end: the
 * pure engine numbers, with the strongest checks.
 *
 * One thread does both the timing and the matching, so a slow command delays those behind it:
 * exactly the case where uncorrected latency lies and corrected latency tells the truth.
 */
export async function runInproc(options: InprocOptions): Promise<InprocResult> {
  const { scenario, seed } = options;
  const matcher = new Matcher(options.symbols);
  const checker = new EventStreamChecker();
  const maxViolations = options.maxViolations ?? 100;
  const violations: string[] = [];
  let violationCount = 0;
  const shared = ClientFlow.shared(scenario, seed);
  const flows = Array.from({ length: scenario.clients.orderEntry }, (_, i) => new ClientFlow(scenario, seed, i, { shared }));
  const next: (FlowOrder | null)[] = flows.map((f) => f.next());
  // Every send time is kept (up to the tally's cap of 2^24) for the arrivals check.
  const tally = new RequestTally(scenario.phases.length, 1 << 24);
  for (const o of next) if (o !== null) tally.generatedIn(o.phaseIndex);
  let stall = options.stall;
  const delayMs = (options.delayPerOrderNs ?? 0) / 1e6;

  const nowMs = (): number => performance.now() - startMs;
  // Every session's execution reports, as the engine would send them, checked against what it sent.
  const sessionLog = new SessionViolationLog(nowMs, maxViolations);
  const sessionChecks = new InprocSessionChecks(flows.length, sessionLog);
  let commandIndex = 0;
  // The earliest next order among the clients (a linear scan: inproc scenarios have few clients,
  // and the scan costs less than the matcher call it precedes).
  const earliest = (): number => {
    let best = -1;
    let bestMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < next.length; i++) {
      const o = next[i];
      if (o !== null && o !== undefined && o.intendedMs < bestMs) { best = i; bestMs = o.intendedMs; }
    }
    return best;
  };

  const startMs = performance.now();
  let lastProgressMs = 0;
  for (;;) {
    if (options.signal?.aborted === true) break;
    const i = earliest();
    if (i < 0) break;
    const order = next[i] as FlowOrder;
    const waitMs = order.intendedMs - nowMs();
    if (waitMs > 1.5) {
      await new Promise((resolve) => setTimeout(resolve, waitMs - 1));
      continue;
    }
    if (waitMs > 0) {
      // Under a timer's resolution: yield to the event loop and look again (never send early).
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    if (nowMs() - lastProgressMs >= 1_000) {
      lastProgressMs = nowMs();
      options.progress?.(tally.progress(0));
    }
    if (stall !== undefined && order.intendedMs >= stall.atMs) {
      const until = performance.now() + stall.durationMs;
      while (performance.now() < until) { /* the planted stall */ }
      stall = undefined;
    }
    const owner = i + 1;
    const before = matcher.events.length;
    const callStartMs = nowMs();
    if (delayMs > 0) {
      const until = performance.now() + delayMs;
      while (performance.now() < until) { /* the planted slowdown: part of the service time, like a slower matcher */ }
    }
    switch (order.kind) {
      case CommandKind.NewOrder:
        matcher.newOrder(order.symbolId, owner, order.clientOrderId, order.side, order.orderType, order.timeInForce, order.price,
          order.quantity, 0);
        break;
      case CommandKind.Cancel:
        matcher.cancel(order.symbolId, owner, order.clientOrderId, 0);
        break;
      default:
        matcher.replace(order.symbolId, owner, order.clientOrderId, order.price, order.quantity, 0);
    }
    const doneMs = nowMs();
    tally.sentAt(order.kind, callStartMs, (callStartMs - order.intendedMs) * 1e6);
    tally.answeredAt(order.kind, doneMs, (doneMs - order.intendedMs) * 1e6, (doneMs - callStartMs) * 1e6);
    let takerFilled = false;
    for (let e = before; e < matcher.events.length; e++) {
      const event = matcher.events.event(e);
      for (const v of checker.check(event)) {
        if (++violationCount <= maxViolations) violations.push(`event ${event.sequence}: ${v.invariant}: ${v.message}`);
      }
      switch (event.kind) {
        case EventKind.Accepted: tally.acked++; break;
        case EventKind.Rejected: tally.rejectedFor(codeName(RejectReason, event.reason)); break;
        case EventKind.Fill:
          tally.fills++;
          if (!takerFilled && event.liquidity === Liquidity.Taker && event.owner === owner) {
            takerFilled = true;
            tally.filledAt(doneMs, (doneMs - order.intendedMs) * 1e6, (doneMs - callStartMs) * 1e6);
          }
          break;
        case EventKind.Canceled: if (order.kind === CommandKind.Cancel) tally.canceled++; break;
        case EventKind.Replaced: tally.replaced++; break;
        default: break;
      }
    }
    // Outside the timed call, like the stream checker: the session checks are the harness's work, not the engine's.
    sessionLog.commandIndex = commandIndex++;
    sessionChecks.sent(owner, order, (flows[i]?.count ?? 1) - 1);
    sessionChecks.afterCommand(matcher.events);
    matcher.events.clear();
    const following = flows[i]?.next() ?? null;
    next[i] = following;
    if (following !== null) tally.generatedIn(following.phaseIndex);
  }

  sessionLog.commandIndex = null;
  if (options.signal?.aborted !== true) sessionChecks.finish();
  const finalState: FinalState = { stateHash: matcher.stateHash(), books: matcher.allBooks().map((b) => b.state()) };
  for (const book of finalState.books) {
    for (const v of checkBookInvariants(book)) {
      if (++violationCount <= maxViolations) violations.push(`book invariant ${v.invariant} broken on symbol ${v.symbolId}: ${v.message}`);
    }
  }
  if (violationCount > maxViolations) violations.push(`… and ${violationCount - maxViolations} more`);
  const streamHashes: Record<number, string> = {};
  flows.forEach((f, i) => { streamHashes[i] = f.streamHash(); });
  return { ...tally.result({ streamHashes, unanswered: 0, errors: [] }), violations, finalState, sessionCheck: sessionLog.summary() };
}
