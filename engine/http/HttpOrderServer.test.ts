import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symbolConfig } from '../book/SymbolConfig.js';
import { Engine, type EngineOptions } from '../Engine.js';
import { encode } from '../protocol/encode.js';
import { FrameReader } from '../protocol/FrameReader.js';
import { MessageType } from '../protocol/messages.js';

// Starts real engines (matcher worker from dist/): run `npm run build` first.

const symbols = [
  symbolConfig({ symbolId: 1, name: 'BTC-USD', tickSize: 5, minPrice: 5, maxPrice: 100_000, maxQuantity: 1_000 }),
  symbolConfig({ symbolId: 7, name: 'ETH-USD' }),
];

async function startEngine(options: Partial<EngineOptions> = {}): Promise<{ engine: Engine; base: string }> {
  const engine = await Engine.start({ symbols, httpPort: 0, ...options });
  return { engine, base: `http://127.0.0.1:${engine.http?.port ?? 0}` };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // /metrics is text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

const order = (fields: Record<string, unknown>): Record<string, unknown> =>
  ({ clientId: 1, symbol: 'BTC-USD', side: 'buy', type: 'limit', timeInForce: 'GTC', price: 1_000, quantity: 10, ...fields });

describe('HTTP order entry', () => {
  let engine: Engine;
  let base: string;
  beforeAll(async () => {
    ({ engine, base } = await startEngine());
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('answers a new order once its reports are complete: resting, then filled by a crossing order with its fills', async () => {
    const rest = await call(base, 'POST', '/orders', order({ clientOrderId: 1, side: 'sell', price: 1_005, quantity: 30 }));
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ outcome: 'accepted', clientId: 1, symbol: 'BTC-USD', symbolId: 1, clientOrderId: 1,
      status: 'resting', quantity: 30, filledQuantity: 0, remainingQuantity: 30, fills: [] });
    const rest2 = await call(base, 'POST', '/orders', order({ clientOrderId: 2, side: 'sell', price: 1_010, quantity: 30 }));
    expect(rest2.body).toMatchObject({ status: 'resting' });
    const take = await call(base, 'POST', '/orders', order({ clientId: 2, clientOrderId: 1, side: 'buy', price: 1_010, quantity: 40 }));
    expect(take.status).toBe(200);
    expect(take.body).toMatchObject({ outcome: 'accepted', status: 'filled', filledQuantity: 40, remainingQuantity: 0,
      cancelledQuantity: 0, cancelReason: null });
    expect((take.body.fills as Array<{ price: number; quantity: number }>).map((f) => [f.price, f.quantity])).toEqual([[1_005, 30], [1_010, 10]]);
    const book = await call(base, 'GET', '/book/BTC-USD?levels=5');
    expect(book.status).toBe(200);
    expect(book.body).toEqual({ symbol: 'BTC-USD', symbolId: 1, bids: [], asks: [{ price: 1_010, quantity: 20, orderCount: 1 }] });
    // By id as well as by name.
    expect((await call(base, 'GET', '/book/1')).body.asks).toEqual(book.body.asks);
  });

  it('answers IOC, FOK and market remainders as cancelled with the protocol reason', async () => {
    const ioc = await call(base, 'POST', '/orders', order({ clientId: 3, clientOrderId: 1, price: 1_010, quantity: 25, timeInForce: 'IOC' }));
    expect(ioc.body).toMatchObject({ status: 'cancelled', filledQuantity: 20, cancelledQuantity: 5, cancelReason: 'IocRemainder', remainingQuantity: 0 });
    const fok = await call(base, 'POST', '/orders', order({ clientId: 3, clientOrderId: 2, quantity: 5, timeInForce: 'FOK' }));
    expect(fok.body).toMatchObject({ status: 'cancelled', filledQuantity: 0, cancelledQuantity: 5, cancelReason: 'FokNotFillable' });
    const market = await call(base, 'POST', '/orders', { clientId: 3, symbol: 7, clientOrderId: 3, side: 'sell', type: 'market', timeInForce: 'IOC', quantity: 5 });
    expect(market.body).toMatchObject({ symbol: 'ETH-USD', status: 'cancelled', cancelReason: 'NoLiquidity', cancelledQuantity: 5 });
  });

  it('replaces (same price: keeps its place; a crossing price: trades) and cancels, then rejects a second cancel', async () => {
    await call(base, 'POST', '/orders', order({ clientId: 4, clientOrderId: 1, side: 'buy', price: 900, quantity: 50 }));
    const smaller = await call(base, 'PATCH', '/orders/4/1', { symbol: 'BTC-USD', price: 900, quantity: 40 });
    expect(smaller.status).toBe(200);
    expect(smaller.body).toMatchObject({ outcome: 'replaced', status: 'resting', price: 900, filledQuantity: 0, remainingQuantity: 40 });
    await call(base, 'POST', '/orders', order({ clientId: 5, clientOrderId: 1, side: 'sell', price: 950, quantity: 15 }));
    const crossing = await call(base, 'PATCH', '/orders/4/1', { symbol: 1, price: 950, quantity: 40 });
    expect(crossing.body).toMatchObject({ outcome: 'replaced', status: 'resting', price: 950, filledQuantity: 15, remainingQuantity: 25 });
    const cancel = await call(base, 'DELETE', '/orders/4/1?symbol=BTC-USD');
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ outcome: 'cancelled', cancelledQuantity: 25, clientId: 4, clientOrderId: 1 });
    const again = await call(base, 'DELETE', '/orders/4/1?symbol=BTC-USD');
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ outcome: 'rejected', reason: 'UnknownOrder' });
  });

  it('answers the matcher\'s REJECTs with 422 and the reason name', async () => {
    const offTick = await call(base, 'POST', '/orders', order({ clientId: 6, clientOrderId: 1, price: 1_001 }));
    expect(offTick.status).toBe(422);
    expect(offTick.body).toMatchObject({ outcome: 'rejected', reason: 'PriceOffTick', clientOrderId: 1 });
    expect((await call(base, 'POST', '/orders', order({ clientId: 6, clientOrderId: 2, quantity: 0 }))).body.reason).toBe('InvalidQuantity');
    expect((await call(base, 'POST', '/orders', order({ clientId: 6, clientOrderId: 3, quantity: 1_001 }))).body.reason).toBe('QuantityAboveMax');
    await call(base, 'POST', '/orders', order({ clientId: 6, clientOrderId: 4, price: 500 }));
    expect((await call(base, 'POST', '/orders', order({ clientId: 6, clientOrderId: 4, price: 500 }))).body.reason).toBe('DuplicateClientOrderId');
  });

  it('refuses a malformed request with 400 naming every problem at once', async () => {
    const bad = await call(base, 'POST', '/orders', { clientId: -1, symbol: 'NOPE', side: 'up', type: 'stop', timeInForce: 'DAY',
      price: 1.5, quantity: 'ten', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([
      'clientId: must be an integer from 0 to 4294967295', 'clientOrderId: required', 'side: must be buy or sell',
      'type: must be limit or market', 'timeInForce: must be GTC, IOC or FOK', expect.stringMatching(/^price: must be an integer/),
      'quantity: must be a non-negative integer', 'colour: unknown field', 'symbol: unknown symbol "NOPE"',
    ]));
    expect(bad.body.errors).toHaveLength(9);
    const noPrice = await call(base, 'POST', '/orders', order({ clientOrderId: 1, price: undefined }));
    expect(noPrice.body).toEqual({ errors: ['price: required for a limit order'] });
    expect((await call(base, 'POST', '/orders', '{"clientId": 1,')).body.errors).toEqual([expect.stringMatching(/^body: not valid JSON/)]);
    expect((await call(base, 'POST', '/orders', '[1]')).body.errors).toContain('body: must be a JSON object');
    const cancel = await call(base, 'DELETE', '/orders/x/-2');
    expect(cancel.status).toBe(400);
    expect(cancel.body.errors).toEqual(['clientId: must be an integer from 0 to 4294967295, got "x"',
      'clientOrderId: must be an integer from 0 to 2^53-1, got "-2"', 'symbol: required (query parameter ?symbol=)']);
    const replace = await call(base, 'PATCH', '/orders/1/1', { symbol: 'BTC-USD', price: 10 });
    expect(replace.body).toEqual({ errors: ['quantity: required'] });
    expect((await call(base, 'GET', '/book/BTC-USD?levels=0')).body).toEqual({ errors: ['levels: must be an integer from 1 to 1000, got "0"'] });
  });

  it('answers 404 for unknown routes and symbols, 405 with Allow for a wrong method, 413 for a body over 4 KiB', async () => {
    expect((await call(base, 'GET', '/nothing')).status).toBe(404);
    expect((await call(base, 'GET', '/orders/1/2/3')).status).toBe(404);
    const book = await call(base, 'GET', '/book/DOGE');
    expect(book.status).toBe(404);
    expect(book.body).toEqual({ errors: ['symbol: unknown symbol "DOGE"'] });
    const wrong = await call(base, 'GET', '/orders');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await call(base, 'POST', '/health')).headers.get('allow')).toBe('GET');
    const big = await call(base, 'POST', '/orders', order({ clientOrderId: 1, note: 'x'.repeat(5_000) }));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ errors: ['body: larger than 4096 bytes'] });
  });

  it('keeps the connection alive between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (): Promise<{ reused: boolean; status: number }> => new Promise((resolve, reject) => {
      const req = http.get(`${base}/health`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ reused: req.reusedSocket, status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
    });
    expect(await get()).toEqual({ reused: false, status: 200 });
    expect(await get()).toEqual({ reused: true, status: 200 });
    agent.destroy();
  });

  it('refuses a clientId logged in on TCP order entry with 409', async () => {
    const socket = net.connect(engine.orderEntry.port, '127.0.0.1');
    const reader = new FrameReader();
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => socket.write(encode({ type: MessageType.Login, symbolId: 0, sequence: 1, timestampNs: 1, clientId: 99,
        heartbeatIntervalMs: 1_000 })));
      socket.on('data', (chunk) => {
        reader.push(chunk);
        if (reader.next()?.type === MessageType.LoginAck) resolve();
      });
      socket.on('error', reject);
    });
    const refused = await call(base, 'POST', '/orders', order({ clientId: 99, clientOrderId: 1 }));
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([expect.stringMatching(/^clientId: 99 is logged in on TCP order entry/)]);
    socket.destroy();
  });

  it('serves /health with the recovered state hash and /metrics in Prometheus text that counts what happened', async () => {
    const health = await call(base, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', processedCommands: engine.processed,
      recovered: { records: 0, tornBytes: 0, stateHash: engine.recovered.stateHash },
      inboundRing: { capacity: 16_384, occupiedSlots: 0 }, outboundRing: { capacity: 65_536 }, httpInFlight: 0 });
    expect(health.body.uptimeSeconds).toBeGreaterThan(0);
    await call(base, 'POST', '/orders', order({ clientId: 8, clientOrderId: 1, price: 1_001 }));
    const metrics = await call(base, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = new Map<string, number>();
    for (const line of metrics.text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m !== null) samples.set(m[1]!, Number(m[2]));
      else expect(line === '' || line.startsWith('#'), `not a Prometheus text line: ${line}`).toBe(true);
    }
    expect(samples.get('matchbench_rejects_total{reason="PriceOffTick"}')).toBeGreaterThanOrEqual(2);
    expect(samples.get('matchbench_http_orders_total{outcome="rejected"}')).toBe(6);
    expect(samples.get('matchbench_http_requests_total{route="/orders",method="POST",status="400"}')).toBeGreaterThanOrEqual(3);
    expect(samples.get('matchbench_http_requests_total{route="unknown",method="GET",status="404"}')).toBe(2);
    expect(samples.get('matchbench_commands_processed_total')).toBe(engine.processed);
    expect(samples.get('matchbench_inbound_ring_capacity_slots')).toBe(16_384);
    expect(samples.get('matchbench_execution_reports_total{type="fill"}')).toBeGreaterThanOrEqual(8);
    expect(samples.get('matchbench_order_entry_disconnects_total{reason="connection lost"}') ?? 0).toBeGreaterThanOrEqual(0);
    expect(samples.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples.has('matchbench_market_data_frames_dropped_total')).toBe(true);
  });
});

