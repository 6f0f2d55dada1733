import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from './decode.js';
import { encode, encodeInto, frameLengthOf } from './encode.js';
import { headerFields, maxSnapshotEntries, messageLayouts, type MessageLayout, type WireType } from './messageLayouts.js';
import type { Message } from './messages.js';
import { readRawField } from './rawFrame.js';

const SEED = 20_240_611;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Any legal value of a wire type, with its edges (0, type maximum, ±(2^53-1), word boundaries) drawn often. */
function legalValue(wireType: WireType): fc.Arbitrary<number> {
  switch (wireType) {
    case 'u8':
      return fc.integer({ min: 0, max: 0xff });
    case 'u16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'u32':
      return fc.oneof(fc.constantFrom(0, 0xffff_ffff), fc.bigInt({ min: 0n, max: 0xffff_ffffn }).map(Number));
    case 'u64':
      return fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, MAX_SAFE), fc.maxSafeNat());
    case 'i64':
      return fc.oneof(fc.constantFrom(0, -1, 2 ** 32, -(2 ** 32), MAX_SAFE, -MAX_SAFE), fc.maxSafeInteger());
  }
}

/** Any legal message of a type, built from its layout, so that a field the codec forgets shows up as a difference. */
function legalMessage(layout: MessageLayout): fc.Arbitrary<Message> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of headerFields.slice(3)) fields[f.name] = legalValue(f.wireType);
  const entries = layout.entries;
  for (const f of layout.fields) {
    if (!f.reserved && !(entries?.countFields.includes(f.name) ?? false)) fields[f.name] = legalValue(f.wireType);
  }
  if (entries !== undefined) {
    const entry = fc.record(
      Object.fromEntries(entries.fields.filter((f) => !f.reserved).map((f) => [f.name, legalValue(f.wireType)])),
    );
    const perGroup = Math.floor(maxSnapshotEntries() / entries.groupNames.length);
    for (const group of entries.groupNames) fields[group] = fc.array(entry, { maxLength: perGroup });
  }
  return fc.record(fields).map((values) => ({ type: layout.type, ...values }) as Message);
}

/** Every field read back through the layout table, as the message holds it. */
function expectFieldsWhereLayoutSays(frame: Uint8Array, message: Message, layout: MessageLayout): void {
  const values = message as unknown as Record<string, unknown>;
  for (const f of [...headerFields.slice(3), ...layout.fields]) {
    if (f.reserved || layout.entries?.countFields.includes(f.name)) continue;
    expect(readRawField(frame, f), f.name).toBe(BigInt(values[f.name] as number));
  }
}

describe('encode then decode', () => {
  it.each(messageLayouts.map((l) => [l.name, l] as const))(`gives back any legal %s (seed ${SEED})`, (_name, layout) => {
    fc.assert(
      fc.property(legalMessage(layout), fc.nat({ max: 7 }), (message, offset) => {
        const frame = encode(message);
        expect(frame.length).toBe(frameLengthOf(message));
        expect(decode(frame)).toEqual(message);
        expectFieldsWhereLayoutSays(frame, message, layout);
        // encodeInto writes every byte of the frame and nothing around it.
        const target = new Uint8Array(offset + frame.length + 3).fill(0xaa);
        expect(encodeInto(message, target, offset)).toBe(frame.length);
        expect(target.subarray(offset, offset + frame.length)).toEqual(new Uint8Array(frame));
        expect(target.subarray(0, offset).every((b) => b === 0xaa)).toBe(true);
        expect(target.subarray(offset + frame.length).every((b) => b === 0xaa)).toBe(true);
        expect(decode(target, offset)).toEqual(message);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('gives back every field at the edges of its range: all zeros, all maxima, i64 at -(2^53-1)', () => {
    const edges: readonly ((wireType: WireType) => number)[] = [
      () => 0,
      (t) => ({ u8: 0xff, u16: 0xffff, u32: 0xffff_ffff, u64: MAX_SAFE, i64: MAX_SAFE })[t],
      (t) => ({ u8: 0xff, u16: 0xffff, u32: 0xffff_ffff, u64: MAX_SAFE, i64: -MAX_SAFE })[t],
    ];
    for (const layout of messageLayouts) {
      for (const edge of edges) {
        const values: Record<string, unknown> = { type: layout.type };
        for (const f of [...headerFields.slice(3), ...layout.fields]) if (!f.reserved) values[f.name] = edge(f.wireType);
        const entries = layout.entries;
        if (entries !== undefined) {
          const entry = Object.fromEntries(entries.fields.filter((f) => !f.reserved).map((f) => [f.name, edge(f.wireType)]));
          for (const f of entries.countFields) delete values[f];
          values[entries.groupNames[0]!] = [entry];
          values[entries.groupNames[1]!] = Array.from({ length: maxSnapshotEntries() - 1 }, () => ({ ...entry }));
        }
        const message = values as unknown as Message;
        expect(decode(encode(message)), layout.name).toEqual(message);
      }
    }
  });
});
