import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogoutReason, SessionErrorReason } from '../protocol/codes.js';
import { encode } from '../protocol/encode.js';
import { FrameReader } from '../protocol/FrameReader.js';
import { MessageType, type Message } from '../protocol/messages.js';
import { Broadcaster, type BookDepth } from './Broadcaster.js';
import { MarketDataServer, type MarketDataServerOptions } from './MarketDataServer.js';
import { PENDING_CHUNK_OVERHEAD_BYTES } from './OutboundQueue.js';

const TRADE_BYTES = 56;
const BOOK: BookDepth = {
  bids: [{ price: 10_020, quantity: 250, orderCount: 1 }],
  asks: [{ price: 10_025, quantity: 400, orderCount: 3 }, { price: 10_030, quantity: 75, orderCount: 1 }],
};
const FEED_TYPES = new Set<number>([MessageType.Trade, MessageType.LevelUpdate, MessageType.Quote]);

/** A market-data subscriber over a real socket: numbers its frames, decodes what comes back. */
class FeedClient {
  readonly received: Message[] = [];
  closed = false;
  readonly #reader = new FrameReader();
  #sequence = 1;
  #waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let m = this.#reader.next(); m !== undefined; m = this.#reader.next()) this.received.push(m);
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<FeedClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new FeedClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: Record<string, unknown> & { type: number }): void {
    this.socket.write(encode({ symbolId: 0, timestampNs: 1_000, ...message, sequence: this.#sequence++ } as Message));
  }

  /** LOGIN, then waits for LOGIN_ACK; returns the feed sequence it carries. */
  async login(clientId: number, heartbeatIntervalMs = 10_000): Promise<number> {
    this.send({ type: MessageType.Login, clientId, heartbeatIntervalMs });
    await this.until((r) => r.some((m) => m.type === MessageType.LoginAck));
    return this.received.find((m) => m.type === MessageType.LoginAck)?.sequence ?? -1;
  }

  /** Sequences of the TRADE, LEVEL_UPDATE and QUOTE frames received. */
  feedSequences(): number[] {
    return this.received.filter((m) => FEED_TYPES.has(m.type)).map((m) => m.sequence);
  }

  last(): Message | undefined {
    return this.received.at(-1);
  }

  /** Waits until `predicate` holds over what was received, at most `timeoutMs`; fails early if the socket closed. */
  async until(predicate: (received: Message[]) => boolean, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (this.closed || Date.now() > deadline) {
        throw new Error(`condition not met (closed: ${this.closed}); last frames ${JSON.stringify(this.received.slice(-3))}`);
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 20).unref();
      });
    }
  }

  /** Waits for the socket to close, at most `timeoutMs`. */
  async untilClosed(timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 20).unref();
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

let server: MarketDataServer | undefined;
let clients: FeedClient[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients) c.socket.destroy();
  clients = [];
  await server?.close();
  server = undefined;
});