describe('HTTP order entry when the engine cannot answer', () => {
  it('answers 503 with Retry-After while the inbound ring is full, and the queued requests once the matcher runs', async () => {
    const { engine, base } = await startEngine({ startPaused: true, ringSize: 2 });
    try {
      const queued = [1, 2].map((id) => call(base, 'POST', '/orders', order({ clientOrderId: id, price: 500 })));
      // Let the two requests reach the ring before the third.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const busy = await call(base, 'POST', '/orders', order({ clientOrderId: 3, price: 500 }));
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.body).toMatchObject({ reason: 'EngineBusy' });
      expect((await call(base, 'GET', '/health')).body).toMatchObject({ inboundRing: { capacity: 2, occupiedSlots: 2 }, httpInFlight: 2 });
      engine.resume();
      const answers = await Promise.all(queued);
      expect(answers.map((a) => [a.status, a.body.status])).toEqual([[200, 'resting'], [200, 'resting']]);
      expect((await call(base, 'GET', '/metrics')).text).toMatch(/^matchbench_rejects_total\{reason="EngineBusy"\} 1$/m);
    } finally {
      await engine.stop();
    }
  });

  it('answers 503 when the matcher does not answer in time, and after stop is asked', async () => {
    const { engine, base } = await startEngine({ startPaused: true, http: { answerTimeoutMs: 150 } });
    try {
      const late = await call(base, 'POST', '/orders', order({ clientOrderId: 1 }));
      expect(late.status).toBe(503);
      expect(late.body.errors).toEqual([expect.stringMatching(/no answer from the matcher within 150 ms/)]);
      const waiting = call(base, 'POST', '/orders', order({ clientOrderId: 2 }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stopped = engine.stop();
      // Stop drains the ring: the waiting request is answered by the matcher.
      expect((await waiting).body).toMatchObject({ outcome: 'accepted', status: 'resting' });
      await stopped;
      await expect(call(base, 'GET', '/health')).rejects.toThrow();
    } finally {
      await engine.stop();
    }
  });

  it('answers 503 to a request that arrives while the engine is stopping', async () => {
    const { engine, base } = await startEngine({ startPaused: true, http: { answerTimeoutMs: 2_000 } });
    const waiting = call(base, 'POST', '/orders', order({ clientOrderId: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const health = fetch(`${base}/health`).then((r) => r.status, () => 'refused');
    const stopping = engine.stop();
    const refused = await call(base, 'POST', '/orders', order({ clientOrderId: 2 })).catch(() => undefined);
    // Either refused at the door or answered 503: never queued, never hanging.
    if (refused !== undefined) expect(refused.status).toBe(503);
    await stopping;
    expect((await waiting).status).toBe(200);
    // A request racing the close is answered or refused, never left hanging.
    expect([200, 503, 'refused']).toContain(await health);
  });
});
