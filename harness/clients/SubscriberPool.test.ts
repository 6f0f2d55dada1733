import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFanoutEngine, type FanoutEngine } from '../bench/fanoutBenchEngine.js';
import { buildFanoutFeed } from '../bench/fanoutBenchFeed.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { parseFeedLayout } from '../feeds/loadFeedLayout.js';
import { emptyFeedCounts } from './FeedSubscriber.js';
import { SubscriberPool, subscriberPoolProblems } from './SubscriberPool.js';
import { decodeLatency, encodeLatency, mergeClassResults, type SubscriberClassResult } from './SubscriberPoolResult.js';
import { SubscriberPoolThread } from './SubscriberPoolThread.js';

// The thread test runs the pool from dist/ (npm test builds first).
const feed = buildFanoutFeed({ symbols: 2, operationsPerSymbol: 2_000, seed: 11 });
let engine: FanoutEngine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function publish(e: FanoutEngine, frames: number, batch = 250): Promise<void> {
  for (let sent = 0; sent < frames; sent += batch) {
    e.publish(Math.min(batch, frames - sent));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const byClass = (results: readonly SubscriberClassResult[], cls: string): SubscriberClassResult => {
  const r = results.find((c) => c.class === cls);
  if (r === undefined) throw new Error(`no ${cls} result`);
  return r;
};

describe('SubscriberPool', () => {
  it('runs subscribers of every class and reports per class, intervals adding up to the whole run', async () => {
    engine = await startFanoutEngine({ feed, outbound: { capBytes: 16_384, policy: 'drop' } });
    const e = engine;
    const pool = new SubscriberPool({ port: e.port, heartbeatIntervalMs: 200, groups: [
      { class: 'fast', count: 3 }, { class: 'slow', count: 2, bytesPerSecond: 100_000 }, { class: 'stalled', count: 1 },
      { class: 'churning', count: 1, meanConnectedMs: 100, minBackoffMs: 10, maxBackoffMs: 50 },
    ] });
    expect(await pool.start()).toBe(7);
    await publish(e, 10_000);
    await until(() => pool.subscribers().slice(0, 3).every((s) => s.lastFeedSequence === e.broadcaster.lastSequence), 'fast catch-up');
    const first = pool.interval();
    await publish(e, 5_000);
    await until(() => pool.subscribers().slice(0, 3).every((s) => s.lastFeedSequence === e.broadcaster.lastSequence), 'fast catch-up');
    const second = pool.interval();
    const whole = await pool.stop();

    expect(whole.map((c) => [c.class, c.subscribers])).toEqual([['fast', 3], ['slow', 2], ['stalled', 1], ['churning', 1]]);
    const fast = byClass(whole, 'fast');
    expect(fast.counts).toMatchObject({ logins: 3, feedFrames: 45_000, gaps: 0, protocolErrors: 0, bookMismatches: 0 });
    expect(byClass(first, 'fast').counts.feedFrames).toBe(30_000);
    expect(byClass(second, 'fast').counts.feedFrames).toBe(15_000);
    expect(byClass(second, 'fast').counts.logins).toBe(0);
    expect(decodeLatency(fast.latencyHistogram).totalCount).toBe(45_000);
    expect(decodeLatency(byClass(first, 'fast').latencyHistogram).totalCount).toBe(30_000);
    expect(decodeLatency(byClass(second, 'fast').latencyHistogram).totalCount).toBe(15_000);
    expect(fast.minLastFeedSequence).toBe(15_000);
    // Each fast subscriber holds each symbol's book exact, equal to the engine's.
    const digests = e.digests();
    expect(fast.books).toEqual(Object.fromEntries(Object.entries(digests).map(([symbol, d]) => [symbol, { [d]: 3 }])));
    expect(byClass(whole, 'stalled').counts.feedFrames).toBeLessThan(15_000);
    expect(byClass(whole, 'churning').counts.logins).toBeGreaterThanOrEqual(1);
  });

  it('runs on worker threads, and merged per-class results from two threads add up exactly', async () => {
    engine = await startFanoutEngine({ feed });
    const e = engine;
    const groups = [{ class: 'fast', count: 4 }, { class: 'slow', count: 1, bytesPerSecond: 1_000_000 }] as const;
    const threads = await Promise.all([
      SubscriberPoolThread.start({ port: e.port, groups, firstClientId: 1 }),
      SubscriberPoolThread.start({ port: e.port, groups, firstClientId: 101 }),
    ]);
    expect(threads.map((t) => t.loggedIn)).toEqual([5, 5]);
    await publish(e, 8_000);
    await until(async () => (await Promise.all(threads.map((t) => t.interval()))).every((r) => byClass(r, 'fast').minLastFeedSequence === 8_000),
      'fast catch-up');
    const merged = mergeClassResults(await Promise.all(threads.map((t) => t.stop())));
    const fast = byClass(merged, 'fast');
    expect(fast).toMatchObject({ subscribers: 8, minLastFeedSequence: 8_000, maxLastFeedSequence: 8_000, inexactBooks: 0 });
    expect(fast.counts).toMatchObject({ logins: 8, feedFrames: 64_000, gaps: 0, protocolErrors: 0 });
    expect(decodeLatency(fast.latencyHistogram).totalCount).toBe(64_000);
    expect(fast.books).toEqual(Object.fromEntries(Object.entries(e.digests()).map(([symbol, d]) => [symbol, { [d]: 8 }])));
    expect(byClass(merged, 'slow').subscribers).toBe(2);
  });

  it('with auditEvery, every fast subscriber follows the whole feed and only the audited ones rebuild books', async () => {
    engine = await startFanoutEngine({ feed });
    const e = engine;
    const pool = new SubscriberPool({ port: e.port, auditEvery: 3, symbols: Object.keys(e.digests()).map(Number),
      groups: [{ class: 'fast', count: 6 }, { class: 'slow', count: 1, bytesPerSecond: 1_000_000 }] });
    expect(await pool.start()).toBe(7);
    await publish(e, 6_000);
    await until(() => pool.subscribers().slice(0, 6).every((s) => s.lastFeedSequence === e.broadcaster.lastSequence), 'fast catch-up');
    const whole = await pool.stop();
    const fast = byClass(whole, 'fast');
    expect(fast.counts).toMatchObject({ logins: 6, feedFrames: 36_000, gaps: 0, protocolErrors: 0 });
    expect(decodeLatency(fast.latencyHistogram).totalCount).toBe(36_000);
    // Subscribers 0 and 3 audit: their books equal the engine's; the other four keep none.
    expect(fast.books).toEqual(Object.fromEntries(Object.entries(e.digests()).map(([symbol, d]) => [symbol, { [d]: 2 }])));
    expect(fast.inexactBooks).toBe(0);
    expect(pool.subscribers().slice(0, 6).map((s) => s.books().length)).toEqual([2, 0, 0, 2, 0, 0]);
    // The slow class is not sampled: its subscriber keeps its books.
    expect(pool.subscribers()[6]?.books().length).toBe(2);
  });

  it('merges histograms exactly: percentiles of the merge equal those of all values recorded in one', () => {
    const a = latencyHistogram();
    const b = latencyHistogram();
    const all = latencyHistogram();
    for (let i = 1; i <= 5_000; i++) {
      const v = (i * 7_919) % 100_003;
      (i % 3 === 0 ? a : b).recordValue(v);
      all.recordValue(v);
    }
    const part = (latency: string, feedFrames: number): SubscriberClassResult => ({
      class: 'fast', subscribers: 1, active: 1, counts: { ...emptyCounts(), feedFrames, maxGapFrames: feedFrames }, endReasons: { churn: 1 },
      errors: [], latencyHistogram: latency, minLastFeedSequence: feedFrames, maxLastFeedSequence: feedFrames,
    });
    const [merged] = mergeClassResults([[part(encodeLatency(a), 10)], [part(encodeLatency(b), 20)]]);
    const m = decodeLatency(merged?.latencyHistogram ?? '');
    for (const p of [50, 90, 99, 99.9, 100]) expect(m.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
    expect(merged).toMatchObject({ subscribers: 2, minLastFeedSequence: 10, maxLastFeedSequence: 20, endReasons: { churn: 2 } });
    expect(merged?.counts).toMatchObject({ feedFrames: 30, maxGapFrames: 20 });
  });

  it('refuses bad options naming every problem', () => {
    expect(() => new SubscriberPool({ port: 0, groups: [{ class: 'slow', count: -1, bytesPerSecond: 0 }], connectBatch: 0, auditEvery: 0.5 }))
      .toThrow(/port must be .* got 0; groups\[0\]\.count must be an integer ≥ 0, got -1; groups\[0\]\.bytesPerSecond must be a finite number > 0, got 0; .*connectBatch must be a positive integer, got 0; auditEvery must be a positive integer, got 0.5/);
  });

  it('with a layout feed, takes fast subscribers only, and one for a MoldUDP64 feed', () => {
    const layout = (name: string): FeedLayout => {
      const loaded = parseFeedLayout(readFileSync(new URL(`../../feeds/examples/${name}.yaml`, import.meta.url), 'utf8'));
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      return loaded.layout;
    };
    expect(subscriberPoolProblems({ port: 9, layout: layout('itch-like'), groups: [{ class: 'fast', count: 3 }, { class: 'stalled', count: 1 }] }))
      .toEqual(['groups[1]: a layout feed is read at full speed without reconnecting, by fast subscribers only, not stalled']);
    expect(subscriberPoolProblems({ port: 9, layout: layout('itch-mold'), groups: [{ class: 'fast', count: 2 }] }))
      .toEqual(['layout itch-mold is MoldUDP64 over UDP, read by one subscriber (a unicast UDP port is read by one socket), not 2']);
    expect(subscriberPoolProblems({ port: 9, layout: layout('itch-mold'), groups: [{ class: 'fast', count: 1 }] })).toEqual([]);
    // A layout pool holds no matchbench-protocol subscribers.
    expect(new SubscriberPool({ port: 9, layout: layout('itch-like'), groups: [{ class: 'fast', count: 2 }] }).subscribers()).toEqual([]);
  });
});

/** Zero counts, spelled out so a renamed field breaks this test. */
function emptyCounts(): ReturnType<typeof emptyFeedCounts> {
  return { connects: 0, connectFailures: 0, logins: 0, disconnects: 0, churns: 0, frames: 0, bytes: 0, feedFrames: 0, gaps: 0,
    gapFrames: 0, maxGapFrames: 0, protocolErrors: 0, checksumErrors: 0, snapshotsRequested: 0, snapshotsReceived: 0,
    resyncs: 0, bookMismatches: 0, sessionErrors: 0, heartbeatTimeouts: 0, negativeLatencies: 0 };
}
