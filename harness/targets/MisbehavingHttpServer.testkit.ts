import http from 'node:http';
import type net from 'node:net';

/**
 * How the server misbehaves:
 * - `silent`: takes every order request and never answers it;
 * - `slow`: answers each order request after `slowAnswerMs`;
 * - `crash`: after `crashAfterOrders` order requests, resets every connection and stops listening;
 * - `flood`: answers each order request with headers, then a chunked body that never ends, 16 KiB a millisecond;
 * - `reject-all`: answers every order request 422 `EngineBusy`.
 */
export type HttpMisbehaviour = 'silent' | 'slow' | 'crash' | 'flood' | 'reject-all';

/** Options of {@link MisbehavingHttpServer.listen}; each documents its default. */
export interface MisbehavingHttpServerOptions {
  readonly misbehaviour: HttpMisbehaviour;
  /** `slow`: ms before each answer. Default 2,000. */
  readonly slowAnswerMs?: number;
  /** `crash`: order requests before the crash. Default 50. */
  readonly crashAfterOrders?: number;
}

/**
 * An HTTP order API (docs/HTTP.md) for tests of how a run ends against a bad engine: it passes the
 * driver's probe (`POST /orders {}` → 400 with an errors list) and answers `GET /health`, then
 * misbehaves on every order request as {@link HttpMisbehaviour} says. No matching: answers are
 * `accepted`, `cancelled` or `replaced` by the request's method. Listens on 127.0.0.1 only.
 */
export class MisbehavingHttpServer {
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private orders = 0;

  private constructor(private readonly server: http.Server, private readonly options: MisbehavingHttpServerOptions) {}

  /** Starts listening on 127.0.0.1, on a free port. */
  static async listen(options: MisbehavingHttpServerOptions): Promise<MisbehavingHttpServer> {
    const server = http.createServer();
    const peer = new MisbehavingHttpServer(server, options);
    server.on('connection', (socket) => {
      peer.sockets.add(socket);
      socket.on('close', () => peer.sockets.delete(socket));
    });
    server.on('request', (req, res) => peer.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  /** `http://127.0.0.1:port`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Order requests received so far. */
  get orderRequests(): number {
    return this.orders;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const answer = (status: number, json: unknown): void => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.url === '/health') { answer(200, { status: 'ok' }); return; }
      if (body === '{}') { answer(400, { errors: ['clientId: required'] }); return; }
      this.orders++;
      const outcome = req.method === 'DELETE' ? 'cancelled' : req.method === 'PATCH' ? 'replaced' : 'accepted';
      switch (this.options.misbehaviour) {
        case 'silent':
          return;
        case 'slow': {
          const t = setTimeout(() => { this.timers.delete(t); answer(200, { outcome, fills: [] }); }, this.options.slowAnswerMs ?? 2_000);
          this.timers.add(t);
          return;
        }
        case 'crash':
          if (this.orders >= (this.options.crashAfterOrders ?? 50)) {
            // As a killed process: every connection reset, nothing listening any more.
            for (const s of this.sockets) s.destroy();
            this.server.close();
            return;
          }
          answer(200, { outcome, fills: [] });
          return;
        case 'flood': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(16 * 1024, 0x20);
          const t = setInterval(() => {
            if (res.destroyed) { clearInterval(t); this.timers.delete(t); return; }
            res.write(chunk);
          }, 1);
          this.timers.add(t);
          return;
        }
        case 'reject-all':
          answer(422, { outcome: 'rejected', reason: 'EngineBusy' });
          return;
      }
    });
  }
}
