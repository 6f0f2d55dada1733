/**
 * The fuzzer against real servers: the reference engine (Engine.start on 127.0.0.1 port 0; its
 * matcher worker runs from dist/, so build first) must pass the quick configuration, and a
 * deliberately sloppy engine must be caught with the right expected outcomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { MD_FUZZ_CLASSES } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS as rules } from './fuzzRules.js';
import { runFuzz } from './runFuzz.js';
import { findFuzzCase, selectFuzzCases } from './selectFuzzCases.js';
import { SloppyEngine } from './SloppyEngine.testkit.js';
import { TargetError } from '../clients/TargetError.js';

describe('runFuzz against the reference engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.start({ symbols: [rules.sweepSymbol, rules.semanticSymbol] });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('passes the quick configuration, havoc included, with every class reported', async () => {
    const cases = selectFuzzCases(rules, { quick: true, havocCases: 30, seed: 3 });
    const report = await runFuzz(cases, { target: { host: '127.0.0.1', port: engine.orderEntry.port }, rules });
    expect(report.failures).toEqual([]);
    expect(report.cases).toBe(cases.length);
    expect(report.classes.map((c) => c.class)).toContain('havoc');
    expect(report.classes.every((c) => c.passed === c.cases)).toBe(true);
  }, 60_000);

  it('passes the quick sample of the market-data classes on the market-data port, each class reported', async () => {
    // No connection limit in the rules: md/churn/beyond-limit is the CLI test's (the embedded engine there has a small limit).
    const cases = selectFuzzCases(rules, { quick: true, marketData: true }).filter((c) => c.channel === 'marketData');
    const report = await runFuzz(cases, { target: { host: '127.0.0.1', port: engine.orderEntry.port },
      marketDataTarget: { host: '127.0.0.1', port: engine.marketData.port }, rules });
    expect(report.failures).toEqual([]);
    expect(report.classes.map((c) => c.class).sort()).toEqual([...MD_FUZZ_CLASSES].sort());
    expect(report.target).toMatch(/, md 127\.0\.0\.1:\d+$/);
  }, 60_000);
});

describe('runFuzz against a sloppy engine', () => {
  let sloppy: SloppyEngine;
  beforeAll(async () => {
    sloppy = await SloppyEngine.listen();
  });
  afterAll(async () => {
    await sloppy.close();
  });

  it('reports the CRC, sequence and reserved-field cases it gets wrong, with expected outcome, bytes and class', async () => {
    const ids = ['crc/NEW_ORDER/bit-300', 'crc/NEW_ORDER/zero', 'semantic/sequence-gap', 'reserved/NEW_ORDER/51/1',
      'semantic/duplicate-client-order-id', 'enum/side/2', 'length/NEW_ORDER/0x0000-raw'];
    const cases = ids.map((id) => findFuzzCase(id, rules)!);
    const report = await runFuzz(cases, { target: { host: '127.0.0.1', port: sloppy.port }, rules, quietMs: 100, answerTimeoutMs: 300 });
    const failed = new Map(report.failures.map((f) => [f.id, f]));
    // It ACKs a valid order like a real engine, so that case passes.
    expect(failed.has('enum/side/2')).toBe(false);
    expect(failed.get('crc/NEW_ORDER/bit-300')).toMatchObject({
      class: 'crc',
      expected: 'SESSION_ERROR ChecksumMismatch (refSequence 0) then close',
      observed: expect.stringMatching(/^answers: expected \[\], got \[ACK \(clientOrderId 1002\)\]; connection open/),
      hex: cases[0]!.chunks.map((c) => Buffer.from(c.bytes).toString('hex')).join(''),
    });
    expect(failed.get('crc/NEW_ORDER/zero')?.expected).toBe('SESSION_ERROR ChecksumMismatch (refSequence 0) then close');
    expect(failed.get('semantic/sequence-gap')?.expected).toBe('SESSION_ERROR SequenceGap (refSequence 3) then close');
    expect(failed.get('reserved/NEW_ORDER/51/1')?.expected).toBe('SESSION_ERROR ValueOutOfRange (refSequence 2) then close');
    expect(failed.get('semantic/duplicate-client-order-id')?.observed).toMatch(/expected \[ACK .*REJECT DuplicateClientOrderId/);
    // It hangs up on a short length field without saying why.
    expect(failed.get('length/NEW_ORDER/0x0000-raw')).toMatchObject({
      expected: 'SESSION_ERROR LengthMismatch (refSequence 0) then close',
      observed: expect.stringMatching(/^no SESSION_ERROR; got no frames; connection closed/),
    });
    expect(report.classes.find((c) => c.class === 'crc')).toEqual({ class: 'crc', cases: 2, passed: 0, failed: 2 });
  }, 30_000);

  it('catches a market-data port that skips the CRC and answers order-entry types, with md/ ids and their replay bytes', async () => {
    const ids = ['md/crc/SNAPSHOT_REQUEST/zero', 'md/crc/HEARTBEAT/bit-200', 'md/unexpected/NEW_ORDER/wellFormed', 'md/sequence/heartbeat-gap'];
    const cases = ids.map((id) => findFuzzCase(id, rules)!);
    // The sloppy engine stands in for both ports: it logs anyone in and answers LOGOUT, so the probes pass.
    const report = await runFuzz(cases, { target: { host: '127.0.0.1', port: sloppy.port }, marketDataTarget: { host: '127.0.0.1', port: sloppy.port },
      rules, quietMs: 100, answerTimeoutMs: 300 });
    const failed = new Map(report.failures.map((f) => [f.id, f]));
    expect([...failed.keys()].sort()).toEqual([...ids].sort());
    expect(failed.get('md/crc/SNAPSHOT_REQUEST/zero')).toMatchObject({
      class: 'md/crc',
      expected: 'SESSION_ERROR ChecksumMismatch (refSequence 0) then close',
      hex: Buffer.from(cases[0]!.chunks[0]!.bytes).toString('hex'),
      login: true,
    });
    expect(failed.get('md/unexpected/NEW_ORDER/wellFormed')).toMatchObject({
      expected: 'SESSION_ERROR UnexpectedMessage (refSequence 2) then close',
      observed: expect.stringMatching(/got \[ACK \(clientOrderId 1\)\]/),
    });
    expect(failed.get('md/sequence/heartbeat-gap')?.expected).toBe('SESSION_ERROR SequenceGap (refSequence 3) then close');
  }, 30_000);

  it('refuses to start when nothing listens at the target', async () => {
    const closed = await SloppyEngine.listen();
    const deadPort = closed.port;
    await closed.close();
    await expect(runFuzz([], { target: { host: '127.0.0.1', port: deadPort }, rules })).rejects.toMatchObject({ code: 'unreachable' });
    await expect(runFuzz([], { target: { host: '127.0.0.1', port: deadPort }, rules })).rejects.toBeInstanceOf(TargetError);
  });
});
