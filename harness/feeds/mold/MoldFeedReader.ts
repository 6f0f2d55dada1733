/**
 * A market-data reader for MoldUDP64 over UDP (unicast, or a multicast group joined on an
 * interface), with gap re-requests to a retransmission server. The messages inside the packets
 * are described by a layout file whose framing is `moldudp64` (docs/FEED_LAYOUT.md).
 *
 * ```
 *  dgram socket ─'message'─► readMoldPacket (malformed: counted, dropped) ─► session check (another: counted, dropped)
 *     count 0 ─► heartbeat ──────────┐
 *     0xFFFF  ─► end of session ─────┼─► MoldSequenceTracker.advanceTo(next)   (a jump is a gap)
 *     blocks  ─► per message: MoldSequenceTracker.accept(seq)
 *                  live      ─► LayoutFrameDecoder (live)      ─► types, checksums, feed latency
 *                  recovered ─► LayoutFrameDecoder (recovered) ─► types, checksums, latency of recovered messages
 *                  duplicate ─► counted only
 *  after each packet and on the timer: MoldSequenceTracker.due ─► request packets to the retransmission server
 *  timer ─► no packet for the silence ─► heartbeatSilences++; for stallAfterMs ─► stalled
 *  end of session and nothing missing (recovered or given up) ─► end-of-session
 * ```
 *
 * Retransmissions arrive on the same socket (the server answers the requester's address), so a
 * message is told apart by its number, not its source: below the next expected number and missing,
 * it is recovered; below and not missing, a duplicate. Live and recovered messages are decoded by
 * two decoders so that feed latency covers live delivery only, and the latency of recovered
 * messages (send time to recovery) is reported apart from it.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type * as hdr from 'hdr-histogram-js';
import { monotonicNowNs } from '../../../engine/gateway/monotonicNowNs.js';
import { encodeLatency } from '../../clients/SubscriberPoolResult.js';
import { latencyHistogram, summarize, type LatencySummary } from '../../record/HistogramSet.js';
import type { FeedLayout } from '../FeedLayout.js';
import { emptyLayoutFeedCounts, LayoutFrameDecoder, type LayoutFeedCounts } from '../LayoutFrameDecoder.js';
import {
  encodeMoldRequest, MOLD_END_OF_SESSION_COUNT, MOLD_HEADER_BYTES, MOLD_HEARTBEAT_COUNT, moldSession, padMoldSession, readMoldPacket,
  sameMoldSession,
} from './moldPacket.js';
import { MOLD_SEQUENCE_TRACKER_DEFAULTS, MoldAccept, MoldSequenceTracker, type MoldSequenceCounts } from './MoldSequenceTracker.js';

/** Options of a {@link MoldFeedReader}; each documents its default. */
export interface MoldFeedReaderOptions {
  /** A layout whose framing is `moldudp64`: its session, first sequence and re-request server are the defaults of the options below. */
  readonly layout: FeedLayout;
  /** Local address to bind. Default 127.0.0.1; for multicast bind 0.0.0.0 (or the group's address). */
  readonly host?: string;
  /** Local UDP port the feed is sent to; 0 for an ephemeral one (tests). */
  readonly port: number;
  /** Multicast group to join. Default none (unicast). */
  readonly group?: string;
  /** Local interface address on which to join the group. Default: the system's choice. */
  readonly interface?: string;
  /** The retransmission server. Default the layout's `framing.retransmit`; null: gaps are not re-requested. */
  readonly retransmit?: { readonly host: string; readonly port: number } | null;
  /** Expected session name (up to 10 characters). Default the layout's; else the first packet's. */
  readonly session?: string | null;
  /** Where the session starts for this reader. Default the layout's `framing.first`; else the first packet seen. */
  readonly firstSequence?: number | null;
  /** Re-request behaviour: see MoldSequenceTrackerOptions (defaults 1,000 messages per request, 4 in flight, 500 ms, 3 tries). */
  readonly maxRequestMessages?: number;
  readonly maxOutstandingRequests?: number;
  readonly retryAfterMs?: number;
  readonly maxTries?: number;
  /** For a `monotonic` timestamp clock: the sender's clock minus this process's monotonicNowNs, ns. Default 0. */
  readonly clockOffsetNs?: number;
  /**
   * No packet for this long ends the reader as stalled, ms. Default twice the heartbeat silence,
   * at least 5,000. The silence is the layout's `heartbeat` (missingAfterIntervals × intervalMs),
   * else Mold's usual heartbeat of 1 s × 3.
   */
  readonly stallAfterMs?: number;
  /** Where live feed latencies go (ns). Default one of its own. */
  readonly latency?: hdr.Histogram;
}

