/**
 * A FIX 4.2 / 4.4 order-entry acceptor for tests, built with jspurefix (the library the driver
 * uses) on 127.0.0.1, port 0 by default, over the reference Matcher, so acks, fills, cancels,
 * replaces and rejects are real. Modes that misbehave on purpose test the driver's verdicts:
 *
 * - `normal`: answers everything; jspurefix keeps the heartbeats;
 * - `silent`: accepts the Logon, then reads and sends nothing (no answers, no heartbeats);
 * - `close-mid-session`: closes each connection after `closeAfterOrders` requests;
 * - `reject-logon`: refuses every Logon (jspurefix answers with a Logout);
 * - `business-reject`: answers every request with a BusinessMessageReject (35=j);
 * - `session-reject`: answers every request with a session-level Reject (35=3);
 * - `flood-heartbeats`: answers no request and sends Heartbeats as fast as the socket takes them;
 * - `overfill` (lies once): the first fill that completes an order reports 5 more than it had open
 *   (LastQty and CumQty 5 higher, LeavesQty 0);
 * - `fill-after-cancel` (lies once): right after the first order it cancels on request, a Trade of
 *   1 more for that order (its ClOrdID, LeavesQty 0).
 *
 * ```
 *  socket ─► jspurefix session (Logon, heartbeats, seq) ─► D / F / G ─► Matcher ─► events by owner
 *        ◄── ExecutionReport / OrderCancelReject / j / 3 ◄──────────────────────────────────┘
 * ```
 */
