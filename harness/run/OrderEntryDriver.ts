import { CommandKind } from '../../engine/book/Command.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { monotonicNowNs, type NsClock } from '../../engine/gateway/monotonicNowNs.js';
import { codeName, RejectReason } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { SessionReportChecker, SessionViolationLog } from '../check/SessionReportChecker.js';
import { SessionTranscripts } from '../check/SessionTranscript.js';
import { ORDER_ENTRY_CLIENT_DEFAULTS, OrderEntryClient, type CloseReason } from '../clients/OrderEntryClient.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import type { FlowOrder } from '../generate/FlowOrder.js';
import type { Scenario } from '../scenario/Scenario.js';
import { RequestTally, type DriverProgress, type DriverResult } from './RequestTally.js';
import { TargetWatch, WATCH_INTERVAL_MS, type TargetWatchOptions } from './TargetWatch.js';

/**
 * Options of {@link OrderEntryDriver.connect}; each documents its default (the TargetWatch ones:
 * a request unanswered 5 s ends its session, unasked-for bytes above 1 MiB/s end the run).
 */
export interface OrderEntryDriverOptions extends TargetWatchOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Global client indexes this driver runs (0 … clients.orderEntry − 1); client i logs in as clientId firstClientId + i. */
  readonly clientIndexes: readonly number[];
  readonly host: string;
  readonly port: number;
  /** Default 1. */
  readonly firstClientId?: number;
  /** How long to wait for answers after the last send, ms. Default 2,000. */
  readonly drainTimeoutMs?: number;
  /** Most send times kept for the arrival check (the first ones). Default 2,000,000. */
  readonly maxSendSamples?: number;
}

export const ORDER_ENTRY_DRIVER_DEFAULTS = { firstClientId: 1, drainTimeoutMs: 2_000, maxSendSamples: 2_000_000 } as const;

interface Pending {
  readonly kind: CommandKind;
  readonly intendedNs: number;
  readonly sentNs: number;
}

interface Client {
  readonly index: number;
  readonly flow: ClientFlow;
  readonly connection: OrderEntryClient;
  /** The client's next order (the flow's reused object) or null when its stream has ended. */
  next: FlowOrder | null;
  /** Requests sent and not answered yet, by the timestamp they were sent with (unique per client). */
  readonly pending: Map<number, Pending>;
  /** The NEW_ORDER answered last: its taker FILL, if one follows at once, gives fill_rtt. */
  lastAckedSentNs: number;
  lastAckedIntendedNs: number;
  /** Every report of the session checked against what it sent. */
  readonly checker: SessionReportChecker;
  /** The engine failed this session (unresponsive, flooding): it sends no more and its connection is closed. */
  dead: boolean;
}


/** A clock that never returns the same reading twice, so a request's timestamp identifies it. */
function strictlyRisingClock(base: NsClock): NsClock {
  let last = 0;
  return () => {
    const now = base();
    last = now > last ? now : last + 1;
    return last;
  };
}

/**
 * Drives a set of order-entry clients through their seeded streams in the open workload model:
 * every request goes out at its intended time (or as soon after as this thread can), whether or
 * not earlier ones were answered. Each answer is recorded twice: from the intended send time
 * (corrected for coordinated omission: a stall delays the sends behind it, and their latency
 * counts from when they should have gone) and from the actual send time (service time).
 *
 * ```
 *  ClientFlow ×N ─► min-heap by intended time ─► timer loop ─► OrderEntryClient ─► engine
 *                                                   ▲ send_lag             │ reports
 *  RequestTally (histograms, counts) ◄── onReport (match by echoed timestamp) ◄─┘
 * ```
 */
export class OrderEntryDriver {
  private readonly clients: Client[];
  private readonly heap: Client[] = [];
  private readonly tally: RequestTally;
  private runStartNs = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;
  private finished: (() => void) | undefined;
  private readonly errors: string[] = [];
  private readonly sessionLog = new SessionViolationLog(() => (this.clock() - this.runStartNs) / 1e6);
  /** Requests and reports per session, for the differential check (harness/check/differentialCheck.ts). */
  private readonly transcripts = new SessionTranscripts();
  private readonly watch: TargetWatch;
  private watchdog: NodeJS.Timeout | undefined;
  private running = false;