/** The defaults of {@link MoldFeedReaderOptions}. */
export const MOLD_FEED_READER_DEFAULTS = {
  host: '127.0.0.1',
  clockOffsetNs: 0,
  minStallAfterMs: 5_000,
  /** MoldUDP64 servers send a heartbeat about once a second when idle. */
  heartbeat: { intervalMs: 1_000, missingAfterIntervals: 3 },
} as const;

/**
 * How a reader ended: `running` until it does; `stopped` by {@link MoldFeedReader.stop};
 * `end-of-session` the server's end-of-session packet, once every missing message was recovered or
 * given up; `stalled` no packet for stallAfterMs; `protocol-error` a message the layout cannot
 * follow; `bind-failed` the socket could not be bound or the group joined.
 */
export type MoldFeedVerdict = 'running' | 'stopped' | 'end-of-session' | 'stalled' | 'protocol-error' | 'bind-failed';

/** Packet-level counts, and the sequence tracker's. */
export interface MoldFeedCounts extends MoldSequenceCounts {
  /** Datagrams received (any), and their bytes. */
  packets: number;
  bytes: number;
  /** Heartbeat packets (message count 0). */
  heartbeats: number;
  /** Stretches without any packet for the heartbeat silence. */
  heartbeatSilences: number;
  /** Packets that are not MoldUDP64 downstream packets (short, blocks overrunning): dropped, so their messages show as a gap. */
  malformedPackets: number;
  /** Packets of another session than the reader's: dropped. */
  otherSessionPackets: number;
  /** Messages still missing when the reader ended: neither recovered nor given up (they count as lost for the exit code). */
  missingMessages: number;
}

/** What one reader measured. */
export interface MoldFeedResult {
  readonly layout: string;
  readonly verdict: MoldFeedVerdict;
  /** One line saying why it ended ('' while running). */
  readonly detail: string;
  /** The session read (10 characters, padded), null before the first packet. */
  readonly session: string | null;
  readonly endOfSession: boolean;
  /** The sequence of the next new message, −1 before the first packet. */
  readonly nextSequence: number;
  readonly mold: Readonly<MoldFeedCounts>;
  /** The layout decoders' counts, live and recovered messages together (frames = messages decoded). */
  readonly counts: Readonly<LayoutFeedCounts>;
  readonly framesByType: Readonly<Record<string, number>>;
  /** Live feed latency, or null when the layout has no timestamp. */
  readonly latency: LatencySummary | null;
  readonly latencyHistogram: string;
  /** Send time to recovery of recovered messages, or null without a timestamp. */
  readonly recoveredLatency: LatencySummary | null;
  /** The first few malformed packets, other sessions and decoding errors, one line each. */
  readonly errors: readonly string[];
}

const MAX_ERRORS_KEPT = 5;

/**
 * One UDP socket reading one MoldUDP64 session. Construct, await {@link start} (the bound
 * address), later {@link stop}; read {@link result} at any time.
 */
export class MoldFeedReader {
  readonly layout: FeedLayout;
  readonly latency: hdr.Histogram;
  readonly recoveredLatency: hdr.Histogram;
  readonly #options: MoldFeedReaderOptions;
  readonly #live: LayoutFrameDecoder;
  readonly #recovered: LayoutFrameDecoder;
  readonly #tracker: MoldSequenceTracker;
  readonly #retransmit: { readonly host: string; readonly port: number } | null;
  readonly #silenceMs: number;
  readonly #stallAfterMs: number;
  readonly #counts = { packets: 0, bytes: 0, heartbeats: 0, heartbeatSilences: 0, malformedPackets: 0, otherSessionPackets: 0 };
  readonly #errors: string[] = [];
  #session: string | null;
  #endOfSession = false;
  #socket: dgram.Socket | undefined;
  #verdict: MoldFeedVerdict = 'running';
  #detail = '';
  #missingAtEnd = 0;
  #lastPacketMs = 0;
  #inSilence = false;
  #timer: NodeJS.Timeout | undefined;
  #resolveEnded: (result: MoldFeedResult) => void = () => {};
  /** Resolves once the reader has ended, whichever way. */
  readonly ended: Promise<MoldFeedResult>;

