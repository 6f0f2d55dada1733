import { afterEach, describe, expect, it } from 'vitest';
import { runScenario, scenarioSymbols } from '../run/runScenario.js';
import { parseScenario } from '../scenario/loadScenario.js';
import type { FeedViolationFile } from './feedViolationFile.js';
import { LyingEngine } from './LyingEngine.testkit.js';
import { LyingFeed, type FeedLie } from './LyingFeed.testkit.js';
import { describeFeedViolation, mergeFeedViolations, snapshotViolations } from './snapshotInvariants.js';

describe('snapshotViolations', () => {
  const level = (price: number, quantity = 5, orderCount = 1): { price: number; quantity: number; orderCount: number } => ({ price, quantity, orderCount });

  it('a well-formed snapshot breaks nothing; crossed, out-of-order and empty levels are each named with the feed sequence', () => {
    expect(snapshotViolations({ symbolId: 1, sequence: 9, bids: [level(99), level(98)], asks: [level(100), level(101)] }, 7)).toEqual([]);
    const broken = snapshotViolations({ symbolId: 2, sequence: 40, bids: [level(101), level(101)], asks: [level(100), level(99, 0, 0)] }, 7);
    expect(broken.map(describeFeedViolation)).toEqual([
      'feed: BOOK_SNAPSHOT of symbol 2 as of feed sequence 40 (subscriber 7): not-crossed: best bid 101 is not below best ask 100',
      'feed: BOOK_SNAPSHOT of symbol 2 as of feed sequence 40 (subscriber 7): level-order: bid level 101 follows 101',
      'feed: BOOK_SNAPSHOT of symbol 2 as of feed sequence 40 (subscriber 7): level-order: ask level 99 follows 100',
      'feed: BOOK_SNAPSHOT of symbol 2 as of feed sequence 40 (subscriber 7): level-totals: ask level 99 holds 0 in 0 orders',
    ]);
  });

  it('merging keeps the lowest feed sequences first and counts every one', () => {
    const v = (feedSequence: number) => ({ invariant: 'not-crossed' as const, symbolId: 1, feedSequence, clientId: 1, message: '' });
    const merged = mergeFeedViolations([{ count: 5, snapshots: 10, first: [v(30), v(50)] }, undefined, { count: 1, snapshots: 2, first: [v(20)] }], 2);
    expect(merged).toEqual({ count: 6, snapshots: 12, first: [v(20), v(30)] });
  });
});

// runScenario drives TCP targets from worker threads started from dist/: `npm run build` first (npm test does).

const YAML = `
version: 1
name: feed-check
seed: 44
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 150ms
phases:
  - { name: one, duration: 1500ms, rate: 300 }
clients:
  orderEntry: 2
  workers: 1
  marketData:
    - { class: fast, count: 1 }
thresholds:
  - invariant_violations == 0
target: embedded
`;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function againstFeed(lie: FeedLie) {
  const loaded = parseScenario(YAML, 'scenarios/feed-check.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const s = loaded.scenario;
  const feed = await LyingFeed.listen(lie, s.symbols.minPrice);
  const engine = await LyingEngine.listen(scenarioSymbols(s), 'none', { feed });
  stops.push(() => engine.close(), () => feed.close());
  const output = await runScenario({ scenario: s, scenarioHash: loaded.hash, scenarioFile: 'scenarios/feed-check.yaml', seed: 44,
    snapshotCheckIntervalMs: 200,
    target: { kind: 'tcp', orderEntry: { host: '127.0.0.1', port: engine.port }, marketData: { host: '127.0.0.1', port: feed.port } } });
  return { output, lied: feed.hasLied };
}

describe('BOOK_SNAPSHOT checks during a network run', () => {
  it('a correct feed passes: the periodic snapshots are checked and the differential check compares the feed-rebuilt books', async () => {
    const { output } = await againstFeed('none');
    const { result } = output;
    expect(result.invariants.violations).toEqual([]);
    const snapshots = Number(/; (\d+) BOOK_SNAPSHOT\(s\) \(every 200 ms per fast subscriber, and at resyncs\)/.exec(result.invariants.checked)?.[1]);
    expect(snapshots).toBeGreaterThanOrEqual(4);
    expect(result.invariants.checked).toMatch(/final books against fast subscribers’ feed-rebuilt books/);
    expect(result.verdict).toBe('passed');
  }, 60_000);

  it('a LEVEL_UPDATE for a level that does not exist is caught at the next snapshot: feed-book-equals-snapshot, violation.json at its feed sequence', async () => {
    const { output, lied } = await againstFeed('phantom-level');
    expect(lied).toBe(true);
    expect(output.result.verdict).toBe('invariant-failed');
    expect(output.result.invariants.violations[0]).toMatch(
      /^feed: BOOK_SNAPSHOT of symbol \d as of feed sequence \d+ \(subscriber 1000001\): feed-book-equals-snapshot: the book rebuilt from the feed is \S+, the snapshot's \S+$/);
    const file = output.violation as FeedViolationFile;
    expect(file).toMatchObject({ schema: 'matchbench.feed-violation', version: 1, seed: 44, invariant: 'feed-book-equals-snapshot',
      firstFailingEventIndexOf: 'feed sequence', subscriberClientId: 1_000_001 });
    expect(file.firstFailingEventIndex).toBeGreaterThan(0);
    expect(file.repro.command).toMatch(/^matchbench run scenarios\/feed-check.yaml --seed 44 --target tcp:\/\/127\.0\.0\.1:\d+,md=127\.0\.0\.1:\d+$/);
  }, 60_000);

  it('a crossed BOOK_SNAPSHOT is a not-crossed violation', async () => {
    const { output, lied } = await againstFeed('crossed-snapshot');
    expect(lied).toBe(true);
    expect(output.result.verdict).toBe('invariant-failed');
    expect(output.result.invariants.violations[0]).toMatch(/^feed: BOOK_SNAPSHOT of symbol \d as of feed sequence \d+ \(subscriber 1000001\): not-crossed: best bid (\d+) is not below best ask \1$/);
    expect((output.violation as FeedViolationFile).invariant).toBe('not-crossed');
  }, 60_000);
});
