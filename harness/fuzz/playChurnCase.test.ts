/**
 * The churn class against real servers: the reference engine (Engine.start on 127.0.0.1 port 0,
 * with a small connection limit; its matcher worker runs from dist/, so build first) passes every
 * churn case, and the sloppy engine, which has no connection limit, fails the limit case as predicted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { fuzzCatalogue } from './fuzzCatalogue.js';
import { FUZZ_RULES_DEFAULTS } from './fuzzRules.js';
import { runFuzz } from './runFuzz.js';
import { SloppyEngine } from './SloppyEngine.testkit.js';

const MAX_CONNECTIONS = 24;
const rules = { ...FUZZ_RULES_DEFAULTS, maxConnections: MAX_CONNECTIONS };
const churn = fuzzCatalogue(rules).filter((c) => c.class === 'churn');

describe('churn cases', () => {
  it('cover bursts, resets, half-open connections and the limit, each bounded', () => {
    expect(churn.map((c) => c.id)).toEqual([
      'churn/burst-200-no-bytes', 'churn/burst-200-partial-login', 'churn/burst-200-login', 'churn/reset-mid-login',
      'churn/reset-mid-frame', 'churn/half-open-before-login', 'churn/half-open-after-login', 'churn/half-open-after-order',
      'churn/half-open-mid-frame', 'churn/beyond-limit',
    ]);
    // Without a known limit there is no limit case.
    expect(fuzzCatalogue().some((c) => c.id === 'churn/beyond-limit')).toBe(false);
  });
});

describe('churn cases against the reference engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.start({ symbols: [rules.sweepSymbol, rules.semanticSymbol], maxConnections: MAX_CONNECTIONS });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('all pass, each followed by a live engine', async () => {
    const report = await runFuzz(churn, { target: { host: '127.0.0.1', port: engine.orderEntry.port }, rules, concurrency: 8 });
    expect(report.failures).toEqual([]);
    expect(report.classes).toEqual([{ class: 'churn', cases: churn.length, passed: churn.length, failed: 0 }]);
  }, 60_000);
});

describe('churn cases against a sloppy engine', () => {
  let sloppy: SloppyEngine;
  beforeAll(async () => {
    sloppy = await SloppyEngine.listen();
  });
  afterAll(async () => {
    await sloppy.close();
  });

  it('catch that it has no connection limit', async () => {
    const cases = churn.filter((c) => c.id === 'churn/beyond-limit' || c.id === 'churn/burst-200-login');
    const report = await runFuzz(cases, { target: { host: '127.0.0.1', port: sloppy.port }, rules, answerTimeoutMs: 500 });
    expect(report.failures.map((f) => f.id)).toEqual(['churn/beyond-limit']);
    expect(report.failures[0]).toMatchObject({
      class: 'churn',
      expected: 'SESSION_ERROR TooManyConnections then close',
      observed: expect.stringMatching(/^answers: expected \[\], got \[LOGIN_ACK\]/),
    });
  }, 30_000);
});
