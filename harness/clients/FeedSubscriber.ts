/**
 * A market-data subscriber for any engine speaking docs/PROTOCOL.md, as matchbench runs them by
 * the thousand (see SubscriberPool): it logs in, reads the global feed, checks every frame and
 * measures what it got.
 *
 * ```
 *  net.Socket ─reads─► FrameReader.nextFrameSpan ─► CRC-32C, version, length ─┬─ TRADE / LEVEL_UPDATE / QUOTE (hot path, no decode)
 *     ▲  ▲                                                                 │     feed sequence n == last + 1 ? : gap (count, resync)
 *     │  └─ slow: pause / resume on a timer (bytesPerSecond)               │     LEVEL_UPDATE ─► FeedBook of its symbol
 *     │     stalled: paused for good after LOGIN_ACK                       │     receipt time + engineClockOffsetNs − timestampNs ─► latency histogram
 *     │                                                                    └─ anything else: decode() ─► LOGIN_ACK, FEED_HEARTBEAT,
 *  LOGIN, HEARTBEAT, SNAPSHOT_REQUEST, LOGOUT ◄─ timers, gaps, churn               BOOK_SNAPSHOT (compare, replace), LOGOUT, SESSION_ERROR
 * ```
 *
 * Classes (harness/scenario/Scenario.ts `SubscriberGroup`): `fast` reads everything; `slow` reads
 * at most `bytesPerSecond` on average (a token bucket: each chunk read is charged, and when the
 * bucket is empty the socket is paused until a timer has refilled it; Node reads up to 64 KiB per
 * chunk, so a slow subscriber reads in bursts of at most one chunk); `stalled` logs in and never
 * reads again (its socket is paused after LOGIN_ACK; it still sends HEARTBEAT, like a consumer
 * whose reading thread hung, so the engine sees a slow consumer, not a dead peer); `churning`
 * stays logged in for Exponential(meanConnectedMs), logs out, and reconnects after a backoff.
 *
 * Feed latency is the receipt time minus the frame's `timestampNs`, both on the engine's clock:
 * `timestampNs` is read on the engine's monotonic clock (engine/gateway/monotonicNowNs.ts:
 * `performance.now()` of the engine's process), so a subscriber adds `engineClockOffsetNs` (engine
 * clock minus its own) to its own reading. See {@link FeedClockOffset} for how to get it.
 *
 * Why the feed frames are parsed by hand instead of with `decode()`: at millions of frames per
 * second per thread, an object per frame costs more than everything else this class does with it.
 * The feed frames get the checks that matter to a subscriber (CRC-32C, version, exact length,
 * sequence) and their fields are read at the offsets `messageLayouts.ts` gives; every other frame
 * (rare: LOGIN_ACK, FEED_HEARTBEAT, BOOK_SNAPSHOT, LOGOUT, SESSION_ERROR) goes through `decode()`
 * and all of its checks.
 */
import type net from 'node:net';
import * as hdr from 'hdr-histogram-js';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import { codeName, LogoutReason, SessionErrorReason } from '../../engine/protocol/codes.js';
import { crc32c } from '../../engine/protocol/crc32c.js';
import { decode } from '../../engine/protocol/decode.js';
import { encode } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import {
  DEFAULT_MAX_FRAME_LENGTH,
  PROTOCOL_VERSION,
  SNAPSHOT_ENTRY_LENGTH,
  messageLayout,
  snapshotFrameLength,
} from '../../engine/protocol/messageLayouts.js';
import { MessageType, type BookSnapshotMessage, type Message } from '../../engine/protocol/messages.js';
import { ProtocolError } from '../../engine/protocol/ProtocolError.js';
import { Rng } from '../generate/Rng.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import type { SubscriberClass, SubscriberGroup } from '../scenario/Scenario.js';
import { snapshotViolations, type FeedViolation, type FeedViolationSummary } from '../check/snapshotInvariants.js';
import { connectSharedReads } from './connectSharedReads.js';
import { depthDigest, FeedBook } from './FeedBook.js';

/** What a subscriber does, by class: a scenario's `SubscriberGroup` without its count. */
export type SubscriberBehaviour = SubscriberGroup extends infer G ? (G extends SubscriberGroup ? Omit<G, 'count'> : never) : never;

/**
 * How a subscriber learns `engineClockOffsetNs` (the engine's clock minus the subscriber's, in ns):
 *
 * - `fixed`: given by the caller. For an engine in this process, or in another process of this
 *   host that reports its `performance.timeOrigin`, {@link inProcessClockOffsetNs} computes it
 *   from the two time origins (worker threads share their process's origin, so it is 0 between
 *   threads). Exact up to how precisely the OS relates the processes' start times (microseconds).
 * - `login`: estimated from each LOGIN / LOGIN_ACK exchange: the engine stamped the LOGIN_ACK
 *   somewhere between our sending the LOGIN (t0) and receiving the answer (t1), so the offset lies
 *   within ± (t1 − t0)/2 of `ack.timestampNs − (t0 + t1)/2`. The exchange with the smallest round
 *   trip so far wins (min-RTT, as NTP does). Limits: the bound is half the round trip, which
 *   includes the engine's queueing of the LOGIN (tens of µs idle, milliseconds under load); clock
 *   drift between hosts is not modelled; feed latencies below the bound are not meaningful.
 */
export type FeedClockOffset =
  | { readonly kind: 'fixed'; readonly engineClockOffsetNs: number }
  | { readonly kind: 'login' };

/**
 * `engineClockOffsetNs` for an engine whose clock is `performance.now()` of a process with time
 * origin `engineTimeOriginMs` (its `performance.timeOrigin`), seen from a thread with time origin
 * `localTimeOriginMs`: engine now = local now + (local origin − engine origin).
 */
