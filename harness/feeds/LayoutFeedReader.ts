/**
 * A market-data reader for a fixed-layout binary feed described by a layout file
 * (docs/FEED_LAYOUT.md): for engines whose feed is not matchbench's own protocol.
 *
 * ```
 *  connect ─► subscribe message (if any) ─► keepalive every everyMs (if any)
 *  net.Socket ─'data'─► LayoutFrameDecoder.push ─► counts, frames per type, gaps, checksum failures, heartbeats, latency
 *  watchdog (timer) ─► no frame for missingAfterIntervals × intervalMs ─► heartbeatSilences++
 *                   └► no frame for stallAfterMs ─► verdict stalled
 *  'end' / 'close' ─► closed (or closed-mid-frame with the bytes of the unfinished frame); 'error' ─► connection-error
 * ```
 *
 * Every way a feed can go wrong ends the reader with a verdict instead of a hang: a feed that
 * stops (stalled, after `stallAfterMs`), closes (closed, closed-mid-frame), breaks the layout
 * (protocol-error: the decoder's buffer never holds more than one frame of `maxFrameBytes`) or
 * floods past `maxBytes` (byte-limit). {@link stop} ends it from outside; {@link ended} resolves
 * whichever way it ends.
 *
 * What it cannot do compared with FeedSubscriber (matchbench's own protocol): no book rebuild and
 * no snapshot resync (a layout describes frames, not book semantics), and no reconnect. Clocks:
 * with a `monotonic` timestamp clock the offset is given (`clockOffsetNs`; 0 for an engine in this
 * process) or estimated once from the answer to the subscribe message (a `clockSync` type, within
 * half its round trip); with an `epoch` clock both hosts' wall clocks are assumed in sync.
 */
import net from 'node:net';
import type * as hdr from 'hdr-histogram-js';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import type { FeedClassResult } from '../../reports/RunResult.js';
import { encodeLatency } from '../clients/SubscriberPoolResult.js';
import { latencyHistogram, summarize, type LatencySummary } from '../record/HistogramSet.js';
import type { FeedLayout } from './FeedLayout.js';
import { LayoutFrameDecoder, type LayoutFeedCounts } from './LayoutFrameDecoder.js';
import { encodeOutbound } from './encodeLayoutFrame.js';

/** Options of a {@link LayoutFeedReader}; each documents its default. */
export interface LayoutFeedReaderOptions {
  readonly layout: FeedLayout;
  /** Feed host. Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /**
   * For a `monotonic` timestamp clock: the sender's clock minus this process's monotonicNowNs, ns.
   * Default: estimated from the answer to the subscribe message when the layout marks one
   * `clockSync`, else 0 (a sender in this process).
   */
  readonly clockOffsetNs?: number;
  /** Longest wait for the TCP connection, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /**
   * No complete frame for this long ends the reader as stalled, ms. Default: twice the layout's
   * heartbeat silence (missingAfterIntervals × intervalMs), at least 5,000; 5,000 without heartbeats.
   */
  readonly stallAfterMs?: number;
  /** Bytes after which the reader ends as byte-limit (a flood guard). Default no limit. */
  readonly maxBytes?: number;
  /** Where feed latencies go (ns). Default one of its own. */
  readonly latency?: hdr.Histogram;
}

/** The defaults of {@link LayoutFeedReaderOptions}. */
export const LAYOUT_FEED_READER_DEFAULTS = {
  host: '127.0.0.1',
  clockOffsetNs: 0,
  connectTimeoutMs: 5_000,
  minStallAfterMs: 5_000,
  maxBytes: Infinity,
} as const;

/**
 * How a reader ended: `running` until it does; `stopped` by {@link LayoutFeedReader.stop};
 * `closed` by the sender at a frame boundary; `closed-mid-frame` with part of a frame unread;
 * `stalled` silent for stallAfterMs; `protocol-error` a frame the layout cannot follow;
 * `connect-failed` never connected; `connection-error` a socket error after connecting;
 * `byte-limit` more than maxBytes received.
 */
export type LayoutFeedVerdict =
  | 'running' | 'stopped' | 'closed' | 'closed-mid-frame' | 'stalled' | 'protocol-error' | 'connect-failed' | 'connection-error'
  | 'byte-limit';

