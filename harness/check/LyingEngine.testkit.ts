import net from 'node:net';
import { CommandKind, type Command } from '../../engine/book/Command.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { EngineCore } from '../../engine/EngineCore.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { CancelReason, Liquidity, LogoutReason, OrderType, Side } from '../../engine/protocol/codes.js';
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
  | 'worse-price';

interface Session {
  readonly socket: net.Socket;
  sequence: number;
}

/**
 * A small order-entry engine for tests of the session-report checks: the reference matcher
 * (EngineCore) behind a bare TCP session layer that speaks docs/PROTOCOL.md well enough for
 * OrderEntryClient (LOGIN_ACK with a 60 s heartbeat, reports, LOGOUT), and that tells one planted
 * lie. No market data, no journal, no checks of the client's frames. Listens on 127.0.0.1 only.
 */
export class LyingEngine {
  private readonly sessions = new Map<number, Session>();
  private readonly sockets = new Set<net.Socket>();
  private readonly core: EngineCore;
  /** Limit price of each limit order by `${owner}/${symbol}/${clientOrderId}`, for the price lie. */
  private readonly limits = new Map<string, number>();
  private lied = false;
  private nextSessionId = 1;

  private constructor(private readonly server: net.Server, symbols: readonly SymbolConfig[], readonly lie: Lie) {
    this.core = new EngineCore({
      symbols,
      reports: { report: (owner, report) => this.report(owner, report) },
      marketData: { trade: () => {}, levelUpdate: () => {}, quote: () => {}, flush: () => {} },
    });
  }

  /** Starts listening on 127.0.0.1, on a free port. */
  static async listen(symbols: readonly SymbolConfig[], lie: Lie): Promise<LyingEngine> {
    const server = net.createServer();
    const engine = new LyingEngine(server, symbols, lie);
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
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const reader = new FrameReader();
    let owner = -1;
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (this.sessions.get(owner)?.socket === socket) this.sessions.delete(owner);
    });
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let m = reader.next(); m !== undefined; m = reader.next()) {
        switch (m.type) {
          case MessageType.Login: {
            owner = m.clientId;
            const session = { socket, sequence: 1 };
            this.sessions.set(owner, session);
            this.send(session, { type: MessageType.LoginAck, symbolId: 0, sessionId: this.nextSessionId++, heartbeatIntervalMs: 60_000 });
            break;
          }
          case MessageType.Logout: {
            const session = this.sessions.get(owner);
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
    this.core.process([command]);
  }

  private report(owner: number, report: Unstamped<ExecutionReport>): void {
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
    session.socket.write(encodeStamped(message, session.sequence++, 1));
  }
}
