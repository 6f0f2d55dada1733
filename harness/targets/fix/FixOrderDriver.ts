import net from 'node:net';
import { MsgType, type MsgView } from './fixRuntime.js';
import { CommandKind } from '../../../engine/book/Command.js';
import { monotonicNowNs, type NsClock } from '../../../engine/gateway/monotonicNowNs.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { TargetError } from '../../clients/TargetError.js';
import { ClientFlow } from '../../generate/ClientFlow.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import type { Scenario, TargetSpec } from '../../scenario/Scenario.js';
import { MainThreadOrderDriver, type MainThreadSession, type SentRequest } from '../MainThreadOrderDriver.js';
import { execKind, FIX_ORD_TYPE, FIX_SIDE, FIX_TAG, FIX_TIF, newOrderSingle, orderCancelReplaceRequest, orderCancelRequest } from './fixMessages.js';
import { FixOrderSession } from './FixOrderSession.js';
import { FixReportCheck, type FixReportFields } from './FixReportCheck.js';
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

interface Pending extends SentRequest {
  readonly clientOrderId: number;
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

interface Session extends MainThreadSession {
  readonly compId: string;
  readonly fix: FixOrderSession;
  readonly socket: net.Socket;
  active: boolean;
  nextClOrdId: number;
  readonly orders: Map<number, OrderRef>;
  /** Requests waiting, by their ClOrdID (unique per session). */
  readonly pending: Map<string, Pending>;
  /** MsgSeqNum → ClOrdID of requests waiting (a session Reject names only RefSeqNum). */
  readonly bySeqNum: Map<number, string>;
  stoppedBy: Error | undefined;
  /** Feeds the session's answers to its checker (`checker` is its SessionReportChecker). */
  readonly check: FixReportCheck;
  /** The engine answered our Logout and closed the connection at the end of the run. */
  loggedOut: boolean;
}

const TIF: Readonly<Record<number, string>> = { [TimeInForce.GTC]: FIX_TIF.gtc, [TimeInForce.IOC]: FIX_TIF.ioc, [TimeInForce.FOK]: FIX_TIF.fok };

/**
 * Drives the scenario's order-entry clients as FIX 4.2 / 4.4 initiators through jspurefix
 * (docs/FIX.md), one FIX session per client, in the open workload model like every target: each
 * request leaves at its intended time, and its answer is recorded from the intended time
 * (corrected) and from the send (service time). Runs on the calling thread (see MainThreadOrderDriver).
 *
 * ```
 *  ClientFlow i ─► session i timer ─► D / F / G (ClOrdID = session counter) ─► jspurefix ─► engine
 *  RequestTally ◄── answer by ClOrdID: ExecutionReport (new, trade, canceled, replaced, rejected),
 *                   OrderCancelReject, BusinessMessageReject (379), session Reject (45 → ClOrdID) ◄──┘
 *  watchdog: requests waiting with no answer for unresponsiveAfterMs ─► the run ends, "engine unresponsive"
 *  session stopped (Logout, connection lost, heartbeat timeout) ─► the run ends, "connection lost at t"
 * ```
 */
export class FixOrderDriver extends MainThreadOrderDriver<Session> {
  private constructor(private readonly options: FixOrderDriverOptions, clock: NsClock) {
    super({ label: 'fix', phaseCount: options.scenario.phases.length, clock,
      maxSendSamples: options.maxSendSamples ?? FIX_ORDER_DRIVER_DEFAULTS.maxSendSamples,
      drainTimeoutMs: options.drainTimeoutMs ?? FIX_ORDER_DRIVER_DEFAULTS.drainTimeoutMs,
      unresponsiveAfterMs: options.unresponsiveAfterMs ?? FIX_ORDER_DRIVER_DEFAULTS.unresponsiveAfterMs });
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
    const check = new FixReportCheck(index, this.sessionLog);
    session = { index, compId, flow, fix, socket, active: true, timer: undefined, next: null, nextClOrdId: 1, orders: new Map(), pending: new Map(),
      bySeqNum: new Map(), waitingSinceNs: 0, heartbeatsAtWait: 0, lastAckedKey: '', lastAckedIntendedNs: 0, lastAckedSentNs: 0, done: false,
      stoppedBy: undefined, check, checker: check.checker, loggedOut: false };
    return session;
  }

  protected override isActive(s: Session): boolean {
    return s.active;
  }

  protected override waiting(s: Session): number {
    return s.pending.size;
  }

  protected override heartbeats(s: Session): number {
    return s.fix.heartbeats;
  }

  protected override sessionName(s: Session): string {
    return s.compId;
  }

  protected override stayedUp(beats: number): string {
    return ` while the session stayed up (${beats} engine heartbeats in that time)`;
  }

