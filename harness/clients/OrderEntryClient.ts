/**
 * The harness's order-entry client for any engine that speaks docs/PROTOCOL.md over TCP.
 *
 * ```
 *  caller ─ newOrder / cancel / replace ─► encodeInto(slab) ──┐  sequence + clock stamp at the call
 *  timer  ─ HEARTBEAT when idle for one interval ────────────►├─► one socket.write per event-loop turn
 *                                                             ┘   (queueMicrotask flush)
 *  socket ─ read ─► FrameReader (length, CRC, version) ─► sequence check ─► LOGIN_ACK → connect() resolves
 *                   one clock read per chunk = receivedNs      │             reports → onReport(report, receivedNs)
 *                                                              │             LOGOUT / SESSION_ERROR → onClose
 *                   bad frame, gap, unexpected type ───────────┴─► SESSION_ERROR to the engine, onClose
 *  timer  ─ nothing received for deadAfterIntervals intervals ─► SESSION_ERROR HeartbeatTimeout, onClose
 * ```
 *
 * Hand-written on purpose, over the shared codec: this is the load generator's hot path (tens of
 * thousands of requests per second per connection), so a request is encoded straight into a
 * preallocated slab (no Buffer and no promise per frame) and the frames of one turn leave in one
 * write, which a general-purpose client library would not do for this binary protocol.
 *
 * Backpressure: the client never refuses to send. {@link OrderEntryClient.writableLength} says how
 * many bytes are waiting to go out (an engine that does not read makes it grow), and
 * {@link OrderEntryClient.backpressured} says whether it is above `maxWritableBytes`. An open-model
 * load generator must look at it before sending and decide (count the request as not sent, stop
 * the phase), or it buffers without bound.
 */
import type net from 'node:net';
import { monotonicNowNs, type NsClock } from '../../engine/gateway/monotonicNowNs.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { LogoutReason, SessionErrorReason, codeName } from '../../engine/protocol/codes.js';
import { encodeInto } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { DEFAULT_MAX_FRAME_LENGTH, messageLayout } from '../../engine/protocol/messageLayouts.js';
import {
  MessageType,
  type CancelMessage,
  type HeartbeatMessage,
  type Message,
  type NewOrderMessage,
  type ReplaceMessage,
} from '../../engine/protocol/messages.js';
import { ProtocolError } from '../../engine/protocol/ProtocolError.js';
import { connectSharedReads } from './connectSharedReads.js';
import { TargetError } from './TargetError.js';

/** Options of {@link OrderEntryClient.connect}; each documents its default. */
export interface OrderEntryClientOptions {
  /** Engine address. Default 127.0.0.1. */
  readonly host?: string;
  /** Engine order-entry port. */
  readonly port: number;
  /** LOGIN clientId (u32): the owner of this session's orders. */
  readonly clientId: number;
  /** Requested heartbeat interval, ms (100..60000); the engine's LOGIN_ACK has the last word. Default 1,000. */
  readonly heartbeatIntervalMs?: number;
  /** Longest wait for the TCP connection, ms. Default 2,000. */
  readonly connectTimeoutMs?: number;
  /** Longest wait from connected to LOGIN_ACK, ms. Default 2,000. */
  readonly loginTimeoutMs?: number;
  /** The engine is dead after this many heartbeat intervals without a frame. Default 3 (the protocol's). */
  readonly deadAfterIntervals?: number;
  /** Longest wait for the engine's LOGOUT after ours, ms. Default 2,000. */
  readonly logoutTimeoutMs?: number;
  /** Bytes waiting to go out above which {@link OrderEntryClient.backpressured} is true. Default 4 MiB. */
  readonly maxWritableBytes?: number;
  /** Longest frame accepted from the engine, bytes (88..65535). Default 4,096. */
  readonly maxFrameLength?: number;
  /** Monotonic clock, integer ns: stamps `timestampNs` and `receivedNs`. Default engine/gateway/monotonicNowNs. */
  readonly clock?: NsClock;
  /**
   * Every ACK, REJECT, FILL, CANCELED and REPLACED, in the engine's order, with the clock's time
   * when the chunk that completed it was read (one reading per chunk). The message object is the
   * receiver's to keep. Must not throw.
   */
  readonly onReport?: (report: ExecutionReport, receivedNs: number) => void;
  /** Called once when the session ends after LOGIN_ACK, with why. Must not throw. */
  readonly onClose?: (reason: CloseReason) => void;
}

