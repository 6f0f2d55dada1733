/**
 * MoldFeedSubscriber in FeedSubscriber's terms, on 127.0.0.1 with the Mold test publisher: a gap
 * that is recovered is a gap but not a frame missed; a lost one is both; a port it cannot bind is a
 * connect failure and a problem. Every wait is bounded.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeLayoutFrame } from '../feeds/encodeLayoutFrame.js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { parseFeedLayout } from '../feeds/loadFeedLayout.js';
import { startMoldPublisher, type MoldPublisher } from '../feeds/mold/MoldPublisher.testkit.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import { isMulticastGroup, MoldFeedSubscriber } from './MoldFeedSubscriber.js';
import { until } from '../until.testkit.js';

const text = readFileSync(new URL('../../feeds/examples/itch-mold.yaml', import.meta.url), 'utf8');

function itchMold(retransmitPort: number | null): FeedLayout {
  const loaded = parseFeedLayout(retransmitPort === null ? text : text.replace(/^ {2}# retransmit: .*$/m, `  retransmit: 127.0.0.1:${retransmitPort}`));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.layout;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A subscriber on a free port, bound, and a publisher sending to it (re-requests answered, or not). */
async function pair(retransmit: 'answer' | 'silent'): Promise<{ subscriber: MoldFeedSubscriber; publisher: MoldPublisher; layout: FeedLayout }> {
  const to = { host: '127.0.0.1', port: await freeUdpPort() };
  const publisher = await startMoldPublisher({ to, retransmit });
  cleanups.push(() => publisher.close());
  const layout = itchMold(publisher.retransmitPort);
  const subscriber = new MoldFeedSubscriber({ layout, host: to.host, port: to.port, clientId: 1, latency: latencyHistogram() });
  cleanups.push(() => subscriber.stop());
  subscriber.start();
  await until(() => subscriber.counts.logins === 1, 'the bind');
  return { subscriber, publisher, layout };
}

const deletes = (layout: FeedLayout, from: number, n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => encodeLayoutFrame(layout, { type: 'OrderDelete', values: { orderRef: from + i } }));

describe('MoldFeedSubscriber', () => {
  it('a held-back packet that the re-request recovers: one gap, no frame missed; the end of session is no problem', async () => {
    const { subscriber, publisher, layout } = await pair('answer');
    await publisher.publish(deletes(layout, 1, 5));
    publisher.packet(deletes(layout, 6, 5)); // messages 6–10, never sent live
    await publisher.publish(deletes(layout, 11, 5));
    await publisher.endOfSession();
    await until(() => subscriber.result().state === 'stopped', 'the end of session');
    expect(subscriber.counts).toMatchObject({ logins: 1, frames: 15, gaps: 1, gapFrames: 0, disconnects: 0, protocolErrors: 0 });
    expect(subscriber.result()).toMatchObject({ class: 'fast', lastFeedSequence: 15, endReasons: {}, errors: [] });
    expect(subscriber.moldResult()).toMatchObject({ verdict: 'end-of-session', mold: { gapMessages: 5, recoveredMessages: 5, lostMessages: 0 } });
  });

  it('a gap the server never fills: its messages are frames missed once given up on', async () => {
    const { subscriber, publisher, layout } = await pair('silent');
    await publisher.publish(deletes(layout, 1, 3));
    publisher.packet(deletes(layout, 4, 4));
    await publisher.publish(deletes(layout, 8, 3));
    // 3 tries 500 ms apart, then lost.
    await until(() => subscriber.moldResult().mold.lostMessages === 4, 'the loss', 5_000);
    expect(subscriber.counts).toMatchObject({ frames: 6, gaps: 1, gapFrames: 4 });
  });

  it('a port it cannot bind: a connect failure, and the reason among the problems', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const subscriber = new MoldFeedSubscriber({ layout: itchMold(null), host: '127.0.0.1', port: taken.address().port, clientId: 1,
      latency: latencyHistogram() });
    subscriber.start();
    await until(() => subscriber.result().state === 'stopped', 'the bind to fail');
    expect(subscriber.counts).toMatchObject({ logins: 0, connectFailures: 1, disconnects: 0 });
    expect(subscriber.result().errors[0]).toMatch(/^MoldUDP64 feed itch-mold bind-failed: cannot bind 127\.0\.0\.1:\d+: /);
    expect([isMulticastGroup('239.1.1.1'), isMulticastGroup('224.0.0.1'), isMulticastGroup('127.0.0.1'), isMulticastGroup('::1')])
      .toEqual([true, true, false, false]);
  });
});