  protected override async endSessions(): Promise<void> {
    await Promise.all(this.sessions.map((s) => this.logout(s)));
  }

  protected override destroy(s: Session): void {
    s.active = false;
    s.socket.destroy();
  }

  protected override endedCleanly(s: Session): boolean {
    return s.loggedOut;
  }

  /** Logout, the engine's Logout back (or logoutTimeoutMs), then the socket closes. */
  private async logout(s: Session): Promise<void> {
    if (s.active) {
      s.active = false;
      const ended = new Promise<void>((resolve) => s.socket.once('close', () => resolve()));
      s.fix.logout();
      const limitMs = this.options.logoutTimeoutMs ?? FIX_ORDER_DRIVER_DEFAULTS.logoutTimeoutMs;
      s.loggedOut = await Promise.race([ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), limitMs))]);
    }
    s.socket.destroy();
  }

  protected override send(s: Session, o: FlowOrder): void {
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
      // Only a GTC limit order can be canceled or replaced later (ClientFlow's cancels and replaces
      // target its own live GTC orders), so only those are kept, and only until their cancel.
      if (!market && o.timeInForce === TimeInForce.GTC) s.orders.set(o.clientOrderId, ref);
    } else {
      const ref = s.orders.get(o.clientOrderId);
      if (ref === undefined) {
        this.problem('cancels or replaces not sent: their order was never sent');
        return;
      }
      if (o.kind === CommandKind.Cancel) {
        msgType = MsgType.OrderCancelRequest;
        body = orderCancelRequest(version, { clOrdId, origClOrdId: ref.clOrdId, symbol: ref.symbol, side: ref.side, quantity: ref.quantity }, now);
        // The flow forgets an order it cancels: nothing will name it again (a long run would keep every order otherwise).
        s.orders.delete(o.clientOrderId);
      } else {
        msgType = MsgType.OrderCancelReplaceRequest;
        // FIX's OrderQty is the order's new total: what has filled (as reported so far) plus the open
        // quantity the flow asks for. A fill still in flight is the engine's to subtract.
        const total = s.check.filled(o.clientOrderId) + o.quantity;
        body = orderCancelReplaceRequest(version, { clOrdId, origClOrdId: ref.clOrdId, symbol: ref.symbol, side: ref.side, quantity: total,
          ordType: FIX_ORD_TYPE.limit, price: o.price, timeInForce: FIX_TIF.gtc }, now);
        // The engine takes requests in order: once replaced, the order goes by the new ClOrdID (restored on a reject).
        previousClOrdId = ref.clOrdId;
        ref.clOrdId = clOrdId;
        ref.quantity = total;
        // The checks see the quantity as sent: a REPLACED must leave it less the fills (or, read as open, all of it).
        o = { ...o, quantity: total };
      }
    }
    const sentNs = this.clock();
    // Waiting before the send: jspurefix may call back (with the MsgSeqNum) before send returns.
    const pending: Pending = { kind: o.kind, clientOrderId: o.clientOrderId, intendedNs: this.intendedNs(o), sentNs, previousClOrdId, msgSeqNum: 0 };
    s.pending.set(clOrdId, pending);
    s.fix.sendApplication(msgType, body, (error, msgSeqNum) => {
      if (error !== null) this.problem(`requests not sent (e.g. ${error.message})`);
      else if (s.pending.get(clOrdId) === pending) {
        pending.msgSeqNum = msgSeqNum;
        s.bySeqNum.set(msgSeqNum, clOrdId);
      }
    });
    s.check.sent(clOrdId, o);
    this.sent(s, o, sentNs);
  }

  /** Orders the sessions keep for a later cancel or replace: the live GTC ones (memory stays bounded in a long run). */
  ordersKept(): number {
    return this.sessions.reduce((n, s) => n + s.orders.size, 0);
  }

  /** Ends the request waiting under `clOrdId`, if any. */
  private take(s: Session, clOrdId: string, receivedNs: number): Pending | undefined {
    const request = s.pending.get(clOrdId);
    if (request === undefined) return undefined;
    s.pending.delete(clOrdId);
    s.bySeqNum.delete(request.msgSeqNum);
    this.answered(s, request, receivedNs);
    return request;
  }

  private onApplication(s: Session, msgType: string, view: MsgView): void {
    const receivedNs = this.clock();
    const clOrdId = view.getString(FIX_TAG.ClOrdID) ?? '';
    switch (msgType) {
      case MsgType.ExecutionReport: {
        const execType = view.getString(FIX_TAG.ExecType);
        const kind = execKind(execType);
        if (kind === 'pending') {
          // PendingNew, PendingCancel, PendingReplace: not an answer; the one that follows is.
          s.check.execution(reportFields(view, clOrdId, execType), null);
          return;
        }
        if (kind === 'trade') this.executed(s, clOrdId, receivedNs);
        const request = this.take(s, clOrdId, receivedNs);
        s.check.execution(reportFields(view, clOrdId, execType), request?.kind ?? null);
        if (request === undefined) return; // a fill of a resting order, an IOC remainder's cancel, the engine's own
        if (kind === 'rejected') {
          this.rejected(s, request, `ExecutionReport rejected${reasonOf(view, FIX_TAG.OrdRejReason)}`);
          return;
        }
        switch (request.kind) {
          case CommandKind.NewOrder:
            // An order that traded on arrival may be acknowledged by its fill alone: that fill is its fill round trip.
            this.accepted(s, request, kind === 'trade' ? null : clOrdId, receivedNs);
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
        if (request === undefined) return;
        this.rejected(s, request, `OrderCancelReject${reasonOf(view, FIX_TAG.CxlRejReason)}`);
        s.check.rejected(clOrdId, 'OrderCancelReject');
        return;
      }
      case MsgType.BusinessMessageReject: {
        const ref = view.getString(FIX_TAG.BusinessRejectRefID) ?? s.bySeqNum.get(Number(view.getTyped(FIX_TAG.RefSeqNum) ?? 0)) ?? '';
        const request = this.take(s, ref, receivedNs);
        if (request !== undefined) {
          this.rejected(s, request, `BusinessMessageReject${reasonOf(view, FIX_TAG.BusinessRejectReason)}`);
          s.check.rejected(ref, 'BusinessMessageReject');
        } else {
          this.problem('BusinessMessageRejects of no request waiting');
        }
        return;
      }
      default:
        this.problem(`application messages of type ${msgType} ignored`);
    }
  }

  private onSessionReject(s: Session, view: MsgView): void {
    const ref = s.bySeqNum.get(Number(view.getTyped(FIX_TAG.RefSeqNum) ?? 0));
    const request = ref === undefined ? undefined : this.take(s, ref, this.clock());
    if (request !== undefined && ref !== undefined) {
      this.rejected(s, request, `session Reject${reasonOf(view, FIX_TAG.SessionRejectReason)}`);
      s.check.rejected(ref, 'session Reject');
    } else {
      this.problem('session Rejects of no request waiting');
    }
  }

  private rejected(s: Session, request: Pending, reason: string): void {
    this.rejectedFor(request.kind, reason);
    if (request.kind === CommandKind.NewOrder) {
      s.orders.delete(request.clientOrderId);
    } else if (request.kind === CommandKind.Replace) {
      const ref = s.orders.get(request.clientOrderId);
      if (ref !== undefined) {
        s.check.replaceRefused(ref.clOrdId, request.previousClOrdId);
        ref.clOrdId = request.previousClOrdId;
      }
    }
  }

  private onStopped(s: Session, error: Error | undefined): void {
    if (!s.active) return;
    s.active = false;
    s.stoppedBy = error;
    const atS = ((this.clock() - this.runStartNs) / 1e9).toFixed(3);
    const waiting = this.unansweredNow();
    const why = error === undefined ? 'the engine logged out' : error.message;
    if (Number.isNaN(this.runStartNs)) this.fail(`fix: connection lost before the run started (session ${s.compId}: ${why})`);
    else this.fail(`fix: connection lost at ${atS} s (session ${s.compId}: ${why}); ${waiting} requests unanswered`);
  }
}

/** The ExecutionReport's fields the checks read. */
function reportFields(view: MsgView, clOrdId: string, execType: string | null): FixReportFields {
  return { clOrdId, origClOrdId: view.getString(FIX_TAG.OrigClOrdID), execType, ordStatus: view.getString(FIX_TAG.OrdStatus),
    lastQty: numberOf(view, FIX_TAG.LastQty), lastPx: numberOf(view, FIX_TAG.LastPx), leavesQty: numberOf(view, FIX_TAG.LeavesQty),
    cumQty: numberOf(view, FIX_TAG.CumQty), orderQty: numberOf(view, FIX_TAG.OrderQty), price: numberOf(view, FIX_TAG.Price) };
}

function numberOf(view: MsgView, tag: number): number | null {
  const text = view.getString(tag);
  return text === null ? null : Number(text);
}

/** ` (tag=value: text)` for a reject's reason code and Text, or ''. */
function reasonOf(view: MsgView, tag: number): string {
  const code = view.getString(tag);
  const text = view.getString(FIX_TAG.Text);
  const parts = [code === null ? '' : `${tag}=${code}`, text ?? ''].filter((p) => p !== '');
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`;
}
