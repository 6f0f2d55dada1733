import http from 'node:http';
import type net from 'node:net';
import { EventKind, type MatchEvent } from '../../../engine/book/EventBuffer.js';
import { Matcher } from '../../../engine/book/Matcher.js';
import type { SymbolConfig } from '../../../engine/book/SymbolConfig.js';
import { CancelReason, OrderType, RejectReason, Side, TimeInForce } from '../../../engine/protocol/codes.js';

/** The API key the peer takes by default; tests load mappings/example-exchange.yaml with EXCHANGE_TOKEN set to it. */
export const EXAMPLE_EXCHANGE_TOKEN = 'ex-test-key-5f2c';

/** Options of {@link ExampleExchangePeer.start}. */
export interface ExampleExchangePeerOptions {
  readonly symbols: readonly SymbolConfig[];
  /** Order and book requests without `Authorization: Bearer <token>` are answered 401 (quoting the key they gave). Default {@link EXAMPLE_EXCHANGE_TOKEN}. */
  readonly token?: string;
  /** Order requests are answered with this instead (e.g. 503 busy, or a 200 whose body is not JSON). Default: none. */
  readonly answerOrdersWith?: { readonly status: number; readonly body: string };
  /** Default 0 (ephemeral). */
  readonly port?: number;
}

/** Exchange spelling of each matcher reject reason. */
const REASON_CODES: Partial<Record<number, string>> = {
  [RejectReason.PriceOffTick]: 'PRICE_NOT_ON_TICK', [RejectReason.PriceOutsideBand]: 'PRICE_BAND', [RejectReason.InvalidQuantity]: 'BAD_QTY',
  [RejectReason.QuantityAboveMax]: 'BAD_QTY', [RejectReason.DuplicateClientOrderId]: 'DUPLICATE_ID', [RejectReason.UnknownOrder]: 'ORDER_NOT_FOUND',
};
const SIDES: Record<string, number> = { BUY: Side.Buy, SELL: Side.Sell };
const TYPES: Record<string, number> = { LIMIT: OrderType.Limit, MARKET: OrderType.Market };
const TIFS: Record<string, number> = { GOOD_TILL_CANCEL: TimeInForce.GTC, IMMEDIATE_OR_CANCEL: TimeInForce.IOC, FILL_OR_KILL: TimeInForce.FOK };

/** "$1,234.50" with 2 decimals, as this exchange writes prices. */
const px = (units: number): string => `$${(units / 100).toFixed(2)}`;

/**
 * A test peer for mappings/example-exchange.yaml: a small HTTP exchange on 127.0.0.1:0 over the
 * reference matcher, with another API than docs/HTTP.md: `POST /order` (snake_case fields nested
 * under `order`, decimal-string prices, quantities as strings), `DELETE /cancel?symbol=&order_id=`
 * by the order id it assigned (`EX-<n>`), `GET /book?symbol=&levels=`, `GET /ping`; answers
 * `{ data: … }` with statuses NEW / PARTIALLY_FILLED / FILLED / CANCELED / EXPIRED and prices
 * such as `"$101.25"`, rejects as 400/404 `{ error: { code, message } }`. Order requests need
 * `Authorization: Bearer <token>` (401 otherwise), and so does `/book`; `/ping` is public.
 */
export class ExampleExchangePeer {
  readonly matcher: Matcher;
  /** Order requests answered. */
  orders = 0;
  /** Order requests that carried the right API key. */
  authorized = 0;
  private readonly byName = new Map<string, number>();
  /** Exchange order id → the order. */
  private readonly live = new Map<string, { symbolId: number; owner: number; clientOrderId: number }>();
  private timestampNs = 0;

  private constructor(private readonly server: http.Server, private readonly options: ExampleExchangePeerOptions) {
    this.matcher = new Matcher(options.symbols);
    for (const s of options.symbols) this.byName.set(s.name, s.symbolId);
  }