  private constructor(private readonly options: OrderEntryDriverOptions, private readonly clock: NsClock) {
    this.clients = [];
    this.watch = new TargetWatch('tcp', options);
    this.tally = new RequestTally(options.scenario.phases.length, options.maxSendSamples ?? ORDER_ENTRY_DRIVER_DEFAULTS.maxSendSamples);
  }

  /** Builds every client's flow and logs every client in. Rejects (a TargetError) if one cannot. */
  static async connect(options: OrderEntryDriverOptions): Promise<OrderEntryDriver> {
    const clock = monotonicNowNs;
    const driver = new OrderEntryDriver(options, clock);
    const shared = ClientFlow.shared(options.scenario, options.seed);
    const firstClientId = options.firstClientId ?? ORDER_ENTRY_DRIVER_DEFAULTS.firstClientId;
    try {
      for (const index of options.clientIndexes) {
        let client: Client | undefined;
        const connection = await OrderEntryClient.connect({
          host: options.host, port: options.port, clientId: firstClientId + index, clock: strictlyRisingClock(clock),
          onReport: (report, receivedNs) => { if (client !== undefined) driver.onReport(client, report, receivedNs); },
          onClose: (reason) => driver.onClose(index, reason),
        });
        client = { index, flow: new ClientFlow(options.scenario, options.seed, index, { shared }), connection, next: null,
          pending: new Map(), lastAckedSentNs: -1, lastAckedIntendedNs: 0, checker: new SessionReportChecker(index, driver.sessionLog),
          dead: false };
        driver.clients.push(client);
      }
    } catch (error) {
      for (const c of driver.clients) c.connection.destroy();
      throw error;
    }
    return driver;
  }

  /**
   * Runs every client's stream from `runStartNs` (this thread's monotonicNowNs clock; the run's
   * time 0) to its end, then waits up to drainTimeoutMs for the last answers, logs out and
   * returns what was measured. {@link stop} ends it early with what was measured so far.
   *
   * A session whose engine fails it (a request unanswered for unresponsiveAfterMs, the connection
   * lost, a protocol error, a flood) sends no more; once no session is left the run ends early. The
   * first failure is the result's {@link DriverResult.targetFailure} (the run's verdict is `error`).
   */
  async run(runStartNs: number): Promise<DriverResult> {
    this.runStartNs = runStartNs;
    this.running = true;
    for (const client of this.clients) this.advance(client);
    const done = new Promise<void>((resolve) => { this.finished = resolve; });
    this.watchdog = setInterval(this.look, WATCH_INTERVAL_MS);
    this.watch.floodCheck(this.clock(), this.bytesReceived(), 0, () => '');
    this.turn();
    this.endIfNoneLeft();
    await done;
    await this.drain();
    clearInterval(this.watchdog);
    await Promise.all(this.clients.map((c) => c.connection.active ? c.connection.logout().catch(() => undefined) : undefined));
    return this.result();
  }

  /** Stops sending at once (Ctrl-C); {@link run} then drains briefly and resolves. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.finished?.();
  }

  /** Counts so far, and the order round trips since the last call (encoded). */
  progress(): DriverProgress {
    return this.tally.progress(this.errors.length);
  }

  /** A session ended: unless we ended it, the engine failed it (the first such reason is the run's verdict). */
  private onClose(index: number, reason: CloseReason): void {
    if (this.stopped || reason.kind === 'logged-out' || reason.kind === 'destroyed') return;
    this.errors.push(`client ${index}: ${reason.kind}: ${reason.detail}`);
    const atMs = this.running ? (this.clock() - this.runStartNs) / 1e6 : Number.NaN;
    const detail = `client ${index}: ${reason.detail}`;
    if (reason.kind === 'heartbeat-timeout') {
      const interval = this.clients.find((c) => c.index === index)?.connection.heartbeatIntervalMs ?? ORDER_ENTRY_CLIENT_DEFAULTS.heartbeatIntervalMs;
      this.watch.unresponsive(interval * ORDER_ENTRY_CLIENT_DEFAULTS.deadAfterIntervals, detail);
    } else if (reason.kind === 'protocol-error') {
      this.watch.fail(`protocol error ${Number.isNaN(atMs) ? 'before the run started' : `at ${(atMs / 1000).toFixed(3)} s`} (${detail})`);
    } else {
      this.watch.connectionLost(atMs, detail);
    }
    this.endIfNoneLeft();
  }

