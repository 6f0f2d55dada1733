import { describe, expect, it } from 'vitest';
import { RejectReason, SessionErrorReason } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import type { ExpectedOutcome } from './FuzzCase.js';
import { judgeOutcome } from './judgeOutcome.js';
import type { ObservedFrame } from './playFuzzCase.js';

const ack = (clientOrderId: number): ObservedFrame => ({ name: 'ACK', type: MessageType.Ack, clientOrderId });
const reject = (clientOrderId: number, reason: number): ObservedFrame => ({ name: 'REJECT', type: MessageType.Reject, clientOrderId, reason });
const sessionError = (reason: number): ObservedFrame => ({ name: 'SESSION_ERROR', type: MessageType.SessionError, reason });
const logout: ObservedFrame = { name: 'LOGOUT', type: MessageType.Logout, reason: 1 };
const checksum: ExpectedOutcome = { answers: [{ type: 'ACK', clientOrderId: 1 }], end: { kind: 'sessionError', reason: SessionErrorReason.ChecksumMismatch } };
const duplicate: ExpectedOutcome = {
  answers: [{ type: 'ACK', clientOrderId: 7 }, { type: 'REJECT', clientOrderId: 7, reason: RejectReason.DuplicateClientOrderId }],
  end: { kind: 'alive', nextSequence: 4 },
};

describe('judgeOutcome', () => {
  it('takes a BOOK_SNAPSHOT of the symbol asked for within the levels asked for, and names one that is not', () => {
    const asked: ExpectedOutcome = { answers: [{ type: 'BOOK_SNAPSHOT', symbolId: 72, maxLevelsPerSide: 2 }], end: { kind: 'alive', nextSequence: 3 } };
    const snapshot = (symbolId: number, bids: number, asks: number): ObservedFrame =>
      ({ name: 'BOOK_SNAPSHOT', type: MessageType.BookSnapshot, symbolId, bids, asks });
    // Feed frames in between are not answers.
    const trade: ObservedFrame = { name: 'TRADE', type: MessageType.Trade };
    expect(judgeOutcome(asked, { frames: [trade, snapshot(72, 2, 0), logout], closed: true })).toBeUndefined();
    expect(judgeOutcome(asked, { frames: [snapshot(72, 3, 0), logout], closed: true }))
      .toMatch(/expected \[BOOK_SNAPSHOT \(symbol 72, ≤ 2 levels a side\)\], got \[BOOK_SNAPSHOT \(symbol 72, 3 bids, 0 asks\)\]/);
    expect(judgeOutcome(asked, { frames: [snapshot(71, 1, 1), logout], closed: true })).toMatch(/got \[BOOK_SNAPSHOT \(symbol 71/);
  });

  it('passes the prescribed SESSION_ERROR then close, with or without the answers cut off by it', () => {
    expect(judgeOutcome(checksum, { frames: [ack(1), sessionError(5)], closed: true })).toBeUndefined();
    expect(judgeOutcome(checksum, { frames: [sessionError(5)], closed: true })).toBeUndefined();
  });

  it('names the wrong reason, a missing close and a missing SESSION_ERROR', () => {
    expect(judgeOutcome(checksum, { frames: [sessionError(2)], closed: true })).toMatch(/SESSION_ERROR LengthMismatch instead/);
    expect(judgeOutcome(checksum, { frames: [sessionError(5)], closed: false })).toMatch(/stayed open/);
    const withRef: ExpectedOutcome = { answers: [], end: { kind: 'sessionError', reason: 6, refSequence: 3 } };
    expect(judgeOutcome(withRef, { frames: [{ ...sessionError(6), refSequence: 2 }], closed: true })).toMatch(/refSequence 2 instead of 3/);
    expect(judgeOutcome(withRef, { frames: [{ ...sessionError(6), refSequence: 3 }], closed: true })).toBeUndefined();
    expect(judgeOutcome(checksum, { frames: [ack(1)], closed: false })).toMatch(/no SESSION_ERROR; got ACK \(clientOrderId 1\)/);
  });

  it('wants every answer, in order, and the LOGOUT that proves the session went on', () => {
    expect(judgeOutcome(duplicate, { frames: [ack(7), reject(7, 11), logout], closed: true })).toBeUndefined();
    expect(judgeOutcome(duplicate, { frames: [ack(7), ack(7), logout], closed: true }))
      .toMatch(/expected \[ACK \(clientOrderId 7\), REJECT DuplicateClientOrderId \(clientOrderId 7\)\], got \[ACK \(clientOrderId 7\), ACK/);
    expect(judgeOutcome(duplicate, { frames: [ack(7), reject(7, 11), sessionError(6)], closed: true })).toMatch(/should have gone on/);
    expect(judgeOutcome(duplicate, { frames: [ack(7), reject(7, 11)], closed: false })).toMatch(/did not answer LOGOUT/);
  });

  it('fails a silent case the engine closed, and a havoc case closed without a reason', () => {
    expect(judgeOutcome({ answers: [], end: { kind: 'silent' } }, { frames: [], closed: false })).toBeUndefined();
    expect(judgeOutcome({ answers: [], end: { kind: 'silent' } }, { frames: [], closed: true })).toMatch(/unfinished/);
    expect(judgeOutcome({ answers: [], end: { kind: 'survives' } }, { frames: [ack(3)], closed: true })).toMatch(/without SESSION_ERROR/);
    expect(judgeOutcome({ answers: [], end: { kind: 'survives' } }, { frames: [sessionError(5)], closed: true })).toBeUndefined();
  });

  it('fails any case whose engine sent a malformed frame or refused the login', () => {
    expect(judgeOutcome(checksum, { frames: [], closed: true, malformed: 'bad CRC' })).toMatch(/malformed frame: bad CRC/);
    expect(judgeOutcome(checksum, { frames: [], closed: true, loginFailed: 'got SESSION_ERROR InvalidLogin' })).toMatch(/login prelude failed/);
  });
});