/** What one reader measured. */
export interface LayoutFeedResult {
  /** The layout's name. */
  readonly layout: string;
  readonly verdict: LayoutFeedVerdict;
  /** One line saying why it ended ('' while running). */
  readonly detail: string;
  readonly counts: Readonly<LayoutFeedCounts>;
  /** Frames per message type name. */
  readonly framesByType: Readonly<Record<string, number>>;
  /** Messages sent: subscribe and keepalives. */
  readonly messagesSent: number;
  /** The last sequence number seen, −1 before any. */
  readonly lastSequence: number;
  /** Feed latency summary, or null when the layout has no timestamp (then no latency was measured). */
  readonly latency: LatencySummary | null;
  /** The latency histogram (ns), encoded as SubscriberClassResult's; '' without a timestamp. */
  readonly latencyHistogram: string;
  /** The first few checksum failures and protocol errors, one line each. */
  readonly errors: readonly string[];
  /** The sender's clock minus ours used for latency (monotonic clocks), ns, and the bound of an estimated one (null: given or not estimated). */
  readonly clockOffsetNs: number;
  readonly clockOffsetBoundNs: number | null;
}

/**
 * One connection to a layout-described feed. Construct, {@link start}, later {@link stop}; read
 * {@link result} at any time. Runs on the creating thread's event loop.
 */
export class LayoutFeedReader {
  readonly layout: FeedLayout;
  readonly latency: hdr.Histogram;
  readonly #options: LayoutFeedReaderOptions;
  readonly #decoder: LayoutFrameDecoder;
  readonly #stallAfterMs: number;
  readonly #silenceMs: number;
  #socket: net.Socket | undefined;
  #verdict: LayoutFeedVerdict = 'running';
  #detail = '';
  #sent = 0;
  #connected = false;
  #lastFrameMs = 0;
  #framesAtCheck = 0;
  #inSilence = false;
  #connectTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #resolveEnded: (result: LayoutFeedResult) => void = () => {};
  /** Resolves once the reader has ended, whichever way. */
  readonly ended: Promise<LayoutFeedResult>;