  /** The watchdog: requests unanswered too long end their session; bytes nobody asked for end the run. */
  private readonly look = (): void => {
    const nowNs = this.clock();
    // A flood first: answers starved behind it would otherwise read as an unresponsive engine.
    if (this.watch.floodCheck(nowNs, this.bytesReceived(), this.tally.sent, () => `${this.clients.length} sessions`)) {
      this.errors.push('the engine flooded the sessions; every session closed');
      for (const c of this.clients) this.kill(c);
    }
    for (const c of this.clients) {
      if (c.dead || !c.connection.active) continue;
      // Requests are answered in the order sent (docs/PROTOCOL.md): the first waiting is the oldest.
      const oldest = c.pending.values().next().value;
      if (oldest === undefined) continue;
      const waitedMs = (nowNs - oldest.sentNs) / 1e6;
      if (!this.watch.overdue(waitedMs)) continue;
      const s = c.connection.stats;
      // Frames that are not reports: LOGIN_ACK and heartbeats.
      this.watch.unresponsive(waitedMs, `client ${c.index}'s oldest request has waited ${(waitedMs / 1000).toFixed(1)} s ` +
        `(${c.pending.size} requests waiting; ${s.reportsReceived} reports and ${Math.max(0, s.framesReceived - s.reportsReceived - 1)} heartbeats ` +
        'received on the session so far)');
      this.errors.push(`client ${c.index}: no answer for ${(waitedMs / 1000).toFixed(1)} s; its load stopped`);
      this.kill(c);
    }
    this.endIfNoneLeft();
  };

  private bytesReceived(): number {
    return this.clients.reduce((sum, c) => sum + c.connection.stats.bytesReceived, 0);
  }

  /** The session sends no more and its connection closes. */
  private kill(client: Client): void {
    client.dead = true;
    client.connection.destroy();
  }

