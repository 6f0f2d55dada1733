import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../book/EventBuffer.js';
import { ManualClock } from '../gateway/ManualClock.js';
import { ProtocolError } from '../protocol/ProtocolError.js';
import { FrameReader } from '../protocol/FrameReader.js';
import { MessageType, type Message, type SnapshotLevel, type TradeMessage } from '../protocol/messages.js';
import { Broadcaster, type BookDepth, type FeedSubscriber } from './Broadcaster.js';

/** A subscriber that keeps every batch and snapshot, and takes batches while `accepting`. */
class RecordingSubscriber implements FeedSubscriber {
  readonly batches: { batch: Buffer; frames: number }[] = [];
  readonly snapshots: { symbolId: number; asOf: number; bids: readonly SnapshotLevel[]; asks: readonly SnapshotLevel[] }[] = [];
  /** Everything in order: `batch <first>..<last>` or `snapshot <symbol>@<asOf>`. */
  readonly log: string[] = [];
  accepting = true;

  deliver(batch: Buffer, frames: number): boolean {
    if (!this.accepting) return false;
    this.batches.push({ batch, frames });
    const messages = decodeAll(batch);
    this.log.push(`batch ${messages[0]?.sequence}..${messages.at(-1)?.sequence}`);
    return true;
  }

  snapshot(symbolId: number, asOf: number, bids: readonly SnapshotLevel[], asks: readonly SnapshotLevel[]): void {
    this.snapshots.push({ symbolId, asOf, bids, asks });
    this.log.push(`snapshot ${symbolId}@${asOf}`);
  }

  messages(): Message[] {
    return this.batches.flatMap((b) => decodeAll(b.batch));
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function decodeAll(bytes: Uint8Array): Message[] {
  const reader = new FrameReader();
  reader.push(bytes);
  const out: Message[] = [];
  for (let m = reader.next(); m !== undefined; m = reader.next()) out.push(m);
  return out;
}

const BOOK: BookDepth = {
  bids: [{ price: 10_020, quantity: 250, orderCount: 1 }, { price: 10_015, quantity: 1_200, orderCount: 4 }],
  asks: [{ price: 10_025, quantity: 400, orderCount: 3 }],
};

function setup(maxBatchBytes?: number) {
  const clock = new ManualClock();
  const depthCalls: [number, number][] = [];
  const broadcaster = new Broadcaster({
    clock: clock.read,
    depth: (symbolId, levels) => {
      depthCalls.push([symbolId, levels]);
      return symbolId === 3 ? BOOK : undefined;
    },
    ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }),
  });
  return { clock, broadcaster, depthCalls };
}

