/**
 * A SoupBinTCP 3.00 order-entry server for tests, on 127.0.0.1 (port 0 by default), speaking a
 * message set (docs/SOUP.md) over the reference Matcher, so accepts, fills, cancels and rejects
 * are real. Modes that misbehave on purpose test the driver's verdicts:
 *
 * - `normal`: answers everything; a Server Heartbeat after 1 s of sending silence;
 * - `silent`: accepts the login, then sends nothing at all (no answers, no heartbeats);
 * - `close-mid-session`: closes each connection after `closeAfterOrders` orders;
 * - `reject-login`: answers every Login Request with Login Rejected 'A';
 * - `reject-orders`: rejects every order (reason `halted`);
 * - `flood-heartbeats`: answers no order and sends Server Heartbeats as fast as the socket takes them;
 * - `overfill` (lies once): the first execution that completes an order says 5 more than it had open;
 * - `fill-after-cancel` (lies once): right after the first order it cancels on request, an execution of 1 of it.
 *
 * ```
 *  socket ─► SoupPacketReader('from-client') ─► 'L' login │ 'U' SoupMessageCodec.decode ─► Matcher ─► events by owner
 *        ◄── 'A'/'J' │ 'S' accepted / executed / canceled / rejected / replaced ◄────────────────────────────────┘
 * ```
 */
