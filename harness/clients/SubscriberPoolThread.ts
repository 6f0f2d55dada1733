import { Worker } from 'node:worker_threads';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import { subscriberPoolProblems, type SubscriberPoolOptions } from './SubscriberPool.js';
import type { SubscriberClassResult } from './SubscriberPoolResult.js';

/** Parent → pool worker. */
export type PoolRequest =
  | { readonly type: 'interval'; readonly id: number; readonly books: boolean }
  | { readonly type: 'stop'; readonly id: number };

/** Pool worker → parent. */
export type PoolReply =
  | { readonly type: 'started'; readonly loggedIn: number }
  | { readonly type: 'result'; readonly id: number; readonly classes: SubscriberClassResult[] }
  | { readonly type: 'error'; readonly message: string };

/**
 * A {@link SubscriberPool} on its own worker thread, so that reading and checking the feed does not
 * share an event loop with the caller (the runner, or the benchmark's engine).
 *
 * ```
 *  caller ── SubscriberPoolThread.start(options) ──► Worker(SubscriberPool.worker.js) ─► SubscriberPool(options).start()
 *         ◄─ 'started' (logged in) ──────────────────┘
 *  interval() / stop() ── request id ─► pool.interval() / pool.stop() ─► 'result' id, classes (histograms encoded)
 * ```
 * The worker runs the compiled module from dist/ (engine/ring/builtModule.ts): `npm run build` first.
 */
export class SubscriberPoolThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: SubscriberClassResult[]) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #failure: Error | undefined;
  /** Subscribers that logged in during start. */
  readonly loggedIn: number;

  private constructor(worker: Worker, loggedIn: number) {
    this.#worker = worker;
    this.loggedIn = loggedIn;
    worker.on('message', (reply: PoolReply) => {
      if (reply.type === 'result') {
        this.#pending.get(reply.id)?.resolve(reply.classes);
        this.#pending.delete(reply.id);
      } else if (reply.type === 'error') {
        this.#fail(new Error(`subscriber pool thread: ${reply.message}`));
      }
    });
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(`subscriber pool thread exited with code ${code}`)));
  }

  /**
   * Starts the worker and its pool; resolves once the pool's subscribers have logged in (or its
   * connect timeout passed).
   *
   * @throws RangeError listing every problem with the options, before any thread starts.
   */
  static start(options: SubscriberPoolOptions): Promise<SubscriberPoolThread> {
    const problems = subscriberPoolProblems(options);
    if (problems.length > 0) return Promise.reject(new RangeError(`invalid subscriber pool options: ${problems.join('; ')}`));
    const worker = new Worker(builtModuleUrl('harness/clients/SubscriberPool.worker.ts'), { workerData: options });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: PoolReply): void => {
        if (reply.type === 'started') {
          cleanup();
          resolve(new SubscriberPoolThread(worker, reply.loggedIn));
        } else if (reply.type === 'error') {
          cleanup();
          void worker.terminate();
          reject(new Error(`subscriber pool thread: ${reply.message}`));
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  /** Per class, what happened since the last interval; with `books`, the digests of the books held exact. */
  interval(books = false): Promise<SubscriberClassResult[]> {
    return this.#request({ type: 'interval', id: this.#nextId++, books });
  }

  /** Stops every subscriber and the thread; per class, the whole run with book digests. */
  async stop(): Promise<SubscriberClassResult[]> {
    const result = await this.#request({ type: 'stop', id: this.#nextId++ });
    await this.#worker.terminate();
    return result;
  }

  /** Ends the thread at once (after a failure). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #request(request: PoolRequest): Promise<SubscriberClassResult[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      this.#worker.postMessage(request);
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