  constructor(options: LayoutFeedReaderOptions) {
    if (options.layout.framing.kind === 'moldudp64') throw new Error(`layout ${options.layout.name} is MoldUDP64 over UDP: read it with MoldFeedReader`);
    this.#options = options;
    this.layout = options.layout;
    this.latency = options.latency ?? latencyHistogram();
    this.#decoder = new LayoutFrameDecoder(options.layout, {
      latency: this.latency, clockOffsetNs: options.clockOffsetNs ?? LAYOUT_FEED_READER_DEFAULTS.clockOffsetNs });
    const hb = options.layout.heartbeat;
    this.#silenceMs = hb === null ? Infinity : hb.intervalMs * hb.missingAfterIntervals;
    this.#stallAfterMs = options.stallAfterMs
      ?? (hb === null ? LAYOUT_FEED_READER_DEFAULTS.minStallAfterMs : Math.max(LAYOUT_FEED_READER_DEFAULTS.minStallAfterMs, 2 * this.#silenceMs));
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get verdict(): LayoutFeedVerdict {
    return this.#verdict;
  }

  /** True once the TCP connection was established (and the subscribe message, if any, sent); stays true after it ends. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Connects and starts reading. */
  start(): void {
    if (this.#socket !== undefined || this.#verdict !== 'running') return;
    const o = this.#options;
    const socket = net.connect({ host: o.host ?? LAYOUT_FEED_READER_DEFAULTS.host, port: o.port, noDelay: true });
    this.#socket = socket;
    const connectTimeoutMs = o.connectTimeoutMs ?? LAYOUT_FEED_READER_DEFAULTS.connectTimeoutMs;
    this.#connectTimer = setTimeout(() => this.#end('connect-failed', `no connection within ${connectTimeoutMs} ms`), connectTimeoutMs);
    socket.on('connect', () => this.#onConnect());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onClose());
    socket.on('close', () => this.#onClose());
    socket.on('error', (error) => {
      if (this.#connected) this.#end('connection-error', error.message);
      else this.#end('connect-failed', error.message);
    });
  }

  /** Ends the reader (verdict `stopped` if it was still running) and returns its result. */
  async stop(): Promise<LayoutFeedResult> {
    this.#end('stopped', 'stopped by the harness');
    return this.ended;
  }

  /** The counts so far (live: read, do not keep). */
  get counts(): Readonly<LayoutFeedCounts> {
    return this.#decoder.counts;
  }

  /** What was measured so far; `latency: false` leaves the latency summary and histogram out (null and ''), which is cheaper. */
  result(options: { readonly latency?: boolean } = {}): LayoutFeedResult {
    const d = this.#decoder;
    const timed = this.layout.timestamp !== null && options.latency !== false;
    return {
      layout: this.layout.name, verdict: this.#verdict, detail: this.#detail, counts: { ...d.counts }, framesByType: d.framesByType(),
      messagesSent: this.#sent, lastSequence: d.lastSequence, latency: timed ? summarize(this.latency) : null,
      latencyHistogram: timed ? encodeLatency(this.latency) : '', errors: [...d.errors], clockOffsetNs: d.clockOffsetNs,
      clockOffsetBoundNs: d.clockOffsetBoundNs,
    };
  }

  #onConnect(): void {
    clearTimeout(this.#connectTimer);
    if (this.#verdict !== 'running') return;
    this.#connected = true;
    this.#lastFrameMs = performance.now();
    const layout = this.layout;
    if (layout.subscribe !== null) {
      if (this.#options.clockOffsetNs === undefined && layout.messages.some((m) => m.clockSync)) this.#decoder.expectClockSync(monotonicNowNs());
      this.#send(layout.subscribe);
    }
    const keepalive = layout.keepalive;
    if (keepalive !== null) this.#keepalive = setInterval(() => this.#send(keepalive.message), keepalive.everyMs);
    // Checks often enough to notice a silence or a stall within a quarter of its length.
    const tickMs = Math.max(10, Math.min(250, Math.min(this.#silenceMs, this.#stallAfterMs) / 4));
    this.#watchdog = setInterval(() => this.#check(), tickMs);
  }

  #send(message: NonNullable<FeedLayout['subscribe']>): void {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed || this.#verdict !== 'running') return;
    this.#sent++;
    socket.write(encodeOutbound(message, this.#sent, this.layout.checksum));
  }

  #onData(chunk: Buffer): void {
    if (this.#verdict !== 'running') return;
    const d = this.#decoder;
    const ok = d.push(chunk, monotonicNowNs());
    if (!ok) {
      this.#end('protocol-error', d.failure ?? 'protocol error');
      return;
    }
    const maxBytes = this.#options.maxBytes ?? LAYOUT_FEED_READER_DEFAULTS.maxBytes;
    if (d.counts.bytes > maxBytes) this.#end('byte-limit', `received ${d.counts.bytes} bytes, more than the limit of ${maxBytes}`);
  }

  #onClose(): void {
    if (this.#verdict !== 'running') return;
    if (!this.#connected) {
      this.#end('connect-failed', 'the connection closed before it was established');
      return;
    }
    const pending = this.#decoder.pendingBytes;
    if (pending > 0) this.#end('closed-mid-frame', `the sender closed the connection with ${pending} bytes of an unfinished frame unread`);
    else this.#end('closed', `the sender closed the connection after ${this.#decoder.counts.frames} frames`);
  }

  /** Watchdog: silences and stalls, measured from the last complete frame. */
  #check(): void {
    const nowMs = performance.now();
    const frames = this.#decoder.counts.frames;
    if (frames !== this.#framesAtCheck) {
      this.#framesAtCheck = frames;
      this.#lastFrameMs = nowMs;
      this.#inSilence = false;
      return;
    }
    const silentMs = nowMs - this.#lastFrameMs;
    if (silentMs >= this.#silenceMs && !this.#inSilence) {
      this.#inSilence = true;
      this.#decoder.counts.heartbeatSilences++;
    }
    if (silentMs >= this.#stallAfterMs) this.#end('stalled', `no complete frame for ${Math.round(silentMs)} ms (limit ${this.#stallAfterMs} ms)`);
  }

  #end(verdict: Exclude<LayoutFeedVerdict, 'running'>, detail: string): void {
    if (this.#verdict !== 'running') return;
    this.#verdict = verdict;
    this.#detail = detail;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#watchdog);
    clearInterval(this.#keepalive);
    this.#socket?.destroy();
    this.#resolveEnded(this.result());
  }
}

/**
 * The run result's feed entry for readers of one layout: counts summed. Layout feeds have no
 * snapshots and readers do not reconnect; a reader that ended other than by `stop` counts as a
 * disconnect.
 */
export function layoutFeedClassResult(results: readonly LayoutFeedResult[]): FeedClassResult {
  const sum = (pick: (c: Readonly<LayoutFeedCounts>) => number): number => results.reduce((s, r) => s + pick(r.counts), 0);
  return {
    subscribers: results.length, frames: sum((c) => c.frames), bytes: sum((c) => c.bytes), gaps: sum((c) => c.gaps),
    gapFrames: sum((c) => c.gapFrames), drops: sum((c) => c.gapFrames),
    disconnects: results.filter((r) => r.verdict !== 'stopped' && r.verdict !== 'running').length, reconnects: 0, snapshots: 0,
    protocolErrors: sum((c) => c.protocolErrors),
  };
}