import net from 'node:net';
import { AsciiSession, MsgType, SessionState, type IJsFixConfig, type MsgView } from './fixRuntime.js';
import type { ILooseObject } from './fixRuntime.js';
import { EventKind, type MatchEvent } from '../../../engine/book/EventBuffer.js';
import { Matcher } from '../../../engine/book/Matcher.js';
import type { SymbolConfig } from '../../../engine/book/SymbolConfig.js';
import { codeName, OrderType, RejectReason, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { executionReport, FIX_ORD_TYPE, FIX_SIDE, FIX_TAG, FIX_TIF, type FixExecution } from './fixMessages.js';
import { fixSessionConfig, fixTransport, type FixVersion } from './fixRuntime.js';

export type FixPeerMode = 'normal' | 'silent' | 'close-mid-session' | 'reject-logon' | 'business-reject' | 'session-reject' | 'flood-heartbeats'
  | 'overfill' | 'fill-after-cancel';

/** Options of {@link FixTestPeer.start}; each documents its default. */
export interface FixTestPeerOptions {
  readonly version: FixVersion;
  readonly symbols: readonly SymbolConfig[];
  /** Default 'normal'. */
  readonly mode?: FixPeerMode;
  /** The peer's SenderCompID. Default 'ENGINE'. */
  readonly compId?: string;
  /** close-mid-session: requests per connection before it closes. Default 20. */
  readonly closeAfterOrders?: number;
  /** Default 0 (ephemeral). */
  readonly port?: number;
}

/** What the peer saw, for assertions. */
export interface FixPeerCounts {
  logons: number;
  logonsRejected: number;
  orders: number;
  cancels: number;
  replaces: number;
  /** Replaces of orders that had filled in part: OrderQty read as the new total. */
  replacesOfPartlyFilled: number;
  /** Of those, replaces whose OrderQty was not above what had filled (refused: nothing would be left open). */
  replacesAtOrBelowFilled: number;
  heartbeatsReceived: number;
  /** flood-heartbeats: Heartbeats sent. */
  heartbeatsSent: number;
  /** overfill, fill-after-cancel: the ClOrdID the lie was told about ('' until it is). */
  liedAbout: string;
  logouts: number;
  /** SenderCompIDs that logged on. */
  readonly senders: string[];
}

interface Order {
  readonly symbol: string;
  readonly symbolId: number;
  readonly side: string;
  clOrdId: string;
  readonly orderId: number;
  cumQty: number;
  /** The limit in force (0 for a market order). */
  price: number;
}

class PeerSession extends AsciiSession {
  readonly owner: number;
  /** Matcher clientOrderId → order, and the ClOrdID the client knows it by now → clientOrderId. */
  readonly orders = new Map<number, Order>();
  readonly byClOrdId = new Map<string, number>();
  nextOrderId = 1;
  requestsSeen = 0;

  constructor(config: IJsFixConfig, private readonly peer: FixTestPeer, owner: number, private readonly socket: net.Socket) {
    super(config);
    this.owner = owner;
  }

  reply(msgType: string, body: ILooseObject): void {
    this.send(msgType, body);
  }

  close(): void {
    this.socket.destroy();
  }

  protected override onMsg(msgType: string, view: MsgView): void {
    if (msgType === MsgType.Heartbeat) this.peer.counts.heartbeatsReceived++;
    if (msgType === MsgType.Logout) this.peer.counts.logouts++;
    super.onMsg(msgType, view);
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    this.peer.onRequest(this, msgType, view, Number(view.getTyped(34) ?? 0));
  }

  protected onLogon(view: MsgView): boolean {
    if (this.peer.mode === 'reject-logon') {
      this.peer.counts.logonsRejected++;
      return false;
    }
    this.peer.counts.logons++;
    this.peer.counts.senders.push(view.getString(49) ?? '');
    return true;
  }

  protected onReady(): void {
    if (this.peer.mode === 'flood-heartbeats') {
      this.flood();
      return;
    }
    if (this.peer.mode === 'silent') {
      // Stops reading and writing: no answers and no heartbeats, the socket stays open.
      this.heartbeat = false;
      this.socket.pause();
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Heartbeats in batches of 100, each batch once the socket has drained, until the session ends. */
  private flood(): void {
    const more = (): void => {
      if (this.socket.destroyed || this.getState() === SessionState.Stopped) return;
      for (let i = 0; i < 100; i++) this.send(MsgType.Heartbeat, {});
      this.peer.counts.heartbeatsSent += 100;
      if (this.socket.writableNeedDrain) this.socket.once('drain', more);
      else setImmediate(more);
    };
    more();
  }

  protected onStopped(): void {
    this.peer.sessions.delete(this.owner);
  }

  protected onDecoded(): void {}

  protected onEncoded(): void {}
}

export class FixTestPeer {
  readonly counts: FixPeerCounts = { logons: 0, logonsRejected: 0, orders: 0, cancels: 0, replaces: 0, replacesOfPartlyFilled: 0, replacesAtOrBelowFilled: 0, heartbeatsReceived: 0, heartbeatsSent: 0, logouts: 0,
    liedAbout: '', senders: [] };
  readonly mode: FixPeerMode;
  /** @internal by owner */
  readonly sessions = new Map<number, PeerSession>();
  private readonly matcher: Matcher;
  private readonly symbolIds = new Map<string, number>();
  private nextOwner = 1;
  private nextExecId = 1;
  private readonly sockets = new Set<net.Socket>();
  /** The request being applied: its ClOrdID (and OrigClOrdID), for the answers its events make. */
  private request: { clOrdId: string; origClOrdId: string; msgType: string } = { clOrdId: '', origClOrdId: '', msgType: '' };

  private constructor(private readonly options: FixTestPeerOptions, private readonly server: net.Server) {
    this.mode = options.mode ?? 'normal';
    this.matcher = new Matcher(options.symbols);
    for (const s of options.symbols) this.symbolIds.set(s.name, s.symbolId);
  }

  static async start(options: FixTestPeerOptions): Promise<FixTestPeer> {
    const server = net.createServer();
    const peer = new FixTestPeer(options, server);
    server.on('connection', (socket) => { void peer.accept(socket); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return peer;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Closes every connection and the listener. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Logs every session out (the engine ending the day). */
  logoutAll(): void {
    for (const s of this.sessions.values()) s.done();
  }

  private async accept(socket: net.Socket): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pause();
    const config = await fixSessionConfig({ version: this.options.version, role: 'acceptor', senderCompId: this.options.compId ?? 'ENGINE',
      targetCompId: '*', resetSeqNum: false, heartbeatSeconds: 30 });
    const session = new PeerSession(config, this, this.nextOwner++, socket);
    this.sessions.set(session.owner, session);
    session.run(fixTransport(config, socket)).catch(() => undefined);
  }

  /** @internal */
  onRequest(s: PeerSession, msgType: string, view: MsgView, msgSeqNum: number): void {
    if (this.mode === 'silent' || this.mode === 'flood-heartbeats') return;
    const clOrdId = view.getString(FIX_TAG.ClOrdID) ?? '';
    if (msgType === MsgType.NewOrderSingle) this.counts.orders++;
    else if (msgType === MsgType.OrderCancelRequest) this.counts.cancels++;
    else if (msgType === MsgType.OrderCancelReplaceRequest) this.counts.replaces++;
    s.requestsSeen++;
    if (this.mode === 'close-mid-session' && s.requestsSeen > (this.options.closeAfterOrders ?? 20)) {
      s.close();
      return;
    }
    if (this.mode === 'business-reject') {
      s.reply(MsgType.BusinessMessageReject, { RefSeqNum: msgSeqNum, RefMsgType: msgType, BusinessRejectRefID: clOrdId,
        BusinessRejectReason: 3, Text: 'not authorized' });
      return;
    }
    if (this.mode === 'session-reject') {
      s.reply(MsgType.Reject, { RefSeqNum: msgSeqNum, RefMsgType: msgType, SessionRejectReason: 99, Text: 'rejected by test peer' });
      return;
    }
    const symbol = view.getString(55) ?? '';
    const side = view.getString(54) ?? '';
    const quantity = Number(view.getTyped(38) ?? 0);
    const price = Number(view.getTyped(44) ?? 0);
    const origClOrdId = view.getString(FIX_TAG.OrigClOrdID) ?? '';
    this.request = { clOrdId, origClOrdId, msgType };
    switch (msgType) {
      case MsgType.NewOrderSingle: {
        const symbolId = this.symbolIds.get(symbol) ?? 0;
        const market = view.getString(40) === FIX_ORD_TYPE.market;
        const tifCode = view.getString(59);
        const tif = tifCode === FIX_TIF.ioc ? TimeInForce.IOC : tifCode === FIX_TIF.fok ? TimeInForce.FOK : TimeInForce.GTC;
        if (s.byClOrdId.has(clOrdId)) {
          this.reject(s, { clOrdId, symbol, side, text: 'duplicate ClOrdID', reason: 6 });
          return;
        }
        const clientOrderId = s.nextOrderId++;
        s.orders.set(clientOrderId, { symbol, symbolId, side, clOrdId, orderId: 0, cumQty: 0, price: market ? 0 : price });
        s.byClOrdId.set(clOrdId, clientOrderId);
        this.matcher.newOrder(symbolId, s.owner, clientOrderId, side === FIX_SIDE.buy ? Side.Buy : Side.Sell, market ? OrderType.Market : OrderType.Limit,
          market ? TimeInForce.IOC : tif, market ? 0 : price, quantity, 0);
        break;
      }
      case MsgType.OrderCancelRequest:
      case MsgType.OrderCancelReplaceRequest: {
        const clientOrderId = s.byClOrdId.get(origClOrdId);
        const order = clientOrderId === undefined ? undefined : s.orders.get(clientOrderId);
        if (clientOrderId === undefined || order === undefined) {
          s.reply(MsgType.OrderCancelReject, { OrderID: 'NONE', ClOrdID: clOrdId, OrigClOrdID: origClOrdId, OrdStatus: '8',
            CxlRejResponseTo: msgType === MsgType.OrderCancelRequest ? '1' : '2', CxlRejReason: 1, Text: 'unknown order' });
          return;
        }
        if (msgType === MsgType.OrderCancelRequest) {
          this.matcher.cancel(order.symbolId, s.owner, clientOrderId, 0);
          break;
        }
        if (order.cumQty > 0) this.counts.replacesOfPartlyFilled++;
        if (quantity <= order.cumQty) {
          // OrderQty is the new total (FIX): at or below what has filled, nothing would be left open.
          this.counts.replacesAtOrBelowFilled++;
          s.reply(MsgType.OrderCancelReject, { OrderID: String(order.orderId), ClOrdID: clOrdId, OrigClOrdID: origClOrdId, OrdStatus: '1',
            CxlRejResponseTo: '2', CxlRejReason: 99, Text: `OrderQty ${quantity} is not above CumQty ${order.cumQty}` });
          return;
        }
        // The matcher's REPLACE takes the new open quantity: the new total less what has filled.
        this.matcher.replace(order.symbolId, s.owner, clientOrderId, price, quantity - order.cumQty, 0);
        break;
      }
      default:
        return;
    }
    const events = this.matcher.events.events();
    this.matcher.events.clear();
    for (const e of events) this.deliver(e);
  }

  private reject(s: PeerSession, r: { clOrdId: string; symbol: string; side: string; text: string; reason: number }): void {
    this.execution(s, { orderId: 'NONE', clOrdId: r.clOrdId, execId: String(this.nextExecId++), execType: '8', ordStatus: '8', symbol: r.symbol,
      side: r.side, leavesQty: 0, cumQty: 0, ordRejReason: r.reason, text: r.text });
  }

  private execution(s: PeerSession, e: FixExecution): void {
    s.reply(MsgType.ExecutionReport, executionReport(this.options.version, e));
  }

  private deliver(e: MatchEvent): void {
    if (e.kind === EventKind.Trade || e.kind === EventKind.LevelUpdate || e.kind === EventKind.Quote) return;
    const s = this.sessions.get(e.owner);
    if (s === undefined) return;
    const order = s.orders.get(e.clientOrderId);
    if (order === undefined) return;
    const base = { orderId: String('orderId' in e ? e.orderId : order.orderId), symbol: order.symbol, side: order.side, execId: String(this.nextExecId++) };
    const r = this.request;
    switch (e.kind) {
      case EventKind.Accepted:
        this.execution(s, { ...base, clOrdId: order.clOrdId, execType: '0', ordStatus: '0', leavesQty: e.quantity, cumQty: 0 });
        return;
      case EventKind.Rejected:
        if (r.msgType === MsgType.NewOrderSingle) {
          this.reject(s, { clOrdId: r.clOrdId, symbol: order.symbol, side: order.side, text: codeName(RejectReason, e.reason), reason: 99 });
          this.forget(s, e.clientOrderId);
        } else {
          s.reply(MsgType.OrderCancelReject, { OrderID: base.orderId, ClOrdID: r.clOrdId, OrigClOrdID: r.origClOrdId, OrdStatus: '8',
            CxlRejResponseTo: r.msgType === MsgType.OrderCancelRequest ? '1' : '2', Text: codeName(RejectReason, e.reason) });
        }
        return;
      case EventKind.Fill: {
        // overfill: once, an order's last fill says 5 more than it had open.
        const extra = this.mode === 'overfill' && e.leavesQuantity === 0 && this.lieOnce(order) ? 5 : 0;
        order.cumQty += e.quantity + extra;
        this.execution(s, { ...base, clOrdId: order.clOrdId, execType: 'F', ordStatus: e.leavesQuantity === 0 ? '2' : '1',
          leavesQty: e.leavesQuantity, cumQty: order.cumQty, lastQty: e.quantity + extra, lastPx: e.price });
        if (e.leavesQuantity === 0) this.forget(s, e.clientOrderId);
        return;
      }
      case EventKind.Canceled: {
        // A requested cancel answers with the cancel's ClOrdID; an IOC remainder with the order's own (ExecType C would do too).
        const requested = r.msgType === MsgType.OrderCancelRequest && r.origClOrdId === order.clOrdId;
        this.execution(s, { ...base, clOrdId: requested ? r.clOrdId : order.clOrdId, ...(requested ? { origClOrdId: order.clOrdId } : {}),
          execType: '4', ordStatus: '4', leavesQty: 0, cumQty: order.cumQty });
        if (requested && this.mode === 'fill-after-cancel' && this.lieOnce(order)) {
          this.execution(s, { ...base, execId: String(this.nextExecId++), clOrdId: order.clOrdId, execType: 'F', ordStatus: '2', leavesQty: 0,
            cumQty: order.cumQty + 1, lastQty: 1, lastPx: order.price });
        }
        this.forget(s, e.clientOrderId);
        return;
      }
      case EventKind.Replaced: {
        if (r.msgType !== MsgType.OrderCancelReplaceRequest) return;
        s.byClOrdId.delete(order.clOrdId);
        const previous = order.clOrdId;
        order.clOrdId = r.clOrdId;
        order.price = e.price;
        s.byClOrdId.set(r.clOrdId, e.clientOrderId);
        this.execution(s, { ...base, clOrdId: r.clOrdId, origClOrdId: previous, execType: '5', ordStatus: '5', leavesQty: e.leavesQuantity,
          cumQty: order.cumQty });
        return;
      }
    }
  }

  /** Whether to lie about `order` (the first time only). */
  private lieOnce(order: Order): boolean {
    if (this.counts.liedAbout !== '') return false;
    this.counts.liedAbout = order.clOrdId;
    return true;
  }

  private forget(s: PeerSession, clientOrderId: number): void {
    const order = s.orders.get(clientOrderId);
    s.orders.delete(clientOrderId);
    if (order !== undefined) s.byClOrdId.delete(order.clOrdId);
  }
}
