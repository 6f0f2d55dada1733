import { describe, expect, it } from 'vitest';
import { codeName, LogoutReason, SessionErrorReason } from '../protocol/codes.js';
import { headerFields } from '../protocol/messageLayouts.js';
import { MessageType, type Message } from '../protocol/messages.js';
import { resealFrame, writeRawField } from '../protocol/rawFrame.js';
import { framesOf, heartbeat, login, logout, newOrder, snapshotRequest } from './clientFrames.js';
import type { GatewaySession } from './GatewaySession.js';
import { ManualClock } from './ManualClock.js';
import { MarketDataSession } from './MarketDataSession.js';
import { OrderEntrySession } from './OrderEntrySession.js';
import { RecordingOutput } from './RecordingOutput.js';
import type { SessionLimitsOptions } from './sessionLimits.js';

// One contract, the session rules of docs/PROTOCOL.md, run against both kinds of gateway session.

/** How to drive one kind of session through the shared rules. */
interface SessionKind {
  readonly name: string;
  create(output: RecordingOutput, clock: ManualClock, limits: SessionLimitsOptions): GatewaySession;
  /** A well-formed request of this channel that the session hands on. */
  request(sequence: number): Message;
  /** A message type the peer never sends on this channel. */
  foreign(sequence: number): Message;
  /** What the session has handed on so far, in order. */
  forwarded(output: RecordingOutput): readonly unknown[];
  readonly heartbeatType: number;
  /** The engine writes something to the peer (a report, feed frames). */
  keepBusy(session: GatewaySession): void;
  /** Whether the session's frames number 1, 2, 3, … (order entry) or carry the feed sequence (market data). */
  readonly numbersItsFrames: boolean;
}

/** Last feed sequence the market-data broadcaster reports. */
const FEED_SEQUENCE = 1_203;

const kinds: SessionKind[] = [
  {
    name: 'OrderEntrySession',
    create: (output, clock, limits) => new OrderEntrySession({ sessionId: 7, output, clock: clock.read, limits }),
    request: (sequence) => newOrder(sequence),
    foreign: (sequence) => ({
      type: MessageType.Ack,
      symbolId: 3,
      sequence,
      timestampNs: 0,
      clientOrderId: 1,
      orderId: 1,
      echoTimestampNs: 0,
    }),
    forwarded: (output) => output.commands,
    heartbeatType: MessageType.Heartbeat,
    keepBusy: (session) => {
      (session as OrderEntrySession).report({ type: MessageType.Ack, symbolId: 3, clientOrderId: 1, orderId: 1, echoTimestampNs: 0 });
    },
    numbersItsFrames: true,
  },
  {
    name: 'MarketDataSession',
    create: (output, clock, limits) =>
      new MarketDataSession({ sessionId: 7, output, clock: clock.read, limits, lastFeedSequence: () => FEED_SEQUENCE }),
    request: (sequence) => snapshotRequest(sequence),
    foreign: (sequence) => newOrder(sequence),
    forwarded: (output) => output.snapshotRequests,
    heartbeatType: MessageType.FeedHeartbeat,
    keepBusy: (session) => (session as MarketDataSession).feedWritten(),
    numbersItsFrames: false,
  },
];

function setup(kind: SessionKind, limits: SessionLimitsOptions = {}) {
  const clock = new ManualClock();
  const output = new RecordingOutput();
  const session = kind.create(output, clock, limits);
  /** Each argument arrives as one chunk. */
  const feed = (...chunks: (Message | Uint8Array)[]): void => {
    for (const chunk of chunks) session.receive(chunk instanceof Uint8Array ? chunk : framesOf(chunk));
  };
  return { clock, output, session, feed, kind };
}
type Setup = ReturnType<typeof setup>;

/** The frame of `message` with one byte changed and the checksum made right again. */
function patched(message: Message, offset: number, value: number): Uint8Array {
  const frame = framesOf(message);
  frame[offset] = value;
  resealFrame(frame);
  return frame;
}

