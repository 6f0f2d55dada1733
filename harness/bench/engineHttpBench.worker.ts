/**
 * One target of the HTTP benchmark, on its own thread so that autocannon (on the main thread)
 * does not share an event loop with the server it measures. Started from dist/ by
 * engineHttpBench.ts with an {@link HttpTargetRequest}; posts {@link HttpTargetMessage}s.
 *
 *   engine:  Engine.start (HTTP port; its matcher on a further worker) ─► { listening, port }
 *   ceiling: node:http answering every request with one fixed JSON body ─► { listening, port }
 *   'stop' ─► stops it ─► { stopped, processedCommands }
 */
import http from 'node:http';
import type net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';

/** What the worker is asked to serve. */
export type HttpTargetRequest =
  | { readonly target: 'engine'; readonly symbols: readonly SymbolConfig[] }
  | { readonly target: 'ceiling'; readonly body: string };

/** What the worker says. */
export type HttpTargetMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'stopped'; readonly processedCommands: number };

async function serve(request: HttpTargetRequest): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('engineHttpBench.worker must run on a worker thread');
  if (request.target === 'engine') {
    const engine = await Engine.start({ symbols: request.symbols, httpPort: 0 });
    port.postMessage({ type: 'listening', port: engine.http?.port ?? 0 } satisfies HttpTargetMessage);
    port.once('message', () => {
      void engine.stop().then(() => port.postMessage({ type: 'stopped', processedCommands: engine.processed } satisfies HttpTargetMessage));
    });
    return;
  }
  const body = request.body;
  const length = Buffer.byteLength(body);
  // The machine's ceiling: the least an HTTP JSON endpoint does (read the body, answer).
  const server = http.createServer({ noDelay: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port.postMessage({ type: 'listening', port: (server.address() as net.AddressInfo).port } satisfies HttpTargetMessage);
  port.once('message', () => {
    server.close(() => port.postMessage({ type: 'stopped', processedCommands: 0 } satisfies HttpTargetMessage));
    server.closeAllConnections();
  });
}

void serve(workerData as HttpTargetRequest);
