import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionErrorReason, Side } from './codes.js';
import { decode } from './decode.js';
import { encode } from './encode.js';
import { goldenMessages } from './goldenMessages.js';
import { headerFields, messageLayout, messageLayouts, type FieldLayout } from './messageLayouts.js';
import { MessageType, type Message } from './messages.js';
import { resealFrame, writeRawField } from './rawFrame.js';
import { errorOf, failureOf } from './catchProtocolError.js';

const SEED = 0xdec0de;
const goldenFrames = goldenMessages.map((g) => ({ label: g.label, frame: new Uint8Array(encode(g.message)) }));

/** The reason's name of the ProtocolError that `run` throws, or a description of what else happened. */


/** A copy of `frame` with its length field set to `length` (bytes cut off or zeros added) and the checksum made right. */
function withLength(frame: Uint8Array, length: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(frame.subarray(0, Math.min(length, frame.length - 4)));
  copy[0] = length & 0xff;
  copy[1] = length >>> 8;
  if (length >= 28) resealFrame(copy); // shorter frames fail at the length check, before the checksum
  return copy;
}

/** A resealed copy of `frame` with `value` written raw into `field` (relative to `base`). */
function withField(frame: Uint8Array, field: FieldLayout, value: bigint, base = 0): Uint8Array {
  const copy = frame.slice();
  writeRawField(copy, field, value, base);
  resealFrame(copy);
  return copy;
}

/** Every field of a frame's type, with the base its offset counts from (entries of a snapshot included). */
function fieldsOf(frame: Uint8Array): { field: FieldLayout; base: number }[] {
  const layout = messageLayout(frame[3]!)!;
  const fields = [...headerFields, ...layout.fields].map((field) => ({ field, base: 0 }));
  const entries = layout.entries;
  if (entries !== undefined) {
    const count = (frame.length - layout.frameLength) / entries.entryLength;
    for (let i = 0; i < count; i++) for (const field of entries.fields) fields.push({ field, base: entries.offset + entries.entryLength * i });
  }
  return fields;
}

