import net from 'node:net';
import type { NsClock } from '../gateway/monotonicNowNs.js';
import { SESSION_LIMIT_DEFAULTS, sessionLimitProblems, type SessionLimitsOptions } from '../gateway/sessionLimits.js';
import { SessionErrorReason } from '../protocol/codes.js';
import type { Broadcaster, BroadcasterStats } from './Broadcaster.js';
import { OUTBOUND_LIMIT_DEFAULTS, outboundLimitProblems, type OutboundLimits, type OutboundLimitsOptions } from './outboundLimits.js';
import { SubscriberConnection, type SubscriberConnectionHooks, type SubscriberStats } from './SubscriberConnection.js';

/** Options of {@link MarketDataServer}; each documents its default. */
export interface MarketDataServerOptions {
  /** Where the feed comes from; the engine hands it the matcher's events. */
  readonly broadcaster: Broadcaster;
  /** Address to listen on. Default 127.0.0.1: matchbench never listens beyond this machine unless told to. */
  readonly host?: string;
  /** Port; 0 picks a free one (see {@link MarketDataServer.port}). Default 0. */
  readonly port?: number;
  /** Connections at once; the next gets SESSION_ERROR TooManyConnections at once and is closed. Default 1,000. */
  readonly maxConnections?: number;
  /** Per-subscriber cap and slow-subscriber policy; see {@link OutboundLimitsOptions}. */
  readonly outbound?: OutboundLimitsOptions;
  /** Session limits (login timeout, heartbeats, rate limit, frame size). */
  readonly limits?: SessionLimitsOptions;
  /** How often sessions run their timers (FEED_HEARTBEAT, timeouts, slow-consumer time), in ms. Default 10. */
  readonly tickIntervalMs?: number;
  /** After a session ends, how long its peer has to read the last frames before the socket is destroyed, in ms. Default 1,000. */
  readonly closeTimeoutMs?: number;
  /** One line per event worth logging: listening, and each disconnect with its reason. Default: none. */
  readonly log?: (line: string) => void;
  /** Monotonic clock of the sessions, integer ns. Default `monotonicNowNs`. */
  readonly clock?: NsClock;
}

/** The defaults of {@link MarketDataServerOptions}. */
export const MARKET_DATA_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxConnections: 1_000,
  tickIntervalMs: 10,
  closeTimeoutMs: 1_000,
} as const;

/** The options {@link MarketDataServer} keeps, defaults filled in. */
interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly tickIntervalMs: number;
  readonly closeTimeoutMs: number;
}

/** Counters of the market-data port, for /metrics. */
export interface MarketDataServerStats {
  /** Open connections, logged in or not. */
  readonly connections: number;
  /** Connections in the fan-out (logged in). */
  readonly subscribers: number;
  /** Connections accepted since listening. */
  readonly accepted: number;
  /** Ended sessions by reason, e.g. `SESSION_ERROR SlowConsumer`, `peer logged out`, `connection lost`. */
  readonly disconnects: Readonly<Record<string, number>>;
  /** Frames, bytes and drops of the feed, over every subscriber past and present. */
  readonly feed: BroadcasterStats;
  /** The most bytes held at once for one subscriber, past or present. */
  readonly maxQueuedBytes: number;
  /** Each open connection. */
  readonly perSubscriber: readonly SubscriberStats[];
}

/**
 * The binary market-data port: one {@link SubscriberConnection} per TCP connection, in the
 * broadcaster's fan-out from its LOGIN_ACK on.
 *
 * ```
 *  net.Server ─► connection ─► SubscriberConnection (session + bounded queue) ◄── Broadcaster.flush
 *                   │ over maxConnections: SESSION_ERROR TooManyConnections       (one write per batch)
 *  tick timer ──────┴─► every connection's tick()  (FEED_HEARTBEAT, timeouts, SlowConsumer)
 * ```
 * A client id may be logged in on one connection at a time (a second LOGIN with it gets
 * SESSION_ERROR InvalidLogin), as on order entry.
 */
export class MarketDataServer {
  readonly #server: net.Server;
  readonly #broadcaster: Broadcaster;
  readonly #options: ServerSettings;
  readonly #outbound: OutboundLimits;
  readonly #limits: SessionLimitsOptions | undefined;
  readonly #clock: NsClock | undefined;
  readonly #log: (line: string) => void;
  readonly #connections = new Set<SubscriberConnection>();
  readonly #byClient = new Map<number, SubscriberConnection>();
  readonly #disconnects: Record<string, number> = {};
  readonly #timer: NodeJS.Timeout;
  readonly #hooks: SubscriberConnectionHooks;
  #nextSessionId = 1;
  #accepted = 0;
  /** Peak queued bytes of connections already closed. */
  #closedMaxQueuedBytes = 0;

