import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandKind, type Command } from '../book/Command.js';
import { CancelReason, Liquidity, RejectReason, Side } from '../protocol/codes.js';
import { MessageType, type Message } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/ProtocolError.js';
import { cancel, framesOf, heartbeat, login, logout, newOrder, replace } from './clientFrames.js';
import type { Unstamped } from './GatewaySession.js';
import { ManualClock } from './ManualClock.js';
import { OrderEntrySession, type ExecutionReport } from './OrderEntrySession.js';
import { RecordingOutput } from './RecordingOutput.js';

const SEED = 0x6a7e;
const CLIENT_ID = 42;

function setup() {
  const clock = new ManualClock();
  const output = new RecordingOutput();
  const session = new OrderEntrySession({ sessionId: 7, output, clock: clock.read });
  const feed = (...messages: Message[]): void => session.receive(framesOf(...messages));
  return { clock, output, session, feed };
}

/** The command a request must become: the oracle for the session's mapping. */
function expectedCommand(request: Message, owner: number): Command {
  const base = { symbolId: request.symbolId, owner, timestampNs: request.timestampNs, side: 0, orderType: 0, timeInForce: 0, price: 0, quantity: 0 };
  switch (request.type) {
    case MessageType.NewOrder: {
      const { clientOrderId, side, orderType, timeInForce, price, quantity } = request;
      return { ...base, kind: CommandKind.NewOrder, clientOrderId, side, orderType, timeInForce, price, quantity };
    }
    case MessageType.Cancel:
      return { ...base, kind: CommandKind.Cancel, clientOrderId: request.clientOrderId };
    case MessageType.Replace:
      return { ...base, kind: CommandKind.Replace, clientOrderId: request.clientOrderId, price: request.price, quantity: request.quantity };
    default:
      throw new Error(`not a request: ${request.type}`);
  }
}

const reports: Unstamped<ExecutionReport>[] = [
  { type: MessageType.Ack, symbolId: 3, clientOrderId: 1001, orderId: 880_001, echoTimestampNs: 3_600_001_000_000 },
  {
    type: MessageType.Reject,
    symbolId: 3,
    clientOrderId: 1002,
    echoTimestampNs: 3_600_005_000_000,
    reason: RejectReason.PriceOffTick,
    refMessageType: MessageType.NewOrder,
  },
  {
    type: MessageType.Fill,
    symbolId: 3,
    clientOrderId: 1001,
    orderId: 880_001,
    tradeId: 52_001,
    price: 10_025,
    quantity: 100,
    leavesQuantity: 200,
    echoTimestampNs: 3_600_001_000_000,
    side: Side.Buy,
    liquidity: Liquidity.Taker,
  },
  {
    type: MessageType.Canceled,
    symbolId: 3,
    clientOrderId: 1001,
    orderId: 880_001,
    canceledQuantity: 250,
    echoTimestampNs: 3_600_004_000_000,
    reason: CancelReason.User,
  },
  {
    type: MessageType.Replaced,
    symbolId: 3,
    clientOrderId: 1001,
    orderId: 880_001,
    price: 10_020,
    leavesQuantity: 250,
    echoTimestampNs: 3_600_003_000_000,
  },
];