async function start(options: Omit<MarketDataServerOptions, 'broadcaster'> = {}) {
  const broadcaster = new Broadcaster({ depth: (symbolId) => (symbolId === 3 ? BOOK : undefined) });
  const log: string[] = [];
  server = await MarketDataServer.listen({ broadcaster, log: (line) => log.push(line), ...options });
  const md = server;
  const connect = async (): Promise<FeedClient> => {
    const c = await FeedClient.connect(md.port);
    clients.push(c);
    return c;
  };
  let tradeId = 0;
  /** One batch of `frames` TRADEs on symbol 3, flushed. */
  const publish = (frames: number): void => {
    for (let i = 0; i < frames; i++) broadcaster.trade(3, ++tradeId, 10_000 + (tradeId % 50) * 5, 1 + (tradeId % 7), 1);
    broadcaster.flush();
  };
  /** `batches` batches of `frames`, yielding to the event loop between them as the engine does. */
  const burst = async (batches: number, frames: number, stop: () => boolean = () => false): Promise<void> => {
    for (let b = 0; b < batches && !stop(); b++) {
      publish(frames);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { server: md, broadcaster, log, connect, publish, burst };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('MarketDataServer', () => {
  it('gives every subscriber the same frames with contiguous feed sequences, starting after its LOGIN_ACK', async () => {
    const t = await start();
    const a = await t.connect();
    expect(await a.login(1)).toBe(0);
    t.publish(3);
    await a.until(() => a.feedSequences().length === 3);
    const b = await t.connect();
    expect(await b.login(2)).toBe(3);
    t.publish(4);
    t.publish(5);
    await a.until(() => a.feedSequences().length === 12);
    await b.until(() => b.feedSequences().length === 9);
    expect(a.feedSequences()).toEqual(range(1, 12));
    expect(b.feedSequences()).toEqual(range(4, 12));
    expect(b.received.slice(1)).toEqual(a.received.slice(4)); // the same frames, timestamps included
    expect(t.server.stats()).toMatchObject({ connections: 2, subscribers: 2, feed: { lastSequence: 12, framesSent: 3 + 2 * 9 } });
  });

  it('writes a batch of K frames to a subscriber in one socket write', async () => {
    const t = await start();
    const c = await t.connect();
    await c.login(1);
    const write = vi.spyOn(net.Socket.prototype, 'write');
    const K = 200;
    t.publish(K);
    await c.until(() => c.feedSequences().length === K);
    const serverSide = write.mock.calls.filter((_, i) => (write.mock.contexts[i] as net.Socket).localPort === t.server.port);
    expect(serverSide.map(([chunk]) => (chunk as Buffer).length)).toEqual([K * TRADE_BYTES]);
    expect(t.server.stats().perSubscriber[0]).toMatchObject({ writes: 2, framesSent: K }); // LOGIN_ACK, then the batch
  });

  it('keeps a fast subscriber whole while a stalled one drops batches within its cap, then resyncs it with a snapshot', async () => {
    const capBytes = 64 * 1024;
    const batchFrames = 500;
    const t = await start({ outbound: { capBytes, policy: 'drop' } });
    const fast = await t.connect();
    const stalled = await t.connect();
    await fast.login(1);
    await stalled.login(2);
    stalled.socket.pause();
    // Loopback socket buffers absorb ~4 MB for a reader that does not read; go on until the
    // stalled one has dropped 10 batches (~4.4 MB on the development machine), at most 11 MB.
    const dropped = (): number => t.server.stats().feed.batchesDropped;
    await t.burst(400, batchFrames, () => dropped() >= 10);
    expect(dropped()).toBeGreaterThanOrEqual(10);
    const total = t.broadcaster.lastSequence;
    await fast.until(() => fast.feedSequences().length === total, 5_000);
    expect(fast.feedSequences()).toEqual(range(1, total));

    const stats = t.server.stats();
    const slow = stats.perSubscriber.find((s) => s.clientId === 2);
    expect(slow?.framesDropped).toBeGreaterThan(0);
    expect(slow?.maxQueuedBytes).toBeLessThanOrEqual(capBytes + batchFrames * TRADE_BYTES);
    expect(stats.perSubscriber.find((s) => s.clientId === 1)?.framesDropped).toBe(0);
    expect(stats.feed.framesDropped).toBe(slow?.framesDropped);
    expect(stats.maxQueuedBytes).toBeLessThanOrEqual(capBytes + batchFrames * TRADE_BYTES);

    stalled.socket.resume();
    const delivered = total - (slow?.framesDropped ?? 0);
    await stalled.until(() => stalled.feedSequences().length === delivered, 5_000);
    t.publish(1); // the next frame shows the gap
    await stalled.until(() => stalled.feedSequences().length === delivered + 1);
    const seen = stalled.feedSequences();
    expect(seen.at(-1)).toBe(total + 1);
    expect(seen.some((s, i) => i > 0 && s !== (seen[i - 1] ?? 0) + 1)).toBe(true);

    stalled.send({ type: MessageType.SnapshotRequest, symbolId: 3, levels: 0 });
    await stalled.until(() => stalled.last()?.type === MessageType.BookSnapshot);
    expect(stalled.last()).toMatchObject({ symbolId: 3, sequence: total + 1, bids: BOOK.bids, asks: BOOK.asks });
    t.publish(2);
    await stalled.until(() => stalled.feedSequences().length === delivered + 3);
    expect(stalled.feedSequences().slice(-2)).toEqual([total + 2, total + 3]);
    expect(stalled.closed).toBe(false);
  });

  it('does not build a snapshot for a subscriber whose queue would refuse it, and answers once the queue has room', async () => {
    const capBytes = 64 * 1024;
    const t = await start({ outbound: { capBytes, policy: 'drop' } });
    const stalled = await t.connect();
    await stalled.login(2);
    stalled.socket.pause();
    const dropped = (): number => t.server.stats().feed.batchesDropped;
    // Batches of 50 TRADEs (2,800 bytes): after a refused one, less room is left than a whole-frame snapshot needs.
    await t.burst(5_000, 50, () => dropped() >= 3);
    expect(dropped()).toBeGreaterThanOrEqual(3);
    const refusedBefore = t.server.stats().perSubscriber.find((s) => s.clientId === 2)?.writesDropped ?? 0;

    stalled.send({ type: MessageType.SnapshotRequest, symbolId: 3, levels: 0 });
    const refused = (): number => t.server.stats().perSubscriber.find((s) => s.clientId === 2)?.writesDropped ?? 0;
    const deadline = Date.now() + 3_000;
    while (refused() === refusedBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(refused()).toBe(refusedBefore + 1);
    expect(t.broadcaster.stats().snapshotsAnswered).toBe(0);

    stalled.socket.resume();
    await stalled.until(() => t.server.stats().perSubscriber.find((s) => s.clientId === 2)?.queuedBytes === 0, 5_000);
    stalled.send({ type: MessageType.SnapshotRequest, symbolId: 3, levels: 0 });
    await stalled.until(() => stalled.last()?.type === MessageType.BookSnapshot, 5_000);
    expect(stalled.last()).toMatchObject({ symbolId: 3, bids: BOOK.bids, asks: BOOK.asks });
    expect(t.broadcaster.stats().snapshotsAnswered).toBe(1);
  });

  it('with the disconnect policy, ends a stalled subscriber with SESSION_ERROR SlowConsumer and closes it, fast ones unharmed', async () => {
    const capBytes = 64 * 1024;
    const t = await start({ outbound: { capBytes, policy: 'disconnect', disconnectAfterDrops: 3 }, closeTimeoutMs: 3_000 });
    const fast = await t.connect();
    const stalled = await t.connect();
    await fast.login(1);
    await stalled.login(2);
    stalled.socket.pause();
    const slowGone = (): boolean => t.log.some((line) => line.includes('SlowConsumer'));
    await t.burst(300, 500, slowGone);
    expect(slowGone()).toBe(true);
    expect(t.server.stats().subscribers).toBe(1);
    expect(t.server.stats().disconnects).toEqual({ 'SESSION_ERROR SlowConsumer': 1 });
    // The cap, plus the SESSION_ERROR queued behind it.
    expect(t.server.stats().maxQueuedBytes).toBeLessThanOrEqual(capBytes + 40 + PENDING_CHUNK_OVERHEAD_BYTES);

    stalled.socket.resume(); // it reads what was queued, then the SESSION_ERROR, then the end
    await stalled.untilClosed(5_000);
    expect(stalled.last()).toMatchObject({ type: MessageType.SessionError, reason: SessionErrorReason.SlowConsumer });
    const sent = t.broadcaster.lastSequence;
    await fast.until(() => fast.feedSequences().length === sent, 5_000);
    expect(fast.feedSequences()).toEqual(range(1, sent));
    expect(fast.closed).toBe(false);
  });

  it('with the disconnect policy, also ends a subscriber that stays over its cap for disconnectAfterMs, even when the feed goes quiet', async () => {
    const t = await start({ outbound: { capBytes: 64 * 1024, policy: 'disconnect', disconnectAfterDrops: 1_000_000, disconnectAfterMs: 100 } });
    const stalled = await t.connect();
    await stalled.login(2);
    stalled.socket.pause();
    await t.burst(400, 500, () => t.server.stats().feed.batchesDropped > 0);
    const firstDropAt = Date.now();
    expect(t.server.stats().feed.batchesDropped).toBe(1);
    await vi.waitFor(() => expect(t.log.some((line) => line.includes('SlowConsumer'))).toBe(true), { timeout: 2_000, interval: 10 });
    expect(Date.now() - firstDropAt).toBeGreaterThanOrEqual(90);
    expect(t.server.stats().disconnects).toEqual({ 'SESSION_ERROR SlowConsumer': 1 });
  });

  it('sends FEED_HEARTBEAT carrying the last feed sequence when the feed is idle', async () => {
    const t = await start();
    const c = await t.connect();
    await c.login(1, 100);
    t.publish(3);
    const sentAt = Date.now();
    await c.until((r) => r.some((m) => m.type === MessageType.FeedHeartbeat), 1_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(90);
    expect(c.received.find((m) => m.type === MessageType.FeedHeartbeat)).toMatchObject({ symbolId: 0, sequence: 3 });
  });

  it('refuses connections beyond maxConnections with SESSION_ERROR TooManyConnections, and a client id already logged in', async () => {
    const t = await start({ maxConnections: 2 });
    const first = await t.connect();
    await first.login(1);
    const twin = await t.connect();
    twin.send({ type: MessageType.Login, clientId: 1, heartbeatIntervalMs: 10_000 });
    const third = await t.connect();
    await third.untilClosed();
    expect(third.received).toMatchObject([{ type: MessageType.SessionError, reason: SessionErrorReason.TooManyConnections }]);
    await twin.untilClosed();
    expect(twin.received).toMatchObject([{ type: MessageType.SessionError, reason: SessionErrorReason.InvalidLogin }]);
    t.publish(1);
    await first.until(() => first.feedSequences().length === 1);
    expect(t.server.stats().disconnects).toEqual({ 'SESSION_ERROR TooManyConnections': 1, 'SESSION_ERROR InvalidLogin': 1 });
    expect(t.log.filter((line) => line.includes('closed:'))).toHaveLength(2);
  });

  it('logs a subscriber that drops its connection', async () => {
    const t = await start();
    const c = await t.connect();
    await c.login(7);
    c.socket.destroy();
    await vi.waitFor(() => expect(t.server.stats().connections).toBe(0), { timeout: 2_000 });
    expect(t.log.at(-1)).toMatch(/client 7\) closed: connection lost \(state active\)/);
    expect(t.server.stats().subscribers).toBe(0);
  });

  it('refuses invalid options, naming every problem with its path', async () => {
    const broadcaster = new Broadcaster({ depth: () => undefined });
    await expect(MarketDataServer.listen({ broadcaster, maxConnections: 0, outbound: { capBytes: -1, policy: 'block' as 'drop' },
      limits: { burstFrames: 0 } })).rejects.toThrow(
      /outbound\.capBytes must be .*; outbound\.policy must be .*; limits\.burstFrames must be .*; maxConnections must be/,
    );
  });

  it('close() sends LOGOUT Shutdown, carrying the last feed sequence, to every subscriber and closes the port', async () => {
    const t = await start();
    const a = await t.connect();
    const b = await t.connect();
    await a.login(1);
    await b.login(2);
    t.publish(2);
    const port = t.server.port;
    await t.server.close();
    server = undefined;
    for (const c of [a, b]) {
      await c.untilClosed();
      expect(c.last()).toMatchObject({ type: MessageType.Logout, reason: LogoutReason.Shutdown, sequence: 2 });
    }
    expect(t.log.filter((line) => line.includes('closed: engine shutdown'))).toHaveLength(2);
    await expect(FeedClient.connect(port)).rejects.toThrow();
  });
});
