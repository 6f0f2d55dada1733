import { CommandKind } from '../../engine/book/Command.js';
import { EventKind } from '../../engine/book/EventBuffer.js';
import { checkBookInvariants, EventStreamChecker } from '../../engine/book/invariants.js';
import { Matcher } from '../../engine/book/Matcher.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import type { FinalState } from '../../engine/matcherWorkerProtocol.js';
import { codeName, Liquidity, RejectReason } from '../../engine/protocol/codes.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import type { FlowOrder } from '../generate/FlowOrder.js';
import { HistogramSet } from '../record/HistogramSet.js';
import { IntervalSeries } from '../record/IntervalSeries.js';
import { DRIVER_METRICS, type DriverResult } from '../run/OrderEntryDriver.js';
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
  /** Called about once a second with the requests matched so far. */
  readonly progress?: (sent: number, lastSecond: HistogramSet) => void;
}

/** What an inproc run measured: the drivers' result shape, plus the checks only inproc can make. */
export interface InprocResult extends DriverResult {
  readonly violations: string[];
  readonly finalState: FinalState;
}

const KIND_NAMES: Record<number, string> = { [CommandKind.NewOrder]: 'new', [CommandKind.Cancel]: 'cancel', [CommandKind.Replace]: 'replace' };

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
  const total = new HistogramSet();
  const intervals = new IntervalSeries();
  const lastSecond = new HistogramSet();
  const generatedByPhase = scenario.phases.map(() => 0);
  const sentByKind: Record<string, number> = { new: 0, cancel: 0, replace: 0 };
  const rejectsByReason: Record<string, number> = {};
  const sendTimes: number[] = [];
  let generated = 0;
  let sent = 0;
  let acked = 0;
  let fills = 0;
  let canceled = 0;
  let replaced = 0;
  let rejected = 0;
  for (const o of next) if (o !== null) { generated++; generatedByPhase[o.phaseIndex] = (generatedByPhase[o.phaseIndex] ?? 0) + 1; }
  let stall = options.stall;
  const delayMs = (options.delayPerOrderNs ?? 0) / 1e6;

  const nowMs = (): number => performance.now() - startMs;
  const record = (atMs: number, name: string, valueNs: number): void => {
    total.record(name, valueNs);
    intervals.record(atMs, name, valueNs);
  };
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
      options.progress?.(sent, lastSecond);
      lastSecond.reset();
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
    sent++;
    sentByKind[KIND_NAMES[order.kind] as string] = (sentByKind[KIND_NAMES[order.kind] as string] ?? 0) + 1;
    sendTimes.push(callStartMs);
    const names = DRIVER_METRICS[order.kind];
    record(doneMs, names.rtt, (doneMs - order.intendedMs) * 1e6);
    record(doneMs, names.service, (doneMs - callStartMs) * 1e6);
    record(callStartMs, DRIVER_METRICS.sendLag, (callStartMs - order.intendedMs) * 1e6);
    if (order.kind === CommandKind.NewOrder) lastSecond.record(names.rtt, (doneMs - order.intendedMs) * 1e6);
    let takerFilled = false;
    for (let e = before; e < matcher.events.length; e++) {
      const event = matcher.events.event(e);
      for (const v of checker.check(event)) {
        if (++violationCount <= maxViolations) violations.push(`event ${event.sequence}: ${v.invariant}: ${v.message}`);
      }
      switch (event.kind) {
        case EventKind.Accepted: acked++; break;
        case EventKind.Rejected:
          rejected++;
          { const name = codeName(RejectReason, event.reason); rejectsByReason[name] = (rejectsByReason[name] ?? 0) + 1; }
          break;
        case EventKind.Fill:
          fills++;
          if (!takerFilled && event.liquidity === Liquidity.Taker && event.owner === owner) {
            takerFilled = true;
            record(doneMs, DRIVER_METRICS.fill.rtt, (doneMs - order.intendedMs) * 1e6);
            record(doneMs, DRIVER_METRICS.fill.service, (doneMs - callStartMs) * 1e6);
          }
          break;
        case EventKind.Canceled: if (order.kind === CommandKind.Cancel) canceled++; break;
        case EventKind.Replaced: replaced++; break;
        default: break;
      }
    }
    matcher.events.clear();
    const following = flows[i]?.next() ?? null;
    next[i] = following;
    if (following !== null) { generated++; generatedByPhase[following.phaseIndex] = (generatedByPhase[following.phaseIndex] ?? 0) + 1; }
  }

  const finalState: FinalState = { stateHash: matcher.stateHash(), books: matcher.allBooks().map((b) => b.state()) };
  for (const book of finalState.books) {
    for (const v of checkBookInvariants(book)) {
      if (++violationCount <= maxViolations) violations.push(`book invariant ${v.invariant} broken on symbol ${v.symbolId}: ${v.message}`);
    }
  }
  if (violationCount > maxViolations) violations.push(`… and ${violationCount - maxViolations} more`);
  const streamHashes: Record<number, string> = {};
  flows.forEach((f, i) => { streamHashes[i] = f.streamHash(); });
  return {
    histograms: total.encode(), intervals: intervals.encode(), streamHashes, generated, generatedByPhase, sent, sentByKind,
    sendTimesMs: Float64Array.from(sendTimes), acked, fills, canceled, replaced, rejected, rejectsByReason, unanswered: 0,
    backpressured: 0, errors: [], violations, finalState,
  };
}
