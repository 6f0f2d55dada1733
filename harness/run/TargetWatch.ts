/** Options of {@link TargetWatch}: when a target engine counts as failed; each documents its default. */
export interface TargetWatchOptions {
  /** A request unanswered this long makes its session unresponsive, ms. Default 5,000. */
  readonly unresponsiveAfterMs?: number;
  /**
   * Bytes per second from the engine beyond what the requests sent in that second account for
   * (floodAllowanceBytesPerRequest each) above which the engine floods. Default 1 MiB/s.
   */
  readonly floodBytesPerS?: number;
  /** Bytes of answers (and their fills) one request may bring back: about a dozen reports. Default 1 KiB. */
  readonly floodAllowanceBytesPerRequest?: number;
}

export const TARGET_WATCH_DEFAULTS = {
  unresponsiveAfterMs: 5_000, floodBytesPerS: 1024 * 1024, floodAllowanceBytesPerRequest: 1024,
} as const;

/** How often a driver looks at its sessions, ms: bounds how late an unresponsive engine is noticed. */
export const WATCH_INTERVAL_MS = 250;
/** The window the flood rate is measured over, ms. */
const FLOOD_WINDOW_MS = 1_000;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * The first reason a target engine failed a run, in the words the run's verdict line uses, and
 * the measurements behind the two reasons a driver cannot see from one event: a request left
 * unanswered too long, and bytes pouring in that no request asked for. One per driver (TCP, HTTP);
 * the driver feeds it its own counters and ends the run when {@link failure} is set.
 *
 * ```
 *  driver watchdog (every WATCH_INTERVAL_MS) ─► unresponsive(oldest request's age) ─┐
 *                                          └─► floodCheck(bytes in, requests out) ──┼─► failure (first one wins)
 *  session closed (crash, reset, protocol error) ─► connectionLost(at, detail) ──────┘
 * ```
 */
export class TargetWatch {
  readonly unresponsiveAfterMs: number;
  private readonly floodBytesPerS: number;
  private readonly allowancePerRequest: number;
  private first: string | undefined;
  private windowStartNs = Number.NaN;
  private windowBytes = 0;
  private windowRequests = 0;

  /** @param prefix the target kind, first word of every reason (`tcp`, `http`). */
  constructor(private readonly prefix: string, options: TargetWatchOptions = {}) {
    this.unresponsiveAfterMs = options.unresponsiveAfterMs ?? TARGET_WATCH_DEFAULTS.unresponsiveAfterMs;
    this.floodBytesPerS = options.floodBytesPerS ?? TARGET_WATCH_DEFAULTS.floodBytesPerS;
    this.allowancePerRequest = options.floodAllowanceBytesPerRequest ?? TARGET_WATCH_DEFAULTS.floodAllowanceBytesPerRequest;
  }

  /** The first failure, or undefined while the engine behaves. */
  get failure(): string | undefined {
    return this.first;
  }

  /** Records `reason` (prefixed) unless an earlier one was; returns whether it was the first. */
  fail(reason: string): boolean {
    if (this.first !== undefined) return false;
    this.first = `${this.prefix}: ${reason}`;
    return true;
  }

  /** True when a request that has waited `waitedMs` makes its session unresponsive. */
  overdue(waitedMs: number): boolean {
    return waitedMs >= this.unresponsiveAfterMs;
  }

  /** "engine unresponsive after 5.0 s: <detail>". */
  unresponsive(waitedMs: number, detail: string): boolean {
    return this.fail(`engine unresponsive after ${(waitedMs / 1000).toFixed(1)} s: ${detail}`);
  }

  /** "connection lost at 3.214 s (<detail>)"; `atMs` since the run's time 0 (NaN: before it). */
  connectionLost(atMs: number, detail: string): boolean {
    return this.fail(`connection lost ${Number.isNaN(atMs) ? 'before the run started' : `at ${(atMs / 1000).toFixed(3)} s`} (${detail})`);
  }

  /**
   * Adds what arrived and went out since the last call (totals, not deltas, are passed in: bytes
   * received over all sessions, requests sent); at the end of each 1 s window, fails with "flood"
   * when the unasked-for bytes exceed floodBytesPerS. Returns whether the engine floods (also when
   * an earlier failure is the verdict).
   */
  floodCheck(nowNs: number, bytesReceived: number, requestsSent: number, detail: () => string): boolean {
    if (Number.isNaN(this.windowStartNs)) {
      this.windowStartNs = nowNs;
      this.windowBytes = bytesReceived;
      this.windowRequests = requestsSent;
      return false;
    }
    const spanMs = (nowNs - this.windowStartNs) / 1e6;
    if (spanMs < FLOOD_WINDOW_MS) return false;
    const bytes = bytesReceived - this.windowBytes;
    const requests = requestsSent - this.windowRequests;
    const unasked = bytes - requests * this.allowancePerRequest;
    this.windowStartNs = nowNs;
    this.windowBytes = bytesReceived;
    this.windowRequests = requestsSent;
    const perS = (unasked * 1000) / spanMs;
    if (perS <= this.floodBytesPerS) return false;
    this.fail(`flood: ${megabytes(perS)}/s unsolicited from the engine (${megabytes(bytes)} received in ` +
      `${(spanMs / 1000).toFixed(1)} s for ${requests} requests sent; ${detail()})`);
    return true;
  }

  /** "rejected everything: …" when every answer was a reject (`answered` > 0), else undefined; does not record it. */
  static rejectedEverything(answered: number, rejected: number, rejectsByReason: Readonly<Record<string, number>>): string | undefined {
    if (answered === 0 || rejected < answered) return undefined;
    const reasons = Object.entries(rejectsByReason).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ');
    return `rejected everything: all ${answered} requests answered were rejected (${reasons})`;
  }
}
