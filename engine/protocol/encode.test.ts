import { describe, expect, it } from 'vitest';
import { encode, encodeInto, encodeStamped, encodeStampedInto, type UnstampedMessage } from './encode.js';
import { goldenMessages } from './goldenMessages.js';
import { headerFields, maxSnapshotEntries, messageLayout, type WireType } from './messageLayouts.js';
import { MessageType, type BookSnapshotMessage, type Message } from './messages.js';
import { errorOf } from './catchProtocolError.js';


/** Values a field of each wire type cannot carry. */
const illegal: Readonly<Record<WireType, readonly unknown[]>> = {
  u8: [-1, 256, 1.5, NaN, Infinity, undefined, '1'],
  u16: [-1, 0x1_0000, 0.5, NaN, undefined],
  u32: [-1, 2 ** 32, 2.5, -Infinity, undefined],
  u64: [-1, 2 ** 53, 2 ** 64, 1.5, NaN, Infinity, undefined, 1n],
  i64: [2 ** 53, -(2 ** 53), 0.5, NaN, -Infinity, undefined, -1n],
};

const snapshot = goldenMessages.find((g) => g.label === 'BOOK_SNAPSHOT')!.message as BookSnapshotMessage;

describe('encode refuses', () => {
  it('a value its field cannot carry, in every field of every type, with ValueOutOfRange naming the field', () => {
    for (const { label, message } of goldenMessages) {
      const layout = messageLayout(message.type)!;
      for (const f of [...headerFields.slice(3), ...layout.fields]) {
        if (f.reserved || layout.entries?.countFields.includes(f.name)) continue;
        for (const value of illegal[f.wireType]) {
          const error = errorOf(() => encode({ ...message, [f.name]: value } as Message));
          expect(error.reasonName, `${label}.${f.name} = ${String(value)}`).toBe('ValueOutOfRange');
          expect(error.message).toContain(`cannot encode ${layout.name}: field ${f.name} = ${String(value)} is not ${f.wireType === 'i64' ? 'an' : 'a'} ${f.wireType}`);
        }
      }
    }
  });

  it('a bad value in a snapshot entry, naming the entry', () => {
    const bad = { ...snapshot, asks: [snapshot.asks[0]!, { ...snapshot.asks[1]!, quantity: -5 }] };
    expect(errorOf(() => encode(bad)).message).toBe(
      'cannot encode BOOK_SNAPSHOT: field asks[1].quantity = -5 is not a u64 in the safe-integer range (an integer in 0..2^53-1)',
    );
    const badPrice = { ...snapshot, bids: [{ ...snapshot.bids[0]!, price: 2 ** 53 }] };
    expect(errorOf(() => encode(badPrice)).message).toContain('field bids[0].price = 9007199254740992 is not an i64');
  });

  it('an unknown message type with UnknownMessageType', () => {
    const error = errorOf(() => encode({ ...goldenMessages[0]!.message, type: 0x99 } as unknown as Message));
    expect(error.reasonName).toBe('UnknownMessageType');
    expect(error.message).toBe('cannot encode message type 0x99: not a protocol message type');
  });

  it('a snapshot longer than the maximum frame length with FrameTooLarge', () => {
    const level = { price: 100, quantity: 1, orderCount: 1 };
    const fits = { ...snapshot, bids: Array.from({ length: maxSnapshotEntries() }, () => level), asks: [] };
    expect(maxSnapshotEntries()).toBe(169);
    expect(encode(fits).length).toBe(4092);
    const tooMany = { ...fits, asks: [level] };
    const error = errorOf(() => encode(tooMany));
    expect(error.reasonName).toBe('FrameTooLarge');
    expect(error.message).toBe('cannot encode BOOK_SNAPSHOT: frame length 4116 exceeds maximum 4096');
    expect(encode(tooMany, 8192).length).toBe(4116);
    expect(errorOf(() => encode(fits, 1000)).reasonName).toBe('FrameTooLarge');
  });
});

describe('encodeInto', () => {
  it('throws RangeError when the frame does not fit the target at the offset', () => {
    const message = goldenMessages.find((g) => g.message.type === MessageType.Fill)!.message;
    expect(encodeInto(message, new Uint8Array(88), 0)).toBe(88);
    expect(() => encodeInto(message, new Uint8Array(88), 1)).toThrow(RangeError);
    expect(() => encodeInto(message, new Uint8Array(87), 0)).toThrow(RangeError);
    expect(() => encodeInto(message, new Uint8Array(100), -1)).toThrow(RangeError);
  });

  it('can reuse one message object for many frames', () => {
    const fill = { ...goldenMessages.find((g) => g.message.type === MessageType.Fill)!.message } as Message & { type: 0x22 };
    const target = new Uint8Array(88 * 3);
    for (let i = 0; i < 3; i++) {
      fill.sequence = 10 + i;
      fill.quantity = 100 * (i + 1);
      encodeInto(fill, target, 88 * i);
    }
    expect(encode({ ...fill, sequence: 11, quantity: 200 })).toEqual(Buffer.from(target.subarray(88, 176)));
  });
});

describe('encodeStamped and encodeStampedInto', () => {
  it('write every golden message exactly as encode does with the same sequence and timestamp', () => {
    for (const { message } of goldenMessages) {
      const { sequence, timestampNs, ...unstamped } = message;
      const expected = [...encode(message)];
      expect([...encodeStamped(unstamped as UnstampedMessage, sequence, timestampNs)]).toEqual(expected);
      const target = new Uint8Array(expected.length + 3);
      expect(encodeStampedInto(unstamped as UnstampedMessage, sequence, timestampNs, target, 3)).toBe(expected.length);
      expect([...target.subarray(3)]).toEqual(expected);
    }
  });

  it('refuse a sequence or timestamp that is not a u64, naming the field, and a frame that does not fit', () => {
    const { sequence: _s, timestampNs: _t, ...ack } = goldenMessages.find((g) => g.message.type === MessageType.Ack)!.message;
    expect(errorOf(() => encodeStamped(ack as UnstampedMessage, -1, 0)).message).toContain('sequence');
    expect(errorOf(() => encodeStamped(ack as UnstampedMessage, 1, 2 ** 53)).message).toContain('timestampNs');
    expect(() => encodeStampedInto(ack as UnstampedMessage, 1, 1, new Uint8Array(10), 0)).toThrow(RangeError);
  });
});
