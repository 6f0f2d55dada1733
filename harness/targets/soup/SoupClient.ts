import net from 'node:net';
import { monotonicNowNs, type NsClock } from '../../../engine/gateway/monotonicNowNs.js';
import { TargetError } from '../../clients/TargetError.js';
import {
  decodeLoginAccepted, encodeLoginRequest, encodeSoupPacket, loginRejectedReason, packetTypeName, SOUP_TIMING, SoupPacketReader,
  SoupPacketType,
} from './soupBinTcp.js';

/** Options of {@link SoupClient.connect}; each documents its default. */
export interface SoupClientOptions {
  readonly host: string;
  readonly port: number;
  /** At most 6 ASCII characters. */
  readonly username: string;
  /** At most 10 ASCII characters. */
  readonly password: string;
  /** Requested session, at most 10 characters. Default '' (the currently active session). */
  readonly session?: string;
  /** Requested sequence number. Default 0 (start with the most recently generated message). */
  readonly sequence?: number;
  /** Send a Client Heartbeat after this long without sending, ms. Default 1,000 (SoupBinTCP 3.00). */
  readonly heartbeatIntervalMs?: number;
  /** Close as dead after this long without receiving anything, ms. Default 15,000 (SoupBinTCP 3.00). */
  readonly peerTimeoutMs?: number;
  /** Longest wait for the TCP connection and then for Login Accepted, ms each. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Longest payload of a Sequenced Data packet (the message set's longest message): above it is a protocol error. Default 65,534. */
  readonly maxPayloadBytes?: number;
  /** Each Sequenced Data payload (a view: copy what outlives the call), with the clock reading it arrived at. */
  readonly onMessage: (payload: Uint8Array, receivedNs: number) => void;
  /** Once, when the session ends after login, for whatever reason. */
  readonly onClose?: (reason: SoupCloseReason) => void;
  /** Default monotonicNowNs. */
  readonly clock?: NsClock;
}

export const SOUP_CLIENT_DEFAULTS = {
  session: '', sequence: 0, heartbeatIntervalMs: SOUP_TIMING.heartbeatIntervalMs, peerTimeoutMs: SOUP_TIMING.peerTimeoutMs,
  connectTimeoutMs: 5_000, maxPayloadBytes: 0xffff - 1,
} as const;

/**
 * Why a session ended: `logged-out` (after {@link SoupClient.logout}), `end-of-session` (the server
 * sent End of Session), `peer-closed` (the server closed the connection), `peer-silent` (nothing
 * received for peerTimeoutMs), `protocol` (a packet SoupBinTCP 3.00 does not allow), `socket-error`,
 * `destroyed` (by this side).
 */
export interface SoupCloseReason {
  readonly kind: 'logged-out' | 'end-of-session' | 'peer-closed' | 'peer-silent' | 'protocol' | 'socket-error' | 'destroyed';
  readonly detail: string;
  /** Clock reading when it ended. */
  readonly atNs: number;
}

/** How often the heartbeat and silence timer looks, ms (a quarter of the default interval: a heartbeat is at most this late). */
const TICK_MS = 250;

/**
 * One SoupBinTCP 3.00 client session: logs in, passes Sequenced Data payloads to `onMessage`,
 * sends Unsequenced Data, keeps the link alive with Client Heartbeats after 1 s of sending silence,
 * and declares the server dead after 15 s of receiving silence (both configurable).
 *
 * ```
 *  connect ─► Login Request ─► 'A' Login Accepted → connect() resolves │ 'J' → TargetError login-refused
 *  socket ─ data ─► SoupPacketReader ─► 'S' onMessage │ 'H' heartbeats++ │ 'Z' end-of-session │ '+' ignored
 *  timer (250 ms) ─► nothing sent for 1 s → 'R' │ nothing received for 15 s → peer-silent, close
 * ```
 */
