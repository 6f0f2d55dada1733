import type net from 'node:net';
import { MarketDataSession, type MarketDataOutput } from '../gateway/MarketDataSession.js';
import { monotonicNowNs, type NsClock } from '../gateway/monotonicNowNs.js';
import type { SessionLimitsOptions } from '../gateway/sessionLimits.js';
import { SessionErrorReason } from '../protocol/codes.js';
import { maxSnapshotEntries, snapshotFrameLength } from '../protocol/messageLayouts.js';
import type { SnapshotLevel } from '../protocol/messages.js';
import type { Broadcaster, FeedSubscriber } from './Broadcaster.js';
import { OutboundQueue } from './OutboundQueue.js';
import type { OutboundLimits } from './outboundLimits.js';

const NS_PER_MS = 1_000_000;

/** What a {@link SubscriberConnection} tells the server that owns it. */
export interface SubscriberConnectionHooks {
  /** A LOGIN passed the protocol checks: a reason refuses it (InvalidLogin for a client id in use), undefined lets it in. */
  admit(connection: SubscriberConnection, clientId: number): SessionErrorReason | undefined;
  /** The LOGIN_ACK went out; the connection is in the fan-out. */
  loggedIn(connection: SubscriberConnection, clientId: number): void;
  /** The session ended (called once): `reason` is one line for the log. The socket may take a while to close. */
  ended(connection: SubscriberConnection, reason: string): void;
  /** The socket is closed (called once, after `ended`). */
  closed(connection: SubscriberConnection): void;
}

/** Options of a {@link SubscriberConnection}. */
export interface SubscriberConnectionOptions {
  readonly socket: net.Socket;
  readonly sessionId: number;
  readonly broadcaster: Broadcaster;
  readonly outbound: OutboundLimits;
  /** Session limits; default those of the session. */
  readonly limits?: SessionLimitsOptions;
  /** Default {@link monotonicNowNs}. */
  readonly clock?: NsClock;
  /** After the session ends, how long the peer has to read its last frames before the socket is destroyed, in ms. */
  readonly closeTimeoutMs: number;
  readonly hooks: SubscriberConnectionHooks;
}

/** Counters of one subscriber connection, for /metrics. */
export interface SubscriberStats {
  readonly sessionId: number;
  /** The LOGIN's client id; undefined before LOGIN. */
  readonly clientId: number | undefined;
  /** Feed frames taken for this subscriber (written or queued). */
  readonly framesSent: number;
  /** Feed frames skipped because the queue was full: the sequence numbers this subscriber misses. */
  readonly framesDropped: number;
  /** Writes refused for a full queue: feed batches, heartbeats, snapshots. */
  readonly writesDropped: number;
  /** Bytes handed to the socket, feed and session frames. */
  readonly bytesWritten: number;
  /** Calls of the socket's `write`: one per batch while the subscriber keeps up. */
  readonly writes: number;
  readonly queuedBytes: number;
  readonly maxQueuedBytes: number;
}

/**
 * One subscriber on the market-data port: its socket, its {@link MarketDataSession}, and the
 * bounded {@link OutboundQueue} every byte to it goes through, in order.
 *
 * ```
 *  socket 'data' ─► session.receive ─► LOGIN ─► hooks.admit ─► LOGIN_ACK ─► broadcaster.subscribe(this)
 *                                  └─► SNAPSHOT_REQUEST ─► broadcaster.requestSnapshot ─► snapshot() ─┐
 *  broadcaster.flush ─► deliver(batch) ──────────────────────────────────────────────────────────────┼─► OutboundQueue ─► socket
 *  server tick ─► tick() ─► session timers (FEED_HEARTBEAT when idle), slow-consumer timer ───────────┘
 * ```
 * A full queue refuses whole batches (the subscriber sees a gap); with the `disconnect` policy,
 * enough refusals in a row, or long enough over the cap, end the session with SESSION_ERROR
 * SlowConsumer. A session's last frame (SESSION_ERROR, LOGOUT) is queued whatever the cap, after
 * everything before it; the socket is then ended, and destroyed after `closeTimeoutMs` if the peer
 * does not read it.
 */
export class SubscriberConnection implements FeedSubscriber {
  readonly session: MarketDataSession;
  /** `address:port` of the peer, for the log. */
  readonly peer: string;
  readonly #socket: net.Socket;
  readonly #broadcaster: Broadcaster;
  readonly #limits: OutboundLimits;
  readonly #clock: NsClock;
  readonly #closeTimeoutMs: number;
  readonly #hooks: SubscriberConnectionHooks;
  readonly #queue: OutboundQueue;
  /** Snapshot levels asked for by SNAPSHOT_REQUEST levels 0: as many as fit one frame. */
  readonly #maxSnapshotLevels: number;
  #framesSent = 0;
  #framesDropped = 0;
  #writesDropped = 0;
  /** Writes refused in a row, and the clock time of the first of them (−1: none). */
  #dropsInRow = 0;
  #overCapSinceNs = -1;
  #ended = false;
  #destroyTimer: NodeJS.Timeout | undefined;
  #socketError: string | undefined;

