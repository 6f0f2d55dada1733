import net from 'node:net';
import { MsgType, type MsgView } from './fixRuntime.js';
import { CommandKind } from '../../../engine/book/Command.js';
import { monotonicNowNs, type NsClock } from '../../../engine/gateway/monotonicNowNs.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { TargetError } from '../../clients/TargetError.js';
import { ClientFlow } from '../../generate/ClientFlow.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import { RequestTally, type DriverProgress, type DriverResult } from '../../run/RequestTally.js';
import type { Scenario, TargetSpec } from '../../scenario/Scenario.js';
import { execKind, FIX_ORD_TYPE, FIX_SIDE, FIX_TAG, FIX_TIF, newOrderSingle, orderCancelReplaceRequest, orderCancelRequest } from './fixMessages.js';
import { FixOrderSession } from './FixOrderSession.js';
import { fixSessionConfig, fixTransport } from './fixRuntime.js';

/** Options of {@link FixOrderDriver.connect}; each documents its default. */
export interface FixOrderDriverOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly target: Extract<TargetSpec, { kind: 'fix' }>;
  /** Global client indexes to drive; default all. Client i logs on as SenderCompID `${sender}${i + 1}`. */
  readonly clientIndexes?: readonly number[];
  /** How long to wait for answers after the last send, ms. Default 2,000. */
  readonly drainTimeoutMs?: number;
  /** Requests waiting this long with no answer to any of them end the run: the engine is unresponsive, ms. Default 5,000. */
  readonly unresponsiveAfterMs?: number;
  /** Longest wait for each session's connection and Logon answer, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Longest wait for the engine's Logout answer at the end, ms. Default 1,000. */
  readonly logoutTimeoutMs?: number;
  /** Most send times kept for the arrival check. Default 2,000,000. */
  readonly maxSendSamples?: number;
}

export const FIX_ORDER_DRIVER_DEFAULTS = { drainTimeoutMs: 2_000, unresponsiveAfterMs: 5_000, connectTimeoutMs: 5_000, logoutTimeoutMs: 1_000,
  maxSendSamples: 2_000_000 } as const;

interface Pending {
  readonly kind: CommandKind;
  readonly clientOrderId: number;
  readonly intendedNs: number;
  readonly sentNs: number;
  /** A replace: the ClOrdID the order had before (restored if the replace is rejected). */
  readonly previousClOrdId: string;
  /** The MsgSeqNum it went out under (0 until jspurefix says). */
  msgSeqNum: number;
}

/** A live order of the flow, as the engine knows it. */
interface OrderRef {
  clOrdId: string;
  readonly symbol: string;
  readonly side: string;
  quantity: number;
}

interface Session {
  readonly index: number;
  readonly compId: string;
  readonly flow: ClientFlow;
  readonly fix: FixOrderSession;
  readonly socket: net.Socket;
  active: boolean;
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  next: FlowOrder | null;
  nextClOrdId: number;
  readonly orders: Map<number, OrderRef>;
  /** Requests waiting, by their ClOrdID (unique per session). */
  readonly pending: Map<string, Pending>;
  /** MsgSeqNum → ClOrdID of requests waiting (a session Reject names only RefSeqNum). */
  readonly bySeqNum: Map<number, string>;
  waitingSinceNs: number;
  heartbeatsAtWait: number;
  lastAckedClOrdId: string;
  lastAckedIntendedNs: number;
  lastAckedSentNs: number;
  done: boolean;
  stoppedBy: Error | undefined;
}

const WATCHDOG_MS = 250;
const TIF: Readonly<Record<number, string>> = { [TimeInForce.GTC]: FIX_TIF.gtc, [TimeInForce.IOC]: FIX_TIF.ioc, [TimeInForce.FOK]: FIX_TIF.fok };

/**
 * Drives the scenario's order-entry clients as FIX 4.2 / 4.4 initiators through jspurefix
 * (docs/FIX.md), one FIX session per client, in the open workload model like every target: each
 * request leaves at its intended time, and its answer is recorded from the intended time
 * (corrected) and from the send (service time).
 *
 * ```
 *  ClientFlow i ─► session i timer ─► D / F / G (ClOrdID = session counter) ─► jspurefix ─► engine
 *  RequestTally ◄── answer by ClOrdID: ExecutionReport (new, trade, canceled, replaced, rejected),
 *                   OrderCancelReject, BusinessMessageReject (379), session Reject (45 → ClOrdID) ◄──┘
 *  watchdog: requests waiting with no answer for unresponsiveAfterMs ─► the run ends, "engine unresponsive"
 *  session stopped (Logout, connection lost, heartbeat timeout) ─► the run ends, "connection lost at t"
 * ```
 */