export class SoupClient {
  private readonly reader: SoupPacketReader;
  private lastSentNs: number;
  private lastReceivedNs: number;
  /** When the chunk being read arrived: every message in it gets this time. */
  private receivedNs = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed: SoupCloseReason | undefined;
  private loggingOut: (() => void) | undefined;
  private login: { resolve: () => void; reject: (e: TargetError) => void } | undefined;
  private loggedIn = false;
  /** Server Heartbeats, Sequenced Data messages and Debug packets received. */
  heartbeats = 0;
  messages = 0;
  debugPackets = 0;
  /** From Login Accepted: the session and the sequence number of the next Sequenced Data. */
  session = '';
  nextSequence = 0;
  private readonly clock: NsClock;

  private constructor(private readonly options: SoupClientOptions, private readonly socket: net.Socket, readonly target: string) {
    this.clock = options.clock ?? monotonicNowNs;
    this.lastSentNs = this.clock();
    this.lastReceivedNs = this.lastSentNs;
    this.reader = new SoupPacketReader('from-server', (type, payload) => this.onPacket(type, payload),
      options.maxPayloadBytes ?? SOUP_CLIENT_DEFAULTS.maxPayloadBytes);
  }

  /**
   * Connects and logs in. Rejects with a TargetError: `unreachable` (no connection), `login-refused`
   * (Login Rejected), `protocol` (anything else first, a bad packet, no answer, a close before Login Accepted).
   */
  static connect(options: SoupClientOptions): Promise<SoupClient> {
    const target = `${options.host}:${options.port}`;
    const timeoutMs = options.connectTimeoutMs ?? SOUP_CLIENT_DEFAULTS.connectTimeoutMs;
    const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    const client = new SoupClient(options, socket, target);
    return new Promise<SoupClient>((resolve, reject) => {
      let connected = false;
      const fail = (e: TargetError): void => {
        clearTimeout(timer);
        client.login = undefined;
        socket.destroy();
        reject(e);
      };
      let timer = setTimeout(() => fail(new TargetError('unreachable', target, `no TCP connection to ${target} within ${timeoutMs} ms`)), timeoutMs);
      client.login = { resolve: () => { clearTimeout(timer); client.login = undefined; resolve(client); }, reject: fail };
      socket.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        timer = setTimeout(() => fail(new TargetError('protocol', target,
          `${target} accepted the connection but sent no SoupBinTCP Login Accepted within ${timeoutMs} ms`)), timeoutMs);
        try {
          client.write(encodeLoginRequest({ username: options.username, password: options.password,
            session: options.session ?? SOUP_CLIENT_DEFAULTS.session, sequence: options.sequence ?? SOUP_CLIENT_DEFAULTS.sequence }));
        } catch (error) {
          fail(new TargetError('protocol', target, `cannot log in to ${target}: ${(error as Error).message}`));
        }
      });
      socket.on('data', (chunk: Buffer) => client.onData(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (client.login !== undefined) {
          fail(new TargetError(connected ? 'protocol' : 'unreachable', target, error.code === 'ECONNREFUSED'
            ? `nothing listens at ${target} (ECONNREFUSED)` : `connection to ${target} failed: ${error.code ?? error.message}`));
        } else client.finish('socket-error', `connection to ${target} failed: ${error.code ?? error.message}`);
      });
      socket.on('close', () => {
        if (client.login !== undefined) fail(new TargetError('protocol', target, `${target} closed the connection before Login Accepted`));
        else client.finish('peer-closed', `${target} closed the connection`);
      });
    });
  }

  /** Logged in and not closed. */
  get active(): boolean {
    return this.loggedIn && this.closed === undefined;
  }

  /** Why the session ended; undefined while it lasts. */
  get closeReason(): SoupCloseReason | undefined {
    return this.closed;
  }

  /** The socket holds more than 1 MiB unsent: the server is not reading. */
  get backpressured(): boolean {
    return this.socket.writableLength > 1 << 20;
  }

  /** Sends a whole packet (Unsequenced Data built by the message codec); returns the clock reading it left at. */
  send(packet: Uint8Array): number {
    this.write(packet);
    return this.lastSentNs;
  }

  /** Sends Logout Request and waits (at most `timeoutMs`) for the server to close; then closes. */
  async logout(timeoutMs = 1_000): Promise<void> {
    if (!this.active) return;
    const closed = new Promise<void>((resolve) => { this.loggingOut = resolve; });
    this.write(encodeSoupPacket(SoupPacketType.LogoutRequest));
    const timer = setTimeout(() => this.finish('logged-out', 'logged out; the server did not close within the wait'), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  /** Closes the connection at once. */
  destroy(): void {
    this.finish('destroyed', 'closed by the harness');
  }

  private write(packet: Uint8Array): void {
    if (this.socket.destroyed) return;
    this.socket.write(packet);
    this.lastSentNs = this.clock();
  }

  private onData(chunk: Buffer): void {
    const now = this.clock();
    this.lastReceivedNs = now;
    this.receivedNs = now;
    const error = this.reader.push(chunk);
    if (error === null) return;
    if (this.login !== undefined) this.login.reject(new TargetError('protocol', this.target, `${this.target}: ${error}`));
    else this.finish('protocol', error);
  }

  private onPacket(type: number, payload: Uint8Array): void {
    if (this.login !== undefined) {
      if (type === SoupPacketType.LoginAccepted) {
        const accepted = decodeLoginAccepted(payload);
        if (Number.isNaN(accepted.sequence)) {
          this.reader.fail('Login Accepted carries a sequence number that is not numeric');
          return;
        }
        this.session = accepted.session;
        this.nextSequence = accepted.sequence;
        this.loggedIn = true;
        this.timer = setInterval(this.tick, Math.min(TICK_MS, this.options.heartbeatIntervalMs ?? SOUP_CLIENT_DEFAULTS.heartbeatIntervalMs));
        this.login.resolve();
      } else if (type === SoupPacketType.LoginRejected) {
        this.login.reject(new TargetError('login-refused', this.target, `${this.target} rejected the SoupBinTCP login: ${loginRejectedReason(payload[0]!)}`,
          String.fromCharCode(payload[0]!)));
      } else if (type !== SoupPacketType.Debug && type !== SoupPacketType.ServerHeartbeat) {
        this.reader.fail(`${packetTypeName(type)} before Login Accepted`);
      }
      return;
    }
    switch (type) {
      case SoupPacketType.SequencedData:
        this.messages++;
        this.nextSequence++;
        this.options.onMessage(payload, this.receivedNs);
        return;
      case SoupPacketType.ServerHeartbeat: this.heartbeats++; return;
      case SoupPacketType.Debug: this.debugPackets++; return;
      case SoupPacketType.EndOfSession: this.finish('end-of-session', `${this.target} sent End of Session`); return;
      default: this.reader.fail(`${packetTypeName(type)} after login`);
    }
  }

  private readonly tick = (): void => {
    const now = this.clock();
    const silentMs = (now - this.lastReceivedNs) / 1e6;
    const peerTimeoutMs = this.options.peerTimeoutMs ?? SOUP_CLIENT_DEFAULTS.peerTimeoutMs;
    if (silentMs >= peerTimeoutMs) {
      this.finish('peer-silent', `${this.target} sent nothing, not even a heartbeat, for ${(silentMs / 1000).toFixed(1)} s`);
      return;
    }
    if ((now - this.lastSentNs) / 1e6 >= (this.options.heartbeatIntervalMs ?? SOUP_CLIENT_DEFAULTS.heartbeatIntervalMs)) {
      this.write(encodeSoupPacket(SoupPacketType.ClientHeartbeat));
    }
  };

  private finish(kind: SoupCloseReason['kind'], detail: string): void {
    if (this.closed !== undefined) return;
    const wasLoggingOut = this.loggingOut !== undefined;
    this.closed = { kind: wasLoggingOut && (kind === 'peer-closed' || kind === 'end-of-session') ? 'logged-out' : kind, detail, atNs: this.clock() };
    if (this.timer !== undefined) clearInterval(this.timer);
    this.socket.destroy();
    if (this.loggedIn) this.options.onClose?.(this.closed);
    this.loggingOut?.();
  }
}