  /** @throws RangeError for a bad `sessionId` or invalid session limits. */
  constructor(options: SubscriberConnectionOptions) {
    const socket = options.socket;
    this.#socket = socket;
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#broadcaster = options.broadcaster;
    this.#limits = options.outbound;
    this.#clock = options.clock ?? monotonicNowNs;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    this.#hooks = options.hooks;
    this.#queue = new OutboundQueue(socket, options.outbound.capBytes);
    const output: MarketDataOutput = {
      send: (frame) => this.#send(frame),
      close: (reason) => this.#end(reason),
      snapshotRequest: (symbolId, levels) => this.#snapshotRequest(symbolId, levels),
      admit: (clientId) => this.#hooks.admit(this, clientId),
      loggedIn: (clientId) => this.#loggedIn(clientId),
    };
    this.session = new MarketDataSession({
      sessionId: options.sessionId,
      output,
      clock: this.#clock,
      lastFeedSequence: () => this.#broadcaster.lastSequence,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
    this.#maxSnapshotLevels = maxSnapshotEntries(this.session.limits.maxFrameLength);
    socket.on('data', (chunk: Buffer) => this.session.receive(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#socketError = error.code ?? error.message;
    });
    socket.on('close', () => this.#closed());
  }

  /** Counters, read afresh on each call. */
  get stats(): SubscriberStats {
    const queue = this.#queue;
    return {
      sessionId: this.session.sessionId,
      clientId: this.session.clientId,
      framesSent: this.#framesSent,
      framesDropped: this.#framesDropped,
      writesDropped: this.#writesDropped,
      bytesWritten: queue.bytesWritten,
      writes: queue.writes,
      queuedBytes: queue.queuedBytes,
      maxQueuedBytes: queue.maxQueuedBytes,
    };
  }

  /** Runs the session's timers and, with the `disconnect` policy, the time over the cap. Call every few ms. */
  tick(): void {
    this.session.tick();
    if (this.#overCapSinceNs < 0 || this.#ended) return;
    if (this.#queue.queuedBytes === 0) {
      this.#dropsInRow = 0;
      this.#overCapSinceNs = -1;
      return;
    }
    this.#checkSlow(this.#clock());
  }

  /** {@inheritDoc FeedSubscriber.deliver} */
  deliver(batch: Buffer, frames: number): boolean {
    if (this.#offer(batch)) {
      this.#framesSent += frames;
      this.session.feedWritten();
      return true;
    }
    this.#framesDropped += frames;
    return false;
  }

  /** {@inheritDoc FeedSubscriber.snapshot} */
  snapshot(symbolId: number, asOfFeedSequence: number, bids: readonly SnapshotLevel[], asks: readonly SnapshotLevel[]): void {
    this.session.snapshot(symbolId, asOfFeedSequence, bids, asks);
  }

  /** The engine shuts down: LOGOUT Shutdown, then close. */
  shutdown(): void {
    this.session.shutdown();
  }

  /** Closes the socket at once, whatever is queued. */
  destroy(): void {
    this.#socket.destroy();
  }

  /** Takes a chunk for the queue, or counts a refusal and applies the policy. */
  #offer(chunk: Buffer): boolean {
    if (this.#queue.offer(chunk)) {
      this.#dropsInRow = 0;
      this.#overCapSinceNs = -1;
      return true;
    }
    this.#refused();
    return false;
  }

  /** Counts a write refused for a full queue and applies the slow-consumer policy. */
  #refused(): void {
    this.#writesDropped++;
    if (this.#limits.policy === 'disconnect' && !this.#ended) {
      const nowNs = this.#clock();
      if (this.#dropsInRow++ === 0) this.#overCapSinceNs = nowNs;
      this.#checkSlow(nowNs);
    }
  }

  #checkSlow(nowNs: number): void {
    const { disconnectAfterDrops, disconnectAfterMs, capBytes } = this.#limits;
    const overCapMs = (nowNs - this.#overCapSinceNs) / NS_PER_MS;
    if (this.#dropsInRow < disconnectAfterDrops && overCapMs < disconnectAfterMs) return;
    this.session.abort(
      SessionErrorReason.SlowConsumer,
      `${this.#dropsInRow} writes refused in ${Math.round(overCapMs)} ms with ${this.#queue.queuedBytes} bytes unread (cap ${capBytes})`,
    );
  }

  #send(frame: Buffer): void {
    // The session's last frame follows what is queued, whatever the cap; it is one frame.
    if (this.session.state === 'closing') this.#queue.force(frame);
    else this.#offer(frame);
  }

  #snapshotRequest(symbolId: number, levels: number): void {
    const max = this.#maxSnapshotLevels;
    const wanted = levels === 0 || levels > max ? max : levels;
    // A BOOK_SNAPSHOT the queue would refuse is not built: it counts as a refused write at once.
    // A slow subscriber asks again while its last answer still waits behind its backlog; building
    // those answers was the engine's work for nothing (`bench fanout --rates 5000`: 3,300 built a
    // run before this check, 1,800 with it). The size checked is the largest the answer can be:
    // `wanted` levels a side, at most one whole frame.
    if (!this.#queue.fits(snapshotFrameLength(Math.min(2 * wanted, max)))) {
      this.#refused();
      return;
    }
    this.#broadcaster.requestSnapshot(this, symbolId, wanted);
  }

  #loggedIn(clientId: number): void {
    this.#broadcaster.subscribe(this);
    this.#hooks.loggedIn(this, clientId);
  }

  /** The session is over (its last frame, if any, is queued): flush, end, destroy if not read in time. */
  #end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#broadcaster.unsubscribe(this);
    this.#hooks.ended(this, reason);
    this.#queue.flush();
    this.#socket.end();
    this.#destroyTimer = setTimeout(() => this.#socket.destroy(), this.#closeTimeoutMs);
    this.#destroyTimer.unref();
  }

  #closed(): void {
    clearTimeout(this.#destroyTimer);
    this.#queue.discard();
    this.#broadcaster.unsubscribe(this);
    this.session.disconnected();
    if (!this.#ended) {
      this.#ended = true;
      const reason = this.session.closeReason ?? 'connection lost';
      this.#hooks.ended(this, this.#socketError === undefined ? reason : `${reason}: ${this.#socketError}`);
    }
    this.#hooks.closed(this);
  }
}
