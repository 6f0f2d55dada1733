/**
 * The engine's HTTP order entry under autocannon, next to a trivial node:http server measured in
 * the same run (what HTTP on this machine can do at all).
 *
 * ```
 *  main thread: autocannon (N keep-alive connections)      worker: target
 *    rotating seeded POST /orders bodies ──HTTP──►  ceiling: node:http, fixed JSON answer
 *                                         ──HTTP──►  engine:  HttpOrderServer ─► inbound ring ─► matcher worker
 *                                                              ◄── answer once the order's reports are complete
 * ```
 * The flow is a rotating set of seeded order pairs around a fixed mid: a GTC limit resting 1-10
 * ticks on its own side, and an IOC of the other side and the same quantity that crosses 10 ticks
 * deep. Each pair adds as much liquidity as it takes, so the book neither empties for good nor
 * grows without bound. Every request gets a fresh clientOrderId (so none is a duplicate).
 *
 * A figure counts only if the answers were right: every answer 2xx, and the engine's processed
 * command count between the answered and the sent requests.
 */
import autocannon from 'autocannon';
import { Worker } from 'node:worker_threads';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import { Rng } from '../generate/Rng.js';
import type { HttpTargetMessage, HttpTargetRequest } from './engineHttpBench.worker.js';

/** Options of {@link runEngineHttpBench}; each documents its default. */
export interface EngineHttpBenchOptions {
  /** Seconds of load per target. Default 10. */
  readonly durationS?: number;
  /** Concurrent keep-alive connections. Default 32. */
  readonly connections?: number;
  /** Requests in flight per connection. Default 1. */
  readonly pipelining?: number;
  /** Seed of the order set. Default 1. */
  readonly seed?: number;
  /** Distinct request bodies in the rotating set (order pairs × 2). Default 2,000. */
  readonly bodies?: number;
  /** Mid price of the flow, in price units. Default 10,000. */
  readonly midPrice?: number;
  /** Progress lines (to stderr in the CLI). Default: none. */
  readonly progress?: (line: string) => void;
}

/** The defaults of {@link EngineHttpBenchOptions}. */
export const ENGINE_HTTP_BENCH_DEFAULTS = {
  durationS: 10,
  connections: 32,
  pipelining: 1,
  seed: 1,
  bodies: 2_000,
  midPrice: 10_000,
} as const;