  /** Ends the run early once the engine failed every session. */
  private endIfNoneLeft(): void {
    if (this.watch.failure !== undefined && this.clients.every((c) => c.dead || !c.connection.active)) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      if (this.immediate !== undefined) clearImmediate(this.immediate);
      this.finished?.();
    }
  }

  private advance(client: Client): void {
    client.next = client.flow.next();
    if (client.next === null) return;
    this.tally.generatedIn(client.next.phaseIndex);
    this.push(client);
  }

  /** Sends everything that is due, then sleeps until the next intended time. */
  private readonly turn = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.stopped) return;
    const nowMs = (this.clock() - this.runStartNs) / 1e6;
    while (this.heap.length > 0) {
      const client = this.heap[0] as Client;
      const order = client.next as FlowOrder;
      if (order.intendedMs > nowMs) break;
      this.pop();
      this.send(client, order);
      this.advance(client);
    }
    if (this.heap.length === 0) {
      this.finished?.();
      return;
    }
    const waitMs = ((this.heap[0] as Client).next as FlowOrder).intendedMs - (this.clock() - this.runStartNs) / 1e6;
    // Timers fire up to ~1 ms late; below that, yield to I/O and look again (send_lag shows the cost).
    if (waitMs > 1.5) this.timer = setTimeout(this.turn, waitMs - 1);
    else this.immediate = setImmediate(this.turn);
  };

  private send(client: Client, order: FlowOrder): void {
    const c = client.connection;
    if (!c.active || client.dead) return;
    if (c.backpressured) {
      this.tally.backpressured++;
      return;
    }
    let sentNs: number;
    switch (order.kind) {
      case CommandKind.NewOrder:
        sentNs = c.newOrder({ symbolId: order.symbolId, clientOrderId: order.clientOrderId, price: order.price, quantity: order.quantity,
          side: order.side, orderType: order.orderType, timeInForce: order.timeInForce });
        break;
      case CommandKind.Cancel:
        sentNs = c.cancel({ symbolId: order.symbolId, clientOrderId: order.clientOrderId });
        break;
      default:
        sentNs = c.replace({ symbolId: order.symbolId, clientOrderId: order.clientOrderId, price: order.price, quantity: order.quantity });
    }
    client.checker.sent(order, client.flow.count - 1);
    this.transcripts.sent(client.index + 1, order, sentNs);
    const intendedNs = this.runStartNs + order.intendedMs * 1e6;
    client.pending.set(sentNs, { kind: order.kind, intendedNs, sentNs });
    this.tally.sentAt(order.kind, (sentNs - this.runStartNs) / 1e6, sentNs - intendedNs);
  }

  private onReport(client: Client, report: ExecutionReport, receivedNs: number): void {
    const atMs = (receivedNs - this.runStartNs) / 1e6;
    client.checker.report(report);
    this.transcripts.report(client.index + 1, report);
    if (report.type === MessageType.Fill) this.tally.fills++;
    const echo = report.echoTimestampNs;
    const request = echo === 0 ? undefined : client.pending.get(echo);
    if (request === undefined) {
      // A follow-up of an answered request: the taker FILL right after an ACK gives fill_rtt.
      if (report.type === MessageType.Fill && echo !== 0 && echo === client.lastAckedSentNs) {
        client.lastAckedSentNs = -1;
        this.tally.filledAt(atMs, receivedNs - client.lastAckedIntendedNs, receivedNs - echo);
      }
      return;
    }
    client.pending.delete(echo);
    this.tally.answeredAt(request.kind, atMs, receivedNs - request.intendedNs, receivedNs - request.sentNs);
    switch (report.type) {
      case MessageType.Ack:
        this.tally.acked++;
        client.lastAckedSentNs = echo;
        client.lastAckedIntendedNs = request.intendedNs;
        break;
      case MessageType.Reject: this.tally.rejectedFor(codeName(RejectReason, report.reason)); break;
      case MessageType.Canceled: this.tally.canceled++; break;
      case MessageType.Replaced: this.tally.replaced++; break;
      default:
        // A FILL answering a request before its ACK breaks docs/PROTOCOL.md's event order.
        this.errors.push(`client ${client.index}: a report of type 0x${report.type.toString(16)} answered a request before its ACK`);
    }
  }

  private async drain(): Promise<void> {
    const limitMs = this.stopped ? 500 : (this.options.drainTimeoutMs ?? ORDER_ENTRY_DRIVER_DEFAULTS.drainTimeoutMs);
    const until = performance.now() + limitMs;
    while (performance.now() < until && this.clients.some((c) => c.pending.size > 0 && c.connection.active)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private result(): DriverResult {
    const streamHashes: Record<number, string> = {};
    for (const c of this.clients) streamHashes[c.index] = c.flow.streamHash();
    const unanswered = this.clients.reduce((sum, c) => sum + c.pending.size, 0);
    if (unanswered > 0) this.errors.push(`${unanswered} requests unanswered when the run ended`);
    // Orders must have ended only where every report could arrive: a full run, a clean logout.
    for (const c of this.clients) if (!this.stopped && c.connection.closeReason?.kind === 'logged-out') c.checker.finish();
    const measured = this.tally.result({ streamHashes, unanswered, errors: [] });
    const rejectedAll = TargetWatch.rejectedEverything(this.tally.answered, measured.rejected, measured.rejectsByReason);
    if (rejectedAll !== undefined) this.watch.fail(rejectedAll);
    const failure = this.watch.failure;
    return { ...measured, errors: failure === undefined ? [...this.errors] : [failure, ...this.errors], sessionCheck: this.sessionLog.summary(),
      transcripts: this.transcripts.data(), ...(failure === undefined ? {} : { targetFailure: failure }) };
  }

  // A binary min-heap of clients by their next intended time (hand-written: one per driver, a few
  // thousand entries, touched on every send).
  private push(client: Client): void {
    const heap = this.heap;
    heap.push(client);
    let i = heap.length - 1;
    const t = (client.next as FlowOrder).intendedMs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Client;
      if ((p.next as FlowOrder).intendedMs <= t) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = client;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Client;
    if (heap.length === 0) return;
    const t = (last.next as FlowOrder).intendedMs;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && ((heap[r] as Client).next as FlowOrder).intendedMs < ((heap[l] as Client).next as FlowOrder).intendedMs ? r : l;
      if (((heap[child] as Client).next as FlowOrder).intendedMs >= t) break;
      heap[i] = heap[child] as Client;
      i = child;
    }
    heap[i] = last;
  }
}
