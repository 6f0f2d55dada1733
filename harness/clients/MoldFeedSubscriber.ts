import type * as hdr from 'hdr-histogram-js';
import { isIPv4 } from 'node:net';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { MoldFeedReader, type MoldFeedResult } from '../feeds/mold/MoldFeedReader.js';
import { emptyFeedCounts, type FeedBookReport, type FeedCounts, type FeedSubscriberResult, type FeedSubscriberState } from './FeedSubscriber.js';

/** Options of a {@link MoldFeedSubscriber}; each documents its default. */
export interface MoldFeedSubscriberOptions {
  /** A layout with `moldudp64` framing: its session, first sequence and re-request server are the reader's. */
  readonly layout: FeedLayout;
  /** Where the packets arrive: a local address to bind, or an IPv4 multicast group (bound and joined on the system's default interface). */
  readonly host: string;
  readonly port: number;
  /** The pool's id for it (nothing is sent with it). */
  readonly clientId: number;
  /** For a `monotonic` timestamp clock, the sender's clock minus ours, ns. Default 0. */
  readonly clockOffsetNs?: number;
  /** Where live feed latencies go (ns). */
  readonly latency: hdr.Histogram;
}

/** Whether `host` is an IPv4 multicast group (224.0.0.0 to 239.255.255.255). */
export function isMulticastGroup(host: string): boolean {
  const first = Number(host.split('.')[0]);
  return isIPv4(host) && first >= 224 && first <= 239;
}

/**
 * The fast subscriber of a run's pool (SubscriberPool) for a MoldUDP64 feed: a
 * {@link MoldFeedReader} on the target's `md=` address, in FeedSubscriber's terms for the pool.
 * A gap is a sequence jump; the frames it missed (`gapFrames`, the run's drops) are the messages
 * lost for good or still missing at the end, not those the re-requests recovered; the Mold
 * figures themselves are in {@link moldResult}. One per run: a unicast UDP port is read by one socket.
 */
export class MoldFeedSubscriber {
  readonly clientId: number;
  readonly #reader: MoldFeedReader;
  #bound = false;

  constructor(options: MoldFeedSubscriberOptions) {
    this.clientId = options.clientId;
    const group = isMulticastGroup(options.host) ? { group: options.host } : {};
    this.#reader = new MoldFeedReader({
      layout: options.layout, host: options.host, port: options.port, latency: options.latency, ...group,
      ...(options.clockOffsetNs === undefined ? {} : { clockOffsetNs: options.clockOffsetNs }),
    });
  }

  /** A bound socket counts as a login; a bind that failed as a connect failure; an end before the run's (stalled, protocol error) as a disconnect. */
  get counts(): Readonly<FeedCounts> {
    const r = this.#reader.result({ latency: false });
    return moldFeedCounts(r, this.#bound);
  }

  /** Binds (and joins the group) and reads. */
  start(): void {
    void this.#reader.start().then((address) => {
      this.#bound = address !== null;
    });
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
    const state: FeedSubscriberState = running ? (this.#bound ? 'active' : 'connecting') : 'stopped';
    const ended = !running && r.verdict !== 'stopped' && r.verdict !== 'end-of-session';
    return {
      clientId: this.clientId, class: 'fast', state, counts: moldFeedCounts(r, this.#bound),
      endReasons: ended ? { [`MoldUDP64 feed ${r.verdict}`]: 1 } : {},
      errors: [...(ended ? [`MoldUDP64 feed ${r.layout} ${r.verdict}: ${r.detail}`] : []), ...r.errors],
      lastFeedSequence: Math.max(0, r.nextSequence - 1), engineClockOffsetNs: 0, clockOffsetBoundNs: 0,
    };
  }

  /** The reader's own result: packets, gaps, recoveries, losses, the messages' layout counts, how the read ended. */
  moldResult(): MoldFeedResult {
    return this.#reader.result({ latency: false });
  }
}

/** A Mold reader's result as FeedCounts (see {@link MoldFeedSubscriber}). */
function moldFeedCounts(r: MoldFeedResult, bound: boolean): FeedCounts {
  const out = emptyFeedCounts();
  const m = r.mold;
  const failed = r.verdict === 'bind-failed';
  out.connects = bound ? 1 : 0;
  out.connectFailures = failed ? 1 : 0;
  out.logins = bound ? 1 : 0;
  out.disconnects = !failed && (r.verdict === 'stalled' || r.verdict === 'protocol-error') ? 1 : 0;
  out.frames = r.counts.frames;
  out.bytes = m.bytes;
  out.feedFrames = r.counts.frames - r.counts.heartbeats;
  out.gaps = m.gaps;
  out.gapFrames = m.lostMessages + m.missingMessages;
  out.maxGapFrames = r.counts.maxGapFrames;
  out.protocolErrors = r.counts.protocolErrors + m.malformedPackets;
  out.checksumErrors = r.counts.checksumFailures;
  out.heartbeatTimeouts = m.heartbeatSilences;
  out.negativeLatencies = r.counts.negativeLatencies;
  return out;
}
