/**
 * LayoutFeedReader over TCP: against the in-repo test publisher (streams, stalls, closes
 * mid-frame, floods, is not there), and with the matchbench example layout against the real
 * reference engine's market-data port (Engine.start on port 0; its matcher worker runs from
 * dist/, so `npm run build` first, as `npm test` does) next to a FeedSubscriber. Every wait is bounded.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { FeedSubscriber } from '../clients/FeedSubscriber.js';
import { OrderEntryClient } from '../clients/OrderEntryClient.js';
import { Rng } from '../generate/Rng.js';
import { encodeLayoutFrame } from './encodeLayoutFrame.js';
import type { FeedLayout } from './FeedLayout.js';
import { LayoutFeedReader, layoutFeedClassResult, type LayoutFeedReaderOptions } from './LayoutFeedReader.js';
import { startLayoutFeedPublisher, type LayoutFeedPublisher } from './LayoutFeedPublisher.testkit.js';
import { parseFeedLayout } from './loadFeedLayout.js';
import { until } from '../until.testkit.js';

function example(name: string): FeedLayout {
  const loaded = parseFeedLayout(readFileSync(new URL(`../../feeds/examples/${name}.yaml`, import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.layout;
}

const itch = example('itch-like');

/** The matchbench layout with another LOGIN clientId (the engine allows one connection per client id). */
function withLoginClientId(layout: FeedLayout, clientId: number): FeedLayout {
  const template = layout.subscribe!.template.slice();
  new DataView(template.buffer).setUint32(24, clientId, true);
  return { ...layout, subscribe: { ...layout.subscribe!, template } };
}
/** The ITCH-like layout with a 100 ms heartbeat, so that silences show within a test. */
const itchFastHeartbeat: FeedLayout = { ...itch, heartbeat: { intervalMs: 100, missingAfterIntervals: 2 } };

const publishers: LayoutFeedPublisher[] = [];
const readers: LayoutFeedReader[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.stop()));
  await Promise.all(publishers.splice(0).map((p) => p.close()));
});

function reader(options: LayoutFeedReaderOptions): LayoutFeedReader {
  const r = new LayoutFeedReader(options);
  readers.push(r);
  r.start();
  return r;
}

async function publisher(script: Parameters<typeof startLayoutFeedPublisher>[0]): Promise<LayoutFeedPublisher> {
  const p = await startLayoutFeedPublisher(script);
  publishers.push(p);
  return p;
}

/** Resolves `promise`, or fails after `ms` (so a hung reader fails the test instead of hanging it). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no verdict within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** ITCH-like frames: `count` messages numbered from `first`, seeded mix of types, a heartbeat after every 50th. */
function itchFrames(count: number, first = 1, seed = 5): { bytes: Buffer; byType: Record<string, number> } {
  const rng = new Rng(seed);
  const types = ['AddOrder', 'OrderExecuted', 'OrderCancel', 'SystemEvent'];
  const byType: Record<string, number> = { SystemEvent: 0, AddOrder: 0, OrderExecuted: 0, OrderCancel: 0, Heartbeat: 0 };
  const frames: Uint8Array[] = [];
  for (let sequence = first; sequence < first + count; sequence++) {
    const type = types[rng.int(0, types.length - 1)]!;
    byType[type]!++;
    frames.push(encodeLayoutFrame(itch, { type, values: { sequence, stockLocate: rng.int(1, 9) } }));
    if (sequence % 50 === 0) {
      frames.push(encodeLayoutFrame(itch, { type: 'Heartbeat', values: { sequence } }));
      byType['Heartbeat']!++;
    }
  }
  return { bytes: Buffer.concat(frames), byType };
}

