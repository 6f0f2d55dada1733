import net from 'node:net';
import { codeName, RejectReason, SessionErrorReason, CancelReason } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { FRAME_LENGTH_LIMIT, messageLayout } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { ProtocolError } from '../../engine/protocol/ProtocolError.js';
import { TargetError } from '../clients/TargetError.js';
import { FUZZ_HEARTBEAT_INTERVAL_MS } from './fuzzCatalogue.js';
import type { FuzzCase, FuzzChannel } from './FuzzCase.js';

/** Where the engine's order-entry port is. */
export interface FuzzTarget {
  readonly host: string;
  readonly port: number;
}

/** Timing of one case; each documents its default. */
export interface PlayOptions {
  /** Longest wait for a TCP connection, ms. Default 2,000. */
  readonly connectTimeoutMs: number;
  /** Longest wait for each expected answer, SESSION_ERROR or close, ms. Default 2,000. */
  readonly answerTimeoutMs: number;
  /**
   * How long an engine must stay quiet (and keep the connection open) for a `silent` case to
   * pass, and how long a havoc case is watched, ms. Well below the 2 s login timeout. Default 250.
   */
  readonly quietMs: number;
}

/** The defaults of {@link PlayOptions}. */
export const PLAY_DEFAULTS: PlayOptions = { connectTimeoutMs: 2_000, answerTimeoutMs: 2_000, quietMs: 250 };

/** One frame the engine sent, reduced to what the judge compares. */
export interface ObservedFrame {
  /** Wire name: `ACK`, `SESSION_ERROR`, … */
  readonly name: string;
  readonly type: number;
  readonly clientOrderId?: number;
  /** The reason code on REJECT, SESSION_ERROR, CANCELED and LOGOUT. */
  readonly reason?: number;
  /** On SESSION_ERROR. */
  readonly refSequence?: number;
  /** On BOOK_SNAPSHOT. */
  readonly symbolId?: number;
  /** On BOOK_SNAPSHOT: levels per side. */
  readonly bids?: number;
  readonly asks?: number;
}

/** Everything the engine did on a case's connection. */
export interface Observation {
  /** Frames the engine sent after the login prelude, in order (the prelude's LOGIN_ACK is not in it). */
  readonly frames: readonly ObservedFrame[];
  /** The engine closed (or reset) the connection. */
  readonly closed: boolean;
  /** The engine sent bytes that are not a valid frame: what was wrong. */
  readonly malformed?: string;
  /** The login prelude failed: what happened instead of LOGIN_ACK. */
  readonly loginFailed?: string;
  /** A churn case found something wrong on a connection other than the one observed here: what. */
  readonly churnFailed?: string;
}

/**
 * Plays `fuzzCase` on a new TCP connection to `target` and records what the engine did:
 *
 * ```
 *  connect ─► [LOGIN seq 1 (clientId) ─► LOGIN_ACK]   (when the case logs in)
 *          ─► chunks, each after its pause   [churn halfClose: then FIN]
 *          ─► wait, by the expected end:  sessionError/closed: for the close
 *                                         alive: for the answers, then LOGOUT(nextSequence) and the close
 *                                         silent/survives: for the answers, then quietMs
 *          ─► destroy
 * ```
 * Every wait is bounded by `answerTimeoutMs` (or the case's `waitMs`); the connection is always destroyed at the end.
 *
 * @throws TargetError (`unreachable`) if the connection cannot be made.
 */
export async function playFuzzCase(target: FuzzTarget, fuzzCase: FuzzCase, clientId: number,
  options: PlayOptions = PLAY_DEFAULTS): Promise<Observation> {
  if (fuzzCase.peerOrders !== undefined) {
    const failure = await placePeerOrders(target, fuzzCase.peerOrders, clientId + PEER_CLIENT_ID_OFFSET, options);
    if (failure !== undefined) return { frames: [], closed: false, loginFailed: `peer session: ${failure}` };
  }
  const connection = await FuzzConnection.open(target, options.connectTimeoutMs, fuzzCase.channel);
  try {
    if (fuzzCase.login) {
      connection.write(encode({ type: MessageType.Login, symbolId: 0, sequence: 1, timestampNs: 1, clientId,
        heartbeatIntervalMs: FUZZ_HEARTBEAT_INTERVAL_MS }));
      await connection.waitFor(() => connection.frames.length > 0 || connection.done, options.answerTimeoutMs);
      const first = connection.frames[0];
      if (first?.type !== MessageType.LoginAck) {
        return { frames: [], closed: connection.closed, ...connection.malformedField(),
          loginFailed: first === undefined ? (connection.closed ? 'closed before LOGIN_ACK' : 'no LOGIN_ACK in time') : `got ${describeFrame(first)}` };
      }
      connection.frames.shift();
    }
    for (const chunk of fuzzCase.chunks) {
      if (chunk.pauseMs !== undefined && chunk.pauseMs > 0) await sleep(chunk.pauseMs);
      if (connection.done) break;
      connection.write(chunk.bytes);
    }
    if (fuzzCase.churn?.kind === 'halfClose') connection.end();
    const end = fuzzCase.expected.end;
    const waitMs = fuzzCase.waitMs ?? options.answerTimeoutMs;
    const wanted = fuzzCase.expected.answers.length;
    const answered = (): boolean => connection.done || connection.frames.filter(isAnswer).length >= wanted
      || connection.frames.some((f) => f.type === MessageType.SessionError || f.type === MessageType.Logout);
    switch (end.kind) {
      case 'sessionError':
      case 'closed':
      case 'hangUp':
        await connection.waitFor(() => connection.done, waitMs);
        break;
      case 'alive':
        await connection.waitFor(answered, waitMs);
        if (!connection.done && !connection.frames.some((f) => f.type === MessageType.SessionError)) {
          connection.write(encode({ type: MessageType.Logout, symbolId: 0, sequence: end.nextSequence, timestampNs: 2, reason: 1 }));
          await connection.waitFor(() => connection.done, options.answerTimeoutMs);
        }
        break;
      case 'silent':
      case 'survives':
        await connection.waitFor(answered, waitMs);
        await connection.waitFor(() => connection.done, options.quietMs);
        break;
    }
    return { frames: [...connection.frames], closed: connection.closed, ...connection.malformedField() };
  } finally {
    connection.destroy();
  }
}