describe('OrderEntrySession', () => {
  it('turns NEW_ORDER, CANCEL and REPLACE into commands owned by the LOGIN clientId, in order', () => {
    const t = setup();
    const requests = [newOrder(2), replace(3), cancel(4)];
    t.feed(login(1, 77), ...requests);
    expect(t.output.commands).toEqual(requests.map((r) => expectedCommand(r, 77)));
    expect(t.output.commands[0]).toEqual({
      kind: CommandKind.NewOrder,
      symbolId: 3,
      owner: 77,
      clientOrderId: 1002,
      side: Side.Buy,
      orderType: 1,
      timeInForce: 1,
      price: 10_025,
      quantity: 300,
      timestampNs: requests[0]!.timestampNs,
    });
  });

  it("forwards code fields and quantities as they came: REJECT reasons are the matcher's", () => {
    const t = setup();
    const odd = newOrder(2, { symbolId: 999, side: 9, orderType: 0, timeInForce: 200, price: -5, quantity: 0 });
    t.feed(login(1), odd);
    expect(t.output.commands).toEqual([expectedCommand(odd, CLIENT_ID)]);
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck]);
  });

  it('encodes each execution report with its fields, the clock, and the next sequence', () => {
    const t = setup();
    t.feed(login(1));
    for (const report of reports) {
      t.clock.advanceMs(1);
      expect(t.session.report(report)).toBe(true);
    }
    expect(t.output.frames.slice(1)).toEqual(
      reports.map((report, i) => ({ ...report, sequence: i + 2, timestampNs: t.clock.nowNs - (reports.length - 1 - i) * 1e6 })),
    );
  });

  it('answers a command the ring could not take with REJECT EngineBusy, echoing its request', () => {
    const t = setup();
    t.feed(login(1), newOrder(2), cancel(3), replace(4));
    for (const command of t.output.commands) expect(t.session.rejectBusy(command)).toBe(true);
    expect(t.output.frames.slice(1)).toEqual(
      [MessageType.NewOrder, MessageType.Cancel, MessageType.Replace].map((refMessageType, i) => ({
        type: MessageType.Reject,
        symbolId: 3,
        sequence: i + 2,
        timestampNs: t.clock.nowNs,
        clientOrderId: t.output.commands[i]!.clientOrderId,
        echoTimestampNs: t.output.commands[i]!.timestampNs,
        reason: RejectReason.EngineBusy,
        refMessageType,
      })),
    );
  });

  it('numbers every frame it sends 1, 2, 3, … with no gap, whatever kind it is', () => {
    const t = setup();
    t.feed(login(1, CLIENT_ID, 100));
    t.session.report(reports[0]!);
    t.clock.advanceMs(100);
    t.session.tick(); // HEARTBEAT
    t.feed(newOrder(2));
    t.session.rejectBusy(t.output.commands[0]!);
    t.session.report(reports[2]!);
    t.clock.advanceMs(100);
    t.session.tick(); // HEARTBEAT
    t.feed(heartbeat(4)); // a gap: SESSION_ERROR
    expect(t.output.frames.map((f) => f.type)).toEqual([
      MessageType.LoginAck,
      MessageType.Ack,
      MessageType.Heartbeat,
      MessageType.Reject,
      MessageType.Fill,
      MessageType.Heartbeat,
      MessageType.SessionError,
    ]);
    expect(t.output.frames.map((f) => f.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it(`numbers its frames 1, 2, 3, … through any mix of reports, heartbeats and an ending (seed ${SEED})`, () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('report' as const), index: fc.nat({ max: reports.length - 1 }) }),
      fc.record({ op: fc.constant('idle' as const), ms: fc.integer({ min: 1, max: 250 }) }),
      fc.record({ op: fc.constant('request' as const) }),
      fc.record({ op: fc.constant('busy' as const) }),
    );
    const ending = fc.constantFrom('logout', 'shutdown', 'gap', 'none');
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), ending, (steps, end) => {
        const t = setup();
        let sequence = 1;
        t.feed(login(sequence, CLIENT_ID, 100));
        for (const s of steps) {
          if (s.op === 'report') t.session.report(reports[s.index]!);
          if (s.op === 'idle') {
            t.clock.advanceMs(s.ms);
            t.session.tick();
            t.feed(heartbeat(++sequence));
          }
          if (s.op === 'request') t.feed(newOrder(++sequence));
          if (s.op === 'busy' && t.output.commands.length > 0) t.session.rejectBusy(t.output.commands[0]!);
        }
        if (end === 'logout') t.feed(logout(++sequence));
        if (end === 'shutdown') t.session.shutdown();
        if (end === 'gap') t.feed(heartbeat(sequence + 2));
        expect(t.output.frames.map((f) => f.sequence)).toEqual(t.output.frames.map((_, i) => i + 1));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('gives the LOGOUT answer the next sequence', () => {
    const t = setup();
    t.feed(login(1));
    t.session.report(reports[0]!);
    t.feed(logout(2));
    expect(t.output.lastFrame).toMatchObject({ type: MessageType.Logout, sequence: 3 });
  });

  it('sends no report before LOGIN or once closing, and counts what it dropped', () => {
    const t = setup();
    expect(t.session.report(reports[0]!)).toBe(false);
    t.feed(login(1), logout(2));
    expect(t.session.report(reports[0]!)).toBe(false);
    expect(t.session.rejectBusy(expectedCommand(newOrder(3), CLIENT_ID))).toBe(false);
    expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck, MessageType.Logout]);
    expect(t.session.stats.framesDropped).toBe(3);
  });

  it('throws for a report a wire field cannot carry, sending nothing and using no sequence', () => {
    const t = setup();
    t.feed(login(1));
    expect(() => t.session.report({ type: MessageType.Ack, symbolId: 3, clientOrderId: 1, orderId: -1, echoTimestampNs: 0 })).toThrow(ProtocolError);
    t.session.report(reports[0]!);
    expect(t.output.frames.map((f) => f.sequence)).toEqual([1, 2]);
  });

  it("goes on after a REJECT: a refused request is the matcher's business, not a session error", () => {
    const t = setup();
    t.feed(login(1), newOrder(2, { quantity: 0 }));
    const command = t.output.commands[0]!;
    t.session.report({
      type: MessageType.Reject,
      symbolId: command.symbolId,
      clientOrderId: command.clientOrderId,
      echoTimestampNs: command.timestampNs,
      reason: RejectReason.InvalidQuantity,
      refMessageType: MessageType.NewOrder,
    });
    t.feed(newOrder(3));
    expect(t.output.commands).toHaveLength(2);
    expect(t.session.state).toBe('active');
    expect(t.output.frames.some((f) => f.type === MessageType.SessionError)).toBe(false);
  });

  it(`turns random valid request streams, cut anywhere, into exactly their commands in order (seed ${SEED})`, () => {
    const u8 = fc.nat({ max: 0xff });
    const header = { symbolId: fc.nat({ max: 0xffff_ffff }), timestampNs: fc.maxSafeNat() };
    const request = fc.oneof(
      fc.record({
        type: fc.constant(MessageType.NewOrder),
        ...header,
        clientOrderId: fc.maxSafeNat(),
        price: fc.maxSafeInteger(),
        quantity: fc.maxSafeNat(),
        side: u8,
        orderType: u8,
        timeInForce: u8,
      }),
      fc.record({ type: fc.constant(MessageType.Cancel), ...header, clientOrderId: fc.maxSafeNat() }),
      fc.record({ type: fc.constant(MessageType.Replace), ...header, clientOrderId: fc.maxSafeNat(), price: fc.maxSafeInteger(), quantity: fc.maxSafeNat() }),
      fc.record({ type: fc.constant(MessageType.Heartbeat), ...header }),
    );
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.array(request, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), (clientId, drafts, cuts) => {
        const requests = drafts.map((draft, i) => ({ ...draft, sequence: i + 2 }) as Message);
        const stream = framesOf(login(1, clientId), ...requests);
        const t = setup();
        let from = 0;
        for (const to of [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b).concat(stream.length)) {
          t.session.receive(stream.subarray(from, to));
          from = to;
        }
        const expected = requests.filter((r) => r.type !== MessageType.Heartbeat).map((r) => expectedCommand(r, clientId));
        expect(t.output.commands).toEqual(expected);
        expect(t.output.frames.map((f) => f.type)).toEqual([MessageType.LoginAck]);
        expect(t.session.state).toBe('active');
        expect(t.session.stats).toMatchObject({ framesIn: requests.length + 1, bytesIn: stream.length, requestsForwarded: expected.length });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
