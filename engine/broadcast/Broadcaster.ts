import { EVENT_STRIDE, EventKind, type EventBuffer } from '../book/EventBuffer.js';
import type { MarketDataSink } from '../EngineCore.js';
import { monotonicNowNs, type NsClock } from '../gateway/monotonicNowNs.js';
import { encodeInto } from '../protocol/encode.js';
import { messageLayout } from '../protocol/messageLayouts.js';
import {
  MessageType,
  type LevelUpdateMessage,
  type QuoteMessage,
  type SnapshotLevel,
  type TradeMessage,
} from '../protocol/messages.js';

/** The longest feed frame (QUOTE, 60 bytes): the room checked for before encoding the next one. */
const LONGEST_FEED_FRAME = Math.max(
  ...[MessageType.Trade, MessageType.LevelUpdate, MessageType.Quote].map((type) => messageLayout(type)?.frameLength ?? 0),
);

/** A slab holds this many full batches (256 KiB at the default maxBatchBytes). */
const SLAB_BATCHES = 4;

/** One side each of a book's top levels, best first, as a {@link DepthProvider} returns them. */
export interface BookDepth {
  /** Best (highest) first. */
  readonly bids: readonly SnapshotLevel[];
  /** Best (lowest) first. */
  readonly asks: readonly SnapshotLevel[];
}

/**
 * The top `levels` levels per side of `symbolId` (levels ≥ 1) as of the last feed frame handed to
 * the broadcaster, or undefined for a symbol the engine does not trade (it gets an empty
 * snapshot). `Book.depth(levels)` is one.
 */
export type DepthProvider = (symbolId: number, levels: number) => BookDepth | undefined;

/** What the broadcaster needs of one subscriber; the market-data server's connections implement it. */
export interface FeedSubscriber {
  /**
   * Takes one batch of whole feed frames, `frames` of them. The buffer is shared by every
   * subscriber and never changed afterwards: keep it (no copy needed), do not modify it. Returns
   * false when the subscriber dropped the batch (its queue is full); it then misses those
   * sequences.
   */
  deliver(batch: Buffer, frames: number): boolean;
  /** Sends a BOOK_SNAPSHOT as of feed sequence `asOfFeedSequence`, after every batch delivered so far. */
  snapshot(symbolId: number, asOfFeedSequence: number, bids: readonly SnapshotLevel[], asks: readonly SnapshotLevel[]): void;
}

/** Options of a {@link Broadcaster}; each documents its default. */
export interface BroadcasterOptions {
  /** Answers SNAPSHOT_REQUEST. */
  readonly depth: DepthProvider;
  /** Stamps `timestampNs`, once per batch. Default {@link monotonicNowNs}. */
  readonly clock?: NsClock;
  /**
   * Largest batch in bytes: a batch that reaches it is flushed before the next frame, so one
   * batch, and what a subscriber may hold beyond its cap, stays bounded. At least 60 (one QUOTE).
   * Default 65,536 (about 1,100 frames).
   */
  readonly maxBatchBytes?: number;
}

/** The defaults of {@link BroadcasterOptions}. */
export const BROADCASTER_DEFAULTS = { maxBatchBytes: 65_536 } as const;

/** Counters of a {@link Broadcaster}, for /metrics. Totals cover subscribers that have since left. */
export interface BroadcasterStats {
  /** The last feed sequence published (handed to subscribers); 0 before the first. */
  readonly lastSequence: number;
  readonly subscribers: number;
  /** Feed frames (TRADE, LEVEL_UPDATE, QUOTE) encoded, each once; equals `lastSequence` once flushed (less the start, see startAfter). */
  readonly framesPublished: number;
  readonly batchesPublished: number;
  readonly bytesPublished: number;
  /** Feed frames and bytes taken by subscribers, summed over subscribers. */
  readonly framesSent: number;
  readonly bytesSent: number;
  /** Feed frames and batches subscribers dropped, summed over subscribers. */
  readonly framesDropped: number;
  readonly batchesDropped: number;
  readonly snapshotsAnswered: number;
}

interface DeferredSnapshot {
  readonly subscriber: FeedSubscriber;
  readonly symbolId: number;
  readonly levels: number;
}

