/**
 * OrderEntryClient against the real reference engine (Engine.start on port 0; its matcher worker
 * runs from dist/, so `npm run build` first, as `npm test` does) and against small fake servers
 * that misbehave on purpose. Every wait is bounded.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { CancelReason, Liquidity, LogoutReason, OrderType, RejectReason, SessionErrorReason, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { OrderEntryClient, type CloseReason, type OrderEntryClientOptions } from './OrderEntryClient.js';
import { TargetError } from './TargetError.js';

const SYMBOL = 7;

/** A client that records its reports and close reason. */
async function client(port: number, clientId: number, extra: Partial<OrderEntryClientOptions> = {}):
Promise<{ c: OrderEntryClient; reports: { report: ExecutionReport; receivedNs: number }[]; closes: CloseReason[] }> {
  const reports: { report: ExecutionReport; receivedNs: number }[] = [];
  const closes: CloseReason[] = [];
  const c = await OrderEntryClient.connect({ port, clientId, onReport: (report, receivedNs) => reports.push({ report, receivedNs }),
    onClose: (reason) => closes.push(reason), ...extra });
  return { c, reports, closes };
}

/** Resolves once `predicate` holds, polling every 5 ms; fails after `timeoutMs`. */
async function until(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The TargetError `promise` rejects with (fails if it resolves or rejects with something else). */
async function targetErrorOf(promise: Promise<unknown>): Promise<TargetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TargetError) return error;
    throw error;
  }
  throw new Error('connect resolved');
}

