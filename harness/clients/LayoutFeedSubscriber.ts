import type * as hdr from 'hdr-histogram-js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { LayoutFeedReader, type LayoutFeedResult } from '../feeds/LayoutFeedReader.js';
import { emptyFeedCounts, type FeedBookReport, type FeedCounts, type FeedSubscriberResult, type FeedSubscriberState } from './FeedSubscriber.js';

/** Options of a {@link LayoutFeedSubscriber}; each documents its default. */
export interface LayoutFeedSubscriberOptions {
  readonly layout: FeedLayout;
  /** Feed host. Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** The pool's id for it (the feed never sees it: the layout's subscribe message is the same bytes for every reader). */
  readonly clientId: number;
  /** For a `monotonic` timestamp clock, the sender's clock minus ours, ns. Default: estimated at subscribe if the layout has a clockSync type, else 0. */
  readonly clockOffsetNs?: number;
  /** Where feed latencies go (ns); subscribers of one class share one. */
  readonly latency: hdr.Histogram;
  /** Longest wait for the TCP connection, ms. Default LayoutFeedReader's (5,000). */
  readonly connectTimeoutMs?: number;
}

/**
 * A fast subscriber of a run's pool (SubscriberPool) that reads a feed described by a layout file
 * (docs/FEED_LAYOUT.md) with a {@link LayoutFeedReader}, where FeedSubscriber reads matchbench's
 * own protocol. It gives the pool the same counts as a FeedSubscriber, so the run's feed table,
 * `feed_gaps.fast` and `feed_latency.fast` read the same, and the layout's own figures
 * ({@link layoutResult}: checksum failures, heartbeats, silences, frames per type) beside them.
 *
 * What it does not do, and the run says so (runScenario): it keeps no books (a layout describes
 * frames, not book updates: no snapshot checks, no book comparison), reads at full speed (no slow
 * or stalled class) and does not reconnect (no churning class, no resync).
 */
export class LayoutFeedSubscriber {
  readonly clientId: number;
  readonly #reader: LayoutFeedReader;

  constructor(options: LayoutFeedSubscriberOptions) {
    this.clientId = options.clientId;
    this.#reader = new LayoutFeedReader({
      layout: options.layout, port: options.port, latency: options.latency,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.clockOffsetNs === undefined ? {} : { clockOffsetNs: options.clockOffsetNs }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
  }

  /** The reader's counts in FeedSubscriber's terms: a connection is a login; an end other than {@link stop} a disconnect. */
  get counts(): Readonly<FeedCounts> {
    const r = this.#reader;
    const c = r.counts;
    const out = emptyFeedCounts();
    const failed = r.verdict === 'connect-failed';
    const ended = r.verdict !== 'running' && r.verdict !== 'stopped';
    out.connects = r.connected ? 1 : 0;
    out.connectFailures = failed ? 1 : 0;
    out.logins = r.connected ? 1 : 0;
    out.disconnects = ended && !failed ? 1 : 0;
    out.frames = c.frames;
    out.bytes = c.bytes;
    out.feedFrames = c.frames - c.heartbeats;
    out.gaps = c.gaps;
    out.gapFrames = c.gapFrames;
    out.maxGapFrames = c.maxGapFrames;
    out.protocolErrors = c.protocolErrors;
    out.checksumErrors = c.checksumFailures;
    out.heartbeatTimeouts = c.heartbeatSilences;
    out.negativeLatencies = c.negativeLatencies;
    return out;
  }

  /** Connects, sends the layout's subscribe message, and reads. */
  start(): void {
    this.#reader.start();
  }

  /** Ends the read (verdict `stopped` if it was still running). */
  async stop(): Promise<void> {
    await this.#reader.stop();
  }

  /** None: a layout feed carries frames, not book semantics. */
  books(): FeedBookReport[] {
    return [];
  }

  /** What it measured so far, in FeedSubscriber's shape (class fast; why the read ended as its end reason). */
  result(): FeedSubscriberResult {
    const r = this.#reader.result({ latency: false });
    const running = r.verdict === 'running';
    const state: FeedSubscriberState = running ? (this.#reader.connected ? 'active' : 'connecting') : 'stopped';
    const ended = !running && r.verdict !== 'stopped';
    return {
      clientId: this.clientId, class: 'fast', state, counts: { ...this.counts },
      endReasons: ended ? { [`layout feed ${r.verdict}`]: 1 } : {},
      errors: [...(ended ? [`layout feed ${r.layout} ${r.verdict}: ${r.detail}`] : []), ...r.errors],
      lastFeedSequence: Math.max(0, r.lastSequence), engineClockOffsetNs: r.clockOffsetNs, clockOffsetBoundNs: r.clockOffsetBoundNs ?? 0,
    };
  }

  /** The reader's own result: every count of the layout, frames per type, how the read ended (latency is the pool's, per class). */
  layoutResult(): LayoutFeedResult {
    return this.#reader.result({ latency: false });
  }
}