/**
 * The reference engine's market-data broadcaster: owns the one global feed sequence, encodes each
 * TRADE, LEVEL_UPDATE and QUOTE once, and hands each batch, as one shared buffer, to every
 * subscriber.
 *
 * ```
 *  matcher events ─► trade / levelUpdate / quote / appendEvents ─► encodeInto(slab, sequence n+1, n+2, …)
 *  flush() ─► view of the batch's slab bytes ─┬─► subscriber A.deliver(batch)  ─► one socket write
 *                                             ├─► subscriber B.deliver(batch)  ─► queued (≤ cap) or dropped whole
 *                                             └─► …
 *  SNAPSHOT_REQUEST ─► requestSnapshot ─► depth(symbol, levels) ─► subscriber.snapshot(as of lastSequence)
 * ```
 * Each frame is encoded once, whatever the number of subscribers, into a slab whose bytes are
 * never rewritten, so a flush hands out a view of them, copying nothing, and makes one `deliver`
 * call per subscriber. `deliver` never blocks, so a subscriber that does not read cannot delay
 * the others: it drops batches and sees a gap.
 *
 * Sequence rules (docs/PROTOCOL.md): frames get 1, 2, 3, … across all symbols; {@link lastSequence}
 * is the last one flushed, which a session puts on its LOGIN_ACK, FEED_HEARTBEAT and BOOK_SNAPSHOT.
 * A subscriber added while a batch is open receives that batch at the flush, so after a LOGIN_ACK
 * carrying n its first feed frame is n + 1.
 *
 * Usage: the engine hands over the market-data events of one batch of commands, then calls
 * {@link flush}. Single-threaded: call everything from the thread that owns the sockets.
 */
export class Broadcaster implements MarketDataSink {
  readonly #depth: DepthProvider;
  readonly #clock: NsClock;
  readonly #maxBatchBytes: number;
  /**
   * Frames are encoded straight into a slab, batch after batch; a flushed batch is a view of it
   * that subscribers keep, so bytes are never written twice into one slab. A full slab is left to
   * the views still holding it and a new one is started (the open batch moves along: at most
   * maxBatchBytes copied per slab).
   *
   * Why not `Buffer.allocUnsafe` per batch: small ones are slices of Node's shared 8 KiB pool, and
   * a queued 56-byte batch would pin its whole pool slab along with whatever else lives there.
   * Slabs hold batches only, so a slow subscriber pins its queued bytes plus at most two partly
   * used slabs.
   */
  #slab: Buffer;
  readonly #slabBytes: number;
  /** The open batch is `#slab[#batchStart..#batchEnd)`. */
  #batchStart = 0;
  #batchEnd = 0;
  readonly #subscribers = new Set<FeedSubscriber>();
  readonly #deferred: DeferredSnapshot[] = [];
  // One reusable message per feed type: nothing is allocated per frame.
  readonly #trade: TradeMessage = { type: MessageType.Trade, symbolId: 0, sequence: 0, timestampNs: 0, tradeId: 0, price: 0, quantity: 0, aggressorSide: 0 };
  readonly #levelUpdate: LevelUpdateMessage = { type: MessageType.LevelUpdate, symbolId: 0, sequence: 0, timestampNs: 0, price: 0, quantity: 0, orderCount: 0, side: 0 };
  readonly #quote: QuoteMessage = { type: MessageType.Quote, symbolId: 0, sequence: 0, timestampNs: 0, bidPrice: 0, bidQuantity: 0, askPrice: 0, askQuantity: 0 };
  #batchFrames = 0;
  /**
   * True from the first frame handed over until {@link flush}: the engine is inside one of its
   * batches, and the book may be ahead of the feed. Stays true across flushes of a full batch.
   */
  #open = false;
  #batchTimestampNs = 0;
  #lastSequence = 0;
  #framesPublished = 0;
  #batchesPublished = 0;
  #bytesPublished = 0;
  #framesSent = 0;
  #bytesSent = 0;
  #framesDropped = 0;
  #batchesDropped = 0;
  #snapshotsAnswered = 0;

  /** @throws RangeError for a `maxBatchBytes` below one frame. */
  constructor(options: BroadcasterOptions) {
    const maxBatchBytes = options.maxBatchBytes ?? BROADCASTER_DEFAULTS.maxBatchBytes;
    if (!Number.isInteger(maxBatchBytes) || maxBatchBytes < LONGEST_FEED_FRAME) {
      throw new RangeError(`maxBatchBytes must be an integer ≥ ${LONGEST_FEED_FRAME}, got ${maxBatchBytes}`);
    }
    this.#depth = options.depth;
    this.#clock = options.clock ?? monotonicNowNs;
    this.#maxBatchBytes = maxBatchBytes;
    this.#slabBytes = SLAB_BATCHES * maxBatchBytes;
    this.#slab = Buffer.allocUnsafeSlow(this.#slabBytes);
  }