export function inProcessClockOffsetNs(engineTimeOriginMs: number, localTimeOriginMs: number = performance.timeOrigin): number {
  return Math.round((localTimeOriginMs - engineTimeOriginMs) * 1e6);
}

/** Options of a {@link FeedSubscriber}; each documents its default. */
export interface FeedSubscriberOptions {
  /** Market-data host. Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** LOGIN client id; one connection per id at a time (the engine refuses a second). */
  readonly clientId: number;
  readonly behaviour: SubscriberBehaviour;
  /** Seed of the subscriber's random choices (churn times); with {@link stream}, via Rng.stream. Default 1. */
  readonly seed?: number;
  /** The subscriber's stream index under `seed` (e.g. its index in the run). Default the client id. */
  readonly stream?: number;
  /** Default `{ kind: 'fixed', engineClockOffsetNs: 0 }` (an engine in this process). */
  readonly clockOffset?: FeedClockOffset;
  /** Requested heartbeat interval, ms (100..60000). Default 1,000. */
  readonly heartbeatIntervalMs?: number;
  /** After a gap, ask for a BOOK_SNAPSHOT of every symbol known, to rebuild the books. Default true. */
  readonly resync?: boolean;
  /** SNAPSHOT_REQUEST `levels`; 0 asks for as many as fit one frame. Default 0. */
  readonly snapshotLevels?: number;
  /** A snapshot not answered within this many ms is asked for again at the next gap or check. Default 1,000. */
  readonly snapshotRetryMs?: number;
  /** Symbols known beforehand: snapshotted at a login that joins a running feed. Others are learned from the feed. Default none. */
  readonly symbols?: readonly number[];
  /**
   * A fast subscriber asks for a BOOK_SNAPSHOT of every book it holds exact this often, ms, to check the
   * snapshot's invariants and its rebuilt book against it (harness/check/snapshotInvariants.ts); 0: only at resyncs. Default 0.
   */
  readonly snapshotCheckIntervalMs?: number;
  /** Rebuild the books from LEVEL_UPDATE and BOOK_SNAPSHOT. Default true. */
  readonly rebuildBooks?: boolean;
  /**
   * Check the CRC-32C of every frame. Default true. Off only where many subscribers read the same
   * bytes and a sample of them checks (bench:fanout), since at millions of frames per second the
   * checksum is most of a subscriber's work; framing, version, length and sequence are always checked.
   */
  readonly verifyChecksums?: boolean;
  /** Reconnect after the engine ends the session or the connection fails (churning always does). Default true. */
  readonly reconnect?: boolean;
  /** Backoff before reconnecting, doubling after each failure up to the maximum, ms. Defaults 100 and 5,000 (churning: its own). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Longest wait for the TCP connection and the LOGIN_ACK, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Longest frame accepted (must match the engine's setting), bytes. Default 4,096. */
  readonly maxFrameLength?: number;
  /**
   * Where feed latencies go (ns, `recordValueWithCount`). Subscribers of one class in one thread
   * usually share one, since each histogram is ~100 KB. Default: one of its own.
   */
  readonly latency?: hdr.Histogram;
}

/** The defaults of {@link FeedSubscriberOptions}. */
export const FEED_SUBSCRIBER_DEFAULTS = {
  host: '127.0.0.1',
  seed: 1,
  heartbeatIntervalMs: 1_000,
  resync: true,
  snapshotLevels: 0,
  snapshotRetryMs: 1_000,
  snapshotCheckIntervalMs: 0,
  rebuildBooks: true,
  verifyChecksums: true,
  reconnect: true,
  minBackoffMs: 100,
  maxBackoffMs: 5_000,
  connectTimeoutMs: 5_000,
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
} as const;

/** Counters of one subscriber (or, summed, of many). Every field is a count; add them to merge. */
export interface FeedCounts {
  /** TCP connections opened. */
  connects: number;
  /** Connections refused, timed out, or closed before LOGIN_ACK. */
  connectFailures: number;
  /** LOGIN_ACKs received. */
  logins: number;
  /** Sessions that ended other than by {@link FeedSubscriber.stop} or a churn (engine's SESSION_ERROR or LOGOUT, lost connection, our protocol error). */
  disconnects: number;
  /** Voluntary LOGOUTs of a churning subscriber. */
  churns: number;
  /** Every frame received, and every byte. */
  frames: number;
  bytes: number;
  /** TRADE, LEVEL_UPDATE and QUOTE frames. */
  feedFrames: number;
  /** Jumps in the feed sequence (a feed frame, heartbeat or snapshot above last + 1), and the frames they skipped. */
  gaps: number;
  gapFrames: number;
  /** The largest single gap, in frames (max, not summed, when merging). */
  maxGapFrames: number;
  /** Malformed frames (any decoding step), repeated or backward feed sequences, unexpected messages; each ends the session. */
  protocolErrors: number;
  /** The CRC-32C failures among them. */
  checksumErrors: number;
  snapshotsRequested: number;
  snapshotsReceived: number;
  /** Books brought back in sync by a snapshot after a gap or a login into a running feed. */
  resyncs: number;
  /** Snapshots that found a book this subscriber believed exact to differ: a rebuild error or an engine bug. */
  bookMismatches: number;
  /** SESSION_ERRORs received from the engine. */
  sessionErrors: number;
  /** Engines silent for 3 heartbeat intervals (reading classes only). */
  heartbeatTimeouts: number;
  /** Feed latencies below 0 (clock offset error), recorded as 0. */
  negativeLatencies: number;
}

/** Zero counts. */
export function emptyFeedCounts(): FeedCounts {
  return {
    connects: 0, connectFailures: 0, logins: 0, disconnects: 0, churns: 0, frames: 0, bytes: 0, feedFrames: 0, gaps: 0,
    gapFrames: 0, maxGapFrames: 0, protocolErrors: 0, checksumErrors: 0, snapshotsRequested: 0, snapshotsReceived: 0,
    resyncs: 0, bookMismatches: 0, sessionErrors: 0, heartbeatTimeouts: 0, negativeLatencies: 0,
  };
}

