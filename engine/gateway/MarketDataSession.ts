import { maxSnapshotEntries, snapshotFrameLength, SNAPSHOT_ENTRY_LENGTH } from '../protocol/messageLayouts.js';
import { MessageType, type FeedHeartbeatMessage, type Message, type SnapshotLevel } from '../protocol/messages.js';
import { GatewaySession, type GatewaySessionOptions, type SessionOutput, type Unstamped } from './GatewaySession.js';

/** The outputs of a market-data session: the connection, plus the way to whoever builds snapshots. */
export interface MarketDataOutput extends SessionOutput {
  /**
   * The subscriber asked for the book of `symbolId`, up to `levels` levels per side (0: as many
   * as fit). Answer with {@link MarketDataSession.snapshot}, placed in this subscriber's feed
   * right after the feed frame it is as of.
   */
  snapshotRequest(symbolId: number, levels: number): void;
}

/** Options of a {@link MarketDataSession}; see {@link GatewaySessionOptions} for the rest. */
export interface MarketDataSessionOptions extends GatewaySessionOptions {
  readonly output: MarketDataOutput;
  /**
   * The broadcaster's last issued feed sequence (0 before the first). Feed frames up to it must
   * have been handed to this connection before the session's own frames, which carry it.
   */
  readonly lastFeedSequence: () => number;
}

const FEED_HEARTBEAT: Unstamped<FeedHeartbeatMessage> = { type: MessageType.FeedHeartbeat, symbolId: 0 };

/**
 * One subscriber connection on the market-data port: the session rules of {@link GatewaySession}
 * for the subscriber's frames, SNAPSHOT_REQUEST handed on, and the session's own frames.
 *
 * The feed itself (TRADE, LEVEL_UPDATE, QUOTE) does not pass through here: the broadcaster writes
 * the same bytes to every active subscriber and calls {@link feedWritten}. The session's own
 * frames (LOGIN_ACK, FEED_HEARTBEAT, BOOK_SNAPSHOT, LOGOUT, SESSION_ERROR) consume no sequence:
 * they carry the last feed sequence, a snapshot the one it is as of.
 *
 * ```
 *  subscriber ──frames──► receive ──► checks ──► output.snapshotRequest(symbol, levels) ──► book owner
 *  subscriber ◄──────────── output.send ◄── LOGIN_ACK / FEED_HEARTBEAT / snapshot(...) ◄──────┘
 *  subscriber ◄── broadcaster (TRADE, LEVEL_UPDATE, QUOTE, feed sequence n) ──► feedWritten()
 * ```
 * The broadcaster adds the subscriber on `output.loggedIn`, just after the LOGIN_ACK carrying n
 * went out, so that its first feed frame is n + 1.
 */
export class MarketDataSession extends GatewaySession {
  readonly #output: MarketDataOutput;
  readonly #lastFeedSequence: () => number;

  /** @throws RangeError for a bad `sessionId` or invalid limits. */
  constructor(options: MarketDataSessionOptions) {
    super('marketDataSubscriber', options.output, options);
    this.#output = options.output;
    this.#lastFeedSequence = options.lastFeedSequence;
  }

  /**
   * Sends a BOOK_SNAPSHOT of `symbolId` as of feed sequence `asOfFeedSequence`. When bids and asks
   * together do not fit in one frame of `maxFrameLength`, each side is cut to
   * (maxFrameLength − 36) / 48 levels (84 at 4096), as docs/PROTOCOL.md lays down. Returns false,
   * sending nothing, unless the session is active.
   *
   * @param bids best (highest) first; not changed.
   * @param asks best (lowest) first; not changed.
   * @throws ProtocolError (ValueOutOfRange) if a value does not fit its wire type; nothing is sent.
   */
  snapshot(symbolId: number, asOfFeedSequence: number, bids: readonly SnapshotLevel[], asks: readonly SnapshotLevel[]): boolean {
    const maxFrameLength = this.limits.maxFrameLength;
    const fits = bids.length + asks.length <= maxSnapshotEntries(maxFrameLength);
    const perSide = fits ? Infinity : Math.floor((maxFrameLength - snapshotFrameLength(0)) / (2 * SNAPSHOT_ENTRY_LENGTH));
    return this.transmitWhenActive(
      { type: MessageType.BookSnapshot, symbolId, bids: bids.slice(0, perSide), asks: asks.slice(0, perSide) },
      asOfFeedSequence,
    );
  }

  /** The broadcaster wrote feed frames to this connection: no FEED_HEARTBEAT is due for one more interval. */
  feedWritten(): void {
    this.markSent();
  }

  protected override outboundSequence(): number {
    return this.#lastFeedSequence();
  }

  protected override frameSent(): void {
    // The session's frames consume no feed sequence.
  }

  protected override heartbeat(): Unstamped<FeedHeartbeatMessage> {
    return FEED_HEARTBEAT;
  }

  protected override onRequest(message: Message): void {
    if (message.type !== MessageType.SnapshotRequest) {
      // GatewaySession lets through only the types the layouts list for marketDataSubscriber.
      throw new Error(`unreachable: market-data request of type 0x${message.type.toString(16)}`);
    }
    this.#output.snapshotRequest(message.symbolId, message.levels);
  }
}
