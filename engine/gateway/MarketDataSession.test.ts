import { describe, expect, it } from 'vitest';
import { LogoutReason, SessionErrorReason } from '../protocol/codes.js';
import { MessageType, type Message, type SnapshotLevel } from '../protocol/messages.js';
import { framesOf, heartbeat, login, logout, snapshotRequest } from './clientFrames.js';
import { ManualClock } from './ManualClock.js';
import { MarketDataSession } from './MarketDataSession.js';
import { RecordingOutput } from './RecordingOutput.js';
import type { SessionLimitsOptions } from './sessionLimits.js';

function setup(limits: SessionLimitsOptions = {}) {
  const clock = new ManualClock();
  const output = new RecordingOutput();
  const feed = { lastSequence: 0 };
  const session = new MarketDataSession({ sessionId: 9, output, clock: clock.read, limits, lastFeedSequence: () => feed.lastSequence });
  const receive = (...messages: Message[]): void => session.receive(framesOf(...messages));
  return { clock, output, session, feed, receive };
}

/** `count` levels from `price` on, one tick of 5 apart, going `step` (-1 for bids, +1 for asks). */
function levels(count: number, price: number, step: number): SnapshotLevel[] {
  return Array.from({ length: count }, (_, i) => ({ price: price + step * 5 * i, quantity: 100 + i, orderCount: 1 + (i % 4) }));
}

describe('MarketDataSession', () => {
  it('sends LOGIN_ACK with the last feed sequence, then reports the subscriber logged in so its feed starts at n + 1', () => {
    const t = setup();
    t.feed.lastSequence = 1_203;
    t.receive(login(1, 5, 500));
    expect(t.output.frames).toEqual([
      { type: MessageType.LoginAck, symbolId: 0, sequence: 1_203, timestampNs: t.clock.nowNs, sessionId: 9, heartbeatIntervalMs: 500 },
    ]);
    expect(t.output.calls).toEqual(['admit', 'send LOGIN_ACK', 'loggedIn']);
  });

  it('carries the last feed sequence on FEED_HEARTBEAT, LOGOUT and SESSION_ERROR and consumes none', () => {
    const t = setup();
    t.receive(login(1, 5, 100));
    t.feed.lastSequence = 40;
    t.clock.advanceMs(100);
    t.session.tick();
    t.clock.advanceMs(100);
    t.session.tick();
    t.feed.lastSequence = 41;
    t.receive(heartbeat(3)); // a gap
    expect(t.output.frames.map((f) => [f.type, f.sequence])).toEqual([
      [MessageType.LoginAck, 0],
      [MessageType.FeedHeartbeat, 40],
      [MessageType.FeedHeartbeat, 40],
      [MessageType.SessionError, 41],
    ]);
    expect(t.output.lastFrame).toMatchObject({ reason: SessionErrorReason.SequenceGap, refSequence: 3 });

    const u = setup();
    u.feed.lastSequence = 77;
    u.receive(login(1), logout(2));
    expect(u.output.lastFrame).toMatchObject({ type: MessageType.Logout, sequence: 77, reason: LogoutReason.UserRequested });
  });

  it('hands each SNAPSHOT_REQUEST on with its symbol and levels, in order', () => {
    const t = setup();
    t.receive(login(1), snapshotRequest(2, { symbolId: 3, levels: 5 }), heartbeat(3), snapshotRequest(4, { symbolId: 0xffff_ffff, levels: 0 }));
    expect(t.output.snapshotRequests).toEqual([
      { symbolId: 3, levels: 5 },
      { symbolId: 0xffff_ffff, levels: 0 },
    ]);
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck]);
  });

  it('sends a BOOK_SNAPSHOT as of the feed sequence it is given, not the latest', () => {
    const t = setup();
    t.feed.lastSequence = 1_210;
    t.receive(login(1));
    const bids = levels(2, 10_020, -1);
    const asks = levels(2, 10_025, +1);
    expect(t.session.snapshot(3, 1_203, bids, asks)).toBe(true);
    expect(t.output.lastFrame).toEqual({ type: MessageType.BookSnapshot, symbolId: 3, sequence: 1_203, timestampNs: t.clock.nowNs, bids, asks });
  });

  it('keeps both sides whole when together they fit in one frame, however uneven', () => {
    const t = setup();
    t.receive(login(1));
    const bids = levels(159, 10_000, -1);
    const asks = levels(10, 10_005, +1); // 169 entries: exactly 4,092 bytes
    t.session.snapshot(3, 0, bids, asks);
    expect(t.output.lastFrame).toMatchObject({ bids, asks });
  });

  it.each([
    [4_096, 100, 100, 84],
    [4_096, 170, 0, 84],
    [1_000, 40, 5, 20],
  ])('cuts each side to (max − 36) / 48 levels when they do not fit (max %i, %i bids, %i asks → %i per side)', (maxFrameLength, bidCount, askCount, perSide) => {
    const t = setup({ maxFrameLength });
    t.receive(login(1));
    const bids = levels(bidCount, 10_000, -1);
    const asks = levels(askCount, 10_005, +1);
    t.session.snapshot(3, 0, bids, asks);
    expect(t.output.lastFrame).toMatchObject({ bids: bids.slice(0, perSide), asks: asks.slice(0, perSide) });
    expect(bids).toHaveLength(bidCount); // the caller's arrays are left alone
  });

  it('sends no FEED_HEARTBEAT while the broadcaster writes to it', () => {
    const t = setup();
    t.receive(login(1, 5, 1_000));
    for (let i = 0; i < 10; i++) {
      t.clock.advanceMs(900);
      t.session.feedWritten();
      t.receive(heartbeat(i + 2));
      t.session.tick();
    }
    t.clock.advanceMs(999);
    t.session.tick();
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck]);
    t.clock.advanceMs(1);
    t.session.tick();
    expect(t.output.lastFrame?.type).toBe(MessageType.FeedHeartbeat);
  });

  it('sends no snapshot before LOGIN or once closing', () => {
    const t = setup();
    expect(t.session.snapshot(3, 0, [], [])).toBe(false);
    t.receive(login(1));
    t.session.shutdown();
    expect(t.session.snapshot(3, 0, [], [])).toBe(false);
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck, MessageType.Logout]);
    expect(t.session.stats.framesDropped).toBe(2);
  });
});
