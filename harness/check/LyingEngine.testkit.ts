import net from 'node:net';
import { CommandKind, type Command } from '../../engine/book/Command.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { EngineCore } from '../../engine/EngineCore.js';
import type { LyingFeed } from './LyingFeed.testkit.js';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { CancelReason, Liquidity, LogoutReason, OrderType, RejectReason, Side } from '../../engine/protocol/codes.js';
import { encodeStamped, type UnstampedMessage } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { MessageType } from '../../engine/protocol/messages.js';

/** What the engine gets wrong, once. */
export type Lie =
  /** Nothing: a correct (if minimal) engine. */
  | 'none'
  /** After the first CANCELED User, a FILL for the same order. */
  | 'fill-after-cancel'
  /** The first taker FILL of a limit order is reported one tick worse than its limit allows. */
  | 'worse-price'
  /**
   * The first trade whose aggressor's limit differs from the resting price is executed at the
   * aggressor's limit, and both FILLs say so: every report is consistent (each side within its
   * limit, leaves right), only a replay through the oracle shows the price is wrong.
   */
  | 'aggressor-price';

/**
 * How the engine misbehaves as a peer, for tests of how a run ends (harness/run/OrderEntryDriver):
 * - `none`: a well-behaved session layer;
 * - `silent`: LOGIN_ACK (1 s heartbeats), then nothing at all, not even heartbeats;
 * - `heartbeats-only`: LOGIN_ACK (1 s heartbeats), then heartbeats every 200 ms and no answer to any request (a livelock);
 * - `slow`: answers requests in order, one every `slowAnswerMs`, heartbeats in between;
 * - `crash`: after `crashAfterOrders` NEW_ORDERs in all, destroys every connection and stops listening;
 * - `flood`: answers as `none`, and writes HEARTBEATs as fast as each socket drains them;
 * - `reject-all`: answers every request with REJECT EngineBusy.
 */
export type Misbehaviour = 'none' | 'silent' | 'heartbeats-only' | 'slow' | 'crash' | 'flood' | 'reject-all';

/** Options of {@link LyingEngine.listen} beyond the lie; each documents its default. */
export interface LyingEngineOptions {
  /** Default 'none'. */
  readonly misbehaviour?: Misbehaviour;
  /** `slow`: ms between two answers. Default 1,000. */
  readonly slowAnswerMs?: number;
  /** `crash`: NEW_ORDERs (all sessions) before the crash. Default 50. */
  readonly crashAfterOrders?: number;
  /** A market-data channel fed by the matcher (harness/check/LyingFeed.testkit.ts). Default none. */
  readonly feed?: LyingFeed;
}

interface Session {
  readonly socket: net.Socket;
  sequence: number;
  /** `slow`: requests not answered yet, oldest first, and the timer that answers them. */
  readonly backlog: Command[];
  timer: NodeJS.Timeout | undefined;
}

/** Heartbeat interval the misbehaving modes grant, ms (the well-behaved engine grants 60 s: no heartbeats needed in tests). */
const MISBEHAVING_HEARTBEAT_MS = 1_000;

const REQUEST_TYPES: Readonly<Record<CommandKind, number>> = {
  [CommandKind.NewOrder]: MessageType.NewOrder, [CommandKind.Cancel]: MessageType.Cancel, [CommandKind.Replace]: MessageType.Replace,
};

/**
 * A small order-entry engine for tests of the session-report checks and of how a run ends against
 * a bad engine: the reference matcher (EngineCore) behind a bare TCP session layer that speaks
 * docs/PROTOCOL.md well enough for OrderEntryClient (LOGIN_ACK with a 60 s heartbeat, reports,
 * LOGOUT), that tells one planted lie and may misbehave as a peer ({@link Misbehaviour}). No
 * market data, no journal, no checks of the client's frames. Listens on 127.0.0.1 only.
 */