  /** The last feed sequence flushed to subscribers; 0 before the first. Frames of an open batch are above it. */
  get lastSequence(): number {
    return this.#lastSequence;
  }

  /**
   * Starts the feed above `lastSequence` instead of 0, before anything is published: a restarted
   * engine whose books were recovered from its journal must not send LOGIN_ACK carrying 0, which
   * tells a subscriber that every book is empty (it would skip the snapshot it needs).
   *
   * @throws Error once frames have been encoded; RangeError if `lastSequence` is not a safe integer ≥ 0.
   */
  startAfter(lastSequence: number): void {
    if (this.#framesPublished > 0 || this.#batchFrames > 0) throw new Error('the feed has already begun');
    if (!Number.isSafeInteger(lastSequence) || lastSequence < 0) throw new RangeError(`lastSequence must be a safe integer ≥ 0, got ${lastSequence}`);
    this.#lastSequence = lastSequence;
  }

  /** Subscribers in the fan-out. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Adds a subscriber: it receives every batch flushed from now on, the open one included. */
  subscribe(subscriber: FeedSubscriber): void {
    this.#subscribers.add(subscriber);
  }

  /** Removes a subscriber; it receives nothing more, answers to pending snapshot requests included. */
  unsubscribe(subscriber: FeedSubscriber): void {
    this.#subscribers.delete(subscriber);
    const deferred = this.#deferred;
    for (let i = deferred.length - 1; i >= 0; i--) if (deferred[i]?.subscriber === subscriber) deferred.splice(i, 1);
  }

  /**
   * TRADE. Fields as in docs/PROTOCOL.md.
   *
   * @throws ProtocolError (ValueOutOfRange) for a value its wire type cannot carry; no sequence is used.
   */
  trade(symbolId: number, tradeId: number, price: number, quantity: number, aggressorSide: number): void {
    const m = this.#trade;
    m.timestampNs = this.#beginFrame();
    m.symbolId = symbolId;
    m.sequence = this.#lastSequence + this.#batchFrames + 1;
    m.tradeId = tradeId;
    m.price = price;
    m.quantity = quantity;
    m.aggressorSide = aggressorSide;
    this.#batchEnd += encodeInto(m, this.#slab, this.#batchEnd);
    this.#batchFrames++;
  }

  /**
   * LEVEL_UPDATE.
   *
   * @throws ProtocolError (ValueOutOfRange) for a value its wire type cannot carry; no sequence is used.
   */
  levelUpdate(symbolId: number, side: number, price: number, quantity: number, orderCount: number): void {
    const m = this.#levelUpdate;
    m.timestampNs = this.#beginFrame();
    m.symbolId = symbolId;
    m.sequence = this.#lastSequence + this.#batchFrames + 1;
    m.side = side;
    m.price = price;
    m.quantity = quantity;
    m.orderCount = orderCount;
    this.#batchEnd += encodeInto(m, this.#slab, this.#batchEnd);
    this.#batchFrames++;
  }

  /**
   * QUOTE. An empty side is price 0, quantity 0.
   *
   * @throws ProtocolError (ValueOutOfRange) for a value its wire type cannot carry; no sequence is used.
   */
  quote(symbolId: number, bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): void {
    const m = this.#quote;
    m.timestampNs = this.#beginFrame();
    m.symbolId = symbolId;
    m.sequence = this.#lastSequence + this.#batchFrames + 1;
    m.bidPrice = bidPrice;
    m.bidQuantity = bidQuantity;
    m.askPrice = askPrice;
    m.askQuantity = askQuantity;
    this.#batchEnd += encodeInto(m, this.#slab, this.#batchEnd);
    this.#batchFrames++;
  }

  /**
   * The market-data records (Trade, LevelUpdate, Quote) among `events[from..to)`, in order, read
   * straight from the records without making event objects; execution-report kinds are skipped.
   * Does not flush.
   *
   * @throws RangeError for a range outside `0..events.length`.
   */
  appendEvents(events: EventBuffer, from = 0, to: number = events.length): void {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > events.length || from > to) {
      throw new RangeError(`event range ${from}..${to} is outside 0..${events.length}`);
    }
    const d = events.data;
    // Record layout: sequence, kind, symbolId, then the fields in the order EventBuffer's
    // trade / levelUpdate / quote writers store them.
    for (let at = from * EVENT_STRIDE, end = to * EVENT_STRIDE; at < end; at += EVENT_STRIDE) {
      switch (d[at + 1]) {
        case EventKind.Trade:
          this.trade(d[at + 2]!, d[at + 3]!, d[at + 4]!, d[at + 5]!, d[at + 6]!);
          break;
        case EventKind.LevelUpdate:
          this.levelUpdate(d[at + 2]!, d[at + 3]!, d[at + 4]!, d[at + 5]!, d[at + 6]!);
          break;
        case EventKind.Quote:
          this.quote(d[at + 2]!, d[at + 3]!, d[at + 4]!, d[at + 5]!, d[at + 6]!);
          break;
        default:
          break;
      }
    }
  }