/** Adds `from` into `into` (sums; `maxGapFrames` takes the max). Returns `into`. */
export function addFeedCounts(into: FeedCounts, from: Readonly<FeedCounts>): FeedCounts {
  for (const key of Object.keys(into) as (keyof FeedCounts)[]) {
    into[key] = key === 'maxGapFrames' ? Math.max(into[key], from[key]) : into[key] + from[key];
  }
  return into;
}

/** `a − b`, field by field (`maxGapFrames` is `a`'s): the counts of an interval between two readings. */
export function subtractFeedCounts(a: Readonly<FeedCounts>, b: Readonly<FeedCounts>): FeedCounts {
  const out = emptyFeedCounts();
  for (const key of Object.keys(out) as (keyof FeedCounts)[]) out[key] = key === 'maxGapFrames' ? a[key] : a[key] - b[key];
  return out;
}

/** Where a subscriber is. */
export type FeedSubscriberState = 'idle' | 'connecting' | 'loggingIn' | 'active' | 'closing' | 'waiting' | 'stopped';

/** The book state of one symbol at the end, for comparing with the engine's. */
export interface FeedBookReport {
  readonly symbolId: number;
  /** True when the book is exact as of the last feed frame: no gap since it was last rebuilt from empty or from a whole snapshot. */
  readonly exact: boolean;
  /** {@link FeedBook.digest}. */
  readonly digest: string;
  readonly levels: number;
}

/** What one subscriber measured. */
export interface FeedSubscriberResult {
  readonly clientId: number;
  readonly class: SubscriberClass;
  readonly state: FeedSubscriberState;
  readonly counts: FeedCounts;
  /** Why sessions ended, by kind (`SESSION_ERROR SlowConsumer`, `LOGOUT Shutdown`, `churn`, `protocol error ChecksumMismatch`, `connection lost`). */
  readonly endReasons: Readonly<Record<string, number>>;
  /** The first few protocol errors, each one line. */
  readonly errors: readonly string[];
  /** Feed invariants broken on BOOK_SNAPSHOTs (the first few), and how many snapshots were checked. */
  readonly feedViolations?: FeedViolationSummary;
  /** The last feed sequence seen (frames, heartbeats, snapshots, LOGIN_ACK); 0 before any. */
  readonly lastFeedSequence: number;
  /** The offset in use and its error bound (0 for a fixed offset), ns. */
  readonly engineClockOffsetNs: number;
  readonly clockOffsetBoundNs: number;
}

/** Protocol errors kept as text per subscriber. */
const MAX_ERRORS_KEPT = 5;
const TWO_TO_32 = 0x1_0000_0000;
/** Highest value of a u64's upper 32 bits that still gives a safe integer. */
const MAX_SAFE_HIGH = 0x1f_ffff;

function fieldOffset(type: number, name: string): number {
  const field = messageLayout(type)?.fields.find((f) => f.name === name);
  if (field === undefined) throw new Error(`unreachable: no field ${name} in message type ${type}`);
  return field.offset;
}

// Offsets and lengths from the codec's layout table (engine/protocol/messageLayouts.ts), read once.
const LEVEL_PRICE = fieldOffset(MessageType.LevelUpdate, 'price');
const LEVEL_QUANTITY = fieldOffset(MessageType.LevelUpdate, 'quantity');
const LEVEL_ORDER_COUNT = fieldOffset(MessageType.LevelUpdate, 'orderCount');
const LEVEL_SIDE = fieldOffset(MessageType.LevelUpdate, 'side');
const TRADE_LENGTH = messageLayout(MessageType.Trade)?.frameLength ?? 0;
const LEVEL_UPDATE_LENGTH = messageLayout(MessageType.LevelUpdate)?.frameLength ?? 0;
const QUOTE_LENGTH = messageLayout(MessageType.Quote)?.frameLength ?? 0;

function u32(f: Uint8Array, at: number): number {
  return (f[at]! | (f[at + 1]! << 8) | (f[at + 2]! << 16) | (f[at + 3]! << 24)) >>> 0;
}

/** A u64 field, or −1 when it is not a safe integer. */
function u64(f: Uint8Array, at: number): number {
  const high = u32(f, at + 4);
  return high > MAX_SAFE_HIGH ? -1 : high * TWO_TO_32 + u32(f, at);
}

/** An i64 field (the caller knows it is a safe integer or does not care about the last bits). */
function i64(f: Uint8Array, at: number): number {
  return (f[at + 4]! | (f[at + 5]! << 8) | (f[at + 6]! << 16) | (f[at + 7]! << 24)) * TWO_TO_32 + u32(f, at);
}

interface SymbolBook {
  readonly book: FeedBook;
  /** Exact as of the last feed frame. */
  exact: boolean;
  /** Rebuilt from a snapshot that was cut to fit its frame: deeper levels may be missing. */
  partial: boolean;
  /** When a snapshot was last asked for and not answered yet (local ms), or −1. */
  requestedAtMs: number;
}

/**
 * One market-data subscriber. Construct, {@link start}, later {@link stop}; read {@link result}
 * at any time. Runs on the thread that created it, from its event loop.
 */
