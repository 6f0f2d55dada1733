import http from 'node:http';
import type net from 'node:net';
import type { Command } from '../book/Command.js';
import type { SymbolConfig } from '../book/SymbolConfig.js';
import type { BookDepth } from '../broadcast/Broadcaster.js';
import { monotonicNowNs } from '../gateway/monotonicNowNs.js';
import type { EngineMetrics, HttpOrderOutcome } from './EngineMetrics.js';
import { parseCancel, parseNewOrder, parseReplace, symbolLookup, type ParsedRequest, type SymbolLookup } from './orderRequests.js';
import type { OrderOutcome, PendingOrders } from './PendingOrders.js';
import type { RingOccupancy } from './ringOccupancy.js';

/** What happened to a command handed to the engine. */
export type SubmitResult = 'queued' | 'busy' | 'stopping';

/** What `GET /health` shows. */
export interface EngineHealth {
  readonly status: 'ok' | 'stopping';
  readonly uptimeSeconds: number;
  /** Commands the matcher has processed, journal replay included. */
  readonly processedCommands: number;
  /** What the journal replay at start found, and the state hash of the books it rebuilt. */
  readonly recovered: { readonly records: number; readonly tornBytes: number; readonly stateHash: string };
  readonly inboundRing: RingOccupancy;
  readonly outboundRing: RingOccupancy;
  /** HTTP order requests inside the engine, not yet answered. */
  readonly httpInFlight: number;
}

/** The engine as the HTTP server needs it. */
export interface HttpOrderBackend {
  readonly symbols: readonly SymbolConfig[];
  /** Hands a command to the matcher (through the inbound ring); never blocks. */
  submit(command: Command): SubmitResult;
  /** The top `levels` levels per side, best first; undefined for a symbol with no book. */
  depth(symbolId: number, levels: number): BookDepth | undefined;
  /** Whether a TCP order-entry session is logged in with this client id (it then owns the id: 409). */
  hasTcpSession(clientId: number): boolean;
  health(): EngineHealth;
}

/** Options of {@link HttpOrderServer.listen}; each documents its default. */
export interface HttpOrderServerOptions {
  readonly backend: HttpOrderBackend;
  /** Tracks each request's reports until its answer is complete; the engine feeds it the events. */
  readonly pending: PendingOrders;
  readonly metrics: EngineMetrics;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. Default 0. */
  readonly port?: number;
  /** Largest request body accepted; larger is 413. Default 4 KiB. */
  readonly maxBodyBytes?: number;
  /** How long a request may wait for the matcher's answer before 503, in ms. Default 5,000. */
  readonly answerTimeoutMs?: number;
  /** The `Retry-After` of a 503, in s. Default 1. */
  readonly retryAfterS?: number;
  /** Most levels per side `GET /book` returns. Default 1,000. */
  readonly maxBookLevels?: number;
  /** How long an idle keep-alive connection stays open, in ms. Default 5,000 (Node's). */
  readonly keepAliveTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** The defaults of {@link HttpOrderServerOptions}. */
export const HTTP_ORDER_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxBodyBytes: 4096,
  answerTimeoutMs: 5_000,
  retryAfterS: 1,
  maxBookLevels: 1_000,
  defaultBookLevels: 10,
  keepAliveTimeoutMs: 5_000,
} as const;

const JSON_TYPE = 'application/json; charset=utf-8';

/** Route templates, as the `route` label of `matchbench_http_requests_total`. */
const ROUTES = {
  orders: '/orders',
  order: '/orders/:clientId/:clientOrderId',
  book: '/book/:symbol',
  health: '/health',
  metrics: '/metrics',
  unknown: 'unknown',
} as const;

/** Methods each route takes, for 405 and its `Allow` header. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  [ROUTES.orders]: ['POST'],
  [ROUTES.order]: ['DELETE', 'PATCH'],
  [ROUTES.book]: ['GET'],
  [ROUTES.health]: ['GET'],
  [ROUTES.metrics]: ['GET'],
};

class BodyTooLarge extends Error {}

/**
 * The engine's HTTP JSON port (docs/HTTP.md): order entry (`POST /orders`, `PATCH` and `DELETE
 * /orders/{clientId}/{clientOrderId}`), book depth, `/health` and Prometheus `/metrics`. node:http
 * with keep-alive; no framework: six routes do not need one, and the hot route stays a few calls.
 *
 * ```
 *  HTTP client ─► parse + validate (400) ─► PendingOrders.track ─► backend.submit ─► inbound ring
 *       ▲                                                           │ busy/stopping: 503 Retry-After
 *       └── 200 / 422 ◄── outcome ◄── PendingOrders ◄── reports + level updates (EventPublisher)
 *                                   (timeout: 503)
 * ```
 * Each order request's command carries a `timestampNs` unique to it (the engine's monotonic clock,
 * raised by 1 ns when two requests read the same value): its reports echo it, which is how
 * {@link PendingOrders} knows them.
 */
