/**
 * `matchbench run` with a target whose market data is read with a layout file (`md-layout=`): the
 * reference engine (Engine.start, port 0) takes the orders over tcp://, and a small feed server on
 * 127.0.0.1 publishes ITCH-like frames (feeds/examples/itch-like.yaml) with a planted gap and a
 * planted checksum failure, or a MoldUDP64 publisher sends ITCH-shaped messages
 * (feeds/examples/itch-mold.yaml) with a packet held back that the reader re-requests. The run's subscribers and engine matcher run from dist/: `npm run
 * build` first, as `npm test` does. Every publisher loop is bounded in frames and time.
 */
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { readRunDirectory } from '../../reports/readRunDirectory.js';
import { reportHtml } from '../../reports/writers/reportHtml.js';
import { summaryText } from '../../reports/writers/summaryText.js';
import { writeRunDirectory } from '../../reports/writers/writeRunDirectory.js';
import { encodeLayoutFrame } from '../feeds/encodeLayoutFrame.js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { startLayoutFeedPublisher, type LayoutFeedPublisher } from '../feeds/LayoutFeedPublisher.testkit.js';
import { parseFeedLayout } from '../feeds/loadFeedLayout.js';
import { startMoldPublisher } from '../feeds/mold/MoldPublisher.testkit.js';
import { parseScenario } from '../scenario/loadScenario.js';
import { parseTargetFlag } from '../scenario/parseTarget.js';
import { runScenario, scenarioSymbols } from './runScenario.js';

const ITCH_FILE = 'feeds/examples/itch-like.yaml';
const itchLoaded = parseFeedLayout(readFileSync(new URL(`../../${ITCH_FILE}`, import.meta.url), 'utf8'));
if (!itchLoaded.ok) throw new Error(itchLoaded.problems.join('\n'));
const itch: FeedLayout = itchLoaded.layout;

const SCENARIO = `
version: 1
name: md-layout
seed: 3
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
phases:
  - { name: only, duration: 1500ms, rate: 200 }
clients:
  orderEntry: 2
  workers: 1
  marketData:
    - { class: fast, count: 1 }
    - { class: slow, count: 1, bytesPerSecond: 20000 }
thresholds:
  - feed_gaps.fast == 0
  - feed_latency.fast.p99 < 10s
`;

/** ITCH-like frame `type` numbered `sequence`, stamped now in Unix ns (above 2^53, so written as a bigint), xor8 recomputed. */
function stamped(type: string, sequence: number, corruptChecksum = false): Uint8Array {
  const frame = encodeLayoutFrame(itch, { type, values: { sequence, stockLocate: 1 } });
  const nowEpochNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n;
  new DataView(frame.buffer, frame.byteOffset).setBigUint64(7, nowEpochNs, false);
  const last = frame.length - 1;
  frame[last] = frame.subarray(0, last).reduce((x, b) => x ^ b, 0) ^ (corruptChecksum ? 0xff : 0);
  return frame;
}

const FRAMES = 300;
/** Sequences 101–103 are never sent (one gap of 3); 200 is sent with a bad checksum (dropped: a gap of 1 at 201). */
const SKIPPED = new Set([101, 102, 103]);
const CORRUPT = 200;
const TYPES = ['AddOrder', 'OrderExecuted', 'OrderCancel', 'SystemEvent'];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Publishes FRAMES frames in 10 bursts 50 ms apart after the subscribe message, then a heartbeat every 300 ms (at most 40). */
async function itchPublisher(): Promise<LayoutFeedPublisher> {
  const publisher = await startLayoutFeedPublisher(async ({ socket, received }) => {
    const subscribe = await received(7);
    if (subscribe.length < 7) return;
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    let sequence = 1;
    for (let burst = 0; burst < 10 && !socket.destroyed; burst++) {
      const frames: Uint8Array[] = [];
      for (let i = 0; i < FRAMES / 10; i++, sequence++) {
        if (SKIPPED.has(sequence)) continue;
        frames.push(stamped(TYPES[sequence % TYPES.length]!, sequence, sequence === CORRUPT));
      }
      frames.push(stamped('Heartbeat', sequence - 1));
      socket.write(Buffer.concat(frames));
      await sleep(50);
    }
    for (let beat = 0; beat < 40 && !socket.destroyed; beat++) {
      socket.write(stamped('Heartbeat', sequence - 1));
      await sleep(300);
    }
  });
  cleanups.push(() => publisher.close());
  return publisher;
}

