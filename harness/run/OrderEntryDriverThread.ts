import { Worker } from 'node:worker_threads';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import { TargetError, type TargetErrorCode } from '../clients/TargetError.js';
import type { OrderEntryDriverOptions } from './OrderEntryDriver.js';
import type { DriverProgress, DriverResult } from './RequestTally.js';

/** Parent → driver thread. */
export type DriverRequest =
  | { readonly type: 'start'; readonly runStartEpochMs: number }
  | { readonly type: 'progress'; readonly id: number }
  | { readonly type: 'stop' };

/** Driver thread → parent. */
export type DriverReply =
  | { readonly type: 'connected' }
  | { readonly type: 'progress'; readonly id: number; readonly progress: DriverProgress }
  | { readonly type: 'result'; readonly result: DriverResult }
  | { readonly type: 'error'; readonly message: string; readonly code?: TargetErrorCode; readonly target?: string };

/**
 * An {@link OrderEntryDriver} on its own worker thread, so that generating and timing orders
 * does not share an event loop with the engine or with other drivers.
 *
 * ```
 *  runner ── start(options) ─► Worker(OrderEntryDriver.worker.js) ─► OrderEntryDriver.connect (log every client in)
 *         ◄─ 'connected' ──────┘
 *         ── run(epoch ms of time 0) ─► driver.run ─► … ─► 'result' (histograms encoded, send times transferred)
 *         ── progress() ─► 'progress' (counts, last second's order_rtt encoded)
 * ```
 */
export class OrderEntryDriverThread {
  private nextId = 1;
  private readonly waiting = new Map<number, (p: DriverProgress) => void>();
  private settle: { resolve: (r: DriverResult) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: DriverReply) => {
      if (reply.type === 'progress') {
        this.waiting.get(reply.id)?.(reply.progress);
        this.waiting.delete(reply.id);
      } else if (reply.type === 'result') {
        this.settle?.resolve(reply.result);
      } else if (reply.type === 'error') {
        this.fail(new Error(`order-entry driver: ${reply.message}`));
      }
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`order-entry driver thread exited with code ${code}`)));
  }

  /** Starts the thread; resolves once all its clients logged in. Rejects with a TargetError when the target refused. */
  static start(options: OrderEntryDriverOptions): Promise<OrderEntryDriverThread> {
    const worker = new Worker(builtModuleUrl('harness/run/OrderEntryDriver.worker.ts'), { workerData: options });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: DriverReply): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (reply.type === 'connected') {
          resolve(new OrderEntryDriverThread(worker));
        } else {
          void worker.terminate();
          const message = reply.type === 'error' ? reply.message : `unexpected ${reply.type}`;
          reject(reply.type === 'error' && reply.code !== undefined ? new TargetError(reply.code, reply.target ?? '', message) : new Error(message));
        }
      };
      const onError = (error: Error): void => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  /** Runs the clients' streams from time 0 (an epoch time in ms); resolves with what was measured. */
  run(runStartEpochMs: number): Promise<DriverResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const answer = new Promise<DriverResult>((resolve, reject) => { this.settle = { resolve, reject }; });
    this.worker.postMessage({ type: 'start', runStartEpochMs } satisfies DriverRequest);
    return answer.finally(() => { void this.worker.terminate(); });
  }

  /** Counts so far and the last second's order round trips; undefined if the thread does not answer in 1 s. */
  progress(): Promise<DriverProgress | undefined> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(id); resolve(undefined); }, 1_000);
      this.waiting.set(id, (p) => { clearTimeout(timer); resolve(p); });
      this.worker.postMessage({ type: 'progress', id } satisfies DriverRequest);
    });
  }

  /** Stops sending; {@link run} resolves soon after with what was measured. */
  stop(): void {
    this.worker.postMessage({ type: 'stop' } satisfies DriverRequest);
  }

  /** Ends the thread at once. */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.settle?.reject(error);
  }
}
