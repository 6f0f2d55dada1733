/**
 * MoldFeedReader over UDP on 127.0.0.1 against the test publisher (MoldPublisher.testkit.ts):
 * gaps recovered by re-request, lost when the server is silent, duplicates, reordering,
 * heartbeats and silences, end of session, bad packets. Every wait is bounded.
 */
import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../generate/Rng.js';
import { encodeLayoutFrame } from '../encodeLayoutFrame.js';
import type { FeedLayout } from '../FeedLayout.js';
import { parseFeedLayout } from '../loadFeedLayout.js';
import { MoldFeedReader, moldFeedLostAnything, type MoldFeedReaderOptions, type MoldFeedResult } from './MoldFeedReader.js';
import { startMoldPublisher, type MoldPublisher, type MoldPublisherOptions } from './MoldPublisher.testkit.js';
import { encodeMoldPacket } from './moldPacket.js';
import { until } from '../../until.testkit.js';

const loaded = parseFeedLayout(readFileSync(new URL('../../../feeds/examples/itch-mold.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const itchMold: FeedLayout = loaded.layout;
/** With a 100 ms heartbeat, so that silences show within a test. */
const fastHeartbeat: FeedLayout = { ...itchMold, heartbeat: { intervalMs: 100, missingAfterIntervals: 2 } };

/** An AddOrder stamped now (Unix ns), so that its feed latency is real. */
function addOrder(orderRef: number): Uint8Array {
  const frame = encodeLayoutFrame(itchMold, { type: 'AddOrder', values: { orderRef, shares: 100, price: 1_000_000 } });
  const nowNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n;
  new DataView(frame.buffer).setBigUint64(5, nowNs, false);
  return frame;
}
const orders = (from: number, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => addOrder(from + i));

const readers: MoldFeedReader[] = [];
const publishers: MoldPublisher[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.stop()));
  await Promise.all(publishers.splice(0).map((p) => p.close()));
});

/** A reader on 127.0.0.1, port 0 (with the layout's re-request server, or none), and a publisher sending to it. */
async function pair(readerOptions: Partial<MoldFeedReaderOptions> = {}, publisherOptions: Partial<MoldPublisherOptions> = {}):
  Promise<{ reader: MoldFeedReader; publisher: MoldPublisher }> {
  const reader = new MoldFeedReader({ layout: itchMold, port: 0, retryAfterMs: 100, ...readerOptions });
  readers.push(reader);
  const address = await reader.start();
  if (address === null) throw new Error(`reader did not start: ${reader.result().detail}`);
  const publisher = await startMoldPublisher({ to: { host: '127.0.0.1', port: address.port }, ...publisherOptions });
  publishers.push(publisher);
  return { reader, publisher };
}

/** A reader whose retransmission server is the publisher's (the publisher starts first, sending to the reader's port once known). */
async function recoveringPair(readerOptions: Partial<MoldFeedReaderOptions> = {}, publisherOptions: Partial<MoldPublisherOptions> = {}):
  Promise<{ reader: MoldFeedReader; publisher: MoldPublisher }> {
  const to = { host: '127.0.0.1', port: 0 };
  const publisher = await startMoldPublisher({ to, ...publisherOptions });
  publishers.push(publisher);
  const reader = new MoldFeedReader({
    layout: itchMold, port: 0, retryAfterMs: 100, retransmit: { host: '127.0.0.1', port: publisher.retransmitPort }, ...readerOptions });
  readers.push(reader);
  const address = await reader.start();
  if (address === null) throw new Error(`reader did not start: ${reader.result().detail}`);
  to.port = address.port;
  return { reader, publisher };
}

