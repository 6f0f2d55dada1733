/**
 * The thread behind a SubscriberPoolThread: builds a SubscriberPool from `workerData`, starts it,
 * answers `interval` and `stop` requests with per-class results (see SubscriberPoolThread.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SubscriberPool, type SubscriberPoolOptions } from './SubscriberPool.js';
import type { PoolReply, PoolRequest } from './SubscriberPoolThread.js';

if (parentPort === null) throw new Error('SubscriberPool.worker.ts runs as a worker thread');
const port = parentPort;
const reply = (message: PoolReply): void => port.postMessage(message);

try {
  const pool = new SubscriberPool(workerData as SubscriberPoolOptions);
  port.on('message', (request: PoolRequest) => {
    if (request.type === 'interval') {
      reply({ type: 'result', id: request.id, classes: pool.interval({ books: request.books }) });
    } else {
      void pool.stop().then((classes) => reply({ type: 'result', id: request.id, classes }));
    }
  });
  reply({ type: 'started', loggedIn: await pool.start() });
} catch (error) {
  reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