describe('runScenario with md-layout=: the subscribers read a layout feed', () => {
  it('reports the layout feed\'s frames, the planted gap and checksum failure, heartbeats and latency, and what it could not check', async () => {
    const loaded = parseScenario(SCENARIO, 'md-layout.yaml');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const engine = await Engine.start({ symbols: scenarioSymbols(loaded.scenario) });
    cleanups.push(() => engine.stop());
    const publisher = await itchPublisher();
    const target = parseTargetFlag(`tcp://127.0.0.1:${engine.orderEntry.port},md=127.0.0.1:${publisher.port},md-layout=${ITCH_FILE}`);
    if (!target.ok) throw new Error(target.problems.join('\n'));

    const { result, intervals, startEpochMs } = await runScenario({ scenario: loaded.scenario, scenarioHash: loaded.hash,
      scenarioFile: 'md-layout.yaml', seed: 3, target: target.value });

    // One connection (the fast subscriber), which sent the layout's subscribe message; the slow one was not run.
    expect(publisher.inbound.length).toBe(1);
    expect(Buffer.concat(publisher.inbound[0]!).toString('hex')).toBe('4c000100000001');
    expect(result.target.description).toContain(`read with layout ${ITCH_FILE}`);
    const fast = result.feed.fast;
    expect(result.feed.slow).toBeUndefined();
    // 297 data frames (300 less the 3 never sent, the corrupt one counted), 10 burst heartbeats and then some.
    expect(fast).toMatchObject({ subscribers: 1, gaps: 2, gapFrames: 4, drops: 4, checksumFailures: 1, sequenceRegressions: 0,
      snapshots: 0, protocolErrors: 0, disconnects: 0 });
    expect(fast?.frames).toBeGreaterThanOrEqual(FRAMES - SKIPPED.size + 10);
    expect(fast?.heartbeats).toBeGreaterThanOrEqual(10);
    expect(fast?.heartbeatSilences).toBeTypeOf('number');
    expect(result.feedLayout?.name).toBe('itch-like');
    expect(result.feedLayout?.file).toBe(ITCH_FILE);
    expect(result.feedLayout?.verdicts).toEqual({ stopped: 1 });
    const byType = result.feedLayout?.framesByType ?? {};
    // Counted by type once its checksum held: the corrupt frame is not.
    expect(TYPES.reduce((n, t) => n + (byType[t] ?? 0), 0)).toBe(FRAMES - SKIPPED.size - 1);
    // Epoch timestamps stamped as sent: latency measured, and well under a second on this host.
    expect(result.latency['feed_latency.fast']?.count).toBe(FRAMES - SKIPPED.size - 1);
    expect(result.latency['feed_latency.fast']?.p50Ns).toBeLessThan(1e9);
    // The feed thresholds judge the layout feed: the planted gap fails feed_gaps.fast == 0.
    expect(result.thresholds.find((t) => t.source === 'feed_gaps.fast == 0')).toMatchObject({ actual: 2, passed: false });
    expect(result.verdict).toBe('thresholds-failed');

    // What could not be checked is said, not skipped in silence.
    const notChecked = result.feedLayout?.notChecked.join('\n') ?? '';
    expect(notChecked).toMatch(/BOOK_SNAPSHOT checks .*has no BOOK_SNAPSHOT/);
    expect(notChecked).toMatch(/^slow subscribers \(1 not run\)/m);
    expect(result.invariants.checked).toMatch(/no feed-book checks \(layout feed itch-like/);
    expect(result.invariants.checked).not.toMatch(/BOOK_SNAPSHOT\(s\)/);
    // The checksum failure is also a problem line, as `matchbench feed` prints it.
    expect(result.errors).toEqual([expect.stringMatching(/^fast subscriber: frame at stream byte \d+ \(36 bytes\): xor8 checksum/)]);

    // The run directory reads back, and its summary and report show the same figures and the list.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-md-layout-'));
    writeRunDirectory(dir, result, intervals, startEpochMs);
    const run = readRunDirectory(dir);
    const summary = summaryText(run.result);
    expect(summary).toContain('feed read with layout itch-like (feeds/examples/itch-like.yaml)');
    expect(summary).toMatch(/- fast: \d+ frames, 2 gaps \(4 frames missed\), 1 checksum failures, 0 sequence regressions, \d+ heartbeats/);
    expect(summary).toContain('not checked on this feed:');
    const html = reportHtml(run);
    expect(html).toContain('Not checked on this feed:');
    expect(html).toContain('1 checksum failures');
  }, 30_000);
});

describe('runScenario with md-layout= and a MoldUDP64 layout: md= is where the packets arrive', () => {
  it('reads the feed with one Mold reader, recovers a held-back packet, and says what it did not run', async () => {
    const yaml = SCENARIO.replace('    - { class: slow, count: 1, bytesPerSecond: 20000 }', '    - { class: stalled, count: 1 }')
      .replace('{ class: fast, count: 1 }', '{ class: fast, count: 2 }').replace('duration: 1500ms', 'duration: 3s');
    const loaded = parseScenario(yaml, 'md-layout-mold.yaml');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const engine = await Engine.start({ symbols: scenarioSymbols(loaded.scenario) });
    cleanups.push(() => engine.stop());
    // A free UDP port for the reader (the target names it; port 0 is not a target address).
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const to = { host: '127.0.0.1', port: probe.address().port };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const publisher = await startMoldPublisher({ to });
    cleanups.push(() => publisher.close());
    // The example layout, with the publisher's retransmission server as its re-request server.
    const moldText = readFileSync(new URL('../../feeds/examples/itch-mold.yaml', import.meta.url), 'utf8')
      .replace(/^ {2}# retransmit: .*$/m, `  retransmit: 127.0.0.1:${publisher.retransmitPort}`);
    const moldLoaded = parseFeedLayout(moldText);
    if (!moldLoaded.ok) throw new Error(moldLoaded.problems.join('\n'));
    const itchMold = moldLoaded.layout;
    expect(itchMold.framing).toMatchObject({ kind: 'moldudp64', retransmit: { host: '127.0.0.1', port: publisher.retransmitPort } });
    const layoutFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'matchbench-md-mold-')), 'itch-mold.yaml');
    writeFileSync(layoutFile, moldText);

    /** 20 packets of 10 AddOrders stamped now (Unix ns at offset 5); the 5th (messages 41–50) held back; 2 heartbeats, end of session. */
    const publish = async (): Promise<void> => {
      for (let p = 0; p < 20; p++) {
        const messages = Array.from({ length: 10 }, (_, i) => {
          const m = encodeLayoutFrame(itchMold, { type: 'AddOrder', values: { orderRef: p * 10 + i + 1, shares: 100, price: 1_000_000 } });
          new DataView(m.buffer, m.byteOffset).setBigUint64(5, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n, false);
          return m;
        });
        const packet = publisher.packet(messages);
        if (p !== 4) await publisher.send(packet);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await publisher.heartbeat();
      await publisher.heartbeat();
      await publisher.endOfSession();
    };
    let publishing: Promise<void> | undefined;
    const target = parseTargetFlag(`tcp://127.0.0.1:${engine.orderEntry.port},md=127.0.0.1:${to.port},md-layout=${layoutFile}`);
    if (!target.ok) throw new Error(target.problems.join('\n'));
    // The reader is bound before the load starts; the first progress report (about 1 s in) starts the feed.
    const { result } = await runScenario({ scenario: loaded.scenario, scenarioHash: loaded.hash, scenarioFile: 'md-layout-mold.yaml',
      seed: 3, target: target.value, progress: () => { publishing ??= publish(); } });
    await publishing;

    expect(result.feed.fast).toMatchObject({ subscribers: 1, frames: 200, gaps: 1, gapFrames: 0, drops: 0, checksumFailures: 0,
      disconnects: 0, protocolErrors: 0 });
    expect(result.feed.fast?.heartbeats).toBeGreaterThanOrEqual(2);
    expect(result.feedLayout?.mold).toMatchObject({ gaps: 1, gapMessages: 10, recoveredMessages: 10, lostMessages: 0, missingMessages: 0,
      malformedPackets: 0, otherSessionPackets: 0 });
    expect(result.feedLayout?.mold?.requestsSent).toBeGreaterThanOrEqual(1);
    expect(publisher.requests[0]).toEqual({ sequence: 41, count: 10 });
    expect(result.feedLayout?.framesByType['AddOrder']).toBe(200);
    expect(result.feedLayout?.verdicts).toEqual({ 'end-of-session': 1 });
    // Live messages only: the 10 recovered ones are not feed latency.
    expect(result.latency['feed_latency.fast']?.count).toBe(190);
    const notChecked = result.feedLayout?.notChecked.join('\n') ?? '';
    expect(notChecked).toMatch(/^fast subscribers beyond the first \(1 not run\)/m);
    expect(notChecked).toMatch(/^stalled subscribers \(1 not run\)/m);
    expect(notChecked).not.toMatch(/no sequence field/);
    expect(summaryText(result)).toMatch(/MoldUDP64: \d+ packets \(\d+ heartbeats\), 1 gaps \(10 messages\): 10 recovered, 0 lost/);
    expect(result.errors).toEqual([]);
  }, 30_000);
});