async function within(promise: Promise<MoldFeedResult>, ms: number, what: string): Promise<MoldFeedResult> {
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MoldFeedReader', () => {
  it('re-requests a dropped packet and a tail a heartbeat reveals, recovers them, and ends at end of session', async () => {
    // A long retry, so that a slow answer on a loaded machine is not asked for twice.
    const { reader, publisher } = await recoveringPair({ retryAfterMs: 2_000 });
    await publisher.publish(orders(1, 2));
    publisher.packet(orders(3, 3)); // dropped on the way
    await publisher.publish(orders(6, 1));
    publisher.packet(orders(7, 2)); // dropped: only the heartbeat's sequence shows it
    await publisher.heartbeat();
    await until(() => reader.result().mold.recoveredMessages === 5, 'recovery', 10_000);
    await publisher.endOfSession();
    const r = await within(reader.ended, 10_000, 'end of session');
    expect(r.verdict).toBe('end-of-session');
    expect(r.endOfSession).toBe(true);
    expect(r.session).toBe('TEST000001');
    expect(r.nextSequence).toBe(9);
    expect(publisher.requests).toEqual([{ sequence: 3, count: 3 }, { sequence: 7, count: 2 }]);
    expect(r.mold).toMatchObject({ gaps: 2, gapMessages: 5, recoveredMessages: 5, lostMessages: 0, missingMessages: 0, duplicateMessages: 0,
      requestsSent: 2, requestRetries: 0, heartbeats: 1, malformedPackets: 0 });
    expect(r.framesByType).toMatchObject({ AddOrder: 8, OrderExecuted: 0 });
    expect(r.counts).toMatchObject({ frames: 8, checksumFailures: 0, protocolErrors: 0 });
    expect(r.latency?.count).toBe(3);
    expect(r.recoveredLatency?.count).toBe(5);
    expect(r.latency!.maxNs).toBeLessThan(60_000_000_000);
    expect(moldFeedLostAnything(r)).toBe(false);
  });

  it('counts a gap as lost when the retransmission server never answers, after maxTries requests', async () => {
    const { reader, publisher } = await recoveringPair({ maxTries: 2 }, { retransmit: 'silent' });
    await publisher.publish(orders(1, 1));
    publisher.packet(orders(2, 4));
    await publisher.publish(orders(6, 1));
    await publisher.endOfSession();
    const r = await within(reader.ended, 10_000, 'end of session');
    expect(r.verdict).toBe('end-of-session');
    expect(publisher.requests).toEqual([{ sequence: 2, count: 4 }, { sequence: 2, count: 4 }]);
    expect(r.mold).toMatchObject({ gaps: 1, gapMessages: 4, recoveredMessages: 0, lostMessages: 4, requestsSent: 2, requestRetries: 1 });
    expect(r.framesByType['AddOrder']).toBe(2);
    expect(moldFeedLostAnything(r)).toBe(true);
  });

  it('retries a request the server ignored, and recovers on the retry', async () => {
    const { reader, publisher } = await recoveringPair({ maxTries: 3, retryAfterMs: 500 }, { retransmit: { ignore: 1 } });
    await publisher.publish(orders(1, 1));
    publisher.packet(orders(2, 2));
    await publisher.publish(orders(4, 1));
    await until(() => reader.result().mold.recoveredMessages === 2, 'recovery on retry', 10_000);
    expect(reader.result().mold).toMatchObject({ requestsSent: 2, requestRetries: 1, lostMessages: 0 });
  });

  it('without a retransmission server, reports the gap as lost after the reorder wait', async () => {
    const { reader, publisher } = await pair({ retransmit: null });
    await publisher.publish(orders(1, 1));
    publisher.packet(orders(2, 3));
    await publisher.publish(orders(5, 1));
    await publisher.endOfSession();
    const r = await within(reader.ended, 10_000, 'end of session');
    expect(r.mold).toMatchObject({ gaps: 1, lostMessages: 3, requestsSent: 0 });
  });

  it('ignores duplicate packets, counting their messages', async () => {
    const { reader, publisher } = await recoveringPair();
    const first = await publisher.publish(orders(1, 3));
    await publisher.send(first);
    const second = await publisher.publish(orders(4, 2));
    await publisher.send(second);
    await publisher.send(first);
    await publisher.endOfSession();
    const r = await within(reader.ended, 10_000, 'end of session');
    expect(r.mold).toMatchObject({ duplicateMessages: 8, gaps: 0, requestsSent: 0 });
    expect(r.framesByType['AddOrder']).toBe(5);
    expect(r.latency?.count).toBe(5);
  });

  it('recovers every message exactly once from a seeded mix of drops, duplicates and reordering', async () => {
    const seed = 8_2026;
    const rng = new Rng(seed);
    const { reader, publisher } = await recoveringPair({ maxRequestMessages: 7, maxOutstandingRequests: 2, retryAfterMs: 500 }, { messagesPerPacket: 3 });
    let sent = 0;
    let held: Uint8Array | null = null;
    while (sent < 300) {
      const n = Math.min(300 - sent, rng.int(1, 5));
      const packet = publisher.packet(orders(sent + 1, n));
      sent += n;
      if (rng.chance(0.1)) continue; // dropped
      if (held === null && rng.chance(0.1)) {
        held = packet; // sent after the next one
        continue;
      }
      await publisher.send(packet);
      if (rng.chance(0.1)) await publisher.send(packet);
      if (held !== null) {
        await publisher.send(held);
        held = null;
      }
    }
    if (held !== null) await publisher.send(held);
    await publisher.endOfSession();
    const r = await within(reader.ended, 20_000, `end of session (seed ${seed})`);
    expect(r.verdict).toBe('end-of-session');
    expect(r.mold).toMatchObject({ lostMessages: 0, missingMessages: 0 });
    expect(r.framesByType['AddOrder']).toBe(300);
    expect(r.mold.recoveredMessages).toBe(r.mold.gapMessages);
    expect(r.latency!.count + r.recoveredLatency!.count).toBe(300);
  });

  it('counts a heartbeat silence, then ends as stalled; heartbeats keep a quiet feed alive', async () => {
    const quiet = await recoveringPair({ layout: fastHeartbeat, stallAfterMs: 800 });
    await quiet.publisher.publish(orders(1, 1));
    const stalled = await within(quiet.reader.ended, 10_000, 'stall');
    expect(stalled.verdict).toBe('stalled');
    expect(stalled.mold.heartbeatSilences).toBe(1);

    // Heartbeats every 50 ms against a 500 ms silence: room for a loaded machine's late timers.
    const alive = await recoveringPair({ layout: { ...itchMold, heartbeat: { intervalMs: 100, missingAfterIntervals: 5 } }, stallAfterMs: 2_000 });
    for (let i = 0; i < 12; i++) {
      await alive.publisher.heartbeat();
      await sleep(50);
    }
    const r = await alive.reader.stop();
    expect(r.verdict).toBe('stopped');
    expect(r.mold.heartbeats).toBe(12);
    expect(r.mold.heartbeatSilences).toBe(0);
  });

  it('drops malformed packets and packets of another session; ends on a message the layout cannot follow', async () => {
    const { reader, publisher } = await recoveringPair();
    await publisher.publish(orders(1, 1));
    await publisher.send(Uint8Array.of(1, 2, 3));
    await publisher.send(encodeMoldPacket('OTHER', 2, orders(2, 1)));
    await until(() => reader.result().mold.otherSessionPackets === 1, 'the other session\'s packet', 10_000);
    expect(reader.result().mold).toMatchObject({ malformedPackets: 1, otherSessionPackets: 1, gaps: 0 });
    expect(reader.result().errors).toEqual([
      'malformed packet: 3 bytes is shorter than the 20-byte header',
      'packet of session "OTHER     ", reading "TEST000001": dropped',
    ]);
    await publisher.publish([addOrder(2).subarray(0, 30)]);
    const r = await within(reader.ended, 10_000, 'protocol error');
    expect(r.verdict).toBe('protocol-error');
    expect(r.detail).toMatch(/^message 2: .*AddOrder of 30 bytes; the layout says 38/);
  });

  it('joins a multicast group on an interface and reads the session sent to it', async (context) => {
    const group = '239.255.77.1';
    const reader = new MoldFeedReader({ layout: itchMold, host: group, port: 0, group, interface: '127.0.0.1', retransmit: null });
    readers.push(reader);
    const address = await reader.start();
    // A machine whose loopback carries no multicast cannot run this; the reader says so in its verdict.
    if (address === null && /cannot join/.test(reader.result().detail)) context.skip();
    if (address === null) throw new Error(reader.result().detail);
    const publisher = await startMoldPublisher({ to: { host: group, port: address.port }, multicastInterface: '127.0.0.1' });
    publishers.push(publisher);
    await publisher.publish(orders(1, 2));
    await publisher.endOfSession();
    const r = await within(reader.ended, 10_000, 'end of session');
    expect(r.verdict).toBe('end-of-session');
    expect(r.framesByType['AddOrder']).toBe(2);
  });

  it('ends as bind-failed when the port is taken', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    try {
      const reader = new MoldFeedReader({ layout: itchMold, port: taken.address().port });
      readers.push(reader);
      expect(await reader.start()).toBeNull();
      const r = await within(reader.ended, 5_000, 'bind');
      expect(r.verdict).toBe('bind-failed');
      expect(r.detail).toMatch(/^cannot bind 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