  /**
   * The engine's batch is over: its frames become published ({@link lastSequence} moves to the
   * last of them) and go, as one buffer, to every subscriber. Then answers the snapshot requests
   * that came in while it was open, now that book and feed agree.
   */
  flush(): void {
    this.#publishBatch();
    this.#open = false;
    const deferred = this.#deferred;
    while (deferred.length > 0) {
      const request = deferred.shift() as DeferredSnapshot;
      this.#answer(request.subscriber, request.symbolId, request.levels);
    }
  }

  /**
   * A subscriber's SNAPSHOT_REQUEST: the book of `symbolId`, `levels` per side (≥ 1; the caller
   * turns 0 into what fits its frame), as of {@link lastSequence}. Answered at once between the
   * engine's batches; while one is open (frames handed over, no flush yet), at its flush, so that
   * the book and the sequence agree.
   *
   * @throws RangeError if `levels` is not a positive integer.
   */
  requestSnapshot(subscriber: FeedSubscriber, symbolId: number, levels: number): void {
    if (!Number.isInteger(levels) || levels < 1) throw new RangeError(`levels must be a positive integer, got ${levels}`);
    if (this.#open) this.#deferred.push({ subscriber, symbolId, levels });
    else this.#answer(subscriber, symbolId, levels);
  }

  /** Counters, read afresh on each call. */
  stats(): BroadcasterStats {
    return {
      lastSequence: this.#lastSequence,
      subscribers: this.#subscribers.size,
      framesPublished: this.#framesPublished,
      batchesPublished: this.#batchesPublished,
      bytesPublished: this.#bytesPublished,
      framesSent: this.#framesSent,
      bytesSent: this.#bytesSent,
      framesDropped: this.#framesDropped,
      batchesDropped: this.#batchesDropped,
      snapshotsAnswered: this.#snapshotsAnswered,
    };
  }

  /** Publishes the frames encoded since the last publish, if any, as one batch. */
  #publishBatch(): void {
    const frames = this.#batchFrames;
    if (frames > 0) {
      const start = this.#batchStart;
      const bytes = this.#batchEnd - start;
      this.#batchStart = this.#batchEnd;
      this.#lastSequence += frames;
      this.#batchFrames = 0;
      this.#framesPublished += frames;
      this.#batchesPublished++;
      this.#bytesPublished += bytes;
      if (this.#subscribers.size > 0) {
        // A view subscribers may keep as long as they need: these slab bytes are never written again.
        const batch = this.#slab.subarray(start, start + bytes);
        // A subscriber cut off inside deliver leaves the set; Set iteration allows that.
        for (const subscriber of this.#subscribers) {
          if (subscriber.deliver(batch, frames)) {
            this.#framesSent += frames;
            this.#bytesSent += bytes;
          } else {
            this.#framesDropped += frames;
            this.#batchesDropped++;
          }
        }
      }
    }
  }

  /** Makes room for one more frame (flushing a full batch, starting a new slab) and returns the batch's timestamp. */
  #beginFrame(): number {
    this.#open = true;
    if (this.#batchEnd - this.#batchStart + LONGEST_FEED_FRAME > this.#maxBatchBytes) this.#publishBatch();
    if (this.#batchEnd + LONGEST_FEED_FRAME > this.#slabBytes) this.#newSlab();
    // One clock reading per batch: its frames are encoded within microseconds of each other.
    if (this.#batchFrames === 0) this.#batchTimestampNs = this.#clock();
    return this.#batchTimestampNs;
  }

  #newSlab(): void {
    const slab = Buffer.allocUnsafeSlow(this.#slabBytes);
    this.#slab.copy(slab, 0, this.#batchStart, this.#batchEnd);
    this.#batchEnd -= this.#batchStart;
    this.#batchStart = 0;
    this.#slab = slab;
  }

  #answer(subscriber: FeedSubscriber, symbolId: number, levels: number): void {
    if (!this.#subscribers.has(subscriber)) return;
    const depth = this.#depth(symbolId, levels);
    subscriber.snapshot(symbolId, this.#lastSequence, depth?.bids ?? [], depth?.asks ?? []);
    this.#snapshotsAnswered++;
  }
}
