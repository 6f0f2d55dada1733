import net from 'node:net';
import type { Command } from '../book/Command.js';
import { SessionErrorReason } from '../protocol/codes.js';
import { BatchedSocketWriter } from './BatchedSocketWriter.js';
import { OrderEntrySession } from './OrderEntrySession.js';
import type { SessionLimitsOptions } from './sessionLimits.js';

/** Options of {@link OrderEntryServer}; each documents its default. */
export interface OrderEntryServerOptions {
  /** Address to listen on. Default 127.0.0.1: matchbench never listens beyond this machine unless told to. */
  readonly host?: string;
  /** Port; 0 picks a free one (see {@link OrderEntryServer.port}). Default 0. */
  readonly port?: number;
  /** Connections at once; the next gets SESSION_ERROR TooManyConnections. Default 1,000. */
  readonly maxConnections?: number;
  /**
   * Bytes the engine may hold for one client that does not read its reports; beyond it the client
   * gets SESSION_ERROR SlowConsumer and is cut off. Default 4 MiB.
   */
  readonly maxUnreadBytes?: number;
  /** How often sessions run their timers, in ms. Default 10. */
  readonly tickIntervalMs?: number;
  /** Session limits (login timeout, heartbeats, rate limit, frame size). */
  readonly limits?: SessionLimitsOptions;
  /** A well-formed request from a logged-in client, with the session it came from. */
  readonly onCommand: (command: Command, session: OrderEntrySession) => void;
  /** One line per event worth logging (listening, disconnects with their reason). Default: none. */
  readonly log?: (line: string) => void;
}

export const ORDER_ENTRY_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxConnections: 1_000,
  maxUnreadBytes: 4 * 1024 * 1024,
  tickIntervalMs: 10,
} as const;

/** Counters for /metrics. */
export interface OrderEntryServerStats {
  readonly connections: number;
  readonly sessions: number;
  readonly accepted: number;
  readonly disconnects: Readonly<Record<string, number>>;
}

/**
 * The binary order-entry port: one {@link OrderEntrySession} per TCP connection, requests handed
 * to `onCommand`, reports written back with a cap on what a non-reading client can make the engine
 * hold (Node's socket.write buffers without limit unless writableLength is checked).
 *
 * A client id may be logged in on one connection at a time: a second LOGIN with the same id gets
 * SESSION_ERROR InvalidLogin, because the client id owns the orders.
 */
export class OrderEntryServer {
  private readonly server: net.Server;
  private readonly options: Required<Omit<OrderEntryServerOptions, 'limits' | 'log'>> & Pick<OrderEntryServerOptions, 'limits'>;
  private readonly log: (line: string) => void;
  private readonly sockets = new Map<OrderEntrySession, net.Socket>();
  private readonly byClient = new Map<number, OrderEntrySession>();
  private readonly timer: NodeJS.Timeout;
  private nextSessionId = 1;
  private accepted = 0;
  private readonly disconnects: Record<string, number> = {};

  private constructor(server: net.Server, options: OrderEntryServerOptions) {
    this.server = server;
    this.options = { ...ORDER_ENTRY_SERVER_DEFAULTS, ...options };
    this.log = options.log ?? ((): void => {});
    this.timer = setInterval(() => {
      for (const session of this.sockets.keys()) session.tick();
    }, this.options.tickIntervalMs);
    this.timer.unref();
    server.on('connection', (socket) => this.connect(socket));
  }

  /** Starts listening; resolves once the port is bound. */
  static async listen(options: OrderEntryServerOptions): Promise<OrderEntryServer> {
    const server = net.createServer({ noDelay: true });
    const gateway = new OrderEntryServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(gateway.options.port, gateway.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    gateway.log(`order entry listening on ${gateway.options.host}:${gateway.port}`);
    return gateway;
  }

  /** The bound port. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The logged-in session of a client id, if any: where that owner's reports go. */
  session(clientId: number): OrderEntrySession | undefined {
    return this.byClient.get(clientId);
  }

  stats(): OrderEntryServerStats {
    return { connections: this.sockets.size, sessions: this.byClient.size, accepted: this.accepted,
      disconnects: { ...this.disconnects } };
  }

  /** Sends LOGOUT Shutdown to every session, closes every connection and the port. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const session of [...this.sockets.keys()]) session.shutdown();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets.values()) socket.end();
    // Give clients a moment to read their LOGOUT, then make sure nothing is left open.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const socket of this.sockets.values()) socket.destroy();
    await closed;
  }

  private connect(socket: net.Socket): void {
    this.accepted++;
    const sessionId = this.nextSessionId++;
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const full = this.sockets.size >= this.options.maxConnections;
    let session: OrderEntrySession | undefined;
    let closing = false;
    // Reports of one outbound batch leave in one write per connection (see BatchedSocketWriter).
    const writer = new BatchedSocketWriter(socket);
    const closeSocket = (reason: string): void => {
      if (closing) return;
      closing = true;
      const key = reason.split(':')[0] ?? reason;
      this.disconnects[key] = (this.disconnects[key] ?? 0) + 1;
      this.log(`order entry session ${sessionId} (${peer}, client ${session?.clientId ?? '-'}) closed: ${reason}`);
      writer.flush();
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    const checkUnread = (): void => {
      const unreadBytes = writer.unreadBytes;
      if (unreadBytes > this.options.maxUnreadBytes) {
        session?.abort(SessionErrorReason.SlowConsumer,
          `client left ${unreadBytes} bytes unread, over the ${this.options.maxUnreadBytes}-byte cap`);
      }
    };
    session = new OrderEntrySession({
      sessionId,
      ...(this.options.limits === undefined ? {} : { limits: this.options.limits }),
      output: {
        send: (frame) => {
          if (socket.destroyed) return;
          writer.send(frame);
          checkUnread();
        },
        sendCopy: (bytes, length) => {
          if (socket.destroyed) return;
          writer.sendCopy(bytes, length);
          checkUnread();
        },
        close: closeSocket,
        command: (command) => this.options.onCommand(command, session as OrderEntrySession),
        admit: (clientId) => {
          const current = this.byClient.get(clientId);
          return current !== undefined && current !== session ? SessionErrorReason.InvalidLogin : undefined;
        },
        loggedIn: (clientId) => {
          this.byClient.set(clientId, session as OrderEntrySession);
        },
      },
    });
    this.sockets.set(session, socket);
    if (full) {
      session.abort(SessionErrorReason.TooManyConnections, `${this.sockets.size - 1} connections already open`);
    }
    socket.on('data', (chunk: Buffer) => session?.receive(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const s = session as OrderEntrySession;
      if (!closing) closeSocket('connection closed by peer');
      this.sockets.delete(s);
      const clientId = s.clientId;
      if (clientId !== undefined && this.byClient.get(clientId) === s) this.byClient.delete(clientId);
      s.disconnected();
    });
  }
}