/** The frame of `message` with `extra` zero bytes before the checksum and its length field saying so. */
function lengthened(message: Message, extra: number): Uint8Array {
  const original = framesOf(message);
  const frame = new Uint8Array(original.length + extra);
  frame.set(original.subarray(0, original.length - 4));
  frame[0] = frame.length & 0xff;
  frame[1] = frame.length >> 8;
  resealFrame(frame);
  return frame;
}

const sequenceField = headerFields.find((f) => f.name === 'sequence')!;

/** One way to make a session end with SESSION_ERROR. */
interface ErrorCase {
  readonly name: string;
  readonly reason: SessionErrorReason;
  readonly refSequence: number;
  /** Requests handed on before the offending frame (none from it). */
  readonly forwarded: number;
  readonly limits?: SessionLimitsOptions;
  run(t: Setup): void;
}

const R = SessionErrorReason;
const errorCases = (kind: SessionKind): ErrorCase[] => [
  { name: 'version 2', reason: R.UnsupportedVersion, refSequence: 2, forwarded: 0, run: (t) => t.feed(login(1), patched(kind.request(2), 2, 2)) },
  { name: 'frame length 27', reason: R.LengthMismatch, refSequence: 0, forwarded: 0, run: (t) => t.feed(login(1), new Uint8Array([27, 0])) },
  { name: 'HEARTBEAT of 32 bytes', reason: R.LengthMismatch, refSequence: 2, forwarded: 0, run: (t) => t.feed(login(1), lengthened(heartbeat(2), 4)) },
  {
    name: 'frame length 4097, refused on its two length bytes',
    reason: R.FrameTooLarge,
    refSequence: 0,
    forwarded: 1,
    run: (t) => t.feed(login(1), kind.request(2), new Uint8Array([0x01, 0x10])),
  },
  { name: 'type 0x7f', reason: R.UnknownMessageType, refSequence: 2, forwarded: 0, run: (t) => t.feed(login(1), patched(kind.request(2), 3, 0x7f)) },
  {
    name: 'a flipped checksum bit',
    reason: R.ChecksumMismatch,
    refSequence: 0,
    forwarded: 0,
    run: (t) => {
      const frame = framesOf(kind.request(2));
      frame[frame.length - 1]! ^= 1;
      t.feed(login(1), frame);
    },
  },
  { name: 'a gap (3 after 1)', reason: R.SequenceGap, refSequence: 3, forwarded: 0, run: (t) => t.feed(login(1), kind.request(3)) },
  { name: 'a repeat (2 after 2)', reason: R.SequenceGap, refSequence: 2, forwarded: 1, run: (t) => t.feed(login(1), kind.request(2), kind.request(2)) },
  { name: 'LOGIN numbered 2', reason: R.SequenceGap, refSequence: 2, forwarded: 0, run: (t) => t.feed(login(2)) },
  { name: 'a HEARTBEAT after the LOGIN numbered 1 again', reason: R.SequenceGap, refSequence: 1, forwarded: 0, run: (t) => t.feed(login(1), heartbeat(1)) },
  {
    name: 'a non-zero reserved field (LOGOUT has no effect)',
    reason: R.ValueOutOfRange,
    refSequence: 2,
    forwarded: 0,
    run: (t) => t.feed(login(1), patched(logout(2), 26, 1)),
  },
  {
    name: 'a sequence above 2^53-1 (refSequence 0: not trusted)',
    reason: R.ValueOutOfRange,
    refSequence: 0,
    forwarded: 0,
    run: (t) => {
      const frame = framesOf(kind.request(2));
      writeRawField(frame, sequenceField, 2n ** 53n);
      resealFrame(frame);
      t.feed(login(1), frame);
    },
  },
  { name: 'a request before LOGIN', reason: R.NotLoggedIn, refSequence: 1, forwarded: 0, run: (t) => t.feed(kind.request(1)) },
  { name: 'a HEARTBEAT before LOGIN', reason: R.NotLoggedIn, refSequence: 1, forwarded: 0, run: (t) => t.feed(heartbeat(1)) },
  { name: 'NotLoggedIn comes before SequenceGap', reason: R.NotLoggedIn, refSequence: 5, forwarded: 0, run: (t) => t.feed(kind.request(5)) },
  {
    name: 'no LOGIN within 2 s',
    reason: R.LoginTimeout,
    refSequence: 0,
    forwarded: 0,
    run: (t) => {
      t.clock.advanceMs(1_999);
      t.session.tick();
      expect(t.output.frames).toEqual([]);
      t.clock.advanceMs(1);
      t.session.tick();
    },
  },
  {
    name: 'bytes that are not yet a LOGIN do not stop the login timeout',
    reason: R.LoginTimeout,
    refSequence: 0,
    forwarded: 0,
    run: (t) => {
      t.feed(framesOf(login(1)).subarray(0, 20));
      t.clock.advanceMs(2_000);
      t.session.tick();
    },
  },
  { name: 'a second LOGIN', reason: R.DuplicateLogin, refSequence: 3, forwarded: 1, run: (t) => t.feed(login(1), kind.request(2), login(3)) },
  { name: 'DuplicateLogin comes before SequenceGap', reason: R.DuplicateLogin, refSequence: 9, forwarded: 0, run: (t) => t.feed(login(1), login(9)) },
  {
    name: 'nothing received for 3 intervals',
    reason: R.HeartbeatTimeout,
    refSequence: 0,
    forwarded: 1,
    run: (t) => {
      t.feed(login(1, 42, 1_000));
      t.clock.advanceMs(500);
      t.feed(kind.request(2));
      for (let i = 0; i < 29; i++) {
        t.clock.advanceMs(100);
        t.session.tick();
      }
      expect(t.session.state).toBe('active'); // 2,900 ms of silence
      t.clock.advanceMs(100);
      t.session.tick();
    },
  },
  {
    name: 'the sixth frame at once with a burst of 5',
    reason: R.RateLimitExceeded,
    refSequence: 6,
    forwarded: 4,
    limits: { maxFramesPerSecond: 1_000, burstFrames: 5 },
    run: (t) => t.feed(framesOf(login(1), kind.request(2), kind.request(3), kind.request(4), kind.request(5), kind.request(6), kind.request(7))),
  },
  { name: 'a foreign type', reason: R.UnexpectedMessage, refSequence: 2, forwarded: 0, run: (t) => t.feed(login(1), kind.foreign(2)) },
  { name: 'a foreign type before LOGIN', reason: R.UnexpectedMessage, refSequence: 1, forwarded: 0, run: (t) => t.feed(kind.foreign(1)) },
  {
    name: 'LOGIN_ACK from the peer',
    reason: R.UnexpectedMessage,
    refSequence: 2,
    forwarded: 0,
    run: (t) => t.feed(login(1), { type: MessageType.LoginAck, symbolId: 0, sequence: 2, timestampNs: 0, sessionId: 1, heartbeatIntervalMs: 1_000 }),
  },
  {
    name: 'FEED_HEARTBEAT from the peer',
    reason: R.UnexpectedMessage,
    refSequence: 2,
    forwarded: 0,
    run: (t) => t.feed(login(1), { type: MessageType.FeedHeartbeat, symbolId: 0, sequence: 2, timestampNs: 0 }),
  },
  { name: 'UnexpectedMessage comes before SequenceGap', reason: R.UnexpectedMessage, refSequence: 8, forwarded: 0, run: (t) => t.feed(login(1), kind.foreign(8)) },
  { name: 'heartbeat interval 99 ms', reason: R.InvalidLogin, refSequence: 1, forwarded: 0, run: (t) => t.feed(login(1, 42, 99)) },
  { name: 'heartbeat interval 60,001 ms', reason: R.InvalidLogin, refSequence: 1, forwarded: 0, run: (t) => t.feed(login(1, 42, 60_001)) },
  { name: 'SequenceGap comes before InvalidLogin', reason: R.SequenceGap, refSequence: 2, forwarded: 0, run: (t) => t.feed(login(2, 42, 0)) },
  {
    name: 'the gateway refuses the LOGIN',
    reason: R.TooManyConnections,
    refSequence: 1,
    forwarded: 0,
    run: (t) => {
      t.output.refuseLoginWith = R.TooManyConnections;
      t.feed(login(1));
      expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.SessionError]); // in place of LOGIN_ACK
      expect(t.output.logins).toEqual([]);
    },
  },
  {
    name: 'the gateway finds the peer does not read',
    reason: R.SlowConsumer,
    refSequence: 0,
    forwarded: 1,
    run: (t) => {
      t.feed(login(1), kind.request(2));
      t.session.abort(R.SlowConsumer, 'send buffer full');
    },
  },
];