describe('Broadcaster', () => {
  it('encodes each frame once with the next feed sequence and hands every subscriber the same batch buffer', () => {
    const { broadcaster, clock } = setup();
    const a = new RecordingSubscriber();
    const b = new RecordingSubscriber();
    broadcaster.subscribe(a);
    broadcaster.subscribe(b);
    broadcaster.trade(3, 52_001, 10_025, 100, 1);
    broadcaster.levelUpdate(3, 2, 10_025, 400, 3);
    broadcaster.quote(3, 10_020, 250, 10_025, 400);
    expect(broadcaster.lastSequence).toBe(0); // not published until the flush
    broadcaster.flush();
    broadcaster.quote(4, 0, 0, 500, 1);
    broadcaster.flush();

    const t = clock.nowNs;
    expect(a.messages()).toEqual([
      { type: MessageType.Trade, symbolId: 3, sequence: 1, timestampNs: t, tradeId: 52_001, price: 10_025, quantity: 100, aggressorSide: 1 },
      { type: MessageType.LevelUpdate, symbolId: 3, sequence: 2, timestampNs: t, price: 10_025, quantity: 400, orderCount: 3, side: 2 },
      { type: MessageType.Quote, symbolId: 3, sequence: 3, timestampNs: t, bidPrice: 10_020, bidQuantity: 250, askPrice: 10_025, askQuantity: 400 },
      { type: MessageType.Quote, symbolId: 4, sequence: 4, timestampNs: t, bidPrice: 0, bidQuantity: 0, askPrice: 500, askQuantity: 1 },
    ]);
    expect(a.batches.map((x) => x.frames)).toEqual([3, 1]);
    expect(a.batches.map((x) => x.batch)).toEqual(b.batches.map((x) => x.batch));
    expect(a.batches[0]?.batch).toBe(b.batches[0]?.batch); // one buffer, not a copy per subscriber
    expect(broadcaster.lastSequence).toBe(4);
    expect(broadcaster.stats()).toMatchObject({ framesPublished: 4, batchesPublished: 2, bytesPublished: 56 + 52 + 60 + 60,
      framesSent: 8, bytesSent: 2 * 228, framesDropped: 0 });
  });

  it('feeds a subscriber added while a batch is open from that batch on, so its first frame is lastSequence + 1', () => {
    const { broadcaster } = setup();
    const early = new RecordingSubscriber();
    broadcaster.subscribe(early);
    broadcaster.trade(3, 1, 10_000, 1, 1);
    broadcaster.flush();
    broadcaster.trade(3, 2, 10_000, 1, 1);
    const late = new RecordingSubscriber();
    const loginAckSequence = broadcaster.lastSequence;
    broadcaster.subscribe(late);
    broadcaster.flush();
    expect(loginAckSequence).toBe(1);
    expect(late.messages().map((m) => m.sequence)).toEqual([2]);
    expect(early.messages().map((m) => m.sequence)).toEqual([1, 2]);
  });

  it('publishes the market-data records of an EventBuffer range, skipping execution reports, as the single calls would', () => {
    const events = new EventBuffer(4);
    events.accepted(3, 42, 1_001, 1, 1, 1, 1, 10_025, 300, 5);
    events.match(3, 7, 10_025, 100, 1, 43, 2_001, 2, 0, 42, 1_001, 1, 200, 5);
    events.levelUpdate(3, 2, 10_025, 0, 0);
    events.canceled(3, 42, 1_001, 1, 200, 1, 5);
    events.quote(3, 10_000, 10, 0, 0);
    events.rejected(5, 42, 9, 1, 0x10, 6);
    events.trade(5, 8, -3, 2, 2, 9, 10);

    const viaRecords = setup();
    const r = new RecordingSubscriber();
    viaRecords.broadcaster.subscribe(r);
    viaRecords.broadcaster.appendEvents(events, 1); // skips the first record
    viaRecords.broadcaster.flush();

    const viaCalls = setup();
    const c = new RecordingSubscriber();
    viaCalls.broadcaster.subscribe(c);
    for (const e of events.events().slice(1)) {
      if (e.kind === 6) viaCalls.broadcaster.trade(e.symbolId, e.tradeId, e.price, e.quantity, e.aggressorSide);
      if (e.kind === 7) viaCalls.broadcaster.levelUpdate(e.symbolId, e.side, e.price, e.quantity, e.orderCount);
      if (e.kind === 8) viaCalls.broadcaster.quote(e.symbolId, e.bidPrice, e.bidQuantity, e.askPrice, e.askQuantity);
    }
    viaCalls.broadcaster.flush();

    expect(r.batches[0]?.batch).toEqual(c.batches[0]?.batch);
    expect(r.messages().map((m) => [m.type, m.symbolId, m.sequence])).toEqual([
      [MessageType.Trade, 3, 1],
      [MessageType.LevelUpdate, 3, 2],
      [MessageType.Quote, 3, 3],
      [MessageType.Trade, 5, 4],
    ]);
    expect(() => viaRecords.broadcaster.appendEvents(events, 2, 99)).toThrow(RangeError);
  });

  it('flushes by itself before a batch outgrows maxBatchBytes, never cutting a frame, and leaves delivered batches untouched', () => {
    const { broadcaster } = setup(200); // slabs of 800 bytes: the 7th batch starts in one and ends in the next
    const s = new RecordingSubscriber();
    broadcaster.subscribe(s);
    for (let i = 0; i < 20; i++) broadcaster.trade(3, i + 1, 10_000 + i, 1, 1); // 56 bytes each
    broadcaster.flush();
    expect(s.batches.map((b) => b.batch.length)).toEqual([168, 168, 168, 168, 168, 168, 112]);
    expect(s.messages().map((m) => [m.sequence, (m as TradeMessage).price])).toEqual(range(1, 20).map((n) => [n, 9_999 + n]));
    expect(() => new Broadcaster({ depth: () => undefined, maxBatchBytes: 59 })).toThrow(RangeError);
  });

  it('uses no sequence for a frame it cannot encode', () => {
    const { broadcaster } = setup();
    const s = new RecordingSubscriber();
    broadcaster.subscribe(s);
    broadcaster.trade(3, 1, 10_000, 1, 1);
    expect(() => broadcaster.trade(3, 2, 10_000, -1, 1)).toThrow(ProtocolError);
    broadcaster.quote(3, 1, 1, 2, 1);
    broadcaster.flush();
    expect(s.messages().map((m) => [m.type, m.sequence])).toEqual([[MessageType.Trade, 1], [MessageType.Quote, 2]]);
  });

  it('counts the batches a subscriber refuses, without holding up the others', () => {
    const { broadcaster } = setup();
    const slow = new RecordingSubscriber();
    const fast = new RecordingSubscriber();
    broadcaster.subscribe(slow);
    broadcaster.subscribe(fast);
    slow.accepting = false;
    for (let i = 0; i < 3; i++) {
      broadcaster.trade(3, i + 1, 10_000, 1, 1);
      broadcaster.trade(3, i + 1, 10_000, 1, 1);
      broadcaster.flush();
    }
    expect(fast.messages()).toHaveLength(6);
    expect(broadcaster.stats()).toMatchObject({ framesSent: 6, framesDropped: 6, batchesDropped: 3 });
  });

  it('answers a snapshot request at once between batches, and after the flush while a batch is open, as of the last flushed sequence', () => {
    const { broadcaster, depthCalls } = setup();
    const s = new RecordingSubscriber();
    broadcaster.subscribe(s);
    broadcaster.trade(3, 1, 10_000, 1, 1);
    broadcaster.flush();
    broadcaster.requestSnapshot(s, 3, 5);
    broadcaster.levelUpdate(3, 1, 10_020, 250, 1);
    broadcaster.requestSnapshot(s, 9, 1); // arrives mid-batch: waits for the flush
    broadcaster.levelUpdate(3, 1, 10_015, 1_200, 4);
    broadcaster.flush();
    expect(s.log).toEqual(['batch 1..1', 'snapshot 3@1', 'batch 2..3', 'snapshot 9@3']);
    expect(depthCalls).toEqual([[3, 5], [9, 1]]);
    expect(s.snapshots[0]).toEqual({ symbolId: 3, asOf: 1, bids: BOOK.bids, asks: BOOK.asks });
    expect(s.snapshots[1]).toEqual({ symbolId: 9, asOf: 3, bids: [], asks: [] }); // a symbol not traded: empty
    expect(() => broadcaster.requestSnapshot(s, 3, 0)).toThrow(RangeError);
  });

  it('keeps a snapshot request made inside the engine\'s batch for its flush, even when a full batch went out before', () => {
    const { broadcaster } = setup(200); // three trades per batch
    const s = new RecordingSubscriber();
    broadcaster.subscribe(s);
    broadcaster.trade(3, 1, 10_000, 1, 1);
    broadcaster.requestSnapshot(s, 3, 5);
    for (let i = 2; i <= 5; i++) broadcaster.trade(3, i, 10_000, 1, 1);
    expect(s.log).toEqual(['batch 1..3']); // published, but the engine has not finished its batch
    broadcaster.flush();
    expect(s.log).toEqual(['batch 1..3', 'batch 4..5', 'snapshot 3@5']);
  });

  it('drops pending snapshot answers of a subscriber that left', () => {
    const { broadcaster } = setup();
    const s = new RecordingSubscriber();
    broadcaster.subscribe(s);
    broadcaster.trade(3, 1, 10_000, 1, 1);
    broadcaster.requestSnapshot(s, 3, 5);
    broadcaster.unsubscribe(s);
    broadcaster.flush();
    expect(s.log).toEqual([]);
  });
});