export class FixOrderDriver {
  private readonly sessions: Session[] = [];
  private readonly tally: RequestTally;
  private runStartNs = Number.NaN;
  private stopped = false;
  private finished: (() => void) | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private readonly problems = new Map<string, number>();
  private newOrdersAnswered = 0;
  private readonly rejectsOfNew = new Map<string, number>();

  private constructor(private readonly options: FixOrderDriverOptions, private readonly clock: NsClock) {
    this.tally = new RequestTally(options.scenario.phases.length, options.maxSendSamples ?? FIX_ORDER_DRIVER_DEFAULTS.maxSendSamples);
  }

  /** Logs every session on. Rejects with a TargetError when the engine cannot be reached, refuses the Logon or does not answer it. */
  static async connect(options: FixOrderDriverOptions): Promise<FixOrderDriver> {
    const driver = new FixOrderDriver(options, monotonicNowNs);
    const { scenario, seed } = options;
    const shared = ClientFlow.shared(scenario, seed);
    try {
      for (const index of options.clientIndexes ?? Array.from({ length: scenario.clients.orderEntry }, (_, i) => i)) {
        driver.sessions.push(await driver.logon(index, new ClientFlow(scenario, seed, index, { shared })));
      }
    } catch (error) {
      for (const s of driver.sessions) s.socket.destroy();
      throw error;
    }
    return driver;
  }