  constructor(options: MoldFeedReaderOptions) {
    const framing = options.layout.framing;
    if (framing.kind !== 'moldudp64') throw new Error(`layout ${options.layout.name} has ${framing.kind} framing, not moldudp64`);
    this.#options = options;
    this.layout = options.layout;
    this.latency = options.latency ?? latencyHistogram();
    this.recoveredLatency = latencyHistogram();
    const clockOffsetNs = options.clockOffsetNs ?? MOLD_FEED_READER_DEFAULTS.clockOffsetNs;
    this.#live = new LayoutFrameDecoder(options.layout, { latency: this.latency, clockOffsetNs });
    this.#recovered = new LayoutFrameDecoder(options.layout, { latency: this.recoveredLatency, clockOffsetNs });
    this.#retransmit = options.retransmit === undefined ? framing.retransmit : options.retransmit;
    const session = options.session === undefined ? framing.session : options.session;
    this.#session = session === null ? null : padMoldSession(session);
    this.#tracker = new MoldSequenceTracker({
      firstSequence: options.firstSequence === undefined ? framing.firstSequence : options.firstSequence,
      canRequest: this.#retransmit !== null,
      ...(options.maxRequestMessages === undefined ? {} : { maxRequestMessages: options.maxRequestMessages }),
      ...(options.maxOutstandingRequests === undefined ? {} : { maxOutstanding: options.maxOutstandingRequests }),
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
      ...(options.maxTries === undefined ? {} : { maxTries: options.maxTries }),
    });
    const hb = options.layout.heartbeat ?? MOLD_FEED_READER_DEFAULTS.heartbeat;
    this.#silenceMs = hb.intervalMs * hb.missingAfterIntervals;
    this.#stallAfterMs = options.stallAfterMs ?? Math.max(MOLD_FEED_READER_DEFAULTS.minStallAfterMs, 2 * this.#silenceMs);
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get verdict(): MoldFeedVerdict {
    return this.#verdict;
  }

  /** Binds (and joins the group); resolves with the bound address, or null when that failed (the verdict is then bind-failed). */
  async start(): Promise<AddressInfo | null> {
    if (this.#socket !== undefined || this.#verdict !== 'running') return null;
    const o = this.#options;
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: o.group !== undefined });
    this.#socket = socket;
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('error', (error) => {
        this.#end('bind-failed', `cannot bind ${o.host ?? MOLD_FEED_READER_DEFAULTS.host}:${o.port}: ${error.message}`);
        resolve(false);
      });
      socket.bind(o.port, o.host ?? MOLD_FEED_READER_DEFAULTS.host, () => resolve(true));
    });
    if (!bound) return null;
    if (o.group !== undefined) {
      try {
        socket.addMembership(o.group, o.interface);
      } catch (error) {
        this.#end('bind-failed', `cannot join ${o.group}${o.interface === undefined ? '' : ` on ${o.interface}`}: ${(error as Error).message}`);
        return null;
      }
    }
    // After binding, a send error (an unreachable re-request server) must not end the read: its requests time out instead.
    socket.removeAllListeners('error');
    socket.on('error', (error) => this.#error(`socket: ${error.message}`));
    socket.on('message', (packet) => this.#onPacket(packet));
    this.#lastPacketMs = performance.now();
    const retryMs = this.#options.retryAfterMs ?? MOLD_SEQUENCE_TRACKER_DEFAULTS.retryAfterMs;
    // Often enough to notice a timeout, a silence or a stall within a quarter of its length.
    const tickMs = Math.max(10, Math.min(250, retryMs / 4, this.#silenceMs / 4, this.#stallAfterMs / 4));
    this.#timer = setInterval(() => this.#check(), tickMs);
    return socket.address();
  }

  /** Ends the reader (verdict `stopped` if it was still running) and returns its result. */
  async stop(): Promise<MoldFeedResult> {
    this.#end('stopped', 'stopped by the harness');
    return this.ended;
  }

  /** What was measured so far; `latency: false` leaves the latency summaries and histogram out (null and ''), which is cheaper. */
  result(options: { readonly latency?: boolean } = {}): MoldFeedResult {
    const live = this.#live;
    const recovered = this.#recovered;
    const counts = emptyLayoutFeedCounts();
    for (const key of Object.keys(counts) as (keyof LayoutFeedCounts)[]) counts[key] = live.counts[key] + recovered.counts[key];
    counts.maxGapFrames = Math.max(live.counts.maxGapFrames, recovered.counts.maxGapFrames);
    const liveTypes = live.framesByType();
    const recoveredTypes = recovered.framesByType();
    const framesByType: Record<string, number> = {};
    for (const name of Object.keys(liveTypes)) framesByType[name] = liveTypes[name]! + (recoveredTypes[name] ?? 0);
    const timed = this.layout.timestamp !== null && options.latency !== false;
    const running = this.#verdict === 'running';
    return {
      layout: this.layout.name, verdict: this.#verdict, detail: this.#detail, session: this.#session, endOfSession: this.#endOfSession,
      nextSequence: this.#tracker.nextSequence,
      mold: { ...this.#counts, ...this.#tracker.counts, missingMessages: running ? this.#tracker.missingMessages : this.#missingAtEnd },
      counts, framesByType, latency: timed ? summarize(this.latency) : null, latencyHistogram: timed ? encodeLatency(this.latency) : '',
      recoveredLatency: timed ? summarize(this.recoveredLatency) : null,
      errors: [...this.#errors, ...live.errors, ...recovered.errors].slice(0, MAX_ERRORS_KEPT),
    };
  }

  #onPacket(packet: Buffer): void {
    if (this.#verdict !== 'running') return;
    const receivedNs = monotonicNowNs();
    const nowMs = performance.now();
    const c = this.#counts;
    c.packets++;
    c.bytes += packet.length;
    const header = readMoldPacket(packet);
    if (header.problem !== null) {
      c.malformedPackets++;
      this.#error(`malformed packet: ${header.problem}`);
      return;
    }
    if (this.#session === null) this.#session = moldSession(packet);
    else if (!sameMoldSession(packet, this.#session)) {
      c.otherSessionPackets++;
      this.#error(`packet of session "${moldSession(packet)}", reading "${this.#session}": dropped`);
      return;
    }
    this.#lastPacketMs = nowMs;
    const tracker = this.#tracker;
    tracker.setNow(nowMs);
    if (header.count === MOLD_HEARTBEAT_COUNT) {
      c.heartbeats++;
      tracker.advanceTo(header.sequence);
    } else if (header.count === MOLD_END_OF_SESSION_COUNT) {
      this.#endOfSession = true;
      tracker.advanceTo(header.sequence);
    } else {
      let at = MOLD_HEADER_BYTES;
      for (let i = 0; i < header.count; i++) {
        const length = (packet[at]! << 8) | packet[at + 1]!;
        const kind = tracker.accept(header.sequence + i);
        const decoder = kind === MoldAccept.Live ? this.#live : kind === MoldAccept.Recovered ? this.#recovered : null;
        if (decoder !== null && !decoder.pushFrame(packet, at + 2, length, receivedNs)) {
          this.#end('protocol-error', `message ${header.sequence + i}: ${decoder.failure ?? 'protocol error'}`);
          return;
        }
        at += 2 + length;
      }
    }
    this.#request(nowMs);
  }

  /** Sends the requests due now; ends the read at end of session once nothing is missing. */
  #request(nowMs: number): void {
    const socket = this.#socket;
    const server = this.#retransmit;
    const session = this.#session;
    this.#tracker.due(nowMs, (from, count) => {
      if (socket !== undefined && server !== null && session !== null) socket.send(encodeMoldRequest(session, from, count), server.port, server.host);
    });
    if (this.#endOfSession && this.#tracker.missingMessages === 0) {
      this.#end('end-of-session', `end of session at message ${this.#tracker.nextSequence}`);
    }
  }

  /** Timer: request timeouts, silences and stalls. */
  #check(): void {
    if (this.#verdict !== 'running') return;
    const nowMs = performance.now();
    this.#request(nowMs);
    const silentMs = nowMs - this.#lastPacketMs;
    if (silentMs < this.#silenceMs) this.#inSilence = false;
    else if (!this.#inSilence) {
      this.#inSilence = true;
      this.#counts.heartbeatSilences++;
    }
    if (silentMs >= this.#stallAfterMs) this.#end('stalled', `no packet for ${Math.round(silentMs)} ms (limit ${this.#stallAfterMs} ms)`);
  }

  #error(message: string): void {
    if (this.#errors.length < MAX_ERRORS_KEPT) this.#errors.push(message);
  }

  #end(verdict: Exclude<MoldFeedVerdict, 'running'>, detail: string): void {
    if (this.#verdict !== 'running') return;
    this.#missingAtEnd = this.#tracker.missingMessages;
    this.#verdict = verdict;
    this.#detail = detail;
    clearInterval(this.#timer);
    const socket = this.#socket;
    if (socket !== undefined) {
      try {
        socket.close();
      } catch {
        // Already closed (a failed bind closes it).
      }
    }
    this.#resolveEnded(this.result());
  }
}

/** Whether a result lost anything: messages lost or still missing, corrupt (checksum) messages. */
export function moldFeedLostAnything(r: MoldFeedResult): boolean {
  return r.mold.lostMessages > 0 || r.mold.missingMessages > 0 || r.counts.checksumFailures > 0;
}
