import { codeName, LogoutReason, SessionErrorReason } from '../protocol/codes.js';
import { encodeStamped, encodeStampedInto } from '../protocol/encode.js';
import { FrameReader } from '../protocol/FrameReader.js';
import { messageLayout, messageLayouts, type Sender } from '../protocol/messageLayouts.js';
import { MessageType, type LoginMessage, type Message } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/ProtocolError.js';
import { monotonicNowNs, type NsClock } from './monotonicNowNs.js';
import { resolveSessionLimits, type SessionLimits, type SessionLimitsOptions } from './sessionLimits.js';
import { TokenBucket } from './TokenBucket.js';

const NS_PER_MS = 1_000_000;
const U32_MAX = 0xffff_ffff;

/**
 * Where a session is in its life:
 * - `awaitingLogin`: connected, no valid LOGIN yet (only LOGIN is accepted; LoginTimeout runs);
 * - `active`: LOGIN_ACK sent; requests, heartbeats and reports flow;
 * - `closing`: the session sent its last frame (SESSION_ERROR or LOGOUT) or got the peer's, and
 *   asked its output to close; it reads and sends nothing more;
 * - `closed`: the gateway reported the connection gone ({@link GatewaySession.disconnected}).
 */
export type SessionState = 'awaitingLogin' | 'active' | 'closing' | 'closed';

/** A message without the header fields the session fills in when it sends it (`sequence`, `timestampNs`). */
export type Unstamped<M extends Message> = M extends Message ? Omit<M, 'sequence' | 'timestampNs'> : never;

/** The peer sides a gateway session serves. */
export type PeerSender = Extract<Sender, 'orderEntryClient' | 'marketDataSubscriber'>;

/**
 * What a session does to the world; the gateway implements it for one connection. Calls are
 * synchronous and in protocol order: a frame handed to `send` goes on the wire before any later one.
 */
export interface SessionOutput {
  /**
   * Writes one encoded frame to the connection. The frame is a new Buffer that the output owns
   * (it may queue it without copying).
   */
  send(frame: Buffer): void;
  /**
   * When present, used instead of `send`: writes `bytes[0 .. length)`, one encoded frame, to the
   * connection. The bytes are the session's scratch space: copy them before returning. Saves a
   * Buffer per frame on the engine's report path.
   */
  sendCopy?(bytes: Uint8Array, length: number): void;
  /**
   * The session is over: flush what was sent, then close the connection, and call
   * {@link GatewaySession.disconnected} once it is closed. Called once; nothing is sent after it.
   *
   * @param reason one line for the log, e.g. `SESSION_ERROR SequenceGap (refSequence 12): expected sequence 11, got 12`.
   */
  close(reason: string): void;
  /**
   * Asked for a LOGIN that passed every protocol check, before LOGIN_ACK. Return a reason to send
   * SESSION_ERROR with instead of LOGIN_ACK (TooManyConnections; InvalidLogin for a client id
   * already logged in on another connection, which would share its orders), or undefined to let
   * it in. Absent: every such LOGIN is let in.
   */
  admit?(clientId: number): SessionErrorReason | undefined;
  /** The LOGIN_ACK has been handed to `send`: from now on the session is active. */
  loggedIn?(clientId: number): void;
}

/** Options common to both kinds of session; each documents its default. */
export interface GatewaySessionOptions {
  /** Sent in LOGIN_ACK; assigned by the gateway, one per connection. u32. */
  readonly sessionId: number;
  /** Default {@link SESSION_LIMIT_DEFAULTS}, field by field. */
  readonly limits?: SessionLimitsOptions;
  /**
   * Monotonic clock, integer ns: drives every timer and stamps `timestampNs` on sent frames.
   * Default {@link monotonicNowNs}. Tests pass a manual clock.
   */
  readonly clock?: NsClock;
}

/** Counters of one session, for logs and /metrics. */
export interface SessionStats {
  readonly state: SessionState;
  /** Frames received that decoded (the last one may have ended the session). */
  readonly framesIn: number;
  /** Bytes received, whole or not, including any after the session stopped reading. */
  readonly bytesIn: number;
  /** Frames this session encoded and handed to `send` (market-data feed frames are the broadcaster's). */
  readonly framesOut: number;
  readonly bytesOut: number;
  /** Requests handed to the engine: commands on order entry, snapshot requests on market data. */
  readonly requestsForwarded: number;
  /** Frames the engine asked this session to send when it was not active (not sent). */
  readonly framesDropped: number;
}

