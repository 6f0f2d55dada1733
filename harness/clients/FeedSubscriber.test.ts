import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionErrorReason } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { startFanoutEngine, type FanoutEngine, type FanoutEngineOptions } from '../bench/fanoutBenchEngine.js';
import { buildFanoutFeed } from '../bench/fanoutBenchFeed.js';
import { FeedSubscriber, inProcessClockOffsetNs, type FeedSubscriberOptions } from './FeedSubscriber.js';
import { until } from '../until.testkit.js';

const feed = buildFanoutFeed({ symbols: 2, operationsPerSymbol: 3_000, seed: 7 });

let engine: FanoutEngine | undefined;
let subscribers: FeedSubscriber[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  subscribers = [];
  await engine?.close();
  engine = undefined;
  for (const s of servers.splice(0)) s.close();
});

async function start(options: Partial<FanoutEngineOptions> = {}): Promise<FanoutEngine> {
  engine = await startFanoutEngine({ feed, ...options });
  return engine;
}

function subscriber(options: Partial<FeedSubscriberOptions> & Pick<FeedSubscriberOptions, 'behaviour' | 'clientId'>): FeedSubscriber {
  const s = new FeedSubscriber({ port: engine?.port ?? 1, heartbeatIntervalMs: 200, ...options });
  subscribers.push(s);
  s.start();
  return s;
}