/** The peer session of a case logs in with the case's client id plus this. */
const PEER_CLIENT_ID_OFFSET = 0x2000_0000;

/**
 * Logs a second session in, sends `orders` (NEW_ORDER frames from sequence 2) and waits for an ACK
 * to each, then drops the connection (orders stay on the book). Returns what went wrong, if anything.
 */
async function placePeerOrders(target: FuzzTarget, orders: Uint8Array, clientId: number, options: PlayOptions): Promise<string | undefined> {
  const count = countFrames(orders);
  const peer = await FuzzConnection.open(target, options.connectTimeoutMs);
  try {
    peer.write(encode({ type: MessageType.Login, symbolId: 0, sequence: 1, timestampNs: 1, clientId,
      heartbeatIntervalMs: FUZZ_HEARTBEAT_INTERVAL_MS }));
    peer.write(orders);
    await peer.waitFor(() => peer.done || peer.frames.filter((f) => f.type === MessageType.Ack).length >= count, options.answerTimeoutMs);
    const acks = peer.frames.filter((f) => f.type === MessageType.Ack).length;
    return acks >= count ? undefined : `${acks} of ${count} orders ACKed; got ${peer.frames.map(describeFrame).join(', ') || 'nothing'}`;
  } finally {
    peer.destroy();
  }
}

/** Frames in `bytes`, walked by their length fields (valid frames only). */
function countFrames(bytes: Uint8Array): number {
  let count = 0;
  for (let at = 0; at + 2 <= bytes.length; at += bytes[at]! | (bytes[at + 1]! << 8)) count++;
  return count;
}

/** True for the frames that answer a request: LOGIN_ACK, ACK, REJECT, REPLACED, CANCELED User and BOOK_SNAPSHOT. */
export function isAnswer(frame: ObservedFrame): boolean {
  switch (frame.type) {
    case MessageType.BookSnapshot:
    case MessageType.LoginAck:
    case MessageType.Ack:
    case MessageType.Reject:
    case MessageType.Replaced:
      return true;
    case MessageType.Canceled:
      return frame.reason === CancelReason.User;
    default:
      return false;
  }
}

/** `REJECT DuplicateClientOrderId (clientOrderId 7)`, for reports. */
export function describeFrame(frame: ObservedFrame): string {
  let reason = '';
  if (frame.reason !== undefined) {
    const table = frame.type === MessageType.Reject ? RejectReason
      : frame.type === MessageType.SessionError ? SessionErrorReason : frame.type === MessageType.Canceled ? CancelReason : undefined;
    reason = ` ${table === undefined ? frame.reason : codeName(table, frame.reason)}`;
  }
  const snapshot = frame.symbolId === undefined ? '' : ` (symbol ${frame.symbolId}, ${frame.bids ?? 0} bids, ${frame.asks ?? 0} asks)`;
  return `${frame.name}${reason}${frame.clientOrderId === undefined ? '' : ` (clientOrderId ${frame.clientOrderId})`}${snapshot}`;
}

/**
 * One socket, its frames as they arrive, and a way to wait on them. It checks the engine's
 * outbound numbering as docs/PROTOCOL.md lays it down per channel ("Sequence rules").
 */
export class FuzzConnection {
  readonly frames: ObservedFrame[] = [];
  closed = false;
  malformed: string | undefined;
  /** Frames received, all of them (feed frames included). */
  received = 0;
  readonly #socket: net.Socket;
  readonly #channel: FuzzChannel;
  // The engine's frames are judged against the protocol's hard limit, not ours: a long snapshot is its business.
  readonly #reader = new FrameReader({ maxFrameLength: FRAME_LENGTH_LIMIT });
  #wake: (() => void) | undefined;
  #nextSequence = 1;
  /** Market data: the last feed sequence seen (session frames carry it, feed frames go above it); -1 before LOGIN_ACK. */
  #lastFeedSequence = -1;