  private async logon(index: number, flow: ClientFlow): Promise<Session> {
    const t = this.options.target;
    const where = `${t.orderEntry.host}:${t.orderEntry.port}`;
    const compId = `${t.senderCompId}${index + 1}`;
    const limitMs = this.options.connectTimeoutMs ?? FIX_ORDER_DRIVER_DEFAULTS.connectTimeoutMs;
    const config = await fixSessionConfig({ version: t.version, role: 'initiator', senderCompId: compId, targetCompId: t.targetCompId,
      resetSeqNum: t.resetSeqNum, heartbeatSeconds: t.heartbeatSeconds });
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: t.orderEntry.host, port: t.orderEntry.port });
      const timer = setTimeout(() => { s.destroy(); reject(new TargetError('unreachable', where, `fix: no connection to ${where} within ${limitMs} ms`)); }, limitMs);
      s.once('connect', () => { clearTimeout(timer); resolve(s); });
      s.once('error', (e) => { clearTimeout(timer); reject(new TargetError('unreachable', where, `fix: cannot connect to ${where}: ${e.message}`)); });
    });
    socket.on('error', () => undefined);
    let session: Session | undefined;
    let ready: (() => void) | undefined;
    let refused: ((e: Error) => void) | undefined;
    const fix = new FixOrderSession(config, {
      onReady: () => ready?.(),
      onApplication: (msgType, view) => { if (session !== undefined) this.onApplication(session, msgType, view); },
      onSessionReject: (view) => { if (session !== undefined) this.onSessionReject(session, view); },
      onStopped: (error) => {
        if (session === undefined) refused?.(error ?? new Error('the engine logged out'));
        else this.onStopped(session, error);
      },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TargetError('protocol', where,
        `fix: ${where} did not answer the Logon of ${compId} → ${t.targetCompId} (FIX ${t.version}) within ${limitMs} ms`)), limitMs);
      ready = () => { clearTimeout(timer); resolve(); };
      refused = (e) => { clearTimeout(timer); reject(new TargetError('login-refused', where,
        `fix: ${where} refused the Logon of ${compId} → ${t.targetCompId} (FIX ${t.version}): ${e.message}`)); };
      fix.run(fixTransport(config, socket)).catch(() => undefined);
    }).catch((error: unknown) => { socket.destroy(); throw error; });
    session = { index, compId, flow, fix, socket, active: true, timer: undefined, next: null, nextClOrdId: 1, orders: new Map(), pending: new Map(),
      bySeqNum: new Map(), waitingSinceNs: 0, heartbeatsAtWait: 0, lastAckedClOrdId: '', lastAckedIntendedNs: 0, lastAckedSentNs: 0, done: false,
      stoppedBy: undefined };
    return session;
  }

  /** Sends every session's stream from `runStartEpochMs`, drains, logs out and returns what was measured. */
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
    await Promise.all(this.sessions.map((s) => this.logout(s)));
    return this.result();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.sessions) this.clearTimer(s);
    this.finished?.();
  }

  progress(): Promise<DriverProgress> {
    let errors = this.failure === undefined ? 0 : 1;
    for (const n of this.problems.values()) errors += n;
    return Promise.resolve(this.tally.progress(errors));
  }

  terminate(): Promise<number> {
    this.stop();
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    for (const s of this.sessions) {
      s.active = false;
      s.socket.destroy();
    }
    return Promise.resolve(0);
  }

  /** Logout, the engine's Logout back (or logoutTimeoutMs), then the socket closes. */
  private async logout(s: Session): Promise<void> {
    if (s.active) {
      s.active = false;
      const ended = new Promise<void>((resolve) => s.socket.once('close', () => resolve()));
      s.fix.logout();
      const limitMs = this.options.logoutTimeoutMs ?? FIX_ORDER_DRIVER_DEFAULTS.logoutTimeoutMs;
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, limitMs))]);
    }
    s.socket.destroy();
  }

  private advance(s: Session): void {
    s.next = this.stopped ? null : s.flow.next();
    if (s.next === null) s.done = true;
    else this.tally.generatedIn(s.next.phaseIndex);
  }

  private schedule(s: Session): void {
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

  private intendedNs(o: FlowOrder): number {
    return this.runStartNs + o.intendedMs * 1e6;
  }

  private send(s: Session, o: FlowOrder): void {
    if (!s.active) return;
    if (s.socket.writableNeedDrain) {
      this.tally.backpressured++;
      return;
    }
    const version = this.options.target.version;
    const clOrdId = `${s.nextClOrdId++}`;
    const now = new Date();
    let msgType: string;
    let body;
    let previousClOrdId = '';
    if (o.kind === CommandKind.NewOrder) {
      const market = o.orderType === OrderType.Market;
      const ref: OrderRef = { clOrdId, symbol: `${this.options.scenario.symbols.namePrefix}${o.symbolId}`, side: o.side === Side.Buy ? FIX_SIDE.buy : FIX_SIDE.sell,
        quantity: o.quantity };
      msgType = MsgType.NewOrderSingle;
      body = newOrderSingle(version, { clOrdId, symbol: ref.symbol, side: ref.side, quantity: o.quantity, ordType: market ? FIX_ORD_TYPE.market : FIX_ORD_TYPE.limit,
        ...(market ? {} : { price: o.price }), timeInForce: TIF[o.timeInForce] ?? FIX_TIF.gtc }, now);
      s.orders.set(o.clientOrderId, ref);
    } else {
      const ref = s.orders.get(o.clientOrderId);
      if (ref === undefined) {
        this.problem('cancels or replaces not sent: their order was never sent');
        return;
      }
      if (o.kind === CommandKind.Cancel) {
        msgType = MsgType.OrderCancelRequest;
        body = orderCancelRequest(version, { clOrdId, origClOrdId: ref.clOrdId, symbol: ref.symbol, side: ref.side, quantity: ref.quantity }, now);
      } else {
        msgType = MsgType.OrderCancelReplaceRequest;
        body = orderCancelReplaceRequest(version, { clOrdId, origClOrdId: ref.clOrdId, symbol: ref.symbol, side: ref.side, quantity: o.quantity,
          ordType: FIX_ORD_TYPE.limit, price: o.price, timeInForce: FIX_TIF.gtc }, now);
        // The engine takes requests in order: once replaced, the order goes by the new ClOrdID (restored on a reject).
        previousClOrdId = ref.clOrdId;
        ref.clOrdId = clOrdId;
        ref.quantity = o.quantity;
      }
    }
    const sentNs = this.clock();
    const intendedNs = this.intendedNs(o);
    // Waiting before the send: jspurefix may call back (with the MsgSeqNum) before send returns.
    const pending: Pending = { kind: o.kind, clientOrderId: o.clientOrderId, intendedNs, sentNs, previousClOrdId, msgSeqNum: 0 };
    s.pending.set(clOrdId, pending);
    s.fix.sendApplication(msgType, body, (error, msgSeqNum) => {
      if (error !== null) this.problem(`requests not sent (e.g. ${error.message})`);
      else if (s.pending.get(clOrdId) === pending) {
        pending.msgSeqNum = msgSeqNum;
        s.bySeqNum.set(msgSeqNum, clOrdId);
      }
    });
    if (s.pending.size === 1) {
      s.waitingSinceNs = sentNs;
      s.heartbeatsAtWait = s.fix.heartbeats;
    }
    this.tally.sentAt(o.kind, (sentNs - this.runStartNs) / 1e6, sentNs - intendedNs);
  }

  /** Ends the request waiting under `clOrdId`, if any. */
  private take(s: Session, clOrdId: string, receivedNs: number): Pending | undefined {
    const request = s.pending.get(clOrdId);
    if (request === undefined) return undefined;
    s.pending.delete(clOrdId);
    s.bySeqNum.delete(request.msgSeqNum);
    s.waitingSinceNs = s.pending.size > 0 ? receivedNs : 0;
    s.heartbeatsAtWait = s.fix.heartbeats;
    this.tally.answeredAt(request.kind, (receivedNs - this.runStartNs) / 1e6, receivedNs - request.intendedNs, receivedNs - request.sentNs);
    return request;
  }

  private onApplication(s: Session, msgType: string, view: MsgView): void {
    const receivedNs = this.clock();
    const clOrdId = view.getString(FIX_TAG.ClOrdID) ?? '';
    switch (msgType) {
      case MsgType.ExecutionReport: {
        const kind = execKind(view.getString(FIX_TAG.ExecType));
        if (kind === 'trade') {
          this.tally.fills++;
          if (clOrdId === s.lastAckedClOrdId) {
            // The fill of an order that traded on arrival, right behind its acknowledgement.
            s.lastAckedClOrdId = '';
            this.tally.filledAt((receivedNs - this.runStartNs) / 1e6, receivedNs - s.lastAckedIntendedNs, receivedNs - s.lastAckedSentNs);
          }
        }
        const request = this.take(s, clOrdId, receivedNs);
        if (request === undefined) return; // a fill of a resting order, an IOC remainder's cancel, the engine's own
        if (kind === 'rejected') {
          this.rejected(s, request, `ExecutionReport rejected${reasonOf(view, FIX_TAG.OrdRejReason)}`);
          return;
        }
        switch (request.kind) {
          case CommandKind.NewOrder:
            this.newOrdersAnswered++;
            this.tally.acked++;
            if (kind !== 'trade') {
              s.lastAckedClOrdId = clOrdId;
              s.lastAckedIntendedNs = request.intendedNs;
              s.lastAckedSentNs = request.sentNs;
            } else {
              this.tally.filledAt((receivedNs - this.runStartNs) / 1e6, receivedNs - request.intendedNs, receivedNs - request.sentNs);
            }
            return;
          case CommandKind.Cancel:
            if (kind === 'canceled') this.tally.canceled++;
            else this.problem(`cancels answered by an ExecutionReport of ExecType other than canceled`);
            return;
          case CommandKind.Replace:
            if (kind === 'replaced') this.tally.replaced++;
            else this.problem(`replaces answered by an ExecutionReport of ExecType other than replaced`);
            return;
        }
        return;
      }
      case MsgType.OrderCancelReject: {
        const request = this.take(s, clOrdId, receivedNs);
        if (request !== undefined) this.rejected(s, request, `OrderCancelReject${reasonOf(view, FIX_TAG.CxlRejReason)}`);
        return;
      }
      case MsgType.BusinessMessageReject: {
        const ref = view.getString(FIX_TAG.BusinessRejectRefID) ?? s.bySeqNum.get(Number(view.getTyped(FIX_TAG.RefSeqNum) ?? 0)) ?? '';
        const request = this.take(s, ref, receivedNs);
        if (request !== undefined) this.rejected(s, request, `BusinessMessageReject${reasonOf(view, FIX_TAG.BusinessRejectReason)}`);
        else this.problem('BusinessMessageRejects of no request waiting');
        return;
      }
      default:
        this.problem(`application messages of type ${msgType} ignored`);
    }
  }

  private onSessionReject(s: Session, view: MsgView): void {
    const ref = s.bySeqNum.get(Number(view.getTyped(FIX_TAG.RefSeqNum) ?? 0));
    const request = ref === undefined ? undefined : this.take(s, ref, this.clock());
    if (request !== undefined) this.rejected(s, request, `session Reject${reasonOf(view, FIX_TAG.SessionRejectReason)}`);
    else this.problem('session Rejects of no request waiting');
  }

  private rejected(s: Session, request: Pending, reason: string): void {
    this.tally.rejectedFor(reason);
    if (request.kind === CommandKind.NewOrder) {
      this.newOrdersAnswered++;
      this.rejectsOfNew.set(reason, (this.rejectsOfNew.get(reason) ?? 0) + 1);
      s.orders.delete(request.clientOrderId);
    } else if (request.kind === CommandKind.Replace) {
      const ref = s.orders.get(request.clientOrderId);
      if (ref !== undefined) ref.clOrdId = request.previousClOrdId;
    }
  }

  private onStopped(s: Session, error: Error | undefined): void {
    if (!s.active) return;
    s.active = false;
    s.stoppedBy = error;
    const atS = ((this.clock() - this.runStartNs) / 1e9).toFixed(3);
    const waiting = this.sessions.reduce((sum, x) => sum + x.pending.size, 0);
    const why = error === undefined ? 'the engine logged out' : error.message;
    if (Number.isNaN(this.runStartNs)) this.fail(`fix: connection lost before the run started (session ${s.compId}: ${why})`);
    else this.fail(`fix: connection lost at ${atS} s (session ${s.compId}: ${why}); ${waiting} requests unanswered`);
  }

  private readonly watch = (): void => {
    const limitMs = this.options.unresponsiveAfterMs ?? FIX_ORDER_DRIVER_DEFAULTS.unresponsiveAfterMs;
    const now = this.clock();
    for (const s of this.sessions) {
      if (s.pending.size === 0 || !s.active) continue;
      const waitedMs = (now - s.waitingSinceNs) / 1e6;
      if (waitedMs < limitMs) continue;
      const beats = s.fix.heartbeats - s.heartbeatsAtWait;
      this.fail(`fix: engine unresponsive after ${(waitedMs / 1000).toFixed(1)} s: session ${s.compId} has ${s.pending.size} requests ` +
        `unanswered and received no answer for ${(waitedMs / 1000).toFixed(1)} s` +
        (beats > 0 ? ` while the session stayed up (${beats} engine heartbeats in that time)` : ''));
      return;
    }
  };

  private fail(verdict: string): void {
    this.failure ??= verdict;
    this.stop();
  }

  private problem(kind: string): void {
    this.problems.set(kind, (this.problems.get(kind) ?? 0) + 1);
  }

  private clearTimer(s: Session): void {
    if (s.timer === undefined) return;
    clearTimeout(s.timer as NodeJS.Timeout);
    clearImmediate(s.timer as NodeJS.Immediate);
    s.timer = undefined;
  }

  private checkFinished(): void {
    if (this.finished !== undefined && this.sessions.every((s) => s.done || !s.active)) this.finished();
  }

  private async drain(): Promise<void> {
    const limitMs = this.failure !== undefined ? 0 : this.stopped ? 500 : (this.options.drainTimeoutMs ?? FIX_ORDER_DRIVER_DEFAULTS.drainTimeoutMs);
    const until = performance.now() + limitMs;
    while (performance.now() < until && this.sessions.some((s) => s.pending.size > 0 && s.active)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private result(): DriverResult {
    const streamHashes: Record<number, string> = {};
    for (const s of this.sessions) streamHashes[s.index] = s.flow.streamHash();
    const unanswered = this.sessions.reduce((sum, s) => sum + s.pending.size, 0);
    const errors = [...this.problems].map(([kind, n]) => `fix: ${n} ${kind}`);
    if (unanswered > 0) errors.push(`fix: ${unanswered} requests unanswered when the run ended (timed out)`);
    let failure = this.failure;
    if (failure === undefined && this.newOrdersAnswered > 0 && this.tally.acked === 0) {
      const reasons = [...this.rejectsOfNew].map(([r, n]) => `${r} ${n}`).join(', ');
      failure = `fix: rejected everything: all ${this.newOrdersAnswered} orders answered were rejected (${reasons})`;
    }
    if (failure !== undefined) errors.unshift(failure);
    return { ...this.tally.result({ streamHashes, unanswered, errors }), ...(failure === undefined ? {} : { targetFailure: failure }) };
  }
}

/** ` (tag=value: text)` for a reject's reason code and Text, or ''. */
function reasonOf(view: MsgView, tag: number): string {
  const code = view.getString(tag);
  const text = view.getString(FIX_TAG.Text);
  const parts = [code === null ? '' : `${tag}=${code}`, text ?? ''].filter((p) => p !== '');
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`;
}