/** The defaults of {@link OrderEntryClientOptions}. */
export const ORDER_ENTRY_CLIENT_DEFAULTS = {
  host: '127.0.0.1',
  heartbeatIntervalMs: 1_000,
  connectTimeoutMs: 2_000,
  loginTimeoutMs: 2_000,
  deadAfterIntervals: 3,
  logoutTimeoutMs: 2_000,
  maxWritableBytes: 4 * 1024 * 1024,
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
} as const;

/** How a session ended. */
export type CloseKind =
  /** Our {@link OrderEntryClient.logout} was answered with the engine's LOGOUT. */
  | 'logged-out'
  /** The engine sent LOGOUT on its own (Shutdown). `code` is the LogoutReason. */
  | 'engine-logout'
  /** The engine sent SESSION_ERROR. `code` is the SessionErrorReason. */
  | 'session-error'
  /** The engine sent a bad frame, a frame out of sequence or of a type it never sends; we sent SESSION_ERROR (`code`). */
  | 'protocol-error'
  /** Nothing arrived for deadAfterIntervals heartbeat intervals; we sent SESSION_ERROR HeartbeatTimeout. */
  | 'heartbeat-timeout'
  /** Our LOGOUT got no answer within logoutTimeoutMs. */
  | 'logout-unanswered'
  /** The connection closed without LOGOUT or SESSION_ERROR. */
  | 'connection-lost'
  /** {@link OrderEntryClient.destroy} was called. */
  | 'destroyed';

/** Why a session ended. */
export interface CloseReason {
  readonly kind: CloseKind;
  /** One line: what happened, with the numbers. */
  readonly detail: string;
  /** The LOGOUT or SESSION_ERROR reason code, when one was sent or received. */
  readonly code?: number;
}

/** Where a client is in its life. */
export type OrderEntryClientState = 'connecting' | 'awaiting-login-ack' | 'active' | 'logging-out' | 'closed';

/** NEW_ORDER fields the caller chooses (the client adds type, sequence and timestamp). */
export type NewOrderFields = Omit<NewOrderMessage, 'type' | 'sequence' | 'timestampNs'>;
/** CANCEL fields the caller chooses. */
export type CancelFields = Omit<CancelMessage, 'type' | 'sequence' | 'timestampNs'>;
/** REPLACE fields the caller chooses. */
export type ReplaceFields = Omit<ReplaceMessage, 'type' | 'sequence' | 'timestampNs'>;

/** Counters of one client, read afresh on each call. */
export interface OrderEntryClientStats {
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
  readonly reportsReceived: number;
  readonly heartbeatsSent: number;
  /** Frames from the engine that broke the protocol (bad frame, sequence gap, unexpected type): 0 or 1, as the first ends the session. */
  readonly protocolErrors: number;
}

/** Bytes per write slab: frames of one turn are encoded back to back into it. */
const SLAB_BYTES = 64 * 1024;
const NS_PER_MS = 1_000_000;

type Resolved = Required<Omit<OrderEntryClientOptions, 'onReport' | 'onClose'>> &
  Pick<OrderEntryClientOptions, 'onReport' | 'onClose'>;