describe.each(kinds)('$name (session contract)', (kind) => {
  const cases = errorCases(kind).map((c) => ({ ...c, reasonName: codeName(SessionErrorReason, c.reason) }));
  describe.each(cases)('ends with SESSION_ERROR $reasonName on $name', (c) => {
    it('sends the reason and refSequence, closes once, forwards nothing from the frame, then stays silent', () => {
      const t = setup(kind, c.limits);
      c.run(t);
      const errors = t.output.frames.filter((f) => f.type === MessageType.SessionError);
      expect(errors).toHaveLength(1);
      expect(t.output.frames.filter((f) => f.type === MessageType.Logout)).toEqual([]);
      expect(t.output.lastFrame).toMatchObject({ type: MessageType.SessionError, reason: c.reason, refSequence: c.refSequence });
      expect(t.output.closes).toHaveLength(1);
      expect(t.output.closes[0]).toContain(`SESSION_ERROR ${codeName(SessionErrorReason, c.reason)} (refSequence ${c.refSequence})`);
      expect(t.session.closeReason).toBe(t.output.closes[0]);
      expect(t.session.state).toBe('closing');
      expect(kind.forwarded(t.output)).toHaveLength(c.forwarded);

      const sent = t.output.frames.length;
      t.feed(kind.request(c.forwarded + 2), heartbeat(c.forwarded + 3));
      t.clock.advanceMs(600_000);
      t.session.tick();
      t.session.shutdown();
      t.session.abort(R.SlowConsumer, 'again');
      kind.keepBusy(t.session);
      expect(t.output.frames).toHaveLength(sent);
      expect(t.output.sendsAfterClose).toBe(0);
      expect(t.output.closes).toHaveLength(1);
      expect(kind.forwarded(t.output)).toHaveLength(c.forwarded);
      expect(t.session.nextDeadlineNs).toBe(Infinity);
      t.session.disconnected();
      expect(t.session.state).toBe('closed');
      expect(t.session.closeReason).toBe(t.output.closes[0]);
    });
  });

  it('covers every SESSION_ERROR reason a session can send', () => {
    const covered = new Set(errorCases(kind).map((c) => c.reason));
    expect([...covered].sort((a, b) => a - b)).toEqual(Object.values(SessionErrorReason));
  });

  it('answers a valid LOGIN with LOGIN_ACK carrying the session id and the interval, then reports it logged in', () => {
    const t = setup(kind);
    expect(t.session.state).toBe('awaitingLogin');
    t.feed(login(1, 99, 250));
    expect(t.output.frames).toEqual([
      expect.objectContaining({ type: MessageType.LoginAck, symbolId: 0, sessionId: 7, heartbeatIntervalMs: 250, timestampNs: t.clock.nowNs }),
    ]);
    expect(t.output.calls).toEqual(['admit', 'send LOGIN_ACK', 'loggedIn']);
    expect(t.output.logins).toEqual([99]);
    expect(t.session.state).toBe('active');
    expect(t.session.clientId).toBe(99);
    expect(t.session.heartbeatIntervalMs).toBe(250);
  });

  it.each([100, 60_000])('accepts a heartbeat interval of %i ms, the ends of the range', (intervalMs) => {
    const t = setup(kind);
    t.feed(login(1, 42, intervalMs));
    expect(t.output.lastFrame).toMatchObject({ type: MessageType.LoginAck, heartbeatIntervalMs: intervalMs });
  });

  it('takes a HEARTBEAT as one sequence number and answers nothing', () => {
    const t = setup(kind);
    t.feed(login(1), heartbeat(2), kind.request(3), heartbeat(4), kind.request(5));
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck]);
    expect(kind.forwarded(t.output)).toHaveLength(2);
    expect(t.session.state).toBe('active');
  });

  it('answers LOGOUT UserRequested with LOGOUT UserRequested, closes, and then neither reads nor sends', () => {
    const t = setup(kind);
    t.feed(login(1), kind.request(2), logout(3));
    expect(t.output.lastFrame).toMatchObject({ type: MessageType.Logout, reason: LogoutReason.UserRequested });
    expect(t.output.closes).toEqual([expect.stringContaining('LOGOUT UserRequested')]);
    expect(t.session.state).toBe('closing');
    const sent = t.output.frames.length;
    t.feed(kind.request(4));
    kind.keepBusy(t.session);
    t.clock.advanceMs(10_000);
    t.session.tick();
    expect(t.output.frames).toHaveLength(sent);
    expect(kind.forwarded(t.output)).toHaveLength(1);
    expect(t.session.stats.framesDropped).toBe(kind.numbersItsFrames ? 1 : 0);
  });

  it('takes frames after a LOGOUT in the same chunk as having no effect', () => {
    const t = setup(kind);
    t.feed(framesOf(login(1), logout(2), kind.request(3)));
    expect(kind.forwarded(t.output)).toHaveLength(0);
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck, MessageType.Logout]);
  });

  it('sends LOGOUT Shutdown and closes on shutdown, once', () => {
    const t = setup(kind);
    t.feed(login(1));
    t.session.shutdown();
    t.session.shutdown();
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck, MessageType.Logout]);
    expect(t.output.lastFrame).toMatchObject({ reason: LogoutReason.Shutdown });
    expect(t.output.closes).toHaveLength(1);
  });

  it("closes without answering the peer's SESSION_ERROR", () => {
    const t = setup(kind);
    t.feed(login(1), { type: MessageType.SessionError, symbolId: 0, sequence: 2, timestampNs: 0, reason: R.SequenceGap, refSequence: 5 });
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck]);
    expect(t.output.closes).toEqual(['peer sent SESSION_ERROR SequenceGap (refSequence 5)']);
  });

  it('sends a heartbeat after one idle interval, and again one interval after that', () => {
    const t = setup(kind);
    t.feed(login(1, 42, 1_000));
    const heartbeats = () => t.output.frames.filter((f) => f.type === kind.heartbeatType).length;
    t.clock.advanceMs(999);
    t.session.tick();
    expect(heartbeats()).toBe(0);
    t.clock.advanceMs(1);
    t.session.tick();
    expect(heartbeats()).toBe(1);
    t.clock.advanceMs(500);
    t.session.tick();
    expect(heartbeats()).toBe(1);
    t.feed(heartbeat(2)); // the peer's heartbeats keep the session alive, they do not answer ours
    t.clock.advanceMs(500);
    t.session.tick();
    expect(heartbeats()).toBe(2);
    expect(t.output.lastFrame).toMatchObject({ type: kind.heartbeatType, symbolId: 0, timestampNs: t.clock.nowNs });
  });

  it('sends no heartbeat while it keeps sending, and none before LOGIN', () => {
    const t = setup(kind);
    t.clock.advanceMs(1_500);
    t.session.tick();
    expect(t.output.frames).toEqual([]);
    t.feed(login(1, 42, 1_000));
    for (let i = 1; i <= 20; i++) {
      t.clock.advanceMs(500);
      kind.keepBusy(t.session);
      t.feed(heartbeat(i + 1));
      t.session.tick();
    }
    expect(t.output.frames.filter((f) => f.type === kind.heartbeatType)).toEqual([]);
    expect(t.session.state).toBe('active');
  });

  it("stays up while the peer's heartbeats come within 3 intervals", () => {
    const t = setup(kind);
    t.feed(login(1, 42, 100));
    for (let sequence = 2; sequence < 50; sequence++) {
      t.clock.advanceMs(290);
      t.session.tick();
      t.feed(heartbeat(sequence));
    }
    expect(t.session.state).toBe('active');
  });

  it('keeps up with a sustained rate under the limit', () => {
    const t = setup(kind, { maxFramesPerSecond: 1_000, burstFrames: 2 });
    t.feed(login(1));
    for (let sequence = 2; sequence < 500; sequence++) {
      t.clock.advanceMs(1);
      t.feed(kind.request(sequence));
    }
    expect(t.session.state).toBe('active');
    expect(kind.forwarded(t.output)).toHaveLength(498);
  });

  it('names its next timer: the login timeout, then the earlier of heartbeat due and peer dead', () => {
    const t = setup(kind);
    const start = t.clock.nowNs;
    expect(t.session.nextDeadlineNs).toBe(start + 2_000e6);
    t.clock.advanceMs(10);
    t.feed(login(1, 42, 1_000));
    expect(t.session.nextDeadlineNs).toBe(start + 1_010e6);
    t.clock.advanceMs(1_000);
    t.session.tick(); // heartbeat sent at 1,010 ms
    expect(t.session.nextDeadlineNs).toBe(start + 2_010e6);
    t.clock.advanceMs(1_000);
    t.session.tick();
    t.clock.advanceMs(1_000);
    t.session.tick(); // heartbeat at 3,010; the peer is due dead at 3,010 too
    expect(t.session.state).toBe('closing');
  });

  it('forwards the same requests and sends the same frames however the stream is cut', () => {
    const messages = [login(1), kind.request(2), heartbeat(3), kind.request(4), kind.request(5), logout(6)];
    const stream = framesOf(...messages);
    const run = (cuts: number[]) => {
      const t = setup(kind);
      let from = 0;
      for (const to of [...cuts, stream.length]) {
        t.feed(stream.subarray(from, to));
        from = to;
      }
      return { forwarded: kind.forwarded(t.output), frames: t.output.frames, closes: t.output.closes };
    };
    const whole = run([]);
    expect(whole.forwarded).toHaveLength(3);
    for (let cut = 1; cut < stream.length; cut++) expect(run([cut])).toEqual(whole);
    expect(run(Array.from({ length: stream.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  it('counts frames and bytes both ways', () => {
    const t = setup(kind);
    const bytes = framesOf(login(1), kind.request(2));
    t.feed(bytes);
    kind.keepBusy(t.session);
    const stats = t.session.stats;
    expect(stats).toMatchObject({ state: 'active', framesIn: 2, bytesIn: bytes.length, requestsForwarded: 1, framesDropped: 0 });
    expect(stats.framesOut).toBe(t.output.frames.length);
    expect(stats.bytesOut).toBe(36 * stats.framesOut + (kind.numbersItsFrames ? 52 - 36 : 0)); // LOGIN_ACK (+ ACK)
  });

  it('ends cleanly when the output ends the session from inside send (a full send buffer)', () => {
    const t = setup(kind);
    const send = t.output.send.bind(t.output);
    t.output.send = (frame) => {
      send(frame);
      t.session.abort(R.SlowConsumer, 'send buffer full');
    };
    t.feed(login(1));
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck, MessageType.SessionError]);
    expect(t.output.lastFrame).toMatchObject({ reason: R.SlowConsumer, refSequence: 0 });
    expect(t.output.closes).toHaveLength(1);
    expect(t.output.logins).toEqual([]);
    if (kind.numbersItsFrames) expect(t.output.frames.map((f) => f.sequence)).toEqual([1, 2]);
  });

  it('marks itself closed when the connection drops without a goodbye', () => {
    const t = setup(kind);
    t.feed(login(1));
    t.session.disconnected();
    expect(t.session.state).toBe('closed');
    expect(t.session.closeReason).toBe('connection lost (state active)');
    expect(t.output.closes).toEqual([]);
  });

  it('refuses a session id that is not a u32 and reports every bad limit at once', () => {
    const output = new RecordingOutput();
    const clock = new ManualClock();
    expect(() => kind.create(output, clock, { loginTimeoutMs: 0, burstFrames: 0.5 })).toThrow(/loginTimeoutMs.*burstFrames/);
    expect(() =>
      kind.name === 'OrderEntrySession'
        ? new OrderEntrySession({ sessionId: -1, output })
        : new MarketDataSession({ sessionId: 2 ** 32, output, lastFeedSequence: () => 0 }),
    ).toThrow(RangeError);
  });
});
