/**
 * Streaming havoc against real servers: the reference engine (Engine.start on 127.0.0.1 port 0;
 * its matcher worker runs from dist/, so build first) survives 20,000 frames with probes and the
 * RSS check; a sloppy engine is caught, each failure with an id that replays its bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { caseBytes, concatBytes, toHex } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS as rules } from './fuzzRules.js';
import { PLAY_DEFAULTS } from './playFuzzCase.js';
import { havocStreamBatches, havocStreamCase, parseHavocStreamId, runHavocStream, type HavocStreamOptions } from './runHavocStream.js';
import { findFuzzCase } from './selectFuzzCases.js';
import { SloppyEngine } from './SloppyEngine.testkit.js';

const ids = (): (() => number) => {
  let next = 0x5000_0000;
  return () => next++;
};

describe('runHavocStream against the reference engine', () => {
  let engine: Engine;
  let base: Pick<HavocStreamOptions, 'target' | 'marketDataTarget' | 'rules' | 'play'>;
  beforeAll(async () => {
    engine = await Engine.start({ symbols: [rules.sweepSymbol, rules.semanticSymbol] });
    base = { target: { host: '127.0.0.1', port: engine.orderEntry.port }, marketDataTarget: { host: '127.0.0.1', port: engine.marketData.port },
      rules, play: { ...PLAY_DEFAULTS, answerTimeoutMs: 5_000 } };
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('sends 20,000 frames over many connections, probes every 5,000, and keeps RSS within its bound', async () => {
    const report = await runHavocStream({ ...base, clientId: ids(), frames: 20_000, seed: 5, probeEveryFrames: 5_000,
      rssBytes: () => process.memoryUsage().rss });
    expect(report.failures).toEqual([]);
    expect(report.frames).toBe(20_000);
    expect(report.stoppedEarly).toBeNull();
    // Many frames per connection, and a fresh connection after each SESSION_ERROR.
    expect(report.connections).toBeGreaterThan(20);
    expect(report.connections).toBeLessThan(report.frames / 5);
    expect(report.sessionEnds['SESSION_ERROR ChecksumMismatch']).toBeGreaterThan(0);
    expect(report.probes).toBeGreaterThanOrEqual(5);
    expect(report.rss).toMatchObject({ sampled: true, boundBytes: 256 * 1024 * 1024 });
    if (report.rss.sampled) expect(report.rss.growthBytes).toBeLessThan(report.rss.boundBytes);
  }, 60_000);

  it('fails when RSS grows past the bound, and says it cannot sample an external target', async () => {
    let rss = 100 * 1024 * 1024;
    const growing = await runHavocStream({ ...base, clientId: ids(), frames: 600, seed: 6, probeEveryFrames: 200, maxRssGrowthBytes: 1024 * 1024,
      rssBytes: () => (rss += 10 * 1024 * 1024) });
    expect(growing.failures).toEqual([expect.objectContaining({ id: 'havoc-stream/rss', problem: expect.stringMatching(/RSS grew by \d+\.\d MiB .* above the bound of 1\.0 MiB/) })]);
    const external = await runHavocStream({ ...base, clientId: ids(), frames: 100, seed: 6 });
    expect(external.rss).toEqual({ sampled: false, note: expect.stringMatching(/not sampled/) });
  }, 30_000);
});

describe('streaming havoc ids and replays', () => {
  it('rebuilds the same batches from seed, connection and count, and different ones for another connection', () => {
    const hex = (connection: number): string => toHex(concatBytes(havocStreamBatches(9, connection, 3, rules).map((b) => b.bytes)));
    expect(hex(7)).toBe(hex(7));
    expect(hex(7)).not.toBe(hex(8));
    expect(parseHavocStreamId('havoc-stream/9/7/3')).toEqual({ seed: 9, connection: 7, batches: 3 });
    expect(parseHavocStreamId('havoc-stream/9/7/0')).toBeUndefined();
    const replay = findFuzzCase('havoc-stream/9/7/3', rules)!;
    expect(replay).toMatchObject({ class: 'havoc', login: true, expected: { end: { kind: 'survives' } } });
    expect(toHex(caseBytes(replay))).toBe(hex(7));
    expect(havocStreamCase('havoc/9/7', rules)).toBeUndefined();
  });
});

describe('runHavocStream against a sloppy engine', () => {
  let sloppy: SloppyEngine;
  beforeAll(async () => {
    sloppy = await SloppyEngine.listen();
  });
  afterAll(async () => {
    await sloppy.close();
  });

  it('reports silent hang-ups and unanswered requests, each with an id whose replay sends the same bytes', async () => {
    const report = await runHavocStream({ target: { host: '127.0.0.1', port: sloppy.port }, rules, clientId: ids(),
      play: { ...PLAY_DEFAULTS, answerTimeoutMs: 300 }, frames: 5_000, seed: 2, maxFailures: 3 });
    expect(report.stoppedEarly).toBe('failures');
    expect(report.failures.length).toBeGreaterThanOrEqual(3);
    for (const failure of report.failures) {
      expect(failure.problem).toMatch(/^connection \d+: (no answer to the sentinel CANCEL|closed the connection without SESSION_ERROR)/);
      const replay = findFuzzCase(failure.id, rules);
      expect(replay, failure.id).toBeDefined();
      expect(toHex(caseBytes(replay!)).startsWith(failure.hex!.replace(/…$/, ''))).toBe(true);
    }
  }, 30_000);
});
