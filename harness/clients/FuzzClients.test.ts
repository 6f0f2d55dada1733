/**
 * Fuzz clients (`clients.fuzz`): the case stream, a sloppy engine caught, and a tiny
 * fuzz-under-load run against the embedded engine that passes with cases counted. The run starts
 * worker threads from dist/: build first (npm test does).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunDirectory } from '../../reports/readRunDirectory.js';
import { reportHtml } from '../../reports/writers/reportHtml.js';
import { summaryText } from '../../reports/writers/summaryText.js';
import { writeRunDirectory } from '../../reports/writers/writeRunDirectory.js';
import { FUZZ_RULES_DEFAULTS } from '../fuzz/fuzzRules.js';
import { SloppyEngine } from '../fuzz/SloppyEngine.testkit.js';
import { runScenario } from '../run/runScenario.js';
import { parseScenario } from '../scenario/loadScenario.js';
import { FuzzCaseStream, FuzzClients } from './FuzzClients.js';

describe('FuzzCaseStream', () => {
  it('is the same for the same seed, plays each catalogue case once, and never runs out of havoc', () => {
    const ids = (seed: number): string[] => {
      const stream = new FuzzCaseStream(['slowloris', 'churn', 'havoc'], FUZZ_RULES_DEFAULTS, seed);
      return Array.from({ length: 60 }, () => stream.next()?.id ?? 'end');
    };
    const a = ids(5);
    expect(ids(5)).toEqual(a);
    expect(ids(6)).not.toEqual(a);
    const catalogue = a.filter((id) => !id.startsWith('havoc/'));
    expect(new Set(catalogue).size).toBe(catalogue.length);
    // 10 slowloris and 9 churn cases (no limit case alongside load), then havoc only.
    expect(catalogue.filter((id) => id.startsWith('slowloris/'))).toHaveLength(10);
    expect(catalogue.filter((id) => id.startsWith('churn/'))).toHaveLength(9);
    expect(a).not.toContain('churn/beyond-limit');
    expect(a.slice(-5).every((id) => id.startsWith('havoc/5/'))).toBe(true);
  });

  it('leaves out the cases that expect a symbol the scenario trades to be unknown', () => {
    const stream = new FuzzCaseStream(['numeric'], FUZZ_RULES_DEFAULTS, 1, [1, 2]);
    const ids: string[] = [];
    for (let c = stream.next(); c !== undefined; c = stream.next()) ids.push(c.id);
    expect(ids).toContain('numeric/NEW_ORDER/symbolId/0');
    expect(ids).toContain('numeric/NEW_ORDER/symbolId/65535');
    expect(ids.filter((id) => /\/symbolId\/[12]$/.test(id))).toEqual([]);
    expect(ids.length).toBeGreaterThan(500);
  });

  it('ends when the classes are played out and there is no havoc', () => {
    const stream = new FuzzCaseStream(['slowloris'], FUZZ_RULES_DEFAULTS, 1);
    expect(Array.from({ length: 11 }, () => stream.next()?.id).filter((id) => id !== undefined)).toHaveLength(10);
  });
});

describe('FuzzClients against a sloppy engine', () => {
  let sloppy: SloppyEngine;
  beforeAll(async () => {
    sloppy = await SloppyEngine.listen();
  });
  afterAll(async () => {
    await sloppy.close();
  });

  it('report the cases it gets wrong, with ids and bytes', async () => {
    const clients = new FuzzClients({ spec: { sessions: 2, rateHz: 50, classes: ['crc'], seedOffset: 0 }, seed: 1,
      target: { host: '127.0.0.1', port: sloppy.port }, play: { connectTimeoutMs: 1_000, answerTimeoutMs: 300, quietMs: 100 } });
    const result = await clients.run(performance.timeOrigin + performance.now(), 200);
    expect(result.cases).toBe(10);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.classes).toEqual([{ class: 'crc', cases: 10, passed: result.passed, failed: result.failed }]);
    expect(result.failures[0]).toMatchObject({ id: expect.stringMatching(/^crc\//), hex: expect.stringMatching(/^[0-9a-f]+$/) });
  }, 30_000);
});

const TINY_FUZZ_UNDER_LOAD = `
version: 1
name: tiny-fuzz-under-load
seed: 3
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 300ms
phases:
  - { name: one, duration: 1500ms, rate: 200 }
  - { name: two, duration: 1500ms, rate: 400 }
clients:
  orderEntry: 2
  workers: 1
  marketData:
    - { class: fast, count: 2 }
  fuzz: { sessions: 2, rate: 20, classes: [truncation, crc, semantic, churn, havoc] }
thresholds:
  - order_rtt.p99 < 10s
  - feed_gaps.fast == 0
  - errors.count == 0
  - invariant_violations == 0
target: embedded
`;

describe('a scenario with fuzz clients against the embedded engine', () => {
  it('passes with fuzz cases counted, none failed, the well-behaved clients undisturbed', async () => {
    const loaded = parseScenario(TINY_FUZZ_UNDER_LOAD, 'tiny.yaml');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const { result, intervals, startEpochMs } = await runScenario({ scenario: loaded.scenario, scenarioHash: loaded.hash, scenarioFile: 'tiny.yaml', seed: 3 });
    expect(result.fuzz?.failures).toEqual([]);
    expect(result.fuzz?.cases).toBeGreaterThan(20);
    expect(result.fuzz?.classes.map((c) => c.class)).toEqual(expect.arrayContaining(['truncation', 'crc', 'semantic', 'churn', 'havoc']));
    expect(result.errors).toEqual([]);
    expect(result.feed.fast?.gaps).toBe(0);
    expect(result.invariants.violations).toEqual([]);
    expect(result.verdict).toBe('passed');
    expect(summaryText(result)).toMatch(/fuzz clients \(2 sessions, up to 20 cases\/s\): \d+ cases, all passed/);
    // result.json keeps the section, and report.html shows it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-fuzz-run-'));
    writeRunDirectory(dir, result, intervals, startEpochMs);
    const run = readRunDirectory(dir);
    expect(run.result.fuzz).toEqual(result.fuzz);
    expect(reportHtml(run)).toMatch(/fuzz clients \(2 sessions, up to 20 cases\/s\): \d+ cases, <span class="verdict good">all passed/);
  }, 60_000);
});