describe('decode refuses', () => {
  it('every truncated frame with LengthMismatch (every prefix of every golden frame)', () => {
    for (const { label, frame } of goldenFrames) {
      for (let n = 0; n < frame.length; n++) expect(failureOf(() => decode(frame.subarray(0, n))), `${label}[0..${n})`).toBe('LengthMismatch');
    }
  });

  it('a frame length below 28 with LengthMismatch', () => {
    for (let length = 0; length < 28; length++) {
      const bytes = new Uint8Array(64);
      bytes[0] = length;
      expect(failureOf(() => decode(bytes)), String(length)).toBe('LengthMismatch');
    }
  });

  it('a frame length above the maximum with FrameTooLarge, before looking at the rest', () => {
    expect(failureOf(() => decode(Uint8Array.of(0x01, 0x10)))).toBe('FrameTooLarge'); // 4097, no body at all
    expect(failureOf(() => decode(Uint8Array.of(0xff, 0xff)))).toBe('FrameTooLarge');
    const error = errorOf(() => decode(Uint8Array.of(0xb8, 0x0b), 0, 2048));
    expect(error.message).toBe('frame length 3000 exceeds maximum 2048');
    expect(error.refSequence).toBe(0);
    const snapshot = goldenFrames.find((g) => g.label === 'BOOK_SNAPSHOT')!.frame;
    expect(failureOf(() => decode(snapshot, 0, snapshot.length - 1))).toBe('FrameTooLarge');
    expect(decode(snapshot, 0, snapshot.length).type).toBe(MessageType.BookSnapshot);
  });

  it('a length one more or one less than its type needs with LengthMismatch, for every type', () => {
    for (const { label, frame } of goldenFrames) {
      for (const length of [frame.length - 1, frame.length + 1]) {
        expect(failureOf(() => decode(withLength(frame, length))), `${label} at ${length} bytes`).toBe('LengthMismatch');
      }
    }
    const newOrder = goldenFrames.find((g) => g.label === 'NEW_ORDER')!.frame;
    const error = errorOf(() => decode(withLength(newOrder, 60)));
    expect(error.message).toBe('NEW_ORDER needs exactly 56 bytes, frame says 60');
    expect(error.refSequence).toBe(2);
  });

  it('a BOOK_SNAPSHOT whose counts disagree with its length with LengthMismatch', () => {
    const snapshot = goldenFrames.find((g) => g.label === 'BOOK_SNAPSHOT')!.frame;
    const layout = messageLayout(MessageType.BookSnapshot)!;
    const bidCount = layout.fields.find((f) => f.name === 'bidCount')!;
    expect(failureOf(() => decode(withField(snapshot, bidCount, 3n)))).toBe('LengthMismatch');
    expect(failureOf(() => decode(withField(snapshot, bidCount, 1n)))).toBe('LengthMismatch');
    expect(errorOf(() => decode(withField(snapshot, bidCount, 0xffffn))).message).toBe(
      'BOOK_SNAPSHOT with 65535 bids and 2 asks needs exactly 1572924 bytes, frame says 132',
    );
    expect(failureOf(() => decode(withLength(snapshot.subarray(0, 28), 32)))).toBe('LengthMismatch'); // shorter than the fixed part
  });

  it('every single-bit error (CRC-32C catches them all)', () => {
    for (const { label, frame } of goldenFrames) {
      for (let bit = 0; bit < frame.length * 8; bit++) {
        const flipped = frame.slice();
        flipped[bit >>> 3]! ^= 1 << (bit & 7);
        const reason = failureOf(() => decode(flipped));
        // A flip in the length field changes what is a frame: too short, too long, or a checksum read at the wrong place.
        const expected = bit < 16 ? ['LengthMismatch', 'FrameTooLarge', 'ChecksumMismatch'] : ['ChecksumMismatch'];
        expect(expected, `${label} bit ${bit}: ${reason}`).toContain(reason);
      }
    }
    const error = errorOf(() => decode(Uint8Array.from([...goldenFrames[0]!.frame.subarray(0, 35), 0])));
    expect(error.message).toMatch(/^checksum mismatch: frame carries 0x[0-9a-f]{8}, its bytes give 0x[0-9a-f]{8}$/);
    expect(error.refSequence).toBe(0);
  });

  it('a version other than 1 with UnsupportedVersion', () => {
    const version = headerFields.find((f) => f.name === 'version')!;
    for (const { frame } of goldenFrames) {
      for (const v of [0n, 2n, 255n]) expect(failureOf(() => decode(withField(frame, version, v)))).toBe('UnsupportedVersion');
    }
    // The checksum held, so the sequence is the peer's and goes back in SESSION_ERROR.refSequence.
    const error = errorOf(() => decode(withField(goldenFrames[0]!.frame, version, 2n)));
    expect(error.message).toBe('unsupported protocol version 2, this codec speaks 1');
    expect(error.refSequence).toBe(1);
  });

  it('every type byte that is not a message type with UnknownMessageType', () => {
    const messageType = headerFields.find((f) => f.name === 'messageType')!;
    const heartbeat = goldenFrames.find((g) => g.label === 'HEARTBEAT')!.frame;
    for (let type = 0; type < 256; type++) {
      const reason = failureOf(() => decode(withField(heartbeat, messageType, BigInt(type))));
      if (messageLayout(type) === undefined) expect(reason, `type ${type}`).toBe('UnknownMessageType');
      else expect(reason, `type ${type}`).not.toBe('UnknownMessageType');
    }
    expect(errorOf(() => decode(withField(heartbeat, messageType, 0x99n))).message).toBe('unknown message type 0x99');
  });

  it('a 64-bit value just outside the safe-integer range with ValueOutOfRange, in every 64-bit field', () => {
    for (const { label, frame } of goldenFrames) {
      for (const { field, base } of fieldsOf(frame)) {
        const where = `${label} ${field.name}@${base + field.offset}`;
        if (field.wireType === 'u64') {
          for (const v of [2n ** 53n, 2n ** 64n - 1n]) expect(failureOf(() => decode(withField(frame, field, v, base))), `${where} = ${v}`).toBe('ValueOutOfRange');
          expect(failureOf(() => decode(withField(frame, field, 2n ** 53n - 1n, base))), where).toBe('no error');
        }
        if (field.wireType === 'i64') {
          for (const v of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
            expect(failureOf(() => decode(withField(frame, field, v, base))), `${where} = ${v}`).toBe('ValueOutOfRange');
          }
          for (const v of [2n ** 53n - 1n, -(2n ** 53n - 1n), -1n]) expect(failureOf(() => decode(withField(frame, field, v, base))), `${where} = ${v}`).toBe('no error');
        }
      }
    }
  });

  it('with a message that names the field and value', () => {
    const newOrder = goldenFrames.find((g) => g.label === 'NEW_ORDER')!.frame;
    const fields = messageLayout(MessageType.NewOrder)!.fields;
    const quantity = errorOf(() => decode(withField(newOrder, fields.find((f) => f.name === 'quantity')!, 2n ** 53n)));
    expect(quantity.message).toBe('NEW_ORDER field quantity = 9007199254740992 is above the safe-integer range (max 2^53-1)');
    expect(quantity.refSequence).toBe(2);
    const price = errorOf(() => decode(withField(newOrder, fields.find((f) => f.name === 'price')!, -(2n ** 53n))));
    expect(price.message).toBe('NEW_ORDER field price = -9007199254740992 is below the safe-integer range (min -(2^53-1))');
    const reserved = errorOf(() => decode(withField(newOrder, fields.find((f) => f.reserved)!, 7n)));
    expect(reserved.message).toBe('NEW_ORDER reserved field at offset 51 is 7, must be 0');
    const sequence = errorOf(() => decode(withField(newOrder, headerFields.find((f) => f.name === 'sequence')!, 2n ** 60n)));
    expect(sequence.message).toBe('NEW_ORDER field sequence = 1152921504606846976 is above the safe-integer range (max 2^53-1)');
    expect(sequence.refSequence).toBe(0);
    const snapshot = goldenFrames.find((g) => g.label === 'BOOK_SNAPSHOT')!.frame;
    const entries = messageLayout(MessageType.BookSnapshot)!.entries!;
    const askQuantity = errorOf(() => decode(withField(snapshot, entries.fields[1]!, 2n ** 53n, entries.offset + 3 * entries.entryLength)));
    expect(askQuantity.message).toBe('BOOK_SNAPSHOT field asks[1].quantity = 9007199254740992 is above the safe-integer range (max 2^53-1)');
  });

  it('a reserved field that is not 0 with ValueOutOfRange, in every reserved field', () => {
    let checked = 0;
    for (const { label, frame } of goldenFrames) {
      for (const { field, base } of fieldsOf(frame)) {
        if (!field.reserved) continue;
        for (const v of [1n, 0x80n, 2n ** 32n - 1n]) {
          expect(failureOf(() => decode(withField(frame, field, v, base))), `${label} reserved@${base + field.offset} = ${v}`).toBe('ValueOutOfRange');
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(messageLayouts.flatMap((l) => l.fields).filter((f) => f.reserved).length);
  });
});

describe('decode accepts', () => {
  it('any code byte, leaving codes to the engine', () => {
    const newOrder = goldenMessages.find((g) => g.label === 'NEW_ORDER')!.message;
    const odd = { ...newOrder, side: 0, orderType: 255, timeInForce: 9 } as Message;
    expect(decode(encode(odd))).toEqual(odd);
    expect(decode(encode({ ...newOrder, side: Side.Sell } as Message))).toMatchObject({ side: Side.Sell });
  });

  it('a frame at an offset, ignoring the bytes after it', () => {
    const { frame } = goldenFrames.find((g) => g.label === 'FILL')!;
    const bytes = Uint8Array.from([9, 9, 9, ...frame, 1, 2, 3]);
    expect(decode(bytes, 3)).toEqual(goldenMessages.find((g) => g.label === 'FILL')!.message);
  });
});

describe('decode throws nothing but ProtocolError', () => {
  it(`for arbitrary bytes at any offset (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 310 }), (bytes, offset) => {
        expect(failureOf(() => decode(bytes, offset))).not.toMatch(/^not a ProtocolError/);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it(`for golden frames with random bytes changed, checksum fixed or not (seed ${SEED})`, () => {
    const mutation = fc.record({
      golden: fc.nat({ max: goldenFrames.length - 1 }),
      changes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      reseal: fc.boolean(),
      keepLength: fc.boolean(),
    });
    const reasons = new Set<string>();
    fc.assert(
      fc.property(mutation, ({ golden, changes, reseal, keepLength }) => {
        const bytes = goldenFrames[golden]!.frame.slice();
        for (const [at, value] of changes) bytes[(keepLength ? 2 : 0) + (at % (bytes.length - (keepLength ? 2 : 0)))] = value;
        if (reseal) {
          try {
            resealFrame(bytes);
          } catch {
            // the length field no longer fits the bytes: decode sees it as it is
          }
        }
        const reason = failureOf(() => decode(bytes));
        reasons.add(reason);
        expect(reason).not.toMatch(/^not a ProtocolError/);
      }),
      { seed: SEED, numRuns: 5000 },
    );
    // The mutations reach past the checksum into the later steps.
    expect([...reasons]).toEqual(expect.arrayContaining(['ChecksumMismatch', 'UnsupportedVersion', 'UnknownMessageType', 'ValueOutOfRange', 'no error']));
  });

  it('and RangeError for a bad offset or maximum argument', () => {
    const { frame } = goldenFrames[0]!;
    expect(() => decode(frame, -1)).toThrow(RangeError);
    expect(() => decode(frame, 0.5)).toThrow(RangeError);
    expect(() => decode(frame, 0, 87)).toThrow(RangeError);
    expect(() => decode(frame, 0, 65536)).toThrow(RangeError);
  });
});

describe('ProtocolError', () => {
  it('carries the SESSION_ERROR reason code', () => {
    const error = errorOf(() => decode(new Uint8Array(1)));
    expect(error.reason).toBe(SessionErrorReason.LengthMismatch);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ProtocolError');
  });
});
