import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { TargetError } from '../clients/TargetError.js';
import { HistogramSet } from '../record/HistogramSet.js';
import { runScenario, scenarioSymbols } from '../run/runScenario.js';
import { parseScenario } from '../scenario/loadScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { runHttp } from './runHttp.js';

// runScenario starts subscriber pools on worker threads from dist/: `npm run build` first (npm test does).

function scenario(yaml: string): { scenario: Scenario; hash: string } {
  const loaded = parseScenario(yaml, 'test.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return { scenario: loaded.scenario, hash: loaded.hash };
}

const TINY = `
version: 1
name: tiny-http
seed: 11
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 300ms
phases:
  - { name: one, duration: 1s, rate: 200 }
  - { name: two, duration: 1s, rate: 400 }
clients:
  orderEntry: 3
  workers: 1
  marketData:
    - { class: fast, count: 1 }
thresholds:
  - order_rtt.p99 < 10s
  - invariant_violations == 0
target: embedded
`;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function startEngine(s: Scenario): Promise<Engine> {
  const engine = await Engine.start({ symbols: scenarioSymbols(s), httpPort: 0 });
  stops.push(() => engine.stop());
  return engine;
}

/** A server on 127.0.0.1 that answers every request with `status` and `body`. */
async function fakeServer(status: number, body: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('runScenario against the reference engine over HTTP (autocannon)', () => {
  it('measures every kind from the intended times, counts add up, same stream as inproc, feed books match', async () => {
    const { scenario: s, hash } = scenario(TINY);
    const engine = await startEngine(s);
    const url = `http://127.0.0.1:${engine.http?.port ?? 0}`;
    const { result } = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'test.yaml', seed: 11,
      target: { kind: 'http', url, marketData: { host: '127.0.0.1', port: engine.marketData.port } } });
    expect(result.errors).toEqual([]);
    expect(result.target).toEqual({ kind: 'http', description: url });
    const o = result.orders;
    expect(o.sent).toBe(o.generated);
    // 1 s at 200/s and 1 s at 400/s: about 600 requests.
    expect(o.sent).toBeGreaterThan(450);
    expect(o.sent).toBeLessThan(750);
    expect(o.unanswered).toBe(0);
    // Every answered request has exactly one outcome.
    expect(o.acked + o.canceled + o.replaced + o.rejected).toBe(o.sent - o.unanswered);
    expect((o.byKind.new ?? 0) + (o.byKind.cancel ?? 0) + (o.byKind.replace ?? 0)).toBe(o.sent);
    expect(o.canceled).toBeGreaterThan(0);
    expect(o.fills).toBeGreaterThan(0);
    for (const metric of ['order_rtt', 'order_service_time', 'cancel_rtt', 'fill_rtt', 'send_lag', 'feed_latency.fast']) {
      expect(result.latency[metric]?.count ?? 0, metric).toBeGreaterThan(0);
    }
    expect(result.latency.order_rtt?.count).toBe(o.byKind.new);
    // Corrected latency counts from the intended time, so it is never below the service time.
    expect(result.latency.order_rtt?.p50Ns ?? 0).toBeGreaterThanOrEqual(result.latency.order_service_time?.p50Ns ?? Infinity);
    // Sent at the intended times: the send lag stays small at this rate.
    expect(result.latency.send_lag?.p50Ns ?? Infinity).toBeLessThan(5e6);
    // Sends that went out after the last phase ended (late by the send lag) are outside the test.
    expect(result.arrivals.samples).toBeLessThanOrEqual(o.sent);
    expect(result.arrivals.samples).toBeGreaterThan(0.95 * o.sent);
    expect(result.feed.fast?.gaps).toBe(0);
    expect(result.verdict).toBe('passed');

    // The engine saw what the harness sent: every order request became one command.
    expect(engine.processed).toBe(o.sent);

    const inproc = await runScenario({ scenario: { ...s, clients: { ...s.clients, marketData: [] } }, scenarioHash: hash,
      scenarioFile: 'test.yaml', seed: 11, target: { kind: 'inproc' } });
    expect(result.streamHash).toBe(inproc.result.streamHash);
    expect(result.orders.generated).toBe(inproc.result.orders.generated);
  }, 30_000);

  it('gives a TargetError unreachable, before any load, for a URL nothing listens on', async () => {
    const { scenario: s } = scenario(TINY);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await runHttp({ scenario: s, seed: 1, url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).code).toBe('unreachable');
    expect((error as TargetError).message).toContain(url);
  });

  it('gives a TargetError protocol for a server that answers 404 with HTML', async () => {
    const { scenario: s, hash } = scenario(TINY);
    const url = await fakeServer(404, '<html>not found</html>');
    const error = await runScenario({ scenario: { ...s, clients: { ...s.clients, marketData: [] } }, scenarioHash: hash,
      scenarioFile: 'test.yaml', seed: 1, target: { kind: 'http', url, marketData: null } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).code).toBe('protocol');
    expect((error as TargetError).message).toMatch(/HTTP 404/);
  });

  it('gives a TargetError protocol for a server that answers 400 with something that is not JSON', async () => {
    const { scenario: s } = scenario(TINY);
    const url = await fakeServer(400, 'bad request, friend');
    const error = await runHttp({ scenario: s, seed: 1, url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).code).toBe('protocol');
    expect((error as TargetError).message).toMatch(/not JSON/);
  });

  it('counts latency from the intended time: a server stall shows in order_rtt, not in the service time', async () => {
    const { scenario: s } = scenario(TINY.replace('orderEntry: 3', 'orderEntry: 1').replace(/  marketData:\n(    - .*\n)+/, '  marketData: []\n'));
    // Answers every order at once, except those arriving in a 400 ms window from 0.8 s after the first order.
    let firstMs = 0;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const answer = (status: number, json: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (body === '{}') { answer(400, { errors: ['clientId: required'] }); return; }
        if (req.url === '/health') { answer(200, { status: 'ok' }); return; }
        const nowMs = performance.now();
        if (firstMs === 0) firstMs = nowMs;
        const stallEndMs = firstMs + 1_200;
        const delayMs = nowMs >= firstMs + 800 && nowMs < stallEndMs ? stallEndMs - nowMs : 0;
        setTimeout(() => answer(200, { outcome: req.method === 'DELETE' ? 'cancelled' : req.method === 'PATCH' ? 'replaced' : 'accepted', fills: [] }), delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const result = await runHttp({ scenario: s, seed: 3, url });
    const set = HistogramSet.decode(result.histograms);
    const rtt = set.get('order_rtt');
    const service = set.get('order_service_time');
    expect(result.unanswered).toBe(0);
    expect(result.errors).toEqual([]);
    // One client at 200-400/s: the orders due during the 400 ms stall wait behind it (dozens of them).
    expect(rtt.getValueAtPercentile(90)).toBeGreaterThan(100e6);
    expect(rtt.maxValue).toBeGreaterThan(300e6);
    // Only the one request the server held saw it as service time.
    expect(service.getValueAtPercentile(90)).toBeLessThan(50e6);
    expect(set.get('send_lag').maxValue).toBeGreaterThan(200e6);
  }, 20_000);
});