  private constructor(server: net.Server, options: MarketDataServerOptions, outbound: OutboundLimits) {
    this.#server = server;
    this.#broadcaster = options.broadcaster;
    this.#options = {
      host: options.host ?? MARKET_DATA_SERVER_DEFAULTS.host,
      port: options.port ?? MARKET_DATA_SERVER_DEFAULTS.port,
      maxConnections: options.maxConnections ?? MARKET_DATA_SERVER_DEFAULTS.maxConnections,
      tickIntervalMs: options.tickIntervalMs ?? MARKET_DATA_SERVER_DEFAULTS.tickIntervalMs,
      closeTimeoutMs: options.closeTimeoutMs ?? MARKET_DATA_SERVER_DEFAULTS.closeTimeoutMs,
    };
    this.#outbound = outbound;
    this.#limits = options.limits;
    this.#clock = options.clock;
    this.#log = options.log ?? ((): void => {});
    this.#hooks = {
      admit: (connection, clientId) => {
        const current = this.#byClient.get(clientId);
        return current !== undefined && current !== connection ? SessionErrorReason.InvalidLogin : undefined;
      },
      loggedIn: (connection, clientId) => {
        this.#byClient.set(clientId, connection);
      },
      ended: (connection, reason) => {
        // The client id is free again at once, not when the socket finally closes.
        const clientId = connection.session.clientId;
        if (clientId !== undefined && this.#byClient.get(clientId) === connection) this.#byClient.delete(clientId);
        const key = disconnectKey(reason);
        this.#disconnects[key] = (this.#disconnects[key] ?? 0) + 1;
        this.#log(`market data session ${connection.session.sessionId} (${connection.peer}, client ${connection.session.clientId ?? '-'}) closed: ${reason}`);
      },
      closed: (connection) => {
        this.#connections.delete(connection);
        this.#closedMaxQueuedBytes = Math.max(this.#closedMaxQueuedBytes, connection.stats.maxQueuedBytes);
      },
    };
    this.#timer = setInterval(() => {
      for (const connection of this.#connections) connection.tick();
    }, this.#options.tickIntervalMs);
    this.#timer.unref();
    server.on('connection', (socket) => this.#connect(socket));
  }

  /**
   * Starts listening; resolves once the port is bound.
   *
   * @throws RangeError listing every invalid option at once, each with its path (`outbound.capBytes`, `limits.burstFrames`).
   */
  static async listen(options: MarketDataServerOptions): Promise<MarketDataServer> {
    const outbound: OutboundLimits = { ...OUTBOUND_LIMIT_DEFAULTS, ...options.outbound };
    const problems = [
      ...outboundLimitProblems(outbound).map((problem) => `outbound.${problem}`),
      ...sessionLimitProblems({ ...SESSION_LIMIT_DEFAULTS, ...options.limits }).map((problem) => `limits.${problem}`),
    ];
    const positiveInteger = (name: string, value: number | undefined): void => {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) problems.push(`${name} must be a positive integer, got ${value}`);
    };
    positiveInteger('maxConnections', options.maxConnections);
    positiveInteger('tickIntervalMs', options.tickIntervalMs);
    if (options.closeTimeoutMs !== undefined && !(options.closeTimeoutMs >= 0 && options.closeTimeoutMs < Infinity)) {
      problems.push(`closeTimeoutMs must be a finite number ≥ 0, got ${options.closeTimeoutMs}`);
    }
    if (problems.length > 0) throw new RangeError(`invalid market-data server options: ${problems.join('; ')}`);

    const server = net.createServer({ noDelay: true });
    const gateway = new MarketDataServer(server, options, outbound);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(gateway.#options.port, gateway.#options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      clearInterval(gateway.#timer);
      throw error;
    }
    gateway.#log(`market data listening on ${gateway.#options.host}:${gateway.port}`);
    return gateway;
  }

  /** The bound port. */
  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Counters, read afresh on each call. */
  stats(): MarketDataServerStats {
    const perSubscriber = [...this.#connections].map((connection) => connection.stats);
    return {
      connections: this.#connections.size,
      subscribers: this.#broadcaster.subscriberCount,
      accepted: this.#accepted,
      disconnects: { ...this.#disconnects },
      feed: this.#broadcaster.stats(),
      maxQueuedBytes: perSubscriber.reduce((max, s) => Math.max(max, s.maxQueuedBytes), this.#closedMaxQueuedBytes),
      perSubscriber,
    };
  }

  /**
   * Sends LOGOUT Shutdown to every subscriber, after what is queued for it, and closes the port.
   * Resolves once every connection is closed: peers get `closeTimeoutMs` to read their LOGOUT.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of [...this.#connections]) connection.shutdown();
    await closed;
  }

  #connect(socket: net.Socket): void {
    this.#accepted++;
    const full = this.#connections.size >= this.#options.maxConnections;
    const connection = new SubscriberConnection({
      socket,
      sessionId: this.#nextSessionId++,
      broadcaster: this.#broadcaster,
      outbound: this.#outbound,
      closeTimeoutMs: this.#options.closeTimeoutMs,
      hooks: this.#hooks,
      ...(this.#limits === undefined ? {} : { limits: this.#limits }),
      ...(this.#clock === undefined ? {} : { clock: this.#clock }),
    });
    this.#connections.add(connection);
    if (full) {
      connection.session.abort(SessionErrorReason.TooManyConnections, `${this.#connections.size - 1} connections already open`);
    }
  }
}

/** The part of a close reason that names its kind: `SESSION_ERROR SlowConsumer (refSequence 0): …` → `SESSION_ERROR SlowConsumer`. */
function disconnectKey(reason: string): string {
  return reason.split(/[:(]/, 1)[0]?.trim() ?? reason;
}
