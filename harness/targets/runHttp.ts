import type { DriverResult } from '../run/RequestTally.js';
import { HttpOrderDriver, type HttpOrderDriverOptions } from './HttpOrderDriver.js';

/** Options of {@link runHttp}: the driver's, plus when to start; each documents its default. */
export interface HttpRunOptions extends HttpOrderDriverOptions {
  /** Time 0 is this long after every connection answered its warm-up, ms. Default 250. */
  readonly startLeadMs?: number;
  /** Aborting stops the load at once; the result holds what was measured until then. */
  readonly signal?: AbortSignal;
  /** Called with time 0 (epoch ms) once it is fixed, before the first order goes out. */
  readonly onStart?: (startEpochMs: number) => void;
}

export const HTTP_RUN_DEFAULTS = { startLeadMs: 250 } as const;

/**
 * The `http://host:port` target: runs the scenario's order-entry clients against an engine's HTTP
 * JSON order API (docs/HTTP.md) through autocannon, each client on its own keep-alive connection,
 * every order sent at its intended time (see {@link HttpOrderDriver} for how, and its limits), and
 * returns what was measured in the TCP driver's shape. Throws a TargetError, before any load, when
 * the URL cannot be reached or does not serve the API.
 */
export async function runHttp(options: HttpRunOptions): Promise<DriverResult> {
  const driver = await HttpOrderDriver.connect(options);
  const onAbort = (): void => driver.stop();
  try {
    const startEpochMs = performance.timeOrigin + performance.now() + (options.startLeadMs ?? HTTP_RUN_DEFAULTS.startLeadMs);
    options.onStart?.(startEpochMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted === true) onAbort();
    return await driver.run(startEpochMs);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await driver.terminate();
  }
}