export class HttpOrderServer {
  private readonly options: Required<Omit<HttpOrderServerOptions, 'log'>>;
  private readonly lookup: SymbolLookup;
  private readonly log: (line: string) => void;
  private lastTimestampNs = 0;
  private closing = false;

  private constructor(private readonly server: http.Server, options: HttpOrderServerOptions) {
    this.options = { ...HTTP_ORDER_SERVER_DEFAULTS, ...options };
    this.lookup = symbolLookup(options.backend.symbols);
    this.log = options.log ?? ((): void => {});
    server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log(`http ${req.method ?? '?'} ${req.url ?? '?'} failed: ${(error as Error).message}`);
        if (!res.headersSent) this.send(res, ROUTES.unknown, req.method ?? '?', 500, { errors: ['internal error'] });
        else res.destroy();
      });
    });
  }

  /** Starts listening; resolves once the port is bound. */
  static async listen(options: HttpOrderServerOptions): Promise<HttpOrderServer> {
    const server = http.createServer({ noDelay: true });
    const gateway = new HttpOrderServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(gateway.options.port, gateway.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    gateway.log(`http listening on ${gateway.options.host}:${gateway.port}`);
    return gateway;
  }

  /** The bound port. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /**
   * Stops taking connections; requests still waiting for the matcher are answered 503, idle
   * keep-alive connections are closed at once and busy ones once their answer is sent.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.options.pending.abandonAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // Answers just written need a moment to leave; then nothing stays open.
    const timer = setTimeout(() => this.server.closeAllConnections(), 100);
    await closed;
    clearTimeout(timer);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://engine');
    const parts = url.pathname.split('/').slice(1).map(decodeSegment);
    const route = routeOf(parts);
    if (route === ROUTES.unknown || parts.includes(undefined)) {
      this.send(res, ROUTES.unknown, method, 404, { errors: [`no such resource: ${url.pathname}`] });
      return;
    }
    const allowed = ALLOWED[route] ?? [];
    if (!allowed.includes(method)) {
      req.resume();
      this.send(res, route, method, 405, { errors: [`method ${method} not allowed on ${route}; allowed: ${allowed.join(', ')}`] },
        { allow: allowed.join(', ') });
      return;
    }
    const [, first = '', second = ''] = parts as string[];
    switch (route) {
      case ROUTES.orders: {
        const body = await this.readJson(req, res, route, method);
        if (body !== NO_BODY) await this.order(res, route, method, parseNewOrder(body, this.lookup, this.nextTimestampNs()));
        return;
      }
      case ROUTES.order: {
        if (method === 'DELETE') {
          req.resume();
          await this.order(res, route, method, parseCancel(first, second, url.searchParams.get('symbol'), this.lookup,
            this.nextTimestampNs()));
          return;
        }
        const body = await this.readJson(req, res, route, method);
        if (body !== NO_BODY) await this.order(res, route, method, parseReplace(first, second, body, this.lookup, this.nextTimestampNs()));
        return;
      }
      case ROUTES.book:
        req.resume();
        this.book(res, method, first, url.searchParams.get('levels'));
        return;
      case ROUTES.health: {
        req.resume();
        const health = this.options.backend.health();
        this.send(res, route, method, health.status === 'ok' && !this.closing ? 200 : 503, health);
        return;
      }
      default: {
        req.resume();
        const { contentType, body } = await this.options.metrics.text();
        this.sendText(res, route, method, 200, contentType, body);
      }
    }
  }

  /** Submits a parsed order request and answers with what the matcher made of it. */
  private async order(res: http.ServerResponse, route: string, method: string, parsed: ParsedRequest): Promise<void> {
    if (parsed.errors !== undefined) {
      this.send(res, route, method, 400, { errors: parsed.errors });
      return;
    }
    const { command } = parsed;
    const { backend, pending, metrics } = this.options;
    if (backend.hasTcpSession(command.owner)) {
      this.send(res, route, method, 409, { errors: [`clientId: ${command.owner} is logged in on TCP order entry, which owns its orders; use another clientId`] });
      return;
    }
    const answer = pending.track(command);
    const submitted = this.closing ? 'stopping' : backend.submit(command);
    if (submitted !== 'queued') {
      pending.forget(command);
      this.unavailable(res, route, method, submitted, submitted === 'busy'
        ? 'engine busy: its inbound queue is full; the request had no effect, send it again'
        : 'engine stopping: the request had no effect');
      return;
    }
    const timer = setTimeout(() => pending.forget(command), this.options.answerTimeoutMs);
    const outcome = await answer;
    clearTimeout(timer);
    if (outcome === undefined) {
      this.unavailable(res, route, method, this.closing ? 'stopping' : 'timeout', this.closing
        ? 'engine stopping before the request was answered; it may or may not have taken effect'
        : `no answer from the matcher within ${this.options.answerTimeoutMs} ms; the request may or may not have taken effect`);
      return;
    }
    metrics.countHttpOrder(outcome.outcome);
    const symbol = backend.symbols.find((s) => s.symbolId === command.symbolId);
    this.send(res, route, method, outcome.outcome === 'rejected' ? 422 : 200, answerBody(command, symbol?.name ?? '', outcome));
  }

  private book(res: http.ServerResponse, method: string, symbolKey: string, levelsText: string | null): void {
    const problems: string[] = [];
    const symbol = this.lookup(symbolKey);
    const max = this.options.maxBookLevels;
    const levels = levelsText === null ? HTTP_ORDER_SERVER_DEFAULTS.defaultBookLevels
      : /^\d{1,7}$/.test(levelsText) ? Number(levelsText) : Number.NaN;
    if (!(levels >= 1 && levels <= max)) problems.push(`levels: must be an integer from 1 to ${max}, got ${JSON.stringify(levelsText)}`);
    if (symbol === undefined) {
      this.send(res, ROUTES.book, method, 404, { errors: [`symbol: unknown symbol ${JSON.stringify(symbolKey)}`, ...problems] });
      return;
    }
    if (problems.length > 0) {
      this.send(res, ROUTES.book, method, 400, { errors: problems });
      return;
    }
    const depth = this.options.backend.depth(symbol.symbolId, levels) ?? { bids: [], asks: [] };
    this.send(res, ROUTES.book, method, 200, { symbol: symbol.name, symbolId: symbol.symbolId, bids: depth.bids, asks: depth.asks });
  }

  private unavailable(res: http.ServerResponse, route: string, method: string, outcome: HttpOrderOutcome, message: string): void {
    this.options.metrics.countHttpOrder(outcome);
    if (outcome === 'busy') this.options.metrics.countBusy();
    this.send(res, route, method, 503, { errors: [message], ...(outcome === 'busy' ? { reason: 'EngineBusy' } : {}) },
      { 'retry-after': String(this.options.retryAfterS) });
  }

  /** The JSON body, or NO_BODY after answering 413 or 400 itself. */
  private async readJson(req: http.IncomingMessage, res: http.ServerResponse, route: string, method: string): Promise<unknown> {
    const cap = this.options.maxBodyBytes;
    let text: string;
    try {
      text = await readBody(req, cap);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // The rest of the body is not read: the connection cannot be reused.
      this.send(res, route, method, 413, { errors: [`body: larger than ${cap} bytes`] }, { connection: 'close' });
      res.once('finish', () => req.destroy());
      return NO_BODY;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      this.send(res, route, method, 400, { errors: [`body: not valid JSON (${(error as Error).message})`] });
      return NO_BODY;
    }
  }

  /** A timestampNs no other request of this server has had: its reports echo it. */
  private nextTimestampNs(): number {
    const now = monotonicNowNs();
    this.lastTimestampNs = now > this.lastTimestampNs ? now : this.lastTimestampNs + 1;
    return this.lastTimestampNs;
  }

  private send(res: http.ServerResponse, route: string, method: string, status: number, body: unknown,
    headers: Readonly<Record<string, string>> = {}): void {
    this.sendText(res, route, method, status, JSON_TYPE, JSON.stringify(body), headers);
  }

  private sendText(res: http.ServerResponse, route: string, method: string, status: number, contentType: string, body: string,
    headers: Readonly<Record<string, string>> = {}): void {
    this.options.metrics.countHttpRequest(route, method, status);
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }
}

const NO_BODY = Symbol('no body');

/** The answer to an order request: the request's identity, then the outcome. */
function answerBody(command: Command, symbolName: string, outcome: OrderOutcome): Record<string, unknown> {
  return { clientId: command.owner, symbol: symbolName, symbolId: command.symbolId, clientOrderId: command.clientOrderId, ...outcome };
}

function routeOf(parts: readonly (string | undefined)[]): string {
  const [head, ...rest] = parts;
  if (head === 'orders' && rest.length === 0) return ROUTES.orders;
  if (head === 'orders' && rest.length === 2) return ROUTES.order;
  if (head === 'book' && rest.length === 1) return ROUTES.book;
  if (head === 'health' && rest.length === 0) return ROUTES.health;
  if (head === 'metrics' && rest.length === 0) return ROUTES.metrics;
  return ROUTES.unknown;
}

/** A decoded path segment; undefined for bad percent-encoding (answered 404). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Reads a request body of at most `capBytes`; rejects with BodyTooLarge as soon as it is over. */
function readBody(req: http.IncomingMessage, capBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > capBytes) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > capBytes) {
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