/** One target's autocannon figures. */
export interface HttpLoadResult {
  readonly target: 'engine' | 'ceiling';
  /** Mean requests answered per second over the run. */
  readonly requestsPerS: number;
  readonly requests: number;
  /** Round-trip latency from autocannon's HdrHistogram, in ms. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** What {@link runEngineHttpBench} measured. */
export interface EngineHttpBenchResult {
  readonly durationS: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly seed: number;
  readonly ceiling: HttpLoadResult;
  readonly engine: HttpLoadResult;
  /** Engine requests/s over the ceiling's. */
  readonly ratio: number;
  /** Commands the engine's matcher processed during its run. */
  readonly processedCommands: number;
  /** Anything that makes the engine figure not count (non-2xx answers, errors, lost commands); empty when right. */
  readonly problems: readonly string[];
}

/** A request body split around its clientOrderId, so a fresh id costs two string concatenations. */
interface BodyTemplate {
  readonly prefix: string;
  readonly suffix: string;
}

/** The rotating set of request bodies: seeded order pairs around `midPrice`, shuffled. */
export function engineHttpBenchBodies(seed: number, count: number, midPrice: number): BodyTemplate[] {
  const rng = new Rng(seed);
  const orders: Array<{ side: 'buy' | 'sell'; timeInForce: 'GTC' | 'IOC'; price: number; quantity: number }> = [];
  for (let i = 0; i < Math.max(1, Math.floor(count / 2)); i++) {
    const buy = rng.int(0, 1) === 0;
    const quantity = rng.int(1, 100);
    const offset = rng.int(1, 10);
    orders.push({ side: buy ? 'buy' : 'sell', timeInForce: 'GTC', price: buy ? midPrice - offset : midPrice + offset, quantity });
    orders.push({ side: buy ? 'sell' : 'buy', timeInForce: 'IOC', price: buy ? midPrice - 10 : midPrice + 10, quantity });
  }
  for (let i = orders.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [orders[i], orders[j]] = [orders[j]!, orders[i]!];
  }
  return orders.map((o) => ({
    prefix: '{"clientId":1,"symbol":1,"clientOrderId":',
    suffix: `,"side":"${o.side}","type":"limit","timeInForce":"${o.timeInForce}","price":${o.price},"quantity":${o.quantity}}`,
  }));
}

/** Starts a target on its worker thread; resolves with its port and a stop function. */
async function startTarget(request: HttpTargetRequest): Promise<{ port: number; stop: () => Promise<number> }> {
  const worker = new Worker(builtModuleUrl('harness/bench/engineHttpBench.worker.ts'), { workerData: request });
  const next = (): Promise<HttpTargetMessage> => new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const listening = await next();
  if (listening.type !== 'listening') throw new Error(`target ${request.target} did not start`);
  return {
    port: listening.port,
    stop: async () => {
      const stopped = next();
      worker.postMessage('stop');
      const message = await stopped;
      await worker.terminate();
      return message.type === 'stopped' ? message.processedCommands : 0;
    },
  };
}

async function load(target: 'engine' | 'ceiling', port: number, templates: readonly BodyTemplate[],
  options: Required<Omit<EngineHttpBenchOptions, 'progress'>>): Promise<{ result: HttpLoadResult; sent: number }> {
  let nextClientOrderId = 1;
  const requests = templates.map((t) => ({
    method: 'POST' as const,
    path: '/orders',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request: autocannon.Request): autocannon.Request => {
      request.body = `${t.prefix}${nextClientOrderId++}${t.suffix}`;
      return request;
    },
  }));
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`, connections: options.connections, pipelining: options.pipelining,
    duration: options.durationS, requests, timeout: 10,
  });
  return {
    sent: r.requests.sent,
    result: {
      target, requestsPerS: r.requests.average, requests: r.requests.total,
      latencyMs: { p50: r.latency.p50, p99: r.latency.p99, p999: r.latency.p99_9, max: r.latency.max },
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
    },
  };
}

/** Runs autocannon against the trivial server, then against the engine, and compares them. */
export async function runEngineHttpBench(options: EngineHttpBenchOptions = {}): Promise<EngineHttpBenchResult> {
  const o = { ...ENGINE_HTTP_BENCH_DEFAULTS, ...options };
  const progress = options.progress ?? ((): void => {});
  const problems: string[] = [];
  if (!(o.durationS > 0) || !Number.isInteger(o.connections) || o.connections < 1 || !Number.isInteger(o.pipelining) || o.pipelining < 1
    || !Number.isInteger(o.bodies) || o.bodies < 2 || !Number.isSafeInteger(o.midPrice) || o.midPrice <= 20) {
    throw new RangeError('durationS must be > 0; connections, pipelining ≥ 1 and bodies ≥ 2 integers; midPrice an integer > 20');
  }
  const settings = { durationS: o.durationS, connections: o.connections, pipelining: o.pipelining, seed: o.seed, bodies: o.bodies,
    midPrice: o.midPrice };
  const templates = engineHttpBenchBodies(o.seed, o.bodies, o.midPrice);
  const symbols = [symbolConfig({ symbolId: 1, name: 'BENCH', maxPrice: o.midPrice * 2 })];

  // The ceiling answers with a body of the engine's answer's size (a resting GTC order).
  const sample = { clientId: 1, symbol: 'BENCH', symbolId: 1, clientOrderId: 123_456, outcome: 'accepted', orderId: 123_456,
    status: 'resting', quantity: 50, filledQuantity: 0, remainingQuantity: 50, cancelledQuantity: 0, cancelReason: null, fills: [] };
  progress(`ceiling: node:http with a fixed JSON answer, ${o.connections} connections, ${o.durationS} s`);
  const ceilingTarget = await startTarget({ target: 'ceiling', body: JSON.stringify(sample) });
  let ceiling: HttpLoadResult;
  try {
    ceiling = (await load('ceiling', ceilingTarget.port, templates, settings)).result;
  } finally {
    await ceilingTarget.stop();
  }
  progress(`ceiling: ${Math.round(ceiling.requestsPerS)} requests/s, p99 ${ceiling.latencyMs.p99} ms`);

  progress(`engine: POST /orders, ${templates.length} rotating bodies (seed ${o.seed}), ${o.connections} connections, ${o.durationS} s`);
  const engineTarget = await startTarget({ target: 'engine', symbols });
  let engine: HttpLoadResult;
  let sent: number;
  let processedCommands: number;
  try {
    ({ result: engine, sent } = await load('engine', engineTarget.port, templates, settings));
  } finally {
    processedCommands = await engineTarget.stop();
  }
  progress(`engine: ${Math.round(engine.requestsPerS)} requests/s, p99 ${engine.latencyMs.p99} ms`);

  for (const r of [ceiling, engine]) {
    if (r.requests === 0) problems.push(`${r.target}: no request was answered`);
    if (r.non2xx > 0) problems.push(`${r.target}: ${r.non2xx} answers were not 2xx`);
    if (r.errors > 0) problems.push(`${r.target}: ${r.errors} connection errors (${r.timeouts} timeouts)`);
  }
  const answered = engine.requests - engine.non2xx;
  if (processedCommands < answered || processedCommands > sent) {
    problems.push(`engine: the matcher processed ${processedCommands} commands for ${answered} 2xx answers and ${sent} requests sent`);
  }
  return {
    durationS: o.durationS, connections: o.connections, pipelining: o.pipelining, seed: o.seed, ceiling, engine,
    ratio: ceiling.requestsPerS > 0 ? engine.requestsPerS / ceiling.requestsPerS : 0, processedCommands, problems,
  };
}