import net from 'node:net';
import { Matcher } from '../../../engine/book/Matcher.js';
import { EventKind, RequestType, type MatchEvent } from '../../../engine/book/EventBuffer.js';
import type { SymbolConfig } from '../../../engine/book/SymbolConfig.js';
import { CancelReason, OrderType, RejectReason, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import {
  decodeLoginRequest, encodeLoginAccepted, encodeLoginRejected, encodeSoupPacket, SOUP_TIMING, SoupPacketReader, SoupPacketType,
} from './soupBinTcp.js';
import { SoupMessageCodec, type SoupValues } from './SoupMessageCodec.js';
import type { SoupMessage, SoupMessageSet } from './SoupMessageSet.js';

export type SoupPeerMode = 'normal' | 'silent' | 'close-mid-session' | 'reject-login' | 'reject-orders' | 'flood-heartbeats' | 'overfill'
  | 'fill-after-cancel';

/** Options of {@link SoupTestPeer.start}; each documents its default. */
export interface SoupTestPeerOptions {
  readonly messageSet: SoupMessageSet;
  readonly symbols: readonly SymbolConfig[];
  /** Default 'normal'. */
  readonly mode?: SoupPeerMode;
  /** The password every username must give. Default '' (any). */
  readonly password?: string;
  /** close-mid-session: orders per connection before it closes. Default 20. */
  readonly closeAfterOrders?: number;
  /** Server Heartbeat after this long without sending, ms. Default 1,000. */
  readonly heartbeatIntervalMs?: number;
  /** Default 0 (ephemeral). */
  readonly port?: number;
}

/** What the peer saw, for assertions. */
export interface SoupPeerCounts {
  logins: number;
  loginsRejected: number;
  orders: number;
  /** Enter Orders read as fill-or-kill (a fok code, or IOC with a minimum quantity of the whole order). */
  fokOrders: number;
  cancels: number;
  replaces: number;
  clientHeartbeats: number;
  logouts: number;
  serverHeartbeats: number;
  /** Client packets the peer could not read (protocol errors). */
  badPackets: number;
  /** overfill, fill-after-cancel: the token the lie was told about ('' until it is). */
  liedAbout: string;
}

interface PeerSession {
  readonly owner: number;
  readonly socket: net.Socket;
  loggedIn: boolean;
  nextOrderId: number;
  /** clientOrderId → current token, and back. */
  readonly tokenOf: Map<number, string>;
  readonly orderOf: Map<string, number>;
  lastSentMs: number;
  timer: NodeJS.Timeout | undefined;
  ordersSeen: number;
  /** A replace being applied: the token it gives the order. */
  replacing: { readonly clientOrderId: number; readonly newToken: string } | null;
  /** The token of the request being applied (for its reject). */
  requestToken: string;
}

const REJECT_NAMES: Readonly<Record<number, string>> = {
  [RejectReason.UnknownSymbol]: 'invalidStock', [RejectReason.InvalidPrice]: 'invalidPrice', [RejectReason.PriceOffTick]: 'invalidPrice',
  [RejectReason.PriceOutsideBand]: 'invalidPrice', [RejectReason.QuantityAboveMax]: 'sharesExceedSafetyThreshold',
};
const CANCEL_NAMES: Readonly<Record<number, string>> = {
  [CancelReason.User]: 'userRequested', [CancelReason.IocRemainder]: 'immediateOrCancel', [CancelReason.FokNotFillable]: 'immediateOrCancel',
  [CancelReason.NoLiquidity]: 'immediateOrCancel',
};

export class SoupTestPeer {
  readonly counts: SoupPeerCounts = { logins: 0, loginsRejected: 0, orders: 0, fokOrders: 0, cancels: 0, replaces: 0, clientHeartbeats: 0, logouts: 0,
    serverHeartbeats: 0, badPackets: 0, liedAbout: '' };
  private readonly matcher: Matcher;
  private readonly codec: SoupMessageCodec;
  private readonly sessions = new Map<number, PeerSession>();
  private readonly symbolIds = new Map<string, number>();
  private readonly symbolNames = new Map<number, string>();
  private nextOwner = 1;
  private sequence = 1;
  private readonly mode: SoupPeerMode;
  private readonly out: Partial<Record<SoupMessage['role'], SoupMessage>> = {};

  private constructor(private readonly options: SoupTestPeerOptions, private readonly server: net.Server) {
    this.matcher = new Matcher(options.symbols);
    this.codec = new SoupMessageCodec(options.messageSet, 'toEngine');
    this.mode = options.mode ?? 'normal';
    for (const s of options.symbols) {
      this.symbolIds.set(s.name, s.symbolId);
      this.symbolNames.set(s.symbolId, s.name);
    }
    for (const m of options.messageSet.fromEngine) this.out[m.role] ??= m;
  }

  static async start(options: SoupTestPeerOptions): Promise<SoupTestPeer> {
    const server = net.createServer();
    const peer = new SoupTestPeer(options, server);
    server.on('connection', (socket) => peer.accept(socket));
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
    for (const s of this.sessions.values()) this.end(s);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sends End of Session to every logged-in session and closes them. */
  endSessions(): void {
    for (const s of this.sessions.values()) {
      if (s.loggedIn) s.socket.write(encodeSoupPacket(SoupPacketType.EndOfSession));
      s.socket.end();
    }
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const s: PeerSession = { owner: this.nextOwner++, socket, loggedIn: false, nextOrderId: 1, tokenOf: new Map(), orderOf: new Map(),
      lastSentMs: performance.now(), timer: undefined, ordersSeen: 0, replacing: null, requestToken: '' };
    this.sessions.set(s.owner, s);
    const reader = new SoupPacketReader('from-client', (type, payload) => this.onPacket(s, type, payload));
    socket.on('data', (chunk: Buffer) => {
      if (reader.push(chunk) !== null) {
        this.counts.badPackets++;
        this.end(s);
      }
    });
    socket.on('error', () => this.end(s));
    socket.on('close', () => this.end(s));
  }

  private end(s: PeerSession): void {
    if (s.timer !== undefined) clearInterval(s.timer);
    s.timer = undefined;
    s.socket.destroy();
    this.sessions.delete(s.owner);
  }

  private send(s: PeerSession, packet: Uint8Array): void {
    if (s.socket.destroyed) return;
    s.socket.write(packet);
    s.lastSentMs = performance.now();
  }

  private onPacket(s: PeerSession, type: number, payload: Uint8Array): void {
    if (!s.loggedIn) {
      if (type !== SoupPacketType.LoginRequest) {
        this.counts.badPackets++;
        this.end(s);
        return;
      }
      const login = decodeLoginRequest(payload);
      const password = this.options.password ?? '';
      if (this.mode === 'reject-login' || (password !== '' && login.password !== password)) {
        this.counts.loginsRejected++;
        this.send(s, encodeLoginRejected('A'));
        s.socket.end();
        return;
      }
      this.counts.logins++;
      s.loggedIn = true;
      this.send(s, encodeLoginAccepted('MBPEER', this.sequence));
      if (this.mode === 'silent') return;
      if (this.mode === 'flood-heartbeats') {
        this.flood(s);
        return;
      }
      const intervalMs = this.options.heartbeatIntervalMs ?? SOUP_TIMING.heartbeatIntervalMs;
      s.timer = setInterval(() => {
        if (performance.now() - s.lastSentMs >= intervalMs) {
          this.counts.serverHeartbeats++;
          this.send(s, encodeSoupPacket(SoupPacketType.ServerHeartbeat));
        }
      }, Math.min(250, intervalMs));
      return;
    }
    switch (type) {
      case SoupPacketType.ClientHeartbeat: this.counts.clientHeartbeats++; return;
      case SoupPacketType.LogoutRequest:
        this.counts.logouts++;
        this.end(s);
        return;
      case SoupPacketType.UnsequencedData: this.onMessage(s, payload); return;
      case SoupPacketType.Debug: return;
      default:
        this.counts.badPackets++;
        this.end(s);
    }
  }

  /** Heartbeats as fast as the socket drains, in batches, until the connection ends. */
  private flood(s: PeerSession): void {
    const beat = encodeSoupPacket(SoupPacketType.ServerHeartbeat);
    const batch = new Uint8Array(beat.length * 256);
    for (let i = 0; i < 256; i++) batch.set(beat, i * beat.length);
    const more = (): void => {
      if (s.socket.destroyed) return;
      this.counts.serverHeartbeats += 256;
      if (s.socket.write(batch)) setImmediate(more);
      else s.socket.once('drain', more);
    };
    more();
  }

  private onMessage(s: PeerSession, payload: Uint8Array): void {
    if (this.mode === 'silent' || this.mode === 'flood-heartbeats') return;
    const decoded = this.codec.decode(payload);
    if (!decoded.ok) {
      this.counts.badPackets++;
      return;
    }
    s.ordersSeen++;
    if (this.mode === 'close-mid-session' && s.ordersSeen > (this.options.closeAfterOrders ?? 20)) {
      this.end(s);
      return;
    }
    const { message, values } = decoded;
    const token = String(values.token ?? '');
    s.requestToken = token;
    switch (message.role) {
      case 'enterOrder': {
        this.counts.orders++;
        if (this.mode === 'reject-orders' || s.orderOf.has(token)) {
          this.answer(s, 'rejected', { token, reason: 'halted' });
          return;
        }
        const symbolId = typeof values.symbol === 'number' ? values.symbol : this.symbolIds.get(String(values.symbol)) ?? 0;
        const side = values.side === 'buy' ? Side.Buy : values.side === 'sell' ? Side.Sell : 0;
        // IOC with a minimum quantity of the whole order is fill-or-kill (OUCH 4.2 has no FOK code).
        const allOrNone = values.timeInForce === 'ioc' && Number(values.minimumQuantity ?? 0) > 0 && values.minimumQuantity === values.quantity;
        const tif = values.timeInForce === 'fok' || allOrNone ? TimeInForce.FOK : values.timeInForce === 'ioc' ? TimeInForce.IOC : TimeInForce.GTC;
        if (tif === TimeInForce.FOK) this.counts.fokOrders++;
        const marketValue = message.byRole.price?.marketValue ?? null;
        const market = marketValue !== null && values.price === marketValue;
        const clientOrderId = s.nextOrderId++;
        s.tokenOf.set(clientOrderId, token);
        s.orderOf.set(token, clientOrderId);
        this.matcher.newOrder(symbolId, s.owner, clientOrderId, side, market ? OrderType.Market : OrderType.Limit, market ? TimeInForce.IOC : tif,
          market ? 0 : Number(values.price), Number(values.quantity), 0);
        break;
      }
      case 'cancelOrder': {
        this.counts.cancels++;
        const clientOrderId = s.orderOf.get(token);
        if (clientOrderId === undefined || this.mode === 'reject-orders') {
          this.answer(s, 'rejected', { token, reason: 'other' });
          return;
        }
        this.matcher.cancel(this.symbolOf(s, clientOrderId), s.owner, clientOrderId, 0);
        break;
      }
      case 'replaceOrder': {
        this.counts.replaces++;
        const clientOrderId = s.orderOf.get(token);
        const newToken = String(values.newToken ?? '');
        s.requestToken = newToken;
        if (clientOrderId === undefined || this.mode === 'reject-orders' || s.orderOf.has(newToken)) {
          this.answer(s, 'rejected', { token: newToken, reason: 'other' });
          return;
        }
        s.replacing = { clientOrderId, newToken };
        this.matcher.replace(this.symbolOf(s, clientOrderId), s.owner, clientOrderId, Number(values.price), Number(values.quantity), 0);
        break;
      }
      default:
        return;
    }
    this.dispatch();
    s.replacing = null;
  }

  private readonly symbolOfOrder = new Map<string, number>();

  private symbolOf(s: PeerSession, clientOrderId: number): number {
    return this.symbolOfOrder.get(`${s.owner}:${clientOrderId}`) ?? 0;
  }

  /** Hands the matcher's events to their owners' sessions as messages. */
  private dispatch(): void {
    const events = this.matcher.events.events();
    this.matcher.events.clear();
    for (const e of events) this.deliver(e);
  }

  private deliver(e: MatchEvent): void {
    if (e.kind === EventKind.Trade || e.kind === EventKind.LevelUpdate || e.kind === EventKind.Quote) return;
    const s = this.sessions.get(e.owner);
    if (s === undefined) return;
    const token = s.tokenOf.get(e.clientOrderId) ?? s.requestToken;
    switch (e.kind) {
      case EventKind.Accepted:
        this.symbolOfOrder.set(`${s.owner}:${e.clientOrderId}`, e.symbolId);
        if (this.mode === 'fill-after-cancel') this.priceOf.set(token, e.price);
        this.answer(s, 'accepted', { token, side: e.side === Side.Buy ? 'buy' : 'sell', quantity: e.quantity, price: e.price,
          symbol: this.symbolNames.get(e.symbolId) ?? '', orderRef: e.orderId });
        return;
      case EventKind.Rejected:
        this.answer(s, 'rejected', { token: s.requestToken, reason: REJECT_NAMES[e.reason] ?? 'other' });
        if (e.requestType === RequestType.NewOrder) this.forget(s, e.clientOrderId);
        return;
      case EventKind.Fill: {
        const extra = this.mode === 'overfill' && e.leavesQuantity === 0 && this.lieOnce(token) ? 5 : 0;
        this.answer(s, 'executed', { token, quantity: e.quantity + extra, price: e.price, matchNumber: e.tradeId });
        if (e.leavesQuantity === 0) this.forget(s, e.clientOrderId);
        return;
      }
      case EventKind.Canceled:
        this.answer(s, 'canceled', { token, quantity: e.canceledQuantity, reason: CANCEL_NAMES[e.reason] ?? 'userRequested' });
        if (this.mode === 'fill-after-cancel' && e.reason === CancelReason.User && this.lieOnce(token)) {
          this.answer(s, 'executed', { token, quantity: 1, price: this.priceOf.get(token) ?? 0, matchNumber: 0 });
        }
        this.forget(s, e.clientOrderId);
        return;
      case EventKind.Replaced: {
        const r = s.replacing;
        if (r === null) return;
        s.orderOf.delete(token);
        s.tokenOf.set(r.clientOrderId, r.newToken);
        s.orderOf.set(r.newToken, r.clientOrderId);
        this.answer(s, 'replaced', { token: r.newToken, previousToken: token, quantity: e.leavesQuantity, price: e.price, orderRef: e.orderId });
        return;
      }
    }
  }

  /** fill-after-cancel: each order's limit by its first token (for the lie's price). */
  private readonly priceOf = new Map<string, number>();

  /** Whether to lie about the order under `token` (the first time only). */
  private lieOnce(token: string): boolean {
    if (this.counts.liedAbout !== '') return false;
    this.counts.liedAbout = token;
    return true;
  }

  private forget(s: PeerSession, clientOrderId: number): void {
    const token = s.tokenOf.get(clientOrderId);
    s.tokenOf.delete(clientOrderId);
    if (token !== undefined) s.orderOf.delete(token);
    this.symbolOfOrder.delete(`${s.owner}:${clientOrderId}`);
  }

  /** Sends the first fromEngine message of `role` with `values` (codes the set does not name are left blank). */
  private answer(s: PeerSession, role: SoupMessage['role'], values: SoupValues): void {
    const m = this.out[role];
    if (m === undefined) return;
    const usable: SoupValues = {};
    for (const [k, v] of Object.entries(values) as [keyof SoupValues, string | number][]) {
      const f = m.byRole[k];
      if (f === undefined) continue;
      if (f.codes.size > 0 && typeof v === 'string' && !f.codes.has(v)) continue;
      usable[k] = k === 'symbol' && f.binary !== null && typeof v === 'string' ? this.symbolIds.get(v) ?? 0 : v;
    }
    this.sequence++;
    this.send(s, this.codec.encode(m, usable));
  }
}
