import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../engine/Engine.js';
import { runScenario, scenarioSymbols } from '../../run/runScenario.js';
import { parseScenario } from '../../scenario/loadScenario.js';
import type { Scenario, TargetSpec } from '../../scenario/Scenario.js';
import { ExampleExchangePeer } from './ExampleExchangePeer.testkit.js';
import { SHIPPED_MAPPING_ENV } from './shippedMapping.testkit.js';

// runScenario's TCP drivers and the engine's matcher run on worker threads from dist/: `npm run build` first (npm test does).

function scenario(rate: number, durationS: number, clients: number): { scenario: Scenario; hash: string } {
  const loaded = parseScenario(`
version: 1
name: mapped-http
seed: 11
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.55, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.1 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 150ms
phases:
  - { name: one, duration: ${durationS}s, rate: ${rate} }
clients:
  orderEntry: ${clients}
  workers: 1
  marketData: []
target: embedded
`, 'mapped-http.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return { scenario: loaded.scenario, hash: loaded.hash };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Runs `s` against `target`; `env` is what the mapping's `${env:…}` headers read (default: the example exchange peer's API key). */
const run = (s: { scenario: Scenario; hash: string }, target: TargetSpec, env: Record<string, string> = { ...SHIPPED_MAPPING_ENV }) =>
  runScenario({ scenario: s.scenario, scenarioHash: s.hash, scenarioFile: 'mapped-http.yaml', seed: 11, target, env });

/** Runs against a fresh reference engine over HTTP and returns the result and the engine's final state hash. */
async function runOnEngine(s: { scenario: Scenario; hash: string }, mapping?: string) {
  const engine = await Engine.start({ symbols: scenarioSymbols(s.scenario), httpPort: 0 });
  let stopped = false;
  stops.push(async () => { if (!stopped) await engine.stop(); });
  const url = `http://127.0.0.1:${engine.http?.port ?? 0}`;
  const { result } = await run(s, { kind: 'http', url, marketData: null, ...(mapping === undefined ? {} : { mapping }) });
  engine.matcher.requestFinalState();
  await engine.stop();
  stopped = true;
  return { result, stateHash: engine.matcher.finalState?.stateHash, processed: engine.processed };
}

describe('the HTTP target through a mapping file', () => {
  it('drives the reference engine through mappings/reference-engine.yaml to the same books as TCP and the same counts as the built-in HTTP target', async () => {
    // One client: the engine sees the same command sequence over TCP and over HTTP, so the books must end the same.
    const s = scenario(250, 1, 1);
    const mapped = await runOnEngine(s, 'mappings/reference-engine.yaml');
    const builtIn = await runOnEngine(s);
    const tcp = (await run(s, { kind: 'embedded' })).result;

    const o = mapped.result.orders;
    expect(mapped.result.errors).toEqual([]);
    expect(mapped.result.target.description).toMatch(/\(mapping mappings\/reference-engine\.yaml\)$/);
    expect(o.sent).toBe(o.generated);
    expect(o.unanswered).toBe(0);
    expect(o.fills).toBeGreaterThan(0);
    expect(o.canceled).toBeGreaterThan(0);
    expect(o.replaced).toBeGreaterThan(0);
    expect(mapped.processed).toBe(o.sent);
    // Same fills as TCP: the engine's books (every resting order, fill and cancel totals, id counters) hash the same.
    expect(tcp.finalStateHash).not.toBeNull();
    expect(mapped.stateHash).toBe(tcp.finalStateHash);
    expect(builtIn.stateHash).toBe(tcp.finalStateHash);
    expect(mapped.result.streamHash).toBe(tcp.streamHash);
    // Read through the mapping, the answers count exactly as the built-in docs/HTTP.md driver counts them.
    const counts = (r: typeof o) => ({ sent: r.sent, acked: r.acked, fills: r.fills, canceled: r.canceled, replaced: r.replaced,
      rejected: r.rejected, rejectsByReason: r.rejectsByReason, byKind: r.byKind });
    expect(counts(o)).toEqual(counts(builtIn.result.orders));
    // Checked, not skipped: the books through the book operation, and every answer against what was sent.
    expect(mapped.result.invariants.checked).toMatch(/^final books read through the HTTP mapping reference-engine's book operation/);
    expect(mapped.result.invariants.checked).toMatch(/every execution report of 1 session/);
    expect(mapped.result.invariants.violations).toEqual([]);
    expect(mapped.result.verdict).toBe('passed');
  }, 60_000);

  it('drives the example exchange through mappings/example-exchange.yaml: fills, cancels by exchange order id, replaces skipped and counted', async () => {
    const s = scenario(200, 1, 2);
    const peer = await ExampleExchangePeer.start({ symbols: scenarioSymbols(s.scenario) });
    stops.push(() => peer.stop());
    const { result } = await run(s, { kind: 'http', url: peer.url, marketData: null, mapping: 'mappings/example-exchange.yaml' });
    const o = result.orders;
    expect(o.fills).toBeGreaterThan(0);
    expect(o.canceled).toBeGreaterThan(0);
    expect(o.unanswered).toBe(0);
    expect(o.byKind.replace ?? 0).toBe(0);
    expect(peer.orders).toBe(o.sent);
    // Every order carried the API key from the environment (the mapping's Authorization header).
    expect(peer.authorized).toBe(o.sent);
    const skipped = o.generated - o.sent;
    expect(skipped).toBeGreaterThan(0);
    const skipLines = result.errors.filter((e) => e.startsWith('http mapping example-exchange:'));
    expect(skipLines.some((e) => /\d+ generated replaces not sent: the mapping has no replace operation/.test(e))).toBe(true);
    expect(skipLines.reduce((sum, e) => sum + Number(/: (\d+) generated/.exec(e)?.[1] ?? 0), 0)).toBe(skipped);
    expect(result.errors.filter((e) => !e.startsWith('http mapping'))).toEqual([]);
    // Read with the API key too: the peer refuses /book without it.
    expect(result.invariants.checked).toMatch(/book operation/);
    expect(result.invariants.violations).toEqual([]);
    expect(o.acked + o.canceled + o.rejected).toBe(o.sent);
  }, 60_000);

  it('reports a wrong API key as errors (HTTP 401) without ever printing the key, even when the engine echoes it', async () => {
    const s = scenario(100, 0.5, 1);
    const peer = await ExampleExchangePeer.start({ symbols: scenarioSymbols(s.scenario) });
    stops.push(() => peer.stop());
    const wrong = 'wrong-key-9d41';
    const { result } = await run(s, { kind: 'http', url: peer.url, marketData: null, mapping: 'mappings/example-exchange.yaml' }, { EXCHANGE_TOKEN: wrong });
    const o = result.orders;
    expect(o.sent).toBeGreaterThan(10);
    expect(peer.authorized).toBe(0);
    expect(o.acked + o.rejected).toBe(0);
    expect(result.errors).toContain(`http: ${o.sent} answers with HTTP 401 (e.g. API key *** is not valid)`);
    // The book reads at the end carry the same key, and are refused the same way.
    expect(result.invariants.violations.some((v) => /^book of symbol 1: GET \/book\?symbol=SYM1&levels=50 answered HTTP 401$/.test(v))).toBe(true);
    expect(JSON.stringify(result)).not.toContain(wrong);
  }, 60_000);

  it('does not send orders whose quantity is not a whole number of the mapping\'s lots, and says how many', async () => {
    const s = scenario(150, 0.5, 1);
    const peer = await ExampleExchangePeer.start({ symbols: scenarioSymbols(s.scenario) });
    stops.push(() => peer.stop());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapping-'));
    const lots = path.join(dir, 'lots.yaml');
    // Quantities written as units in a string, as before, but only whole lots of 5 can be sent.
    await writeFile(lots, (await readFile('mappings/example-exchange.yaml', 'utf8')).replace('quantity: { encoding: string }', 'quantity: { encoding: string, lotSize: 5 }'));
    const { result } = await run(s, { kind: 'http', url: peer.url, marketData: null, mapping: lots });
    const offLot = result.errors.find((e) => e.includes('not a whole number of lots'));
    expect(offLot).toMatch(/^http mapping example-exchange: \d+ generated orders\/replaces not sent: their quantity is not a whole number of lots \(quantity\.lotSize 5\)$/);
    expect(Number(/: (\d+) generated/.exec(offLot ?? '')?.[1])).toBeGreaterThan(0);
    expect(peer.orders).toBe(result.orders.sent);
    expect(result.orders.acked).toBeGreaterThan(0);
  }, 60_000);

  it('counts 503 answers as busy (EngineBusy rejects) and says a mapping without a book operation checked no books', async () => {
    const s = scenario(100, 0.5, 1);
    const peer = await ExampleExchangePeer.start({ symbols: scenarioSymbols(s.scenario),
      answerOrdersWith: { status: 503, body: '{"error":{"message":"overloaded"}}' } });
    stops.push(() => peer.stop());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapping-'));
    const noBook = path.join(dir, 'no-book.yaml');
    const text = await readFile('mappings/example-exchange.yaml', 'utf8');
    await writeFile(noBook, text.replace(/^ {2}book:\n(?: {4}.*\n)+/m, '').replace('name: example-exchange', 'name: no-book'));
    const { result } = await run(s, { kind: 'http', url: peer.url, marketData: null, mapping: noBook });
    const o = result.orders;
    expect(o.sent).toBeGreaterThan(20);
    expect(o.rejectsByReason).toEqual({ EngineBusy: o.sent });
    expect(o.acked).toBe(0);
    // An engine that takes no order at all ends the run with verdict error (harness/run/TargetWatch.ts).
    expect(result.errors.filter((e) => !e.startsWith('http mapping'))).toEqual([`http: rejected everything: all ${o.sent} requests answered were rejected (EngineBusy ${o.sent})`]);
    expect(result.verdict).toBe('error');
    expect(result.invariants.checked).toMatch(/^no book invariants: the HTTP mapping no-book has no book operation/);
  }, 60_000);

  it('counts answers that are not JSON as errors with a clear message, and never hangs', async () => {
    const s = scenario(100, 0.5, 1);
    const peer = await ExampleExchangePeer.start({ symbols: scenarioSymbols(s.scenario), answerOrdersWith: { status: 200, body: 'not json{' } });
    stops.push(() => peer.stop());
    const { result } = await run(s, { kind: 'http', url: peer.url, marketData: null, mapping: 'mappings/example-exchange.yaml' });
    const o = result.orders;
    expect(o.unanswered).toBe(0);
    expect(o.acked + o.rejected).toBe(0);
    // Nothing was acked, so the generator's cancels find no order id: skipped and counted, not sent.
    expect(result.errors).toContain(`http: ${o.sent} answers with HTTP 200 and a body that is not a JSON object (e.g. "not json{")`);
  }, 60_000);
});