describe('LayoutFeedReader against a test publisher', () => {
  it('sends the subscribe message first, then reads a whole feed in small writes, and ends as closed', async () => {
    const feed = itchFrames(2_000);
    const p = await publisher(async ({ socket, received }) => {
      await received(7);
      // Uneven writes, so that frames straddle chunks.
      for (let at = 0; at < feed.bytes.length; at += 997) socket.write(feed.bytes.subarray(at, at + 997));
      socket.end();
    });
    const r = reader({ layout: itch, port: p.port });
    const result = await within(r.ended, 10_000, 'reader');
    expect(result.verdict).toBe('closed');
    expect(Buffer.concat(p.inbound[0]!).toString('hex')).toBe('4c000100000001');
    expect(result.framesByType).toEqual(feed.byType);
    expect(result.counts).toMatchObject({ frames: 2_040, bytes: feed.bytes.length, gaps: 0, checksumFailures: 0, heartbeats: 40,
      protocolErrors: 0 });
    expect(result.lastSequence).toBe(2_000);
    expect(result.messagesSent).toBe(1);
    // Epoch timestamps of 0 (1970): 56 years late is not a latency; counted, not recorded.
    expect(result.counts.implausibleLatencies).toBe(2_000);
    expect(result.latency?.count).toBe(0);
    expect(layoutFeedClassResult([result])).toMatchObject({ subscribers: 1, frames: 2_040, gaps: 0, disconnects: 1, snapshots: 0 });
  });

  it('counts the gaps a publisher leaves, with the frames missed', async () => {
    const a = itchFrames(100, 1);
    const b = itchFrames(100, 131); // 101..130 never sent
    const c = itchFrames(10, 300); // 231..299 never sent
    const p = await publisher(async ({ socket, received }) => {
      await received(7);
      socket.end(Buffer.concat([a.bytes, b.bytes, c.bytes]));
    });
    const result = await within(reader({ layout: itch, port: p.port }).ended, 10_000, 'reader');
    expect(result.counts).toMatchObject({ gaps: 2, gapFrames: 30 + 69, maxGapFrames: 69 });
  });

  it('a feed that stops: a heartbeat silence, then stalled', async () => {
    const feed = itchFrames(10);
    const p = await publisher(({ socket }) => {
      socket.write(feed.bytes); // and then nothing, connection open
    });
    const r = reader({ layout: itchFastHeartbeat, port: p.port, stallAfterMs: 600 });
    const result = await within(r.ended, 10_000, 'reader');
    expect(result.verdict).toBe('stalled');
    expect(result.detail).toMatch(/no complete frame for \d+ ms \(limit 600 ms\)/);
    expect(result.counts).toMatchObject({ frames: 10, heartbeatSilences: 1 });
  });

  it('a feed that keeps its heartbeats going is neither silent nor stalled', async () => {
    const p = await publisher(({ socket }) => {
      let sequence = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) clearInterval(timer);
        else socket.write(encodeLayoutFrame(itch, { type: 'Heartbeat', values: { sequence } }));
      }, 50);
      socket.on('close', () => clearInterval(timer));
    });
    const r = reader({ layout: itchFastHeartbeat, port: p.port, stallAfterMs: 400 });
    await new Promise((resolve) => setTimeout(resolve, 800));
    const result = await r.stop();
    expect(result.verdict).toBe('stopped');
    expect(result.counts.heartbeats).toBeGreaterThan(3);
    expect(result.counts.heartbeatSilences).toBe(0);
  });

  it('a feed that closes mid-frame: closed-mid-frame with the bytes left over', async () => {
    const feed = itchFrames(20);
    const p = await publisher(({ socket }) => {
      socket.end(feed.bytes.subarray(0, feed.bytes.length - 5));
    });
    const result = await within(reader({ layout: itch, port: p.port }).ended, 10_000, 'reader');
    expect(result.verdict).toBe('closed-mid-frame');
    expect(result.counts.frames).toBe(19);
    expect(result.detail).toMatch(/with \d+ bytes of an unfinished frame unread/);
  });

  it('a flood of garbage is a protocol error at once; a flood of good frames stops at maxBytes', async () => {
    const garbage = await publisher(({ socket }) => {
      const junk = Buffer.alloc(1 << 20, 0x5a); // 'Z': not a type of the layout
      for (let i = 0; i < 8 && !socket.destroyed; i++) socket.write(junk);
    });
    const bad = await within(reader({ layout: itch, port: garbage.port }).ended, 10_000, 'garbage reader');
    expect(bad.verdict).toBe('protocol-error');
    expect(bad.detail).toMatch(/unknown message type 90/);

    const feed = itchFrames(5_000);
    const flood = await publisher(({ socket }) => {
      const write = (): void => {
        while (!socket.destroyed && socket.write(feed.bytes)) { /* until the kernel buffer is full */ }
      };
      socket.on('drain', write);
      write();
    });
    const limited = await within(reader({ layout: itch, port: flood.port, maxBytes: 2_000_000 }).ended, 20_000, 'flood reader');
    expect(limited.verdict).toBe('byte-limit');
    expect(limited.counts.bytes).toBeGreaterThan(2_000_000);
    // Feed repeats from 1 each time: every repeat shows as regressions, never as a protocol error.
    expect(limited.counts.protocolErrors).toBe(0);
  });

  it('no listener: connect-failed', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const result = await within(reader({ layout: itch, port }).ended, 10_000, 'reader');
    expect(result.verdict).toBe('connect-failed');
  });
});