/** A plain TCP server on 127.0.0.1 that runs `onSocket` for each connection. */
async function fakeServer(onSocket: (socket: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const loginAck = (sequence: number, heartbeatIntervalMs = 100): Buffer =>
  encode({ type: MessageType.LoginAck, symbolId: 0, sequence, timestampNs: 1, sessionId: 99, heartbeatIntervalMs });

describe('OrderEntryClient against the reference engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.start({ symbols: [symbolConfig({ symbolId: SYMBOL, name: 'SEVEN', maxPrice: 100_000 })] });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('logs in, gets every kind of report with the echoed timestamp, and logs out cleanly', async () => {
    const port = engine.orderEntry.port;
    const maker = await client(port, 101);
    const taker = await client(port, 102);
    expect(maker.c.active).toBe(true);
    expect(maker.c.sessionId).toBeGreaterThan(0);
    expect(maker.c.heartbeatIntervalMs).toBe(1_000);

    const restTs = maker.c.newOrder({ symbolId: SYMBOL, clientOrderId: 1, side: Side.Sell, orderType: OrderType.Limit,
      timeInForce: TimeInForce.GTC, price: 10_000, quantity: 100 });
    await until(() => maker.reports.length === 1);
    const takeTs = taker.c.newOrder({ symbolId: SYMBOL, clientOrderId: 1, side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.IOC, price: 10_000, quantity: 40 });
    await until(() => taker.reports.length === 2 && maker.reports.length === 2);
    const replaceTs = maker.c.replace({ symbolId: SYMBOL, clientOrderId: 1, price: 10_010, quantity: 50 });
    await until(() => maker.reports.length === 3);
    const cancelTs = maker.c.cancel({ symbolId: SYMBOL, clientOrderId: 1 });
    await until(() => maker.reports.length === 4);

    expect(maker.reports.map((r) => r.report)).toMatchObject([
      { type: MessageType.Ack, clientOrderId: 1, echoTimestampNs: restTs },
      { type: MessageType.Fill, clientOrderId: 1, quantity: 40, leavesQuantity: 60, liquidity: Liquidity.Maker, echoTimestampNs: 0 },
      { type: MessageType.Replaced, clientOrderId: 1, price: 10_010, leavesQuantity: 50, echoTimestampNs: replaceTs },
      { type: MessageType.Canceled, clientOrderId: 1, canceledQuantity: 50, reason: CancelReason.User, echoTimestampNs: cancelTs },
    ]);
    expect(taker.reports.map((r) => r.report)).toMatchObject([
      { type: MessageType.Ack, clientOrderId: 1, echoTimestampNs: takeTs },
      { type: MessageType.Fill, clientOrderId: 1, quantity: 40, leavesQuantity: 0, liquidity: Liquidity.Taker, price: 10_000,
        echoTimestampNs: takeTs },
    ]);
    // Received after sent, on the same clock.
    expect(taker.reports[0]!.receivedNs).toBeGreaterThanOrEqual(takeTs);
    // LOGIN + 3 requests; the engine's LOGIN_ACK + 4 reports.
    expect(maker.c.stats).toMatchObject({ framesSent: 4, framesReceived: 5, reportsReceived: 4, protocolErrors: 0 });
    expect(maker.c.stats.bytesSent).toBe(36 + 56 + 52 + 36);

    expect(await maker.c.logout()).toMatchObject({ kind: 'logged-out', code: LogoutReason.UserRequested });
    expect(maker.closes).toHaveLength(1);
    expect(maker.c.state).toBe('closed');
    expect(() => maker.c.cancel({ symbolId: SYMBOL, clientOrderId: 1 })).toThrow(/cannot send CANCEL: the session is closed \(logged out/);
    await taker.c.logout();
  });

  it('surfaces reject reasons, and refuses a bad field without using a sequence', async () => {
    const { c, reports } = await client(engine.orderEntry.port, 103);
    c.newOrder({ symbolId: 999, clientOrderId: 5, side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC,
      price: 100, quantity: 1 });
    c.newOrder({ symbolId: SYMBOL, clientOrderId: 6, side: 9, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC,
      price: 100, quantity: 1 });
    c.cancel({ symbolId: SYMBOL, clientOrderId: 404 });
    const sequence = c.nextSequence;
    expect(() => c.newOrder({ symbolId: SYMBOL, clientOrderId: -1, side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.GTC, price: 100, quantity: 1 })).toThrow(/clientOrderId = -1/);
    expect(c.nextSequence).toBe(sequence);
    c.replace({ symbolId: SYMBOL, clientOrderId: 404, price: 100, quantity: 1 });
    await until(() => reports.length === 4);
    expect(reports.map((r) => r.report)).toMatchObject([
      { type: MessageType.Reject, clientOrderId: 5, reason: RejectReason.UnknownSymbol, refMessageType: MessageType.NewOrder },
      { type: MessageType.Reject, clientOrderId: 6, reason: RejectReason.InvalidSide },
      { type: MessageType.Reject, clientOrderId: 404, reason: RejectReason.UnknownOrder, refMessageType: MessageType.Cancel },
      { type: MessageType.Reject, clientOrderId: 404, reason: RejectReason.UnknownOrder, refMessageType: MessageType.Replace },
    ]);
    expect(c.active).toBe(true); // the out-of-range field did not reach the engine
    await c.logout();
  });

  it('keeps an idle session alive with heartbeats', async () => {
    const { c, closes } = await client(engine.orderEntry.port, 104, { heartbeatIntervalMs: 100 });
    // Seven intervals: the engine would cut a silent client after three, and we would call it dead after three.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(c.active).toBe(true);
    expect(closes).toEqual([]);
    expect(c.stats.heartbeatsSent).toBeGreaterThanOrEqual(4);
    expect(c.stats.framesReceived).toBeGreaterThanOrEqual(5); // LOGIN_ACK and the engine's heartbeats
    await c.logout();
  });

  it('refuses a second login with the same client id: login-refused, InvalidLogin', async () => {
    const first = await client(engine.orderEntry.port, 105);
    const error = await targetErrorOf(OrderEntryClient.connect({ port: engine.orderEntry.port, clientId: 105 }));
    expect(error).toMatchObject({ code: 'login-refused', reasonName: 'InvalidLogin', target: `127.0.0.1:${engine.orderEntry.port}` });
    expect(error.message).toMatch(/refused the LOGIN of client 105: SESSION_ERROR InvalidLogin/);
    await first.c.logout();
  });

  it('reports LOGOUT Shutdown when the engine stops', async () => {
    const own = await Engine.start({ symbols: [symbolConfig({ symbolId: 1, name: 'ONE' })] });
    const { c, closes } = await client(own.orderEntry.port, 1);
    await own.stop();
    await until(() => closes.length === 1);
    expect(closes[0]).toMatchObject({ kind: 'engine-logout', code: LogoutReason.Shutdown });
    expect(await c.closed).toBe(closes[0]);
  });
});