  private constructor(socket: net.Socket, channel: FuzzChannel) {
    this.#socket = socket;
    this.#channel = channel;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.#notify();
    });
    // A reset after the engine's SESSION_ERROR is a close like any other; writes after it fail quietly.
    socket.on('error', () => {});
  }

  static open(target: FuzzTarget, timeoutMs: number, channel: FuzzChannel = 'orderEntry'): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TargetError('unreachable', `${target.host}:${target.port}`,
          `no TCP connection to ${target.host}:${target.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new FuzzConnection(socket, channel));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new TargetError('unreachable', `${target.host}:${target.port}`, `cannot connect to ${target.host}:${target.port}: ${error.message}`));
      });
    });
  }

  /** Closed by the engine, or it sent something unreadable: nothing more to wait for. */
  get done(): boolean {
    return this.closed || this.malformed !== undefined;
  }

  malformedField(): { malformed?: string } {
    return this.malformed === undefined ? {} : { malformed: this.malformed };
  }

  write(bytes: Uint8Array): void {
    if (!this.#socket.destroyed) this.#socket.write(bytes);
  }

  /** Resolves when `condition` holds (checked on every frame and on close) or after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      const check = (): void => {
        if (condition()) finish();
      };
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = check;
    });
    this.#wake = undefined;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Ends our write side (FIN) and goes on reading: a half-open connection. */
  end(): void {
    this.#socket.end();
  }

  /** Drops the connection with a TCP RST, whatever is half written. */
  reset(): void {
    if (!this.#socket.destroyed) this.#socket.resetAndDestroy();
  }

  #receive(chunk: Buffer): void {
    if (this.malformed !== undefined) return;
    this.#reader.push(chunk);
    try {
      for (let message = this.#reader.next(); message !== undefined; message = this.#reader.next()) {
        const wrong = this.#channel === 'marketData' ? this.#feedSequenceProblem(message) : this.#sessionSequenceProblem(message);
        if (wrong !== undefined) {
          this.malformed = wrong;
          break;
        }
        this.received++;
        this.frames.push(observe(message));
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.malformed = `${codeName(SessionErrorReason, error.reason)}: ${error.message}`;
    }
    this.#notify();
  }

  /** Order entry, engine → client: every frame takes the next sequence, from 1 (the prelude's LOGIN_ACK included). */
  #sessionSequenceProblem(message: Message): string | undefined {
    if (message.sequence !== this.#nextSequence) return `${nameOf(message.type)} carries sequence ${message.sequence} where ${this.#nextSequence} was due`;
    this.#nextSequence++;
    return undefined;
  }

  /**
   * Market data, engine → subscriber: TRADE, LEVEL_UPDATE and QUOTE go above the last feed
   * sequence (by one, unless this subscriber's frames were dropped: a gap is allowed, a step back
   * is not); the session's own frames carry the last feed sequence issued, which is never below
   * the last one seen.
   */
  #feedSequenceProblem(message: Message): string | undefined {
    const last = this.#lastFeedSequence;
    const feed = message.type === MessageType.Trade || message.type === MessageType.LevelUpdate || message.type === MessageType.Quote;
    if (last < 0 && (feed || message.type !== MessageType.LoginAck) && message.type !== MessageType.SessionError && message.type !== MessageType.Logout) {
      return `${nameOf(message.type)} before LOGIN_ACK on market data`;
    }
    if (feed) {
      if (message.sequence <= last) return `${nameOf(message.type)} carries feed sequence ${message.sequence}, not above the last one (${last})`;
    } else if (last >= 0 && message.sequence < last) {
      return `${nameOf(message.type)} carries feed sequence ${message.sequence}, below the last one seen (${last})`;
    }
    this.#lastFeedSequence = Math.max(last, message.sequence);
    return undefined;
  }

  #notify(): void {
    this.#wake?.();
  }
}

function observe(message: Message): ObservedFrame {
  const name = nameOf(message.type);
  switch (message.type) {
    case MessageType.Ack:
    case MessageType.Replaced:
      return { name, type: message.type, clientOrderId: message.clientOrderId };
    case MessageType.Reject:
    case MessageType.Canceled:
      return { name, type: message.type, clientOrderId: message.clientOrderId, reason: message.reason };
    case MessageType.SessionError:
      return { name, type: message.type, reason: message.reason, refSequence: message.refSequence };
    case MessageType.Logout:
      return { name, type: message.type, reason: message.reason };
    case MessageType.BookSnapshot:
      return { name, type: message.type, symbolId: message.symbolId, bids: message.bids.length, asks: message.asks.length };
    default:
      return { name, type: message.type };
  }
}

function nameOf(type: number): string {
  return messageLayout(type)?.name ?? `0x${type.toString(16)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