describe('LayoutFeedReader with the matchbench layout against the reference engine', () => {
  it('sees the same frames as FeedSubscriber, with no gap', async () => {
    const SYMBOL = 3;
    const engine = await Engine.start({ symbols: [symbolConfig({ symbolId: SYMBOL, name: 'THREE', maxPrice: 100_000 })] });
    const clients: OrderEntryClient[] = [];
    const subscriber = new FeedSubscriber({ port: engine.marketData.port, clientId: 900, behaviour: { class: 'fast' } });
    try {
      subscriber.start();
      // Engine and reader share this process's clock: offset 0. A second reader estimates it at LOGIN_ACK.
      const r = reader({ layout: example('matchbench'), port: engine.marketData.port, clockOffsetNs: 0 });
      const estimating = reader({ layout: withLoginClientId(example('matchbench'), 2_000_002), port: engine.marketData.port });
      await until(() => subscriber.state === 'active' && r.result().framesByType['LOGIN_ACK'] === 1 &&
        estimating.result().framesByType['LOGIN_ACK'] === 1, 'the logins', 10_000);
      const estimate = estimating.result();
      expect(estimate.clockOffsetBoundNs).toBeGreaterThan(0);
      expect(Math.abs(estimate.clockOffsetNs)).toBeLessThanOrEqual(estimate.clockOffsetBoundNs!);
      const maker = await OrderEntryClient.connect({ port: engine.orderEntry.port, clientId: 1 });
      const taker = await OrderEntryClient.connect({ port: engine.orderEntry.port, clientId: 2 });
      clients.push(maker, taker);
      const rng = new Rng(11);
      for (let i = 1; i <= 300; i++) {
        maker.newOrder({ symbolId: SYMBOL, clientOrderId: i, side: rng.chance(0.5) ? Side.Buy : Side.Sell, orderType: OrderType.Limit,
          timeInForce: TimeInForce.GTC, price: 10_000 + rng.int(-20, 20) * 5, quantity: rng.int(1, 50) });
        if (i % 3 === 0) {
          taker.newOrder({ symbolId: SYMBOL, clientOrderId: i, side: rng.chance(0.5) ? Side.Buy : Side.Sell, orderType: OrderType.Limit,
            timeInForce: TimeInForce.IOC, price: 10_000 + rng.int(-20, 20) * 5, quantity: rng.int(1, 50) });
        }
      }
      await until(() => subscriber.lastFeedSequence > 300 && r.result().lastSequence === subscriber.lastFeedSequence &&
        r.result().counts.frames > 0, 'both readers to catch up with the feed', 10_000);
      // Quiet for a moment: nothing more is on its way.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const mine = r.result();
      const theirs = subscriber.result().counts;
      const feedFrames = (mine.framesByType['TRADE'] ?? 0) + (mine.framesByType['LEVEL_UPDATE'] ?? 0) + (mine.framesByType['QUOTE'] ?? 0);
      expect(feedFrames).toBe(theirs.feedFrames);
      expect(feedFrames).toBe(subscriber.lastFeedSequence);
      expect(mine.framesByType['TRADE']).toBeGreaterThan(0);
      expect(mine.counts).toMatchObject({ gaps: 0, checksumFailures: 0, unknownTypes: 0, protocolErrors: 0, sequenceRegressions: 0 });
      expect(theirs.gaps).toBe(0);
      expect(mine.verdict).toBe('running');
      // Every latency is measured and none is negative.
      expect(mine.latency?.count).toBe(feedFrames);
      expect(mine.counts.negativeLatencies).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
      await subscriber.stop();
      await Promise.all(readers.splice(0).map((x) => x.stop()));
      await engine.stop();
    }
  });
});
