import { describe, expect, it } from 'vitest';
import { RejectReason, SessionErrorReason, Side } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { resealFrame } from '../../engine/protocol/rawFrame.js';
import { concatBytes } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS as rules } from './fuzzRules.js';
import { predictOutcome } from './predictOutcome.js';

const order = (sequence: number, fields: Partial<Extract<Message, { type: 0x10 }>> = {}): Uint8Array => new Uint8Array(encode({
  type: MessageType.NewOrder, symbolId: rules.sweepSymbol.symbolId, sequence, timestampNs: 5, clientOrderId: 9,
  price: 10_000, quantity: 3, side: Side.Buy, orderType: 1, timeInForce: 1, ...fields,
}));
const loggedIn = { loggedIn: true };
const sessionError = (reason: number, refSequence = 2) => ({ kind: 'sessionError', reason, refSequence });

// Each expectation below is read off docs/PROTOCOL.md, not computed: the oracle must agree with the document.
describe('predictOutcome', () => {
  it('expects ACK and a live session for a valid order, with the next sequence', () => {
    expect(predictOutcome(order(2), loggedIn, rules)).toEqual({ answers: [{ type: 'ACK', clientOrderId: 9 }], end: { kind: 'alive', nextSequence: 3 } });
  });

  it('follows the decoding order: length, CRC, version, type, exact length, value range', () => {
    const frame = (edit: (b: Uint8Array) => void, reseal = true): Uint8Array => {
      const b = order(2);
      edit(b);
      if (reseal) resealFrame(b);
      return b;
    };
    expect(predictOutcome(frame((b) => { b[0] = 27; }, false), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.LengthMismatch, 0));
    expect(predictOutcome(frame((b) => { b[0] = 1; b[1] = 0x10; }, false), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.FrameTooLarge, 0));
    expect(predictOutcome(frame((b) => { b[30]! ^= 4; }, false), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.ChecksumMismatch, 0));
    // A bad version and an unknown type together: the version is checked first.
    expect(predictOutcome(frame((b) => { b[2] = 2; b[3] = 0x7f; }), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.UnsupportedVersion));
    expect(predictOutcome(frame((b) => { b[3] = 0x7f; }), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.UnknownMessageType));
    expect(predictOutcome(frame((b) => { b[3] = MessageType.Cancel; }), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.LengthMismatch));
    expect(predictOutcome(frame((b) => { b[51] = 1; }), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.ValueOutOfRange));
    // price = 2^53: outside the safe range, refused by the codec before any REJECT check.
    expect(predictOutcome(frame((b) => { new DataView(b.buffer).setBigInt64(32, 2n ** 53n, true); }), loggedIn, rules).end)
      .toEqual(sessionError(SessionErrorReason.ValueOutOfRange));
  });

  it('expects refSequence 0 for a sequence outside the safe range', () => {
    const b = order(2);
    new DataView(b.buffer).setBigUint64(8, 2n ** 53n, true);
    resealFrame(b);
    expect(predictOutcome(b, loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.ValueOutOfRange, 0));
  });

  it('applies the session rules in order: unexpected type before login state, then sequence', () => {
    const ack = new Uint8Array(encode({ type: MessageType.Ack, symbolId: 0, sequence: 1, timestampNs: 0, clientOrderId: 1, orderId: 1, echoTimestampNs: 0 }));
    expect(predictOutcome(ack, { loggedIn: false }, rules).end).toEqual(sessionError(SessionErrorReason.UnexpectedMessage, 1));
    expect(predictOutcome(order(1), { loggedIn: false }, rules).end).toEqual(sessionError(SessionErrorReason.NotLoggedIn, 1));
    expect(predictOutcome(order(3), loggedIn, rules).end).toEqual(sessionError(SessionErrorReason.SequenceGap, 3));
  });

  it('rejects in the documented check order and tracks live client order ids', () => {
    expect(predictOutcome(order(2, { side: 0, quantity: 0 }), loggedIn, rules).answers).toEqual([{ type: 'REJECT', clientOrderId: 9, reason: RejectReason.InvalidSide }]);
    expect(predictOutcome(order(2, { price: 10_001, quantity: 0 }), loggedIn, rules).answers[0]?.reason).toBe(RejectReason.PriceOffTick);
    expect(predictOutcome(order(2, { price: rules.sweepSymbol.maxPrice, quantity: rules.sweepSymbol.maxQuantity }), loggedIn, rules).answers[0]?.reason)
      .toBe(RejectReason.NotionalOverflow);
    expect(predictOutcome(concatBytes([order(2), order(3)]), loggedIn, rules).answers)
      .toEqual([{ type: 'ACK', clientOrderId: 9 }, { type: 'REJECT', clientOrderId: 9, reason: RejectReason.DuplicateClientOrderId }]);
  });

  it('expects silence while a frame is unfinished', () => {
    expect(predictOutcome(order(2).subarray(0, 30), loggedIn, rules)).toEqual({ answers: [], end: { kind: 'silent' } });
    expect(predictOutcome(order(2).subarray(0, 1), loggedIn, rules).end).toEqual({ kind: 'silent' });
  });
});