/**
 * The socket-agnostic state machine of one gateway connection: the protocol's login, sequence,
 * heartbeat and session-error rules (docs/PROTOCOL.md, "Decoding order", "Sequence rules",
 * "Session rules"), shared by {@link OrderEntrySession} and {@link MarketDataSession}.
 *
 * ```
 *  socket data ─► receive(chunk) ─► FrameReader, decode ─► session checks ──────────► rate limit ─► effect
 *                                   (decoding order 1–8)   1 UnexpectedMessage                       LOGIN     → LOGIN_ACK
 *                                           │              2 NotLoggedIn / DuplicateLogin            HEARTBEAT → nothing
 *                                           │              3 SequenceGap                             LOGOUT    → LOGOUT, close
 *                                           │              4 InvalidLogin                            request   → subclass
 *                                           ▼                      │                    │
 *                                  SESSION_ERROR, close ◄──────────┴────────────────────┘
 *  timer  ─► tick() ─► LoginTimeout, HeartbeatTimeout, heartbeat when idle
 *  engine ─► report / snapshot / shutdown ─► encode (outbound sequence, clock) ─► output.send
 * ```
 *
 * A frame that fails a check, or breaks the rate limit, has no effect: the session answers with
 * SESSION_ERROR and closes. Frames before it in the same chunk have taken effect. Nothing is
 * sent after the session's SESSION_ERROR or LOGOUT, and nothing more is read.
 *
 * Timers run only from {@link tick}: the gateway calls it at least as often as the precision it
 * wants from timeouts and heartbeats (e.g. every 10 ms), or at {@link nextDeadlineNs}.
 */
export abstract class GatewaySession {
  /** Sent in LOGIN_ACK. */
  readonly sessionId: number;
  /** The limits in force, defaults filled in. */
  readonly limits: SessionLimits;
  /** The injected clock (integer ns). */
  protected readonly clock: NsClock;
  readonly #peer: PeerSender;
  readonly #output: SessionOutput;
  /** `#peerSends[type]` is 1 for the types the peer may send on this channel (the layouts' `senders`). */
  readonly #peerSends: Uint8Array;
  readonly #reader: FrameReader;
  readonly #bucket: TokenBucket;
  // Number fields start at 0 where declared (see TokenBucket: otherwise V8 boxes every double stored).
  readonly #connectedAtNs: number = 0;
  #state: SessionState = 'awaitingLogin';
  #clientId: number | undefined;
  #heartbeatIntervalMs: number | undefined;
  #nextInboundSequence = 1;
  #lastReceivedAtNs = 0;
  #lastSentAtNs = 0;
  #closeReason: string | undefined;
  #framesIn = 0;
  #bytesIn = 0;
  #framesOut = 0;
  #bytesOut = 0;
  #requestsForwarded = 0;
  #framesDropped = 0;
  /** Where frames are encoded for {@link SessionOutput.sendCopy}: the longest frame this session may send. */
  #scratch: Buffer | undefined;

  /**
   * The session starts in `awaitingLogin`, with the login timeout running from now.
   *
   * @throws RangeError for a `sessionId` that is not a u32 or for invalid limits (every problem at once).
   */
  protected constructor(peer: PeerSender, output: SessionOutput, options: GatewaySessionOptions) {
    if (!Number.isInteger(options.sessionId) || options.sessionId < 0 || options.sessionId > U32_MAX) {
      throw new RangeError(`sessionId must be a u32, got ${options.sessionId}`);
    }
    this.sessionId = options.sessionId;
    this.limits = resolveSessionLimits(options.limits);
    this.clock = options.clock ?? monotonicNowNs;
    this.#peer = peer;
    this.#output = output;
    this.#peerSends = new Uint8Array(256);
    for (const layout of messageLayouts) if (layout.senders.includes(peer)) this.#peerSends[layout.type] = 1;
    this.#reader = new FrameReader({ maxFrameLength: this.limits.maxFrameLength });
    const nowNs = this.clock();
    this.#bucket = new TokenBucket(this.limits.maxFramesPerSecond, this.limits.burstFrames, nowNs);
    this.#connectedAtNs = nowNs;
    this.#lastReceivedAtNs = nowNs;
    this.#lastSentAtNs = nowNs;
  }