export class LyingEngine {
  private readonly sessions = new Map<number, Session>();
  private readonly sockets = new Set<net.Socket>();
  private readonly core: EngineCore;
  /** Limit price of each limit order by `${owner}/${symbol}/${clientOrderId}`, for the price lie. */
  private readonly limits = new Map<string, number>();
  private lied = false;
  /** The maker FILL of the trade being reported, held until its taker FILL shows the aggressor's limit ('aggressor-price'). */
  private heldMaker: { owner: number; report: Unstamped<ExecutionReport> } | undefined;
  private nextSessionId = 1;
  private ordersSeen = 0;
  readonly misbehaviour: Misbehaviour;

  private constructor(private readonly server: net.Server, symbols: readonly SymbolConfig[], readonly lie: Lie,
    private readonly options: LyingEngineOptions) {
    this.misbehaviour = options.misbehaviour ?? 'none';
    this.core = new EngineCore({
      symbols,
      reports: { report: (owner, report) => this.report(owner, report) },
      marketData: options.feed ?? { trade: () => {}, levelUpdate: () => {}, quote: () => {}, flush: () => {} },
    });
    options.feed?.attach(this.core.matcher);
  }

  /** Starts listening on 127.0.0.1, on a free port. */
  static async listen(symbols: readonly SymbolConfig[], lie: Lie, options: LyingEngineOptions = {}): Promise<LyingEngine> {
    const server = net.createServer();
    const engine = new LyingEngine(server, symbols, lie, options);
    server.on('connection', (socket) => engine.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return engine;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Whether the lie has been told. */
  get hasLied(): boolean {
    return this.lied;
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) clearInterval(session.timer);
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const reader = new FrameReader();
    let owner = -1;
    socket.on('close', () => {
      this.sockets.delete(socket);
      const session = this.sessions.get(owner);
      if (session?.socket === socket) {
        clearInterval(session.timer);
        this.sessions.delete(owner);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let m = reader.next(); m !== undefined; m = reader.next()) {
        switch (m.type) {
          case MessageType.Login: {
            owner = m.clientId;
            const session: Session = { socket, sequence: 1, backlog: [], timer: undefined };
            this.sessions.set(owner, session);
            this.send(session, { type: MessageType.LoginAck, symbolId: 0, sessionId: this.nextSessionId++,
              heartbeatIntervalMs: this.misbehaviour === 'none' ? 60_000 : MISBEHAVING_HEARTBEAT_MS });
            this.startMisbehaving(session);
            break;
          }
          case MessageType.Logout: {
            const session = this.sessions.get(owner);
            if (this.misbehaviour === 'silent' || this.misbehaviour === 'heartbeats-only') return;
            if (session !== undefined) this.send(session, { type: MessageType.Logout, symbolId: 0, reason: LogoutReason.UserRequested });
            this.sessions.delete(owner);
            socket.end();
            return;
          }
          case MessageType.NewOrder:
            if (m.orderType === OrderType.Limit) this.limits.set(`${owner}/${m.symbolId}/${m.clientOrderId}`, m.price);
            this.match({ kind: CommandKind.NewOrder, symbolId: m.symbolId, owner, clientOrderId: m.clientOrderId, side: m.side,
              orderType: m.orderType, timeInForce: m.timeInForce, price: m.price, quantity: m.quantity, timestampNs: m.timestampNs });
            break;
          case MessageType.Cancel:
            this.match({ kind: CommandKind.Cancel, symbolId: m.symbolId, owner, clientOrderId: m.clientOrderId, side: 0, orderType: 0,
              timeInForce: 0, price: 0, quantity: 0, timestampNs: m.timestampNs });
            break;
          case MessageType.Replace:
            this.limits.set(`${owner}/${m.symbolId}/${m.clientOrderId}`, m.price);
            this.match({ kind: CommandKind.Replace, symbolId: m.symbolId, owner, clientOrderId: m.clientOrderId, side: 0, orderType: 0,
              timeInForce: 0, price: m.price, quantity: m.quantity, timestampNs: m.timestampNs });
            break;
          default:
            break;
        }
      }
    });
  }

  private match(command: Command): void {
    const session = this.sessions.get(command.owner);
    switch (this.misbehaviour) {
      case 'silent':
      case 'heartbeats-only':
        return;
      case 'slow':
        session?.backlog.push(command);
        return;
      case 'reject-all':
        if (session !== undefined) {
          this.send(session, { type: MessageType.Reject, symbolId: command.symbolId, clientOrderId: command.clientOrderId,
            echoTimestampNs: command.timestampNs, reason: RejectReason.EngineBusy, refMessageType: REQUEST_TYPES[command.kind] });
        }
        return;
      case 'crash':
        if (command.kind === CommandKind.NewOrder && ++this.ordersSeen >= (this.options.crashAfterOrders ?? 50)) {
          // As a killed process: every connection reset, nothing listening any more.
          for (const socket of this.sockets) socket.destroy();
          this.server.close();
          return;
        }
        break;
      default:
        break;
    }
    this.core.process([command]);
  }

  /** The timers of the modes that act on their own: heartbeats, slow answers, the flood. */
  private startMisbehaving(session: Session): void {
    const heartbeat = (): void => this.send(session, { type: MessageType.Heartbeat, symbolId: 0 });
    switch (this.misbehaviour) {
      case 'heartbeats-only':
        session.timer = setInterval(heartbeat, 200);
        return;
      case 'slow':
        session.timer = setInterval(() => {
          const command = session.backlog.shift();
          if (command === undefined) heartbeat();
          else this.core.process([command]);
        }, this.options.slowAnswerMs ?? 1_000);
        return;
      case 'flood': {
        // Writes until the socket's buffer is full, then again when it drains: as fast as the client reads.
        const pour = (): void => {
          while (!session.socket.destroyed && session.socket.writableLength < 1 << 20) {
            const frames: Buffer[] = [];
            for (let i = 0; i < 1_024; i++) frames.push(encodeStamped({ type: MessageType.Heartbeat, symbolId: 0 }, session.sequence++, 1));
            session.socket.write(Buffer.concat(frames));
          }
        };
        session.socket.on('drain', pour);
        session.timer = setInterval(pour, 50);
        return;
      }
      default:
        return;
    }
  }

  private report(owner: number, report: Unstamped<ExecutionReport>): void {
    if (!this.lied && this.lie === 'aggressor-price' && report.type === MessageType.Fill) {
      // EngineCore reports a trade's maker FILL, then its taker FILL: hold the first to rewrite both.
      if (report.liquidity === Liquidity.Maker) {
        this.heldMaker = { owner, report };
        return;
      }
      const held = this.heldMaker;
      this.heldMaker = undefined;
      const limit = this.limits.get(`${owner}/${report.symbolId}/${report.clientOrderId}`);
      if (held !== undefined && held.report.type === MessageType.Fill && limit !== undefined && limit !== report.price) {
        this.lied = true;
        this.deliver(held.owner, { ...held.report, price: limit });
        this.deliver(owner, { ...report, price: limit });
        return;
      }
      if (held !== undefined) this.deliver(held.owner, held.report);
    }
    this.deliver(owner, report);
  }

  private deliver(owner: number, report: Unstamped<ExecutionReport>): void {
    const session = this.sessions.get(owner);
    if (session === undefined) return;
    if (!this.lied && this.lie === 'worse-price' && report.type === MessageType.Fill && report.liquidity === Liquidity.Taker) {
      const limit = this.limits.get(`${owner}/${report.symbolId}/${report.clientOrderId}`);
      if (limit !== undefined) {
        this.lied = true;
        this.send(session, { ...report, price: report.side === Side.Buy ? limit + 1 : limit - 1 });
        return;
      }
    }
    this.send(session, report);
    if (!this.lied && this.lie === 'fill-after-cancel' && report.type === MessageType.Canceled && report.reason === CancelReason.User) {
      this.lied = true;
      this.send(session, { type: MessageType.Fill, symbolId: report.symbolId, clientOrderId: report.clientOrderId, orderId: report.orderId,
        tradeId: 999_999, price: 1, quantity: 1, leavesQuantity: 0, side: Side.Buy, liquidity: Liquidity.Maker, echoTimestampNs: 0 });
    }
  }

  private send(session: Session, message: UnstampedMessage): void {
    if (session.socket.destroyed) return;
    // Stamped on one monotonic clock in processing order, as the reference engine does (the differential check orders by it).
    session.socket.write(encodeStamped(message, session.sequence++, monotonicNowNs()));
  }
}