export class FeedSubscriber {
  readonly clientId: number;
  readonly behaviour: SubscriberBehaviour;
  readonly #host: string;
  readonly #port: number;
  readonly #rng: Rng;
  readonly #heartbeatIntervalMs: number;
  readonly #resync: boolean;
  readonly #snapshotLevels: number;
  readonly #snapshotRetryMs: number;
  readonly #snapshotCheckIntervalMs: number;
  #lastSnapshotCheckMs = 0;
  readonly #feedViolations: FeedViolation[] = [];
  #feedViolationCount = 0;
  #snapshotsChecked = 0;
  readonly #rebuildBooks: boolean;
  readonly #verifyChecksums: boolean;
  readonly #reconnect: boolean;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxFrameLength: number;
  /** Levels per side at which the engine may cut a snapshot. */
  readonly #snapshotCutPerSide: number;
  readonly #latency: hdr.Histogram;
  readonly #fixedOffset: boolean;
  #offsetNs = 0;
  #offsetBoundNs = Infinity;

  readonly #counts = emptyFeedCounts();
  readonly #endReasons: Record<string, number> = {};
  readonly #errors: string[] = [];
  readonly #books = new Map<number, SymbolBook>();

  #state: FeedSubscriberState = 'idle';
  #socket: net.Socket | undefined;
  #reader: FrameReader;
  #outSequence = 0;
  #lastFeedSequence = 0;
  #loginSentNs = 0;
  #negotiatedHeartbeatMs = 0;
  #lastReceivedMs = 0;
  #lastSentMs = 0;
  /** Why the current session ended, once known. */
  #endReason: string | undefined;
  #backoffMs: number;
  #timer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #resumeTimer: NodeJS.Timeout | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  /** Slow class: bytes it may still read (token bucket), and when it was last refilled (local ms). */
  #allowanceBytes = 0;
  #refilledAtMs = 0;
  #stopped: Promise<void> | undefined;
  /** The session joined the feed at sequence 0 and has seen no gap: a symbol first seen now has an exact book from empty. */
  #exactSinceLogin = false;