  /** Where the session is in its life. */
  get state(): SessionState {
    return this.#state;
  }

  /** The LOGIN's `clientId` (the owner of this session's orders); undefined until a LOGIN was accepted. */
  get clientId(): number | undefined {
    return this.#clientId;
  }

  /** The heartbeat interval in force, ms; undefined until a LOGIN was accepted. */
  get heartbeatIntervalMs(): number | undefined {
    return this.#heartbeatIntervalMs;
  }

  /** The line given to `output.close`, or `connection lost` if the connection went first; undefined while open. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** Counters, read afresh on each call. */
  get stats(): SessionStats {
    return {
      state: this.#state,
      framesIn: this.#framesIn,
      bytesIn: this.#bytesIn,
      framesOut: this.#framesOut,
      bytesOut: this.#bytesOut,
      requestsForwarded: this.#requestsForwarded,
      framesDropped: this.#framesDropped,
    };
  }

  /**
   * Clock time (ns) at which {@link tick} next has something to do: the login timeout, the peer's
   * heartbeat timeout or our next heartbeat, whichever is first. `Infinity` once closing.
   */
  get nextDeadlineNs(): number {
    if (this.#state === 'awaitingLogin') return this.#connectedAtNs + this.limits.loginTimeoutMs * NS_PER_MS;
    if (this.#state !== 'active') return Infinity;
    const intervalNs = (this.#heartbeatIntervalMs ?? 0) * NS_PER_MS;
    return Math.min(this.#lastReceivedAtNs + this.limits.deadAfterIntervals * intervalNs, this.#lastSentAtNs + intervalNs);
  }

  /**
   * Feeds bytes read from the connection, in order, and acts on every whole frame in them.
   * Bytes arriving once the session is closing are counted and ignored.
   *
   * The session keeps a reference to `chunk` (no copy) until it has read past it: do not reuse
   * the buffer (a socket's 'data' chunks are fresh ones).
   */
  receive(chunk: Uint8Array): void {
    this.#bytesIn += chunk.length;
    if (!this.#isOpen()) return;
    const reader = this.#reader;
    reader.push(chunk);
    // One reading for the chunk: its frames all arrived together.
    const nowNs = this.clock();
    while (this.#isOpen()) {
      let message: Message | undefined;
      try {
        message = reader.next();
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.#fail(error.reason, error.refSequence, error.message);
        return;
      }
      if (message === undefined) return;
      this.#framesIn++;
      this.#accept(message, nowNs);
    }
  }

  /**
   * Runs the timers: SESSION_ERROR LoginTimeout when no LOGIN came within `loginTimeoutMs` of
   * connecting, HeartbeatTimeout when nothing arrived for `deadAfterIntervals` heartbeat
   * intervals, and a heartbeat when the session has sent nothing for one interval.
   */
  tick(): void {
    const nowNs = this.clock();
    if (this.#state === 'awaitingLogin') {
      if (nowNs - this.#connectedAtNs >= this.limits.loginTimeoutMs * NS_PER_MS) {
        this.#fail(SessionErrorReason.LoginTimeout, 0, `no LOGIN within ${this.limits.loginTimeoutMs} ms of connecting`);
      }
      return;
    }
    if (this.#state !== 'active') return;
    const intervalMs = this.#heartbeatIntervalMs ?? 0;
    const silentNs = nowNs - this.#lastReceivedAtNs;
    if (silentNs >= this.limits.deadAfterIntervals * intervalMs * NS_PER_MS) {
      this.#fail(
        SessionErrorReason.HeartbeatTimeout,
        0,
        `nothing received for ${Math.round(silentNs / NS_PER_MS)} ms (${this.limits.deadAfterIntervals} intervals of ${intervalMs} ms)`,
      );
      return;
    }
    if (nowNs - this.#lastSentAtNs >= intervalMs * NS_PER_MS) this.transmit(this.heartbeat());
  }

  /** The engine is shutting down: sends LOGOUT Shutdown and closes. Does nothing once closing. */
  shutdown(): void {
    if (!this.#isOpen()) return;
    this.#end({ type: MessageType.Logout, symbolId: 0, reason: LogoutReason.Shutdown }, 'engine shutdown: sent LOGOUT Shutdown');
  }

  /**
   * Ends the session for a reason the gateway found (SlowConsumer, TooManyConnections at once
   * after connecting): SESSION_ERROR with `refSequence` 0, then close. Does nothing once closing.
   *
   * @param detail what happened, for the log line.
   */
  abort(reason: SessionErrorReason, detail: string): void {
    if (!this.#isOpen()) return;
    this.#fail(reason, 0, detail);
  }

  /** The connection is gone (closed by either side): the session is `closed` and does nothing more. */
  disconnected(): void {
    if (this.#state === 'closed') return;
    this.#closeReason ??= `connection lost (state ${this.#state})`;
    this.#state = 'closed';
  }

  /** The sequence the next frame this session sends carries. */
  protected abstract outboundSequence(): number;

  /** Called when a frame carrying {@link outboundSequence} is encoded, just before it goes to `send`. */
  protected abstract frameSent(): void;

  /** The heartbeat this side sends when idle: HEARTBEAT on order entry, FEED_HEARTBEAT on market data. */
  protected abstract heartbeat(): Unstamped<Message>;

  /**
   * A request (not LOGIN, HEARTBEAT, LOGOUT or SESSION_ERROR) of a type the peer sends, that
   * passed every check and has taken its sequence: hand it on.
   *
   * @param clientId the session's LOGIN clientId.
   */
  protected abstract onRequest(message: Message, clientId: number): void;

  /**
   * Encodes `message` with `sequence` and the clock's time and hands it to `send`. Drops it
   * (returns false, counts it) once the session is closing.
   *
   * @param sequence default {@link outboundSequence}.
   * @throws ProtocolError if a field does not fit its wire type; nothing is sent and no sequence is used.
   */
  protected transmit(message: Unstamped<Message>, sequence: number = this.outboundSequence()): boolean {
    if (!this.#isOpen()) {
      this.#framesDropped++;
      return false;
    }
    this.#write(message, sequence);
    return true;
  }

  /** {@link transmit}, but only on an active (logged-in) session; otherwise drops it and returns false. */
  protected transmitWhenActive(message: Unstamped<Message>, sequence: number = this.outboundSequence()): boolean {
    if (this.#state !== 'active') {
      this.#framesDropped++;
      return false;
    }
    return this.transmit(message, sequence);
  }

  /** Something was written to the connection outside this session (the feed): the idle timer restarts. */
  protected markSent(): void {
    if (this.#state === 'active') this.#lastSentAtNs = this.clock();
  }

  #isOpen(): boolean {
    return this.#state === 'awaitingLogin' || this.#state === 'active';
  }

  /** Session rules 1–4, the rate limit, then the frame's effect. */
  #accept(message: Message, nowNs: number): void {
    const sequence = message.sequence;
    const type = message.type;
    if (this.#peerSends[type] !== 1) {
      this.#fail(SessionErrorReason.UnexpectedMessage, sequence, `${nameOf(type)} is never sent by the ${this.#peer} side`);
      return;
    }
    if (this.#state === 'awaitingLogin') {
      if (type !== MessageType.Login) {
        this.#fail(SessionErrorReason.NotLoggedIn, sequence, `${nameOf(type)} before LOGIN`);
        return;
      }
    } else if (type === MessageType.Login) {
      this.#fail(SessionErrorReason.DuplicateLogin, sequence, 'LOGIN on a logged-in session');
      return;
    }
    if (sequence !== this.#nextInboundSequence) {
      this.#fail(SessionErrorReason.SequenceGap, sequence, `expected sequence ${this.#nextInboundSequence}, got ${sequence}`);
      return;
    }
    if (type === MessageType.Login) {
      const { minHeartbeatIntervalMs: min, maxHeartbeatIntervalMs: max } = this.limits;
      const intervalMs = message.heartbeatIntervalMs;
      if (intervalMs < min || intervalMs > max) {
        this.#fail(SessionErrorReason.InvalidLogin, sequence, `heartbeatIntervalMs ${intervalMs} is outside ${min}..${max}`);
        return;
      }
    }
    if (!this.#bucket.take(nowNs)) {
      this.#fail(
        SessionErrorReason.RateLimitExceeded,
        sequence,
        `more than ${this.limits.maxFramesPerSecond} frames/s (burst ${this.limits.burstFrames})`,
      );
      return;
    }
    this.#nextInboundSequence = sequence + 1;
    this.#lastReceivedAtNs = nowNs;
    switch (message.type) {
      case MessageType.Login:
        this.#login(message);
        return;
      case MessageType.Heartbeat:
        return;
      case MessageType.Logout:
        this.#end(
          { type: MessageType.Logout, symbolId: 0, reason: LogoutReason.UserRequested },
          `peer logged out (LOGOUT ${codeName(LogoutReason, message.reason)}); answered LOGOUT UserRequested`,
        );
        return;
      case MessageType.SessionError:
        // The peer closes after its SESSION_ERROR; answering it would only be lost.
        this.#end(undefined, `peer sent SESSION_ERROR ${codeName(SessionErrorReason, message.reason)} (refSequence ${message.refSequence})`);
        return;
      default:
        this.#requestsForwarded++;
        this.onRequest(message, this.#clientId ?? 0);
    }
  }

  #login(login: LoginMessage): void {
    const refusal = this.#output.admit?.(login.clientId);
    if (refusal !== undefined) {
      this.#fail(refusal, login.sequence, `LOGIN of client ${login.clientId} refused by the gateway`);
      return;
    }
    this.#state = 'active';
    this.#clientId = login.clientId;
    this.#heartbeatIntervalMs = login.heartbeatIntervalMs;
    this.transmit({
      type: MessageType.LoginAck,
      symbolId: 0,
      sessionId: this.sessionId,
      heartbeatIntervalMs: login.heartbeatIntervalMs,
    });
    // `send` may have ended the session (a gateway that aborts on a full send buffer).
    if (this.#state === 'active') this.#output.loggedIn?.(login.clientId);
  }

  /** SESSION_ERROR, then close. */
  #fail(reason: SessionErrorReason, refSequence: number, detail: string): void {
    this.#end(
      { type: MessageType.SessionError, symbolId: 0, reason, refSequence },
      `SESSION_ERROR ${codeName(SessionErrorReason, reason)} (refSequence ${refSequence}): ${detail}`,
    );
  }

  /**
   * Sends the session's last frame, if any, and closes. The state turns `closing` first, so that
   * an output that calls back into the session while sending (abort, shutdown) finds it ended.
   */
  #end(last: Unstamped<Message> | undefined, reason: string): void {
    this.#state = 'closing';
    this.#closeReason = reason;
    if (last !== undefined) this.#write(last, this.outboundSequence());
    this.#output.close(reason);
  }

  /** Encodes and sends, whatever the state; only {@link transmit} and {@link #end} call it. */
  #write(message: Unstamped<Message>, sequence: number): void {
    const nowNs = this.clock();
    const output = this.#output;
    const maxFrameLength = this.limits.maxFrameLength;
    if (output.sendCopy !== undefined) {
      const scratch = this.#scratch ??= Buffer.allocUnsafe(maxFrameLength);
      const length = encodeStampedInto(message, sequence, nowNs, scratch, 0, maxFrameLength);
      this.#sent(length, nowNs);
      output.sendCopy(scratch, length);
      return;
    }
    const frame = encodeStamped(message, sequence, nowNs, maxFrameLength);
    this.#sent(frame.length, nowNs);
    output.send(frame);
  }

  #sent(length: number, nowNs: number): void {
    this.frameSent();
    this.#framesOut++;
    this.#bytesOut += length;
    this.#lastSentAtNs = nowNs;
  }
}

function nameOf(type: number): string {
  return messageLayout(type)?.name ?? `type 0x${type.toString(16)}`;
}