  static async start(options: ExampleExchangePeerOptions): Promise<ExampleExchangePeer> {
    const server = http.createServer();
    const peer = new ExampleExchangePeer(server, options);
    server.on('request', (req, res) => peer.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const send = (status: number, json: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof json === 'string' ? json : JSON.stringify(json));
      };
      if (req.method === 'GET' && url.pathname === '/ping') { send(200, { pong: true }); return; }
      const key = /^Bearer (.*)$/.exec(req.headers.authorization ?? '')?.[1];
      const authorized = key === (this.options.token ?? EXAMPLE_EXCHANGE_TOKEN);
      // As some exchanges do, the error quotes the key it was given: the harness must not print it.
      const unauthorized = (): void => send(401, { error: { code: 'UNAUTHORIZED', message: key === undefined ? 'no API key' : `API key ${key} is not valid` } });
      if (req.method === 'GET' && url.pathname === '/book') {
        if (authorized) send(200, this.book(url));
        else unauthorized();
        return;
      }
      const isOrder = (req.method === 'POST' && url.pathname === '/order') || (req.method === 'DELETE' && url.pathname === '/cancel');
      if (!isOrder) { send(404, { error: { code: 'NOT_FOUND', message: `no route ${req.method ?? ''} ${url.pathname}` } }); return; }
      this.orders++;
      if (!authorized) { unauthorized(); return; }
      this.authorized++;
      if (this.options.answerOrdersWith !== undefined) { send(this.options.answerOrdersWith.status, this.options.answerOrdersWith.body); return; }
      const [status, json] = req.method === 'POST' ? this.newOrder(Buffer.concat(chunks).toString()) : this.cancel(url);
      send(status, json);
    });
  }

  private newOrder(text: string): [number, unknown] {
    const b = JSON.parse(text) as { account: number; symbol: string; client_order_id: number;
      order: { side: string; type: string; time_in_force: string; price?: string; qty: string } };
    const symbolId = this.byName.get(b.symbol);
    if (symbolId === undefined) return [400, { error: { code: 'UNKNOWN_SYMBOL', message: `no symbol ${b.symbol}` } }];
    const quantity = Number(b.order.qty);
    const price = b.order.price === undefined ? 0 : Math.round(Number(b.order.price) * 100);
    const events = this.run((ts) => this.matcher.newOrder(symbolId, b.account, b.client_order_id, SIDES[b.order.side] ?? 0,
      TYPES[b.order.type] ?? 0, TIFS[b.order.time_in_force] ?? 0, price, quantity, ts));
    const mine = events.filter((e) => 'owner' in e && e.owner === b.account && e.clientOrderId === b.client_order_id);
    const rejected = mine.find((e) => e.kind === EventKind.Rejected);
    if (rejected !== undefined) return this.reject(rejected.reason);
    const accepted = mine.find((e) => e.kind === EventKind.Accepted);
    const orderId = `EX-${accepted?.orderId ?? 0}`;
    const fills = mine.filter((e) => e.kind === EventKind.Fill);
    const canceled = mine.find((e) => e.kind === EventKind.Canceled);
    const executed = fills.reduce((s, f) => s + f.quantity, 0);
    const leaves = canceled !== undefined ? 0 : quantity - executed;
    const status = canceled !== undefined ? (canceled.reason === CancelReason.User ? 'CANCELED' : 'EXPIRED')
      : leaves === 0 ? 'FILLED' : executed > 0 ? 'PARTIALLY_FILLED' : 'NEW';
    if (leaves > 0) this.live.set(orderId, { symbolId, owner: b.account, clientOrderId: b.client_order_id });
    return [201, { data: { order_id: orderId, status, executed_qty: String(executed), leaves_qty: String(leaves),
      cancelled_qty: String(canceled?.canceledQuantity ?? 0),
      trades: fills.map((f) => ({ id: f.tradeId, px: px(f.price), qty: String(f.quantity) })) } }];
  }

  private cancel(url: URL): [number, unknown] {
    const orderId = url.searchParams.get('order_id') ?? '';
    const order = this.live.get(orderId);
    if (order === undefined) return [404, { error: { code: 'ORDER_NOT_FOUND', message: `no open order ${orderId}` } }];
    const events = this.run((ts) => this.matcher.cancel(order.symbolId, order.owner, order.clientOrderId, ts));
    const mine = events.filter((e) => 'owner' in e && e.owner === order.owner && e.clientOrderId === order.clientOrderId);
    const rejected = mine.find((e) => e.kind === EventKind.Rejected);
    this.live.delete(orderId);
    if (rejected !== undefined) return this.reject(rejected.reason);
    const canceled = mine.find((e) => e.kind === EventKind.Canceled);
    return [200, { data: { order_id: orderId, status: 'CANCELED', leaves_qty: '0', cancelled_qty: String(canceled?.canceledQuantity ?? 0) } }];
  }

  private reject(reason: number): [number, unknown] {
    const code = REASON_CODES[reason] ?? Object.entries(RejectReason).find(([, v]) => v === reason)?.[0] ?? String(reason);
    return [400, { error: { code, message: `order rejected: ${code}` } }];
  }

  private book(url: URL): unknown {
    const symbolId = this.byName.get(url.searchParams.get('symbol') ?? '') ?? 0;
    const levels = Number(url.searchParams.get('levels') ?? 10);
    const state = this.matcher.book(symbolId)?.state();
    const side = (ls: readonly { price: number; quantity: number }[] | undefined): unknown[] =>
      (ls ?? []).slice(0, levels).map((l) => ({ px: px(l.price), qty: String(l.quantity) }));
    return { data: { symbol: url.searchParams.get('symbol'), bids: side(state?.bids), asks: side(state?.asks) } };
  }

  /** Runs one matcher call and returns its events (the buffer cleared after). */
  private run(call: (timestampNs: number) => void): MatchEvent[] {
    call(++this.timestampNs);
    const events = this.matcher.events.events();
    this.matcher.events.clear();
    // Orders that left the book (filled as makers, or the taker's own end) stay in `live` until a cancel finds them gone.
    return events;
  }
}
