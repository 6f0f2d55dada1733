import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { symbolConfig } from '../book/SymbolConfig.js';
import { EngineCore, type MarketDataSink } from '../EngineCore.js';
import { JournalWriter } from '../journal/JournalWriter.js';
import { replayJournal } from '../journal/replayJournal.js';
import { CancelReason, Liquidity, OrderType, RejectReason, SessionErrorReason, Side, TimeInForce } from '../protocol/codes.js';
import { encode } from '../protocol/encode.js';
import { FrameReader } from '../protocol/FrameReader.js';
import { MessageType, type Message } from '../protocol/messages.js';
import { OrderEntryServer } from './OrderEntryServer.js';

const symbols = [symbolConfig({ symbolId: 1, name: 'AAA', maxPrice: 100_000 })];

/** A protocol client over a real socket: numbers its frames, collects what comes back. */
class TestClient {
  readonly received: Message[] = [];
  private readonly reader = new FrameReader();
  private sequence = 1;
  private waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.reader.push(chunk);
      for (let m = this.reader.next(); m !== undefined; m = this.reader.next()) this.received.push(m);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }
  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  send(message: Record<string, unknown> & { type: number }): void {
    this.socket.write(encode({ symbolId: 0, timestampNs: 1_000 + this.sequence, ...message, sequence: this.sequence++ } as Message));
  }
  login(clientId: number): void {
    this.send({ type: MessageType.Login, clientId, heartbeatIntervalMs: 1_000 });
  }
  newOrder(clientOrderId: number, side: Side, price: number, quantity: number, timeInForce: TimeInForce = TimeInForce.GTC): void {
    this.send({ type: MessageType.NewOrder, symbolId: 1, clientOrderId, side, orderType: OrderType.Limit, timeInForce, price,
      quantity });
  }
  /** Waits until `predicate` holds over what was received (or the socket closed), at most 3 s. */
  async until(predicate: (received: Message[]) => boolean): Promise<void> {
    const deadline = Date.now() + 3_000;
    while (!predicate(this.received)) {
      if (this.closed || Date.now() > deadline) throw new Error(`condition not met; received ${JSON.stringify(this.received.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
  }
  of<T extends number>(type: T): Extract<Message, { type: T }>[] {
    return this.received.filter((m): m is Extract<Message, { type: T }> => m.type === type);
  }
}

const marketData = (): MarketDataSink & { trades: number[] } => {
  const trades: number[] = [];
  return { trades, trade: (_s, _id, _p, q) => trades.push(q), levelUpdate: () => {}, quote: () => {}, flush: () => {} };
};

let server: OrderEntryServer | undefined;
let clients: TestClient[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const c of clients) c.socket.destroy();
  clients = [];
  await server?.close();
  server = undefined;
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(options: { maxConnections?: number; maxUnreadBytes?: number; journal?: JournalWriter; unlimitedRate?: boolean } = {}) {
  const md = marketData();
  let core: EngineCore | undefined;
  const log: string[] = [];
  server = await OrderEntryServer.listen({
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.maxUnreadBytes === undefined ? {} : { maxUnreadBytes: options.maxUnreadBytes }),
    ...(options.unlimitedRate === true ? { limits: { maxFramesPerSecond: Number.POSITIVE_INFINITY } } : {}),
    onCommand: (command) => core?.process([command]),
    log: (line) => log.push(line),
  });
  const gateway = server;
  core = new EngineCore({ symbols, marketData: md, ...(options.journal === undefined ? {} : { journal: options.journal }),
    reports: { report: (owner, report) => gateway.session(owner)?.report(report) } });
  const connect = async () => {
    const c = await TestClient.connect(gateway.port);
    clients.push(c);
    return c;
  };
  return { md, core, log, connect, port: gateway.port };
}

describe('OrderEntryServer with EngineCore', () => {
  it('logs in, acknowledges orders with their echo, and reports fills to both owners and trades to market data', async () => {
    const { md, connect } = await start();
    const maker = await connect();
    const taker = await connect();
    maker.login(11);
    taker.login(22);
    await maker.until((r) => r.some((m) => m.type === MessageType.LoginAck));
    await taker.until((r) => r.some((m) => m.type === MessageType.LoginAck));
    maker.newOrder(1, Side.Sell, 10_000, 30);
    await maker.until((r) => r.some((m) => m.type === MessageType.Ack));
    taker.newOrder(7, Side.Buy, 10_000, 20);
    await taker.until((r) => r.some((m) => m.type === MessageType.Fill));
    await maker.until((r) => r.some((m) => m.type === MessageType.Fill));

    const [ack] = taker.of(MessageType.Ack);
    expect(ack).toMatchObject({ clientOrderId: 7, echoTimestampNs: 1_002 });
    expect(taker.of(MessageType.Fill)).toMatchObject([{ clientOrderId: 7, price: 10_000, quantity: 20, leavesQuantity: 0,
      liquidity: Liquidity.Taker, echoTimestampNs: 1_002 }]);
    expect(maker.of(MessageType.Fill)).toMatchObject([{ clientOrderId: 1, quantity: 20, leavesQuantity: 10,
      liquidity: Liquidity.Maker, echoTimestampNs: 0 }]);
    expect(md.trades).toEqual([20]);
    // Every frame the engine sent each client is numbered 1, 2, 3, …
    for (const c of [maker, taker]) expect(c.received.map((m) => m.sequence)).toEqual(c.received.map((_m, i) => i + 1));
  });

  it('rejects business errors and keeps the session up', async () => {
    const { connect } = await start();
    const c = await connect();
    c.login(5);
    c.newOrder(1, Side.Buy, 0, 10);
    c.newOrder(2, Side.Buy, 100, 10, TimeInForce.IOC);
    c.send({ type: MessageType.Cancel, symbolId: 1, clientOrderId: 99 });
    await c.until((r) => r.filter((m) => m.type !== MessageType.LoginAck).length >= 4);
    expect(c.of(MessageType.Reject).map((m) => m.reason)).toEqual([RejectReason.InvalidPrice, RejectReason.UnknownOrder]);
    expect(c.of(MessageType.Canceled)).toMatchObject([{ clientOrderId: 2, reason: CancelReason.IocRemainder }]);
    expect(c.closed).toBe(false);
  });

  it('answers a broken frame with SESSION_ERROR and a log line naming the reason', async () => {
    const { connect, log } = await start();
    const c = await connect();
    c.login(5);
    const frame = encode({ type: MessageType.Heartbeat, symbolId: 0, sequence: 2, timestampNs: 0 });
    frame[frame.length - 1]! ^= 0xff;
    c.socket.write(frame);
    await c.until((r) => r.some((m) => m.type === MessageType.SessionError));
    expect(c.of(MessageType.SessionError)[0]?.reason).toBe(SessionErrorReason.ChecksumMismatch);
    await c.until(() => c.closed).catch(() => {});
    expect(c.closed).toBe(true);
    expect(log.some((line) => /session \d+ .*client 5.*closed: SESSION_ERROR ChecksumMismatch/.test(line))).toBe(true);
  });

  it('refuses a second login of the same client id and connections beyond the limit', async () => {
    const { connect } = await start({ maxConnections: 2 });
    const a = await connect();
    a.login(9);
    await a.until((r) => r.some((m) => m.type === MessageType.LoginAck));
    const b = await connect();
    b.login(9);
    await b.until((r) => r.some((m) => m.type === MessageType.SessionError));
    expect(b.of(MessageType.SessionError)[0]?.reason).toBe(SessionErrorReason.InvalidLogin);
    await b.until(() => b.closed).catch(() => {});
    const c = await connect();
    const d = await connect();
    await d.until((r) => r.some((m) => m.type === MessageType.SessionError));
    expect(d.of(MessageType.SessionError)[0]?.reason).toBe(SessionErrorReason.TooManyConnections);
    expect(c.closed).toBe(false);
  });

  it('cuts off a client that does not read its reports once the engine holds more than the cap for it', async () => {
    const { connect, log } = await start({ maxUnreadBytes: 64 * 1024, unlimitedRate: true });
    const c = await connect();
    c.login(3);
    await c.until((r) => r.some((m) => m.type === MessageType.LoginAck));
    c.socket.pause();
    // Orders that are rejected at once: each answer is a 48-byte REJECT the client never reads.
    // Enough of them to fill the kernel's loopback buffers as well as the cap.
    for (let i = 0; i < 300_000 && !c.closed; i++) c.newOrder(i + 1, Side.Buy, 0, 1);
    const deadline = Date.now() + 5_000;
    while (!log.some((l) => l.includes('SlowConsumer')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(log.filter((l) => l.includes('closed'))).toEqual([expect.stringMatching(/client 3.*SlowConsumer.*bytes unread/)]);
  });

  it('journals every command so that a replay rebuilds the same books', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-engine-'));
    const file = path.join(dir, 'e.journal');
    const journal = JournalWriter.open(file, { symbols }, { durability: 'sync' });
    const { core, connect } = await start({ journal });
    const c = await connect();
    c.login(1);
    for (let i = 1; i <= 50; i++) c.newOrder(i, i % 2 === 0 ? Side.Buy : Side.Sell, 10_000 + (i % 5) - 2, i);
    await c.until((r) => r.filter((m) => m.type === MessageType.Ack).length === 50);
    journal.close();
    expect(replayJournal(file).stateHash).toBe(core.matcher.stateHash());
  });
});