/** Every problem with `options` merged with the defaults, each naming its field. */
export function orderEntryClientOptionProblems(options: OrderEntryClientOptions): string[] {
  const o = { ...ORDER_ENTRY_CLIENT_DEFAULTS, ...options };
  const problems: string[] = [];
  const int = (name: string, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name} must be an integer in ${min}..${max}, got ${value}`);
  };
  if (typeof o.host !== 'string' || o.host.length === 0) problems.push('host must be a non-empty string');
  int('port', o.port, 1, 65_535);
  int('clientId', o.clientId, 0, 0xffff_ffff);
  int('heartbeatIntervalMs', o.heartbeatIntervalMs, 100, 60_000);
  for (const name of ['connectTimeoutMs', 'loginTimeoutMs', 'logoutTimeoutMs', 'maxWritableBytes'] as const) {
    if (!(o[name] > 0 && o[name] < Infinity)) problems.push(`${name} must be a positive finite number, got ${o[name]}`);
  }
  int('deadAfterIntervals', o.deadAfterIntervals, 1, 1_000);
  int('maxFrameLength', o.maxFrameLength, 88, 65_535);
  return problems;
}

/**
 * One order-entry session with an engine. Create it with {@link OrderEntryClient.connect}, which
 * resolves once LOGIN_ACK arrived. Requests return synchronously; answers come to `onReport`.
 */
export class OrderEntryClient {
  /** `host:port` of the engine. */
  readonly target: string;
  readonly clientId: number;
  readonly #o: Resolved;
  readonly #clock: NsClock;
  readonly #reader: FrameReader;
  #socket: net.Socket | undefined;
  #state: OrderEntryClientState = 'connecting';
  #sessionId = 0;
  #heartbeatIntervalMs: number;
  #nextOutboundSequence = 1;
  #nextInboundSequence = 1;
  #lastSentNs = 0;
  #lastReceivedNs = 0;
  #slab: Buffer = Buffer.allocUnsafe(SLAB_BYTES);
  /** First byte of the slab not yet handed to socket.write; bytes before it belong to the socket. */
  #slabStart = 0;
  #slabUsed = 0;
  #flushScheduled = false;
  /** LOGIN_ACK arrived at some point: onClose is owed when the session ends. */
  #loggedIn = false;
  #timer: NodeJS.Timeout | undefined;
  #phaseTimer: NodeJS.Timeout | undefined;
  #connecting: { resolve: (c: OrderEntryClient) => void; reject: (e: TargetError) => void } | undefined;
  #closeReason: CloseReason | undefined;
  readonly #closed: Promise<CloseReason>;
  #settleClosed: (reason: CloseReason) => void = () => {};
  #framesSent = 0;
  #bytesSent = 0;
  #framesReceived = 0;
  #bytesReceived = 0;
  #reportsReceived = 0;
  #heartbeatsSent = 0;
  #protocolErrors = 0;
  // One message object per request type, overwritten per send (messages.ts allows it): nothing allocated per request.
  readonly #newOrder: NewOrderMessage = { type: MessageType.NewOrder, symbolId: 0, sequence: 0, timestampNs: 0, clientOrderId: 0,
    price: 0, quantity: 0, side: 0, orderType: 0, timeInForce: 0 };
  readonly #cancel: CancelMessage = { type: MessageType.Cancel, symbolId: 0, sequence: 0, timestampNs: 0, clientOrderId: 0 };
  readonly #replace: ReplaceMessage = { type: MessageType.Replace, symbolId: 0, sequence: 0, timestampNs: 0, clientOrderId: 0,
    price: 0, quantity: 0 };
  readonly #heartbeat: HeartbeatMessage = { type: MessageType.Heartbeat, symbolId: 0, sequence: 0, timestampNs: 0 };

  private constructor(options: Resolved) {
    this.#o = options;
    this.#clock = options.clock;
    this.target = `${options.host}:${options.port}`;
    this.clientId = options.clientId;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.#reader = new FrameReader({ maxFrameLength: options.maxFrameLength });
    this.#closed = new Promise((resolve) => { this.#settleClosed = resolve; });
  }

  /**
   * Connects, sends LOGIN and resolves once LOGIN_ACK arrived.
   *
   * @throws RangeError (synchronously rejected) listing every bad option at once.
   * @throws TargetError `unreachable` (no connection within connectTimeoutMs, ECONNREFUSED, …),
   *   `login-refused` (SESSION_ERROR or LOGOUT instead of LOGIN_ACK, with the reason's name) or
   *   `protocol` (a bad or unexpected frame, nothing within loginTimeoutMs, a close before LOGIN_ACK).
   */
  static connect(options: OrderEntryClientOptions): Promise<OrderEntryClient> {
    const problems = orderEntryClientOptionProblems(options);
    if (problems.length > 0) return Promise.reject(new RangeError(`invalid order-entry client options: ${problems.join('; ')}`));
    const client = new OrderEntryClient({ ...ORDER_ENTRY_CLIENT_DEFAULTS, clock: monotonicNowNs, ...options } as Resolved);
    return client.#open();
  }

  /** Where the session is in its life. */
  get state(): OrderEntryClientState {
    return this.#state;
  }

  /** True while requests may be sent (LOGIN_ACK received, no LOGOUT or error yet). */
  get active(): boolean {
    return this.#state === 'active';
  }

  /** The LOGIN_ACK's sessionId (0 before it). */
  get sessionId(): number {
    return this.#sessionId;
  }

  /** The heartbeat interval in force, ms: the LOGIN_ACK's once it arrived. */
  get heartbeatIntervalMs(): number {
    return this.#heartbeatIntervalMs;
  }

  /** The sequence the next frame sent carries. */
  get nextSequence(): number {
    return this.#nextOutboundSequence;
  }

  /** Why the session ended; undefined while open. */
  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  /** Resolves with the close reason once the session has ended (never rejects). */
  get closed(): Promise<CloseReason> {
    return this.#closed;
  }

  /** Bytes encoded and not yet taken by the kernel: this turn's unflushed frames plus the socket's buffer. */
  get writableLength(): number {
    return this.#slabUsed - this.#slabStart + (this.#socket?.writableLength ?? 0);
  }

  /** The bound {@link backpressured} compares against, bytes. */
  get maxWritableBytes(): number {
    return this.#o.maxWritableBytes;
  }

  /** True when {@link writableLength} is above `maxWritableBytes`: the engine is not reading fast enough. */
  get backpressured(): boolean {
    return this.writableLength > this.#o.maxWritableBytes;
  }

  get stats(): OrderEntryClientStats {
    return {
      framesSent: this.#framesSent,
      bytesSent: this.#bytesSent,
      framesReceived: this.#framesReceived,
      bytesReceived: this.#bytesReceived,
      reportsReceived: this.#reportsReceived,
      heartbeatsSent: this.#heartbeatsSent,
      protocolErrors: this.#protocolErrors,
    };
  }

  /**
   * Sends NEW_ORDER with the next sequence, stamped with the clock now. Returns that timestampNs
   * (the engine echoes it in the order's reports).
   *
   * @throws Error unless {@link active}; ProtocolError (ValueOutOfRange) for a field that does not
   *   fit its wire type. Either way nothing is sent and no sequence is used.
   */
  newOrder(fields: NewOrderFields): number {
    const m = this.#newOrder;
    m.symbolId = fields.symbolId;
    m.clientOrderId = fields.clientOrderId;
    m.price = fields.price;
    m.quantity = fields.quantity;
    m.side = fields.side;
    m.orderType = fields.orderType;
    m.timeInForce = fields.timeInForce;
    return this.#request(m);
  }

  /** Sends CANCEL; as {@link newOrder}. */
  cancel(fields: CancelFields): number {
    const m = this.#cancel;
    m.symbolId = fields.symbolId;
    m.clientOrderId = fields.clientOrderId;
    return this.#request(m);
  }

  /** Sends REPLACE; as {@link newOrder}. */
  replace(fields: ReplaceFields): number {
    const m = this.#replace;
    m.symbolId = fields.symbolId;
    m.clientOrderId = fields.clientOrderId;
    m.price = fields.price;
    m.quantity = fields.quantity;
    return this.#request(m);
  }

  /**
   * Ends the session cleanly: LOGOUT UserRequested, then waits for the engine's LOGOUT (reports
   * before it still reach onReport) at most logoutTimeoutMs. Wait for the reports you need first:
   * reports of requests still inside the engine are not delivered after LOGOUT. Resolves with the
   * close reason; on a session that already ended, with the reason it ended.
   */
  logout(): Promise<CloseReason> {
    if (this.#state === 'active') {
      this.#send({ type: MessageType.Logout, symbolId: 0, sequence: 0, timestampNs: 0, reason: LogoutReason.UserRequested });
      this.#flush();
      this.#state = 'logging-out';
      this.#phaseTimer = setTimeout(() => this.#finish({ kind: 'logout-unanswered',
        detail: `${this.target} did not answer LOGOUT within ${this.#o.logoutTimeoutMs} ms` }), this.#o.logoutTimeoutMs);
    } else if (this.#state !== 'logging-out' && this.#state !== 'closed') {
      this.destroy();
    }
    return this.#closed;
  }

  /** Closes the connection at once, without LOGOUT. */
  destroy(): void {
    this.#finish({ kind: 'destroyed', detail: 'closed by the caller without LOGOUT' });
  }

  #request(message: Message): number {
    if (this.#state !== 'active') {
      throw new Error(`client ${this.clientId} at ${this.target} cannot send ${messageLayout(message.type)?.name}: the session is ` +
        `${this.#state}${this.#closeReason === undefined ? '' : ` (${this.#closeReason.detail})`}`);
    }
    return this.#send(message);
  }

  /** Encodes `message` with the next sequence and the clock's time into the slab; returns the time. */
  #send(message: Message): number {
    const length = 88; // the longest order-entry frame: a frame always fits if this much is free
    if (this.#slabUsed + length > this.#slab.length) {
      this.#flush();
      this.#slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.#slabStart = 0;
      this.#slabUsed = 0;
    }
    const nowNs = this.#clock();
    message.sequence = this.#nextOutboundSequence;
    message.timestampNs = nowNs;
    // Throws before anything changes but slab bytes past #slabUsed, which nobody owns yet.
    const written = encodeInto(message, this.#slab, this.#slabUsed, this.#o.maxFrameLength);
    this.#slabUsed += written;
    this.#nextOutboundSequence++;
    this.#framesSent++;
    this.#bytesSent += written;
    this.#lastSentNs = nowNs;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
    return nowNs;
  }

  /** Hands this turn's frames to the socket in one write. The slab region written is never reused. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#slabUsed === this.#slabStart) return;
    const socket = this.#socket;
    if (socket !== undefined && !socket.destroyed && socket.writable) socket.write(this.#slab.subarray(this.#slabStart, this.#slabUsed));
    this.#slabStart = this.#slabUsed;
  };

  #open(): Promise<OrderEntryClient> {
    const o = this.#o;
    const answer = new Promise<OrderEntryClient>((resolve, reject) => { this.#connecting = { resolve, reject }; });
    const socket = connectSharedReads(o.host, o.port, (chunk) => this.#receive(chunk));
    this.#socket = socket;
    this.#phaseTimer = setTimeout(() => this.#refuse(new TargetError('unreachable', this.target,
      `no TCP connection to ${this.target} within ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(this.#phaseTimer);
      if (this.#state !== 'connecting') return;
      this.#state = 'awaiting-login-ack';
      this.#send({ type: MessageType.Login, symbolId: 0, sequence: 0, timestampNs: 0, clientId: o.clientId,
        heartbeatIntervalMs: o.heartbeatIntervalMs });
      this.#flush();
      this.#phaseTimer = setTimeout(() => this.#refuse(new TargetError('protocol', this.target,
        `${this.target} accepted the connection but sent no LOGIN_ACK within ${o.loginTimeoutMs} ms: is it a matchbench-protocol engine?`)),
      o.loginTimeoutMs);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.#state === 'connecting') {
        const detail = error.code === 'ECONNREFUSED' ? `nothing listens at ${this.target} (ECONNREFUSED)`
          : `cannot connect to ${this.target}: ${error.code ?? error.message}`;
        this.#refuse(new TargetError('unreachable', this.target, detail));
      } else {
        this.#finish({ kind: 'connection-lost', detail: `connection to ${this.target} failed: ${error.code ?? error.message}` });
      }
    });
    socket.on('close', () => this.#finish({ kind: 'connection-lost', detail: `${this.target} closed the connection` }));
    return answer;
  }

  /** connect() fails: reject with `error`, close the socket. */
  #refuse(error: TargetError): void {
    const settle = this.#connecting;
    this.#connecting = undefined;
    this.#finish({ kind: 'connection-lost', detail: error.message });
    settle?.reject(error);
  }

  #receive(chunk: Uint8Array): void {
    this.#bytesReceived += chunk.length;
    if (this.#state === 'closed') return;
    this.#reader.push(chunk);
    this.#drain();
    // The chunk is the thread's shared read buffer (connectSharedReads), which the next read overwrites.
    this.#reader.retainUnread();
  }

  /** Handles every whole frame the reader holds. */
  #drain(): void {
    const reader = this.#reader;
    // One clock reading per chunk: its frames all arrived together.
    const nowNs = this.#clock();
    for (;;) {
      let message: Message | undefined;
      try {
        message = reader.next();
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.#violation(error.reason, error.refSequence, `bad frame from ${this.target}: ${error.message}`);
        return;
      }
      if (message === undefined) return;
      this.#framesReceived++;
      this.#lastReceivedNs = nowNs;
      this.#accept(message, nowNs);
      // #accept may have ended the session (TypeScript cannot see that through the call).
      if ((this.#state as OrderEntryClientState) === 'closed') return;
    }
  }

  #accept(m: Message, nowNs: number): void {
    const type = m.type;
    const expectingAck = this.#state === 'awaiting-login-ack';
    const engineSends = type === MessageType.LoginAck ? expectingAck
      : type === MessageType.SessionError || type === MessageType.Logout || (!expectingAck && (type === MessageType.Heartbeat ||
        type === MessageType.Ack || type === MessageType.Reject || type === MessageType.Fill || type === MessageType.Canceled ||
        type === MessageType.Replaced));
    if (!engineSends) {
      this.#violation(SessionErrorReason.UnexpectedMessage, m.sequence, `${this.target} sent ${messageLayout(type)?.name ?? type}` +
        (expectingAck ? ' where LOGIN_ACK was due' : ', which an engine never sends on order entry'));
      return;
    }
    if (m.sequence !== this.#nextInboundSequence) {
      this.#violation(SessionErrorReason.SequenceGap, m.sequence,
        `${this.target} sent sequence ${m.sequence} where ${this.#nextInboundSequence} was due`);
      return;
    }
    this.#nextInboundSequence++;
    switch (m.type) {
      case MessageType.Ack:
      case MessageType.Reject:
      case MessageType.Fill:
      case MessageType.Canceled:
      case MessageType.Replaced:
        this.#reportsReceived++;
        this.#o.onReport?.(m, nowNs);
        return;
      case MessageType.Heartbeat:
        return;
      case MessageType.LoginAck: {
        clearTimeout(this.#phaseTimer);
        this.#state = 'active';
        this.#loggedIn = true;
        this.#sessionId = m.sessionId;
        this.#heartbeatIntervalMs = m.heartbeatIntervalMs;
        const tickMs = Math.min(250, Math.max(10, Math.floor(m.heartbeatIntervalMs / 10)));
        this.#timer = setInterval(this.#tick, tickMs);
        this.#timer.unref();
        const settle = this.#connecting;
        this.#connecting = undefined;
        settle?.resolve(this);
        return;
      }
      case MessageType.Logout: {
        const name = codeName(LogoutReason, m.reason);
        if (expectingAck) {
          this.#refuse(new TargetError('login-refused', this.target, `${this.target} answered LOGIN with LOGOUT ${name}`, name));
          return;
        }
        const ours = this.#state === 'logging-out';
        this.#finish({ kind: ours ? 'logged-out' : 'engine-logout', code: m.reason,
          detail: ours ? `logged out; ${this.target} answered LOGOUT ${name}` : `${this.target} sent LOGOUT ${name}` });
        return;
      }
      case MessageType.SessionError: {
        const name = codeName(SessionErrorReason, m.reason);
        if (expectingAck) {
          this.#refuse(new TargetError('login-refused', this.target,
            `${this.target} refused the LOGIN of client ${this.clientId}: SESSION_ERROR ${name}`, name));
          return;
        }
        this.#finish({ kind: 'session-error', code: m.reason,
          detail: `${this.target} sent SESSION_ERROR ${name} (refSequence ${m.refSequence})` });
        return;
      }
      default:
        return;
    }
  }

  /** The engine broke the protocol: SESSION_ERROR to it, then close (connect() rejects with `protocol`). */
  #violation(reason: number, refSequence: number, detail: string): void {
    this.#protocolErrors++;
    const name = codeName(SessionErrorReason, reason);
    this.#sendLast(reason, refSequence);
    if (this.#connecting !== undefined) {
      this.#refuse(new TargetError('protocol', this.target, `${detail} (${name})`, name));
      return;
    }
    this.#finish({ kind: 'protocol-error', code: reason, detail: `${detail} (${name}); sent SESSION_ERROR` });
  }

  /** SESSION_ERROR as our last frame, whatever the state (it is sent even before LOGIN_ACK). */
  #sendLast(reason: number, refSequence: number): void {
    if (this.#state === 'closed' || this.#state === 'connecting') return;
    this.#send({ type: MessageType.SessionError, symbolId: 0, sequence: 0, timestampNs: 0, reason, refSequence });
    this.#flush();
  }

  /** Heartbeats and the dead-engine check, every tenth of an interval (10..250 ms). */
  readonly #tick = (): void => {
    if (this.#state !== 'active' && this.#state !== 'logging-out') return;
    const nowNs = this.#clock();
    const intervalNs = this.#heartbeatIntervalMs * NS_PER_MS;
    const silentNs = nowNs - this.#lastReceivedNs;
    if (silentNs >= this.#o.deadAfterIntervals * intervalNs) {
      this.#sendLast(SessionErrorReason.HeartbeatTimeout, 0);
      this.#finish({ kind: 'heartbeat-timeout', code: SessionErrorReason.HeartbeatTimeout,
        detail: `nothing from ${this.target} for ${Math.round(silentNs / NS_PER_MS)} ms ` +
          `(${this.#o.deadAfterIntervals} intervals of ${this.#heartbeatIntervalMs} ms); sent SESSION_ERROR HeartbeatTimeout` });
      return;
    }
    if (this.#state === 'active' && nowNs - this.#lastSentNs >= intervalNs) {
      this.#send(this.#heartbeat);
      this.#heartbeatsSent++;
    }
  };

  /** Ends the session once: timers off, socket ended (what was written still goes out), onClose. */
  #finish(reason: CloseReason): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closeReason = reason;
    clearTimeout(this.#phaseTimer);
    clearInterval(this.#timer);
    const socket = this.#socket;
    if (socket !== undefined) {
      this.#flush();
      if (reason.kind === 'destroyed' || reason.kind === 'connection-lost') socket.destroy();
      else {
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      }
    }
    // A connect() still pending learns it from #refuse (or here, for a close before LOGIN_ACK).
    const settle = this.#connecting;
    this.#connecting = undefined;
    settle?.reject(new TargetError('protocol', this.target, `${this.target} closed the connection before LOGIN_ACK`));
    this.#settleClosed(reason);
    if (this.#loggedIn) this.#o.onClose?.(reason);
  }
}
