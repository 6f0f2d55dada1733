import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summaryText } from '../../reports/writers/summaryText.js';
import { writeRunDirectory } from '../../reports/writers/writeRunDirectory.js';
import { TargetError } from '../clients/TargetError.js';
import { parseIntervalLog } from '../record/histogramFiles.js';
import { parseScenario } from '../scenario/loadScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { runScenario } from './runScenario.js';

// These tests start worker threads from dist/: `npm run build` first (npm test does).

function scenario(yaml: string): { scenario: Scenario; hash: string } {
  const loaded = parseScenario(yaml, 'test.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return { scenario: loaded.scenario, hash: loaded.hash };
}

const TINY = `
version: 1
name: tiny
seed: 7
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 300ms
phases:
  - { name: one, duration: 1s, rate: 300 }
  - { name: two, duration: 1s, rate: 600 }
clients:
  orderEntry: 3
  workers: 1
  marketData:
    - { class: fast, count: 2 }
    - { class: slow, count: 1, bytesPerSecond: 20000 }
    - { class: stalled, count: 1 }
thresholds:
  - order_rtt.p99 < 10s
  - feed_gaps.fast == 0
  - invariant_violations == 0
  - orders.count > 100
target: embedded
`;

/** TINY without subscribers (and so without feed thresholds). */
const NO_FEED = TINY.replace(/  marketData:\n(    - .*\n)+/, '  marketData: []\n').replace('  - feed_gaps.fast == 0\n', '');

describe('runScenario against the embedded reference engine (TCP)', () => {
  it('drives the flow, measures every kind, checks the books, and writes a run directory', async () => {
    const { scenario: s, hash } = scenario(TINY);
    const { result, intervals, startEpochMs } = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'test.yaml', seed: 7 });
    expect(result.errors).toEqual([]);
    expect(result.verdict).toBe('passed');
    expect(result.orders.sent).toBe(result.orders.generated);
    expect(result.orders.unanswered).toBe(0);
    // Two phases at 300/s and 600/s for 1 s each: about 900 requests.
    expect(result.orders.sent).toBeGreaterThan(700);
    expect(result.orders.sent).toBeLessThan(1_100);
    expect(result.orders.acked + result.orders.rejected).toBeGreaterThan(0);
    for (const metric of ['order_rtt', 'order_service_time', 'cancel_rtt', 'fill_rtt', 'feed_latency.fast']) {
      expect(result.latency[metric]?.count ?? 0, metric).toBeGreaterThan(0);
    }
    expect(result.feed.fast?.subscribers).toBe(2);
    expect(result.feed.fast?.frames).toBeGreaterThan(100);
    expect(result.feed.fast?.gaps).toBe(0);
    expect(result.invariants.violations).toEqual([]);
    expect(result.invariants.checked).toMatch(/final books/);
    expect(result.finalStateHash).toMatch(/^[0-9a-f]+$/);
    expect(result.phases.map((p) => p.name)).toEqual(['one', 'two']);
    expect(result.identity.nodeVersion).toBe(process.version);
    expect(result.seed).toBe(7);
    expect(result.scenario.hash).toBe(hash);
    expect(result.thresholds.every((t) => t.passed)).toBe(true);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-run-'));
    writeRunDirectory(dir, result, intervals, startEpochMs);
    for (const file of ['result.json', 'summary.md', 'latency.hlog', 'order_rtt.hgrm', 'feed_latency.fast.hgrm']) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    const back = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as typeof result;
    expect(back.streamHash).toBe(result.streamHash);
    const log = parseIntervalLog(readFileSync(path.join(dir, 'latency.hlog'), 'utf8'));
    let logged = 0;
    for (const { set } of log.entries()) logged += set.find('order_rtt')?.totalCount ?? 0;
    expect(logged).toBe(result.latency.order_rtt?.count);
  });

  it('refuses an unreachable target with a TargetError before sending anything', async () => {
    const { scenario: s, hash } = scenario(NO_FEED.replace('target: embedded', 'target: "tcp://127.0.0.1:1"'));
    await expect(runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x', seed: 1 })).rejects.toBeInstanceOf(TargetError);
  });
});

describe('runScenario inproc', () => {
  const INPROC = NO_FEED.replace('target: embedded', 'target: inproc');

  it('the same seed gives the same order stream and the same final book; another seed differs', async () => {
    const { scenario: s, hash } = scenario(INPROC);
    const run = (seed: number) => runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x', seed });
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a.result.verdict).toBe('passed');
    expect(a.result.invariants.checked).toMatch(/every event/);
    expect(b.result.streamHash).toBe(a.result.streamHash);
    expect(c.result.streamHash).not.toBe(a.result.streamHash);
    expect(a.result.finalStateHash).not.toBeNull();
    expect(b.result.finalStateHash).toBe(a.result.finalStateHash);
    expect(c.result.finalStateHash).not.toBe(a.result.finalStateHash);
    expect(b.result.orders).toEqual(a.result.orders);
    expect(c.result.orders).not.toEqual(a.result.orders);
  });

  it('a stall shows in the corrected latency and not in the service time (coordinated omission)', async () => {
    const { scenario: s, hash } = scenario(INPROC);
    const stallMs = 250;
    const { result } = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x', seed: 3,
      inprocStall: { atMs: 500, durationMs: stallMs } });
    const corrected = result.latency.order_rtt;
    const service = result.latency.order_service_time;
    if (corrected === undefined || service === undefined) throw new Error('no latency recorded');
    // Every request intended during the stall waited for it: the corrected max is about the stall,
    // and at ~300 requests/s × 0.25 s ≈ 75 of ~900 requests waited, so p99 shows it too.
    expect(corrected.maxNs).toBeGreaterThan(0.9 * stallMs * 1e6);
    expect(corrected.p99Ns).toBeGreaterThan(0.3 * stallMs * 1e6);
    // The matcher call itself never took long: service time does not see the stall.
    expect(service.maxNs).toBeLessThan(0.2 * stallMs * 1e6);
    // The requests due during the stall went out together after it: the sends fail the arrivals
    // test, the times the generator drew pass it, and the summary says that the sender drifted.
    expect(result.arrivals.passed).toBe(false);
    expect(result.arrivals.intended?.passed).toBe(true);
    expect(result.arrivals.intended?.samples).toBeGreaterThanOrEqual(result.arrivals.samples);
    expect(summaryText(result)).toMatch(/intended times: KS D=[\d.]+ p=[\d.]+ over \d+ gaps — Poisson, so the sends drifted/);
  });
});