/** Publishes `frames` in batches of `batch`, yielding to the event loop between them. */
async function publish(e: FanoutEngine, frames: number, batch = 200): Promise<void> {
  for (let sent = 0; sent < frames; sent += batch) {
    e.publish(Math.min(batch, frames - sent));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const exactDigests = (s: FeedSubscriber): Record<number, string> =>
  Object.fromEntries(s.books().filter((b) => b.exact).map((b) => [b.symbolId, b.digest]));

describe('FeedSubscriber', () => {
  it('checks every frame of a contiguous feed and rebuilds books equal to the engine\'s', async () => {
    const e = await start();
    const fast = subscriber({ clientId: 1, behaviour: { class: 'fast' } });
    await until(() => fast.state === 'active', 'login');
    await publish(e, 20_000);
    await until(() => fast.lastFeedSequence === e.broadcaster.lastSequence, 'the fast subscriber to catch up');
    const r = fast.result();
    expect(r.counts).toMatchObject({ logins: 1, feedFrames: 20_000, gaps: 0, protocolErrors: 0, bookMismatches: 0, disconnects: 0 });
    expect(r.counts.bytes).toBe(e.server.stats().perSubscriber[0]?.bytesWritten);
    expect(fast.latency.totalCount).toBe(20_000);
    expect(fast.latency.maxValue).toBeGreaterThan(0);
    expect(exactDigests(fast)).toEqual(e.digests());
    // The books are real books, not empty ones.
    expect(fast.books().reduce((n, b) => n + b.levels, 0)).toBeGreaterThan(10);
  });

  it('joins a running feed through snapshots of the symbols it knows, then keeps them exact', async () => {
    const e = await start();
    await publish(e, 5_000);
    const late = subscriber({ clientId: 2, behaviour: { class: 'fast' }, symbols: [1, 2] });
    await until(() => late.books().every((b) => b.exact), 'snapshots');
    await publish(e, 5_000);
    await until(() => late.lastFeedSequence === e.broadcaster.lastSequence, 'catch up');
    expect(late.result().counts).toMatchObject({ snapshotsRequested: 2, snapshotsReceived: 2, resyncs: 2, gaps: 0, bookMismatches: 0 });
    expect(exactDigests(late)).toEqual(e.digests());
  });

  it('a slow subscriber under the drop policy sees gaps, resyncs by snapshot and ends with the engine\'s books', async () => {
    const e = await start({ outbound: { capBytes: 16_384, policy: 'drop' } });
    const slow = subscriber({ clientId: 3, behaviour: { class: 'slow', bytesPerSecond: 2_000_000 } });
    const fast = subscriber({ clientId: 4, behaviour: { class: 'fast' } });
    await until(() => slow.state === 'active' && fast.state === 'active', 'logins');
    // ~7.8 MB at once: beyond what the kernel's socket buffers (~4 MB here) and the 16 KiB cap hold.
    await publish(e, 150_000, 500);
    await until(() => fast.lastFeedSequence === e.broadcaster.lastSequence, 'the fast one');
    // Quiet feed: the engine's FEED_HEARTBEAT shows the slow one its last gap; snapshots then make every book exact.
    await until(() => slow.lastFeedSequence === e.broadcaster.lastSequence && slow.books().every((b) => b.exact), 'the slow one to resync', 10_000);
    const r = slow.result();
    expect(r.counts.gaps).toBeGreaterThan(0);
    expect(r.counts.gapFrames).toBeGreaterThan(0);
    expect(r.counts.resyncs).toBeGreaterThan(0);
    expect(r.counts.feedFrames + r.counts.gapFrames).toBe(150_000);
    expect(r.counts.protocolErrors).toBe(0);
    expect(exactDigests(slow)).toEqual(e.digests());
    expect(fast.result().counts.gaps).toBe(0);
    expect(e.server.stats().feed.framesDropped).toBe(r.counts.gapFrames);
  });

  it('a stalled subscriber is disconnected under the disconnect policy while a fast one sees no gap', async () => {
    const e = await start({ outbound: { capBytes: 65_536, policy: 'disconnect', disconnectAfterDrops: 5, disconnectAfterMs: 200 } });
    const stalled = subscriber({ clientId: 5, behaviour: { class: 'stalled' }, reconnect: false });
    const fast = subscriber({ clientId: 6, behaviour: { class: 'fast' } });
    await until(() => stalled.state === 'active' && fast.state === 'active', 'logins');
    for (let i = 0; i < 100 && (e.server.stats().disconnects['SESSION_ERROR SlowConsumer'] ?? 0) === 0; i++) await publish(e, 20_000, 1_000);
    expect(e.server.stats().disconnects['SESSION_ERROR SlowConsumer']).toBe(1);
    await until(() => fast.lastFeedSequence === e.broadcaster.lastSequence, 'the fast one');
    expect(fast.result().counts).toMatchObject({ gaps: 0, protocolErrors: 0, disconnects: 0 });
    // The stalled one never read: it got a fraction of what was published.
    expect(stalled.result().counts.feedFrames).toBeLessThan(e.broadcaster.lastSequence / 2);
  });

  it('a stalled subscriber under the drop policy stays connected and only costs the engine its cap', async () => {
    const e = await start({ outbound: { capBytes: 65_536, policy: 'drop' } });
    const stalled = subscriber({ clientId: 7, behaviour: { class: 'stalled' } });
    const fast = subscriber({ clientId: 8, behaviour: { class: 'fast' } });
    await until(() => stalled.state === 'active' && fast.state === 'active', 'logins');
    await publish(e, 200_000, 1_000);
    await until(() => fast.lastFeedSequence === e.broadcaster.lastSequence, 'the fast one');
    const stats = e.server.stats();
    expect(stats.feed.framesDropped).toBeGreaterThan(0);
    expect(stats.subscribers).toBe(2);
    expect(stats.maxQueuedBytes).toBeLessThanOrEqual(65_536 + 65_536);
    expect(fast.result().counts.gaps).toBe(0);
  });

  it('a churning subscriber logs out and back in with backoff, resyncing each time', async () => {
    const e = await start();
    const churning = subscriber({ clientId: 9, seed: 3, behaviour: { class: 'churning', meanConnectedMs: 40, minBackoffMs: 10, maxBackoffMs: 100 }, symbols: [1, 2] });
    const deadline = Date.now() + 1_500;
    while (Date.now() < deadline) await publish(e, 500, 100);
    await until(() => churning.state === 'active', 'a login');
    const r = churning.result();
    expect(r.counts.logins).toBeGreaterThanOrEqual(4);
    expect(r.counts.churns).toBeGreaterThanOrEqual(3);
    expect(r.endReasons.churn).toBe(r.counts.churns);
    expect(r.counts).toMatchObject({ protocolErrors: 0, bookMismatches: 0, connectFailures: 0 });
    expect(r.counts.snapshotsReceived).toBeGreaterThan(0);
    expect(e.server.stats().accepted).toBe(r.counts.connects);
  });

  it('counts a corrupted frame as a checksum error and answers it with SESSION_ERROR ChecksumMismatch', async () => {
    const received: Message[] = [];
    const server = net.createServer((socket) => {
      const reader = new FrameReader();
      socket.on('data', (chunk) => {
        reader.push(chunk);
        for (let m = reader.next(); m !== undefined; m = reader.next()) {
          received.push(m);
          if (m.type !== MessageType.Login) continue;
          const frames = [encode({ type: MessageType.LoginAck, symbolId: 0, sequence: 0, timestampNs: 1, sessionId: 1, heartbeatIntervalMs: 200 })];
          for (let seq = 1; seq <= 3; seq++) {
            frames.push(encode({ type: MessageType.LevelUpdate, symbolId: 1, sequence: seq, timestampNs: 2, price: 100 + seq, quantity: 5, orderCount: 1, side: 1 }));
          }
          frames[2]![30] = frames[2]![30]! ^ 0x01; // flip one bit of the second LEVEL_UPDATE's quantity
          socket.write(Buffer.concat(frames));
        }
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const s = subscriber({ clientId: 10, port, behaviour: { class: 'fast' }, reconnect: false });
    await until(() => s.state === 'idle', 'the subscriber to close');
    const r = s.result();
    expect(r.counts).toMatchObject({ feedFrames: 1, protocolErrors: 1, checksumErrors: 1, disconnects: 1 });
    expect(r.endReasons).toEqual({ 'protocol error ChecksumMismatch': 1 });
    expect(r.errors[0]).toMatch(/ChecksumMismatch: checksum mismatch on a 52-byte frame/);
    await until(() => received.some((m) => m.type === MessageType.SessionError), 'the SESSION_ERROR');
    expect(received.find((m) => m.type === MessageType.SessionError)).toMatchObject({ reason: SessionErrorReason.ChecksumMismatch });
  });

  it('counts a repeated feed sequence as a protocol error and a skipped one as a gap', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        const seqs = [1, 2, 5, 5];
        socket.write(Buffer.concat([
          encode({ type: MessageType.LoginAck, symbolId: 0, sequence: 0, timestampNs: 1, sessionId: 1, heartbeatIntervalMs: 200 }),
          ...seqs.map((sequence) => encode({ type: MessageType.Trade, symbolId: 1, sequence, timestampNs: 2, tradeId: sequence, price: 10, quantity: 1, aggressorSide: 1 })),
        ]));
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = subscriber({ clientId: 11, port: (server.address() as net.AddressInfo).port, behaviour: { class: 'fast' }, reconnect: false });
    await until(() => s.state === 'idle', 'the subscriber to close');
    expect(s.result().counts).toMatchObject({ feedFrames: 3, gaps: 1, gapFrames: 2, maxGapFrames: 2, protocolErrors: 1, checksumErrors: 0 });
    expect(s.result().errors[0]).toMatch(/SequenceGap: feed sequence 5 repeats or goes back \(last 5\)/);
  });

  it('estimates the engine clock offset from LOGIN / LOGIN_ACK within its bound', async () => {
    await start();
    const s = subscriber({ clientId: 12, behaviour: { class: 'fast' }, clockOffset: { kind: 'login' } });
    await until(() => s.state === 'active', 'login');
    const r = s.result();
    // Same process: the true offset is 0.
    expect(r.clockOffsetBoundNs).toBeGreaterThan(0);
    expect(Math.abs(r.engineClockOffsetNs)).toBeLessThanOrEqual(r.clockOffsetBoundNs + 1);
    expect(inProcessClockOffsetNs(performance.timeOrigin)).toBe(0);
    expect(inProcessClockOffsetNs(1_000.5, 1_002)).toBe(1_500_000);
  });

  it('refuses bad options naming every problem', () => {
    expect(() => new FeedSubscriber({ port: 0, clientId: -1, heartbeatIntervalMs: 50, behaviour: { class: 'slow', bytesPerSecond: 0 } }))
      .toThrow(/port must be an integer in 1\.\.65535, got 0; clientId .* got -1; heartbeatIntervalMs .* got 50; behaviour\.bytesPerSecond must be a finite number > 0, got 0/);
    expect(() => new FeedSubscriber({ port: 1, clientId: 1, behaviour: { class: 'churning', meanConnectedMs: 10, minBackoffMs: 50, maxBackoffMs: 20 } }))
      .toThrow(/maxBackoffMs \(20\) must be ≥ minBackoffMs \(50\)/);
  });
});