  /** @throws RangeError naming every invalid option at once. */
  constructor(options: FeedSubscriberOptions) {
    const problems = feedSubscriberProblems(options);
    if (problems.length > 0) throw new RangeError(`invalid feed subscriber options: ${problems.join('; ')}`);
    const d = FEED_SUBSCRIBER_DEFAULTS;
    this.clientId = options.clientId;
    this.behaviour = options.behaviour;
    this.#host = options.host ?? d.host;
    this.#port = options.port;
    this.#rng = Rng.stream(options.seed ?? d.seed, options.stream ?? options.clientId);
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? d.heartbeatIntervalMs;
    this.#resync = options.resync ?? d.resync;
    this.#snapshotLevels = options.snapshotLevels ?? d.snapshotLevels;
    this.#snapshotRetryMs = options.snapshotRetryMs ?? d.snapshotRetryMs;
    this.#snapshotCheckIntervalMs = options.snapshotCheckIntervalMs ?? d.snapshotCheckIntervalMs;
    this.#rebuildBooks = options.rebuildBooks ?? d.rebuildBooks;
    this.#verifyChecksums = options.verifyChecksums ?? d.verifyChecksums;
    this.#reconnect = options.reconnect ?? d.reconnect;
    const churn = options.behaviour.class === 'churning' ? options.behaviour : undefined;
    this.#minBackoffMs = options.minBackoffMs ?? churn?.minBackoffMs ?? d.minBackoffMs;
    this.#maxBackoffMs = options.maxBackoffMs ?? churn?.maxBackoffMs ?? d.maxBackoffMs;
    this.#backoffMs = this.#minBackoffMs;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? d.connectTimeoutMs;
    this.#maxFrameLength = options.maxFrameLength ?? d.maxFrameLength;
    const perSide = Math.floor((this.#maxFrameLength - snapshotFrameLength(0)) / (2 * SNAPSHOT_ENTRY_LENGTH));
    this.#snapshotCutPerSide = this.#snapshotLevels > 0 ? Math.min(this.#snapshotLevels, perSide) : perSide;
    this.#reader = new FrameReader({ maxFrameLength: this.#maxFrameLength });
    this.#latency = options.latency ?? latencyHistogram();
    const offset = options.clockOffset ?? { kind: 'fixed', engineClockOffsetNs: 0 };
    this.#fixedOffset = offset.kind === 'fixed';
    if (offset.kind === 'fixed') {
      this.#offsetNs = offset.engineClockOffsetNs;
      this.#offsetBoundNs = 0;
    }
    // A subscriber that rebuilds no books keeps none (else each would count as a book not exact).
    if (this.#rebuildBooks) for (const symbolId of options.symbols ?? []) this.#bookOf(symbolId);
  }

  get state(): FeedSubscriberState {
    return this.#state;
  }

  /** The last feed sequence seen; 0 before any. */
  get lastFeedSequence(): number {
    return this.#lastFeedSequence;
  }

  /** The histogram feed latencies go to (ns). */
  get latency(): hdr.Histogram {
    return this.#latency;
  }

  /** Live counters (the object itself; copy it to keep a reading). */
  get counts(): Readonly<FeedCounts> {
    return this.#counts;
  }

  /** Connects and logs in; reconnects on its own as its class and options say. Call once. */
  start(): void {
    if (this.#state !== 'idle') throw new Error(`FeedSubscriber ${this.clientId} already started`);
    this.#connect();
  }

  /**
   * Ends the session (LOGOUT UserRequested if logged in) and every timer; resolves once the socket
   * is closed (at most ~1 s: a peer that does not close is cut off).
   */
  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      this.#clearTimers();
      const socket = this.#socket;
      const wasActive = this.#state === 'active';
      this.#state = 'stopped';
      if (socket === undefined || socket.destroyed) {
        resolve();
        return;
      }
      socket.once('close', () => resolve());
      if (wasActive) this.#send({ type: MessageType.Logout, symbolId: 0, reason: LogoutReason.UserRequested });
      // Read (and ignore) whatever still comes so the close can complete, even for a paused socket.
      socket.resume();
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    });
    return this.#stopped;
  }

  /** The state of every book this subscriber keeps, by symbol. */
  books(): FeedBookReport[] {
    return [...this.#books.entries()].sort((a, b) => a[0] - b[0]).map(([symbolId, b]) => ({
      symbolId, exact: b.exact && !b.partial && this.#rebuildBooks, digest: b.book.digest(), levels: b.book.levelCount,
    }));
  }

  /** The rebuilt book of `symbolId`, if the subscriber has seen the symbol. */
  book(symbolId: number): FeedBook | undefined {
    return this.#books.get(symbolId)?.book;
  }

  /** What it measured so far (counts copied). */
  result(): FeedSubscriberResult {
    return {
      clientId: this.clientId,
      class: this.behaviour.class,
      state: this.#state,
      counts: { ...this.#counts },
      endReasons: { ...this.#endReasons },
      errors: [...this.#errors],
      lastFeedSequence: this.#lastFeedSequence,
      engineClockOffsetNs: this.#offsetNs,
      clockOffsetBoundNs: this.#offsetBoundNs,
      feedViolations: { count: this.#feedViolationCount, first: [...this.#feedViolations], snapshots: this.#snapshotsChecked },
    };
  }

  // ─── connection lifecycle ────────────────────────────────────────────────────────────────

  #connect(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    this.#endReason = undefined;
    this.#outSequence = 0;
    this.#reader = new FrameReader({ maxFrameLength: this.#maxFrameLength });
    this.#counts.connects++;
    const socket: net.Socket = connectSharedReads(this.#host, this.#port, (chunk) => this.#onData(socket, chunk));
    this.#socket = socket;
    this.#connectTimer = setTimeout(() => {
      this.#endReason ??= `no LOGIN_ACK within ${this.#connectTimeoutMs} ms`;
      socket.destroy();
    }, this.#connectTimeoutMs);
    socket.on('connect', () => {
      if (this.#state !== 'connecting') return;
      this.#state = 'loggingIn';
      this.#loginSentNs = monotonicNowNs();
      this.#send({ type: MessageType.Login, symbolId: 0, clientId: this.clientId, heartbeatIntervalMs: this.#heartbeatIntervalMs });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#endReason ??= `connection lost: ${error.code ?? error.message}`;
    });
    socket.on('close', () => this.#onClose(socket));
  }

  #onClose(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#resumeTimer);
    clearTimeout(this.#timer);
    if (this.#state === 'stopped') return;
    const reason = this.#endReason ?? 'connection lost';
    const failedLogin = this.#state === 'connecting' || this.#state === 'loggingIn';
    if (failedLogin) this.#counts.connectFailures++;
    else if (reason === 'churn') this.#counts.churns++;
    else this.#counts.disconnects++;
    const key = reason.split(/[:(]/, 1)[0]?.trim() ?? reason;
    this.#endReasons[key] = (this.#endReasons[key] ?? 0) + 1;
    this.#lastFeedSequence = 0;
    for (const b of this.#books.values()) {
      b.exact = false;
      b.requestedAtMs = -1;
    }
    if (!this.#reconnect && this.behaviour.class !== 'churning') {
      this.#state = 'idle';
      return;
    }
    // Backoff: the minimum after a session that worked (a churn, or an engine that ended it), doubling after failures.
    const delayMs = failedLogin ? this.#backoffMs : this.#minBackoffMs;
    this.#backoffMs = failedLogin ? Math.min(this.#maxBackoffMs, this.#backoffMs * 2) : this.#minBackoffMs;
    this.#state = 'waiting';
    this.#timer = setTimeout(() => this.#connect(), delayMs);
  }

  /** Ends the session from our side: `last` (SESSION_ERROR or LOGOUT) goes out, then the socket ends. */
  #close(reason: string, last?: Message): void {
    const socket = this.#socket;
    if (socket === undefined || this.#state === 'closing' || this.#state === 'stopped') return;
    this.#endReason ??= reason;
    if (last !== undefined) this.#sendMessage(last);
    this.#state = 'closing';
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#timer);
    socket.resume(); // a paused (slow, stalled) socket must read the peer's FIN to close
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
  }

  #protocolError(error: ProtocolError): void {
    this.#counts.protocolErrors++;
    if (error.reason === SessionErrorReason.ChecksumMismatch) this.#counts.checksumErrors++;
    if (this.#errors.length < MAX_ERRORS_KEPT) this.#errors.push(`client ${this.clientId}: ${error.reasonName}: ${error.message}`);
    this.#close(`protocol error ${error.reasonName}`, {
      type: MessageType.SessionError, symbolId: 0, sequence: 0, timestampNs: 0, reason: error.reason, refSequence: error.refSequence,
    });
  }

  #onLoginAck(message: Extract<Message, { type: typeof MessageType.LoginAck }>, receivedNs: number): void {
    clearTimeout(this.#connectTimer);
    this.#state = 'active';
    this.#counts.logins++;
    this.#backoffMs = this.#minBackoffMs;
    if (!this.#fixedOffset) {
      // The engine stamped the ACK between our LOGIN (t0) and its arrival (t1).
      const boundNs = (receivedNs - this.#loginSentNs) / 2;
      if (boundNs < this.#offsetBoundNs) {
        this.#offsetBoundNs = boundNs;
        this.#offsetNs = Math.round(message.timestampNs - (this.#loginSentNs + receivedNs) / 2);
      }
    }
    this.#lastFeedSequence = message.sequence;
    this.#exactSinceLogin = message.sequence === 0;
    this.#lastReceivedMs = performance.now();
    // Joining at n = 0 means every book is empty and exact; later, only a snapshot makes it exact.
    for (const [symbolId, b] of this.#books) {
      b.book.replace([], []);
      b.partial = false;
      b.exact = message.sequence === 0;
      if (!b.exact) this.#requestSnapshot(symbolId, b);
    }
    this.#negotiatedHeartbeatMs = message.heartbeatIntervalMs;
    // The tick also drives the periodic snapshot check, so it runs at least that often (its heartbeat logic goes by elapsed time).
    const tickMs = Math.min(message.heartbeatIntervalMs / 2, this.#snapshotCheckIntervalMs > 0 ? this.#snapshotCheckIntervalMs : Infinity);
    this.#heartbeatTimer = setInterval(() => this.#heartbeatTick(), Math.max(10, tickMs));
    const b = this.behaviour;
    if (b.class === 'stalled') {
      this.#socket?.pause();
    } else if (b.class === 'churning') {
      const connectedMs = this.#rng.exponential(1 / b.meanConnectedMs);
      this.#timer = setTimeout(() => {
        if (this.#state !== 'active') return;
        this.#close('churn', { type: MessageType.Logout, symbolId: 0, sequence: 0, timestampNs: 0, reason: LogoutReason.UserRequested });
      }, connectedMs);
    } else if (b.class === 'slow') {
      this.#allowanceBytes = 0;
      this.#refilledAtMs = performance.now();
    }
  }

  #heartbeatTick(): void {
    if (this.#state !== 'active') return;
    const nowMs = performance.now();
    const intervalMs = this.#negotiatedHeartbeatMs;
    if (nowMs - this.#lastSentMs >= intervalMs * 0.9) this.#send({ type: MessageType.Heartbeat, symbolId: 0 });
    const reads = this.behaviour.class === 'fast' || this.behaviour.class === 'churning';
    if (reads && nowMs - this.#lastReceivedMs > 3 * intervalMs) {
      this.#counts.heartbeatTimeouts++;
      this.#close('heartbeat timeout', {
        type: MessageType.SessionError, symbolId: 0, sequence: 0, timestampNs: 0, reason: SessionErrorReason.HeartbeatTimeout, refSequence: 0,
      });
      return;
    }
    // A snapshot answer may have been dropped by the engine (queue full): ask again after a while.
    if (this.#resync && this.#rebuildBooks) {
      for (const [symbolId, b] of this.#books) if (!b.exact && b.requestedAtMs >= 0 && nowMs - b.requestedAtMs > this.#snapshotRetryMs) this.#requestSnapshot(symbolId, b);
    }
    // The periodic snapshot check: every exact book against the engine's snapshot at one feed sequence.
    if (this.#snapshotCheckIntervalMs > 0 && this.behaviour.class === 'fast' && nowMs - this.#lastSnapshotCheckMs >= this.#snapshotCheckIntervalMs) {
      this.#lastSnapshotCheckMs = nowMs;
      for (const [symbolId, b] of this.#books) if (b.exact) this.#requestSnapshot(symbolId, b);
    }
  }

  // ─── receiving ───────────────────────────────────────────────────────────────────────────

  #onData(socket: net.Socket, chunk: Uint8Array): void {
    if (socket !== this.#socket || this.#state === 'stopped' || this.#state === 'closing') return;
    const receivedNs = monotonicNowNs();
    const nowEngineNs = receivedNs + this.#offsetNs;
    const counts = this.#counts;
    counts.bytes += chunk.length;
    this.#lastReceivedMs = receivedNs / 1e6;
    const reader = this.#reader;
    reader.push(chunk);
    const latency = this.#latency;
    const verifyChecksums = this.#verifyChecksums;
    // Frames of one engine batch share one timestamp: record them as one value with a count.
    let runTimestampNs = -1;
    let runFrames = 0;
    for (;;) {
      // The frame is bytes[at .. at + length): no view object per frame (see FrameReader.nextFrameSpan).
      let length: number;
      try {
        length = reader.nextFrameSpan();
      } catch (error) {
        this.#protocolError(error as ProtocolError);
        break;
      }
      if (length === 0) break;
      const bytes = reader.frameBytes;
      const at = reader.frameOffset;
      counts.frames++;
      const checksumAt = at + length - 4;
      if (verifyChecksums && crc32c(bytes, at, checksumAt) !== u32(bytes, checksumAt)) {
        this.#protocolError(new ProtocolError(SessionErrorReason.ChecksumMismatch,
          `checksum mismatch on a ${length}-byte frame of type 0x${bytes[at + 3]!.toString(16)} after feed sequence ${this.#lastFeedSequence}`));
        break;
      }
      const type = bytes[at + 3]!;
      const feedLength = type === MessageType.LevelUpdate ? LEVEL_UPDATE_LENGTH : type === MessageType.Trade ? TRADE_LENGTH
        : type === MessageType.Quote ? QUOTE_LENGTH : 0;
      if (feedLength === 0 || bytes[at + 2] !== PROTOCOL_VERSION || length !== feedLength) {
        // Not a well-formed feed frame: the codec decides what it is (and what is wrong with it).
        if (runFrames > 0) this.#recordLatency(latency, nowEngineNs - runTimestampNs, runFrames);
        runFrames = 0;
        runTimestampNs = -1;
        let message: Message;
        try {
          message = decode(bytes.subarray(at, at + length), 0, this.#maxFrameLength);
        } catch (error) {
          this.#protocolError(error as ProtocolError);
          break;
        }
        if (!this.#onControl(message, receivedNs)) break;
        continue;
      }
      if (this.#state !== 'active') {
        this.#protocolError(new ProtocolError(SessionErrorReason.UnexpectedMessage, `feed frame of type 0x${type.toString(16)} before LOGIN_ACK`));
        break;
      }
      const sequence = u64(bytes, at + 8);
      const timestampNs = u64(bytes, at + 16);
      if (sequence < 0 || timestampNs < 0) {
        this.#protocolError(new ProtocolError(SessionErrorReason.ValueOutOfRange, 'feed frame sequence or timestamp above 2^53 - 1'));
        break;
      }
      if (!this.#feedSequence(sequence)) break;
      counts.feedFrames++;
      if (type === MessageType.LevelUpdate && this.#rebuildBooks) {
        const symbolId = u32(bytes, at + 4);
        const b = this.#books.get(symbolId) ?? this.#bookOf(symbolId);
        b.book.apply(bytes[at + LEVEL_SIDE]!, i64(bytes, at + LEVEL_PRICE), u64(bytes, at + LEVEL_QUANTITY),
          u32(bytes, at + LEVEL_ORDER_COUNT));
      } else if (this.#rebuildBooks && !this.#books.has(u32(bytes, at + 4))) {
        this.#bookOf(u32(bytes, at + 4));
      }
      if (timestampNs === runTimestampNs) runFrames++;
      else {
        if (runFrames > 0) this.#recordLatency(latency, nowEngineNs - runTimestampNs, runFrames);
        runTimestampNs = timestampNs;
        runFrames = 1;
      }
      if (this.#state !== 'active') break;
    }
    if (runFrames > 0) this.#recordLatency(latency, nowEngineNs - runTimestampNs, runFrames);
    // The chunk is the thread's shared read buffer (connectSharedReads), which the next read overwrites.
    reader.retainUnread();
    if (this.behaviour.class === 'slow' && this.#state === 'active') this.#throttle(socket, chunk.length);
  }

  #recordLatency(histogram: hdr.Histogram, latencyNs: number, frames: number): void {
    if (latencyNs < 0) {
      this.#counts.negativeLatencies += frames;
      histogram.recordValueWithCount(0, frames);
    } else {
      histogram.recordValueWithCount(Math.round(latencyNs), frames);
    }
  }

  /** Slow class: charges `bytes` to the bucket; pauses the socket until a timer has refilled what is owed. */
  #throttle(socket: net.Socket, bytes: number): void {
    if (this.behaviour.class !== 'slow') return;
    const rate = this.behaviour.bytesPerSecond;
    const nowMs = performance.now();
    // At most 100 ms of allowance saved up, so the average rate holds over any second.
    this.#allowanceBytes = Math.min(rate / 10, this.#allowanceBytes + ((nowMs - this.#refilledAtMs) * rate) / 1_000) - bytes;
    this.#refilledAtMs = nowMs;
    if (this.#allowanceBytes >= 0) return;
    socket.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => {
      if (this.#state === 'active' && socket === this.#socket) socket.resume();
    }, Math.ceil((-this.#allowanceBytes / rate) * 1_000));
  }

  /** Checks a feed frame's sequence; false when it ended the session. */
  #feedSequence(sequence: number): boolean {
    const expected = this.#lastFeedSequence + 1;
    if (sequence !== expected) {
      if (sequence < expected) {
        this.#protocolError(new ProtocolError(SessionErrorReason.SequenceGap,
          `feed sequence ${sequence} repeats or goes back (last ${this.#lastFeedSequence})`, sequence));
        return false;
      }
      this.#gap(sequence - expected);
    }
    this.#lastFeedSequence = sequence;
    return true;
  }

  /** A session frame carrying the last feed sequence `n`: frames up to n we never got are a gap. False when it ended the session. */
  #carriedSequence(n: number, what: string): boolean {
    if (n < this.#lastFeedSequence) {
      this.#protocolError(new ProtocolError(SessionErrorReason.SequenceGap,
        `${what} carries feed sequence ${n}, below the last feed frame ${this.#lastFeedSequence}`, n));
      return false;
    }
    if (n > this.#lastFeedSequence) {
      this.#gap(n - this.#lastFeedSequence);
      this.#lastFeedSequence = n;
    }
    return true;
  }

  #gap(frames: number): void {
    const counts = this.#counts;
    counts.gaps++;
    this.#exactSinceLogin = false;
    counts.gapFrames += frames;
    if (frames > counts.maxGapFrames) counts.maxGapFrames = frames;
    for (const [symbolId, b] of this.#books) {
      b.exact = false;
      this.#requestSnapshot(symbolId, b);
    }
  }

  /** Handles a decoded non-feed frame; false when the session is over. */
  #onControl(message: Message, receivedNs: number): boolean {
    switch (message.type) {
      case MessageType.LoginAck:
        if (this.#state !== 'loggingIn') break;
        this.#onLoginAck(message, receivedNs);
        return (this.#state as FeedSubscriberState) === 'active';
      case MessageType.FeedHeartbeat:
        if (this.#state !== 'active') break;
        return this.#carriedSequence(message.sequence, 'FEED_HEARTBEAT');
      case MessageType.BookSnapshot:
        if (this.#state !== 'active') break;
        if (!this.#carriedSequence(message.sequence, 'BOOK_SNAPSHOT')) return false;
        this.#onSnapshot(message);
        return true;
      case MessageType.SessionError: {
        this.#counts.sessionErrors++;
        const reason = `SESSION_ERROR ${codeName(SessionErrorReason, message.reason)}`;
        this.#close(reason);
        return false;
      }
      case MessageType.Logout:
        this.#close(`LOGOUT ${codeName(LogoutReason, message.reason)}`);
        return false;
      default:
        break;
    }
    this.#protocolError(new ProtocolError(SessionErrorReason.UnexpectedMessage,
      `unexpected ${messageLayout(message.type)?.name ?? message.type} in state ${this.#state}`, message.sequence));
    return false;
  }

  #onSnapshot(message: BookSnapshotMessage): void {
    const counts = this.#counts;
    counts.snapshotsReceived++;
    if (!this.#rebuildBooks) return;
    const b = this.#books.get(message.symbolId) ?? this.#bookOf(message.symbolId);
    this.#snapshotsChecked++;
    for (const v of snapshotViolations(message, this.clientId)) this.#feedViolation(v);
    if (b.exact && !b.partial && !b.book.matches(message, this.#snapshotCutPerSide)) {
      counts.bookMismatches++;
      this.#feedViolation({ invariant: 'feed-book-equals-snapshot', symbolId: message.symbolId, feedSequence: message.sequence,
        clientId: this.clientId, message: `the book rebuilt from the feed is ${b.book.digest()}, the snapshot's ${depthDigest(message)}` });
      if (this.#errors.length < MAX_ERRORS_KEPT) {
        this.#errors.push(`client ${this.clientId}: rebuilt book of symbol ${message.symbolId} differs from BOOK_SNAPSHOT as of ${message.sequence}`);
      }
    }
    if (!b.exact) counts.resyncs++;
    b.book.replace(message.bids, message.asks);
    b.partial = message.bids.length >= this.#snapshotCutPerSide || message.asks.length >= this.#snapshotCutPerSide;
    b.exact = true;
    b.requestedAtMs = -1;
  }

  #feedViolation(v: FeedViolation): void {
    this.#feedViolationCount++;
    if (this.#feedViolations.length < MAX_ERRORS_KEPT) this.#feedViolations.push(v);
  }

  /** The book of a symbol, created on first sight: exact only if the session joined the feed at sequence 0 and saw no gap. */
  #bookOf(symbolId: number): SymbolBook {
    const exact = this.#state === 'active' && this.#exactSinceLogin;
    const b: SymbolBook = { book: new FeedBook(), exact, partial: false, requestedAtMs: -1 };
    this.#books.set(symbolId, b);
    if (!exact && this.#state === 'active') this.#requestSnapshot(symbolId, b);
    return b;
  }

  // ─── sending ─────────────────────────────────────────────────────────────────────────────

  #requestSnapshot(symbolId: number, b: SymbolBook): void {
    if (!this.#resync || !this.#rebuildBooks || this.#state !== 'active') return;
    const nowMs = performance.now();
    if (b.requestedAtMs >= 0 && nowMs - b.requestedAtMs < this.#snapshotRetryMs) return;
    b.requestedAtMs = nowMs;
    this.#counts.snapshotsRequested++;
    this.#send({ type: MessageType.SnapshotRequest, symbolId, levels: this.#snapshotLevels });
  }

  /** Numbers, stamps and writes one of our frames. */
  #send(message: DistributiveUnstamped<Message>): void {
    this.#sendMessage({ ...message, sequence: 0, timestampNs: 0 } as Message);
  }

  #sendMessage(message: Message): void {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return;
    message.sequence = ++this.#outSequence;
    message.timestampNs = monotonicNowNs() + (this.#fixedOffset ? this.#offsetNs : 0);
    if (message.timestampNs < 0) message.timestampNs = 0;
    this.#lastSentMs = performance.now();
    socket.write(encode(message, this.#maxFrameLength));
  }

  #clearTimers(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#resumeTimer);
    clearInterval(this.#heartbeatTimer);
  }
}

type DistributiveUnstamped<M> = M extends Message ? Omit<M, 'sequence' | 'timestampNs'> : never;

/** Every problem with `options`, each naming its field; empty when they are usable. */
export function feedSubscriberProblems(options: FeedSubscriberOptions): string[] {
  const problems: string[] = [];
  const intIn = (name: string, value: number | undefined, min: number, max: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      problems.push(`${name} must be an integer in ${min}..${max}, got ${value}`);
    }
  };
  const positive = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(value > 0 && value < Infinity)) problems.push(`${name} must be a finite number > 0, got ${value}`);
  };
  intIn('port', options.port, 1, 65_535);
  intIn('clientId', options.clientId, 0, 0xffff_ffff);
  intIn('heartbeatIntervalMs', options.heartbeatIntervalMs, 100, 60_000);
  intIn('snapshotLevels', options.snapshotLevels, 0, 0xffff);
  intIn('maxFrameLength', options.maxFrameLength, 88, 65_535);
  positive('snapshotRetryMs', options.snapshotRetryMs);
  intIn('snapshotCheckIntervalMs', options.snapshotCheckIntervalMs, 0, 3_600_000);
  positive('minBackoffMs', options.minBackoffMs);
  positive('maxBackoffMs', options.maxBackoffMs);
  positive('connectTimeoutMs', options.connectTimeoutMs);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) problems.push(`seed must be a safe integer, got ${options.seed}`);
  if (options.clockOffset?.kind === 'fixed' && !Number.isSafeInteger(options.clockOffset.engineClockOffsetNs)) {
    problems.push(`clockOffset.engineClockOffsetNs must be a safe integer, got ${options.clockOffset.engineClockOffsetNs}`);
  }
  for (const symbolId of options.symbols ?? []) intIn('symbols[]', symbolId, 0, 0xffff_ffff);
  problems.push(...behaviourProblems(options.behaviour).map((p) => `behaviour.${p}`));
  return problems;
}

/** Every problem with a subscriber class's parameters, each naming its field. */
export function behaviourProblems(behaviour: SubscriberBehaviour): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number): void => {
    if (!(value > 0 && value < Infinity)) problems.push(`${name} must be a finite number > 0, got ${value}`);
  };
  switch (behaviour.class) {
    case 'fast':
    case 'stalled':
      break;
    case 'slow':
      positive('bytesPerSecond', behaviour.bytesPerSecond);
      break;
    case 'churning':
      positive('meanConnectedMs', behaviour.meanConnectedMs);
      positive('minBackoffMs', behaviour.minBackoffMs);
      positive('maxBackoffMs', behaviour.maxBackoffMs);
      if (behaviour.maxBackoffMs < behaviour.minBackoffMs) problems.push(`maxBackoffMs (${behaviour.maxBackoffMs}) must be ≥ minBackoffMs (${behaviour.minBackoffMs})`);
      break;
    default:
      problems.push(`class must be fast, slow, stalled or churning, got ${String((behaviour as { class: unknown }).class)}`);
  }
  return problems;
}