describe('OrderEntryClient against targets that are not engines', () => {
  it('fails fast with unreachable when nothing listens', async () => {
    const probe = await fakeServer(() => {});
    const port = probe.port;
    await probe.close();
    const startedMs = Date.now();
    const error = await targetErrorOf(OrderEntryClient.connect({ port, clientId: 1 }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(`nothing listens at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(Date.now() - startedMs).toBeLessThan(1_000);
  });

  it('fails with protocol when the server answers garbage', async () => {
    const server = await fakeServer((socket) => socket.once('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const error = await targetErrorOf(OrderEntryClient.connect({ port: server.port, clientId: 1 }));
    expect(error.code).toBe('protocol');
    // "HT" read as a little-endian length: 0x5448 = 21576 bytes, above the 4096 maximum.
    expect(error.message).toMatch(/bad frame from 127\.0\.0\.1:\d+: frame length 21576 exceeds maximum 4096 \(FrameTooLarge\)/);
    await server.close();
  });

  it('fails with protocol after the login timeout when the server never answers', async () => {
    const server = await fakeServer(() => {});
    const startedMs = Date.now();
    const error = await targetErrorOf(OrderEntryClient.connect({ port: server.port, clientId: 1, loginTimeoutMs: 200 }));
    expect(error.code).toBe('protocol');
    expect(error.message).toMatch(/sent no LOGIN_ACK within 200 ms/);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(190);
    await server.close();
  });

  it('fails with protocol when the first frame is not LOGIN_ACK', async () => {
    const server = await fakeServer((socket) => socket.once('data', () => socket.write(encode({ type: MessageType.Heartbeat,
      symbolId: 0, sequence: 1, timestampNs: 1 }))));
    const error = await targetErrorOf(OrderEntryClient.connect({ port: server.port, clientId: 1 }));
    expect(error).toMatchObject({ code: 'protocol', reasonName: 'UnexpectedMessage' });
    expect(error.message).toMatch(/sent HEARTBEAT where LOGIN_ACK was due/);
    await server.close();
  });

  it('detects a dead engine: nothing for three intervals is a heartbeat timeout', async () => {
    const server = await fakeServer((socket) => socket.once('data', () => socket.write(loginAck(1))));
    const { c, closes } = await client(server.port, 1, { heartbeatIntervalMs: 100 });
    await until(() => closes.length === 1, 2_000);
    expect(closes[0]).toMatchObject({ kind: 'heartbeat-timeout', code: SessionErrorReason.HeartbeatTimeout });
    expect(c.state).toBe('closed');
    await server.close();
  });

  it('ends the session on a sequence gap from the engine, telling it SESSION_ERROR SequenceGap', async () => {
    let answered: Message | undefined;
    const server = await fakeServer((socket) => {
      socket.once('data', () => {
        socket.write(Buffer.concat([loginAck(1, 1_000), encode({ type: MessageType.Heartbeat, symbolId: 0, sequence: 3, timestampNs: 2 })]));
        socket.on('data', (chunk: Buffer) => {
          if (chunk.length >= 40 && chunk[3] === MessageType.SessionError) answered = { type: MessageType.SessionError } as Message;
        });
      });
    });
    const closes: CloseReason[] = [];
    const c = await OrderEntryClient.connect({ port: server.port, clientId: 1, onClose: (r) => closes.push(r) });
    await until(() => closes.length === 1 && answered !== undefined);
    expect(closes[0]).toMatchObject({ kind: 'protocol-error', code: SessionErrorReason.SequenceGap });
    expect(closes[0]!.detail).toMatch(/sent sequence 3 where 2 was due/);
    expect(c.stats.protocolErrors).toBe(1);
    await server.close();
  });

  it('shows backpressure when the engine does not read', async () => {
    const server = await fakeServer((socket) => socket.once('data', () => {
      socket.write(loginAck(1, 60_000));
      socket.pause();
    }));
    const c = await OrderEntryClient.connect({ port: server.port, clientId: 1, maxWritableBytes: 256 * 1024 });
    let sent = 0;
    // 56-byte frames, 8 MiB at most: more than loopback's socket buffers take.
    for (let turn = 0; turn < 50 && !c.backpressured; turn++) {
      for (let i = 0; i < 3_000; i++) {
        c.newOrder({ symbolId: 1, clientOrderId: ++sent, side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC,
          price: 100, quantity: 1 });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(c.backpressured).toBe(true);
    expect(c.writableLength).toBeGreaterThan(256 * 1024);
    c.destroy();
    await server.close();
  });

  it('refuses bad options, naming every problem at once', async () => {
    await expect(OrderEntryClient.connect({ port: 0, clientId: -1, heartbeatIntervalMs: 50 })).rejects.toThrow(
      'invalid order-entry client options: port must be an integer in 1..65535, got 0; clientId must be an integer in 0..4294967295, ' +
        'got -1; heartbeatIntervalMs must be an integer in 100..60000, got 50');
  });
});
