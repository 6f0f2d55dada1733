/**
 * LayoutFeedSubscriber in FeedSubscriber's terms, against the layout feed test publisher on
 * 127.0.0.1: what a run's feed table and problems show when a layout feed closes or is not there.
 * Every wait is bounded.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeLayoutFrame } from '../feeds/encodeLayoutFrame.js';
import { startLayoutFeedPublisher, type LayoutFeedPublisher } from '../feeds/LayoutFeedPublisher.testkit.js';
import { parseFeedLayout } from '../feeds/loadFeedLayout.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import { LayoutFeedSubscriber } from './LayoutFeedSubscriber.js';
import { until } from '../until.testkit.js';

const loaded = parseFeedLayout(readFileSync(new URL('../../feeds/examples/itch-like.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const itch = loaded.layout;

const publishers: LayoutFeedPublisher[] = [];
const subscribers: LayoutFeedSubscriber[] = [];
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((s) => s.stop()));
  await Promise.all(publishers.splice(0).map((p) => p.close()));
});

function subscriber(port: number): LayoutFeedSubscriber {
  const s = new LayoutFeedSubscriber({ layout: itch, port, clientId: 7, latency: latencyHistogram(), connectTimeoutMs: 2_000 });
  subscribers.push(s);
  s.start();
  return s;
}

describe('LayoutFeedSubscriber', () => {
  it('a feed that closes during the run: a login, its frames and gap, a disconnect, and the reason as a problem', async () => {
    const p = await startLayoutFeedPublisher(async ({ socket, received }) => {
      await received(7);
      // Sequences 1–5 and 8–10: one gap of 2; then the sender closes.
      const frames = [1, 2, 3, 4, 5, 8, 9, 10].map((sequence) => encodeLayoutFrame(itch, { type: 'OrderCancel', values: { sequence } }));
      socket.end(Buffer.concat(frames));
    });
    publishers.push(p);
    const s = subscriber(p.port);
    await until(() => s.result().state === 'stopped', 'the read to end');
    expect(s.counts).toMatchObject({ connects: 1, logins: 1, connectFailures: 0, disconnects: 1, frames: 8, feedFrames: 8, gaps: 1,
      gapFrames: 2, maxGapFrames: 2, protocolErrors: 0, checksumErrors: 0, snapshotsReceived: 0 });
    const r = s.result();
    expect(r).toMatchObject({ clientId: 7, class: 'fast', lastFeedSequence: 10, endReasons: { 'layout feed closed': 1 } });
    expect(r.errors).toEqual(['layout feed itch-like closed: the sender closed the connection after 8 frames']);
    expect(s.books()).toEqual([]);
    expect(s.layoutResult()).toMatchObject({ verdict: 'closed', framesByType: { OrderCancel: 8 }, latency: null });
  });

  it('a feed that is not there: a connect failure, not a disconnect; stopping a running read is no problem', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));
    const s = subscriber(port);
    await until(() => s.result().state === 'stopped', 'the connect to fail');
    expect(s.counts).toMatchObject({ connects: 0, logins: 0, connectFailures: 1, disconnects: 0 });
    expect(s.result().errors[0]).toMatch(/^layout feed itch-like connect-failed: /);

    const p = await startLayoutFeedPublisher(async ({ received }) => {
      await received(7);
    });
    publishers.push(p);
    const running = subscriber(p.port);
    await until(() => running.counts.logins === 1, 'the connection');
    expect(running.result().state).toBe('active');
    await running.stop();
    expect(running.result()).toMatchObject({ state: 'stopped', endReasons: {}, errors: [] });
    expect(running.counts.disconnects).toBe(0);
  });
});
