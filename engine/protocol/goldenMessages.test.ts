import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode } from './decode.js';
import { encode } from './encode.js';
import { goldenMessages } from './goldenMessages.js';
import { headerFields, messageLayout, messageLayouts } from './messageLayouts.js';
import { MessageType, type Message } from './messages.js';
import { readRawField } from './rawFrame.js';
import { crc32cBitwise } from './crc32cBitwise.js';

const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

/** The hex dumps of the "Golden frames" section, by heading label, read without the renderer's help. */
function dumpsInDoc(): Map<string, Uint8Array> {
  const section = doc.split('\n## Golden frames\n')[1] ?? '';
  const dumps = new Map<string, Uint8Array>();
  for (const [, label, block] of section.matchAll(/^### 0x[0-9a-f]{2} (.+)\n[\s\S]*?```text\n([\s\S]*?)```/gm)) {
    const hex = block!.split('\n').flatMap((line) => line.split(/\s+/).slice(1)).filter((h) => h !== '');
    dumps.set(label!, Uint8Array.from(hex, (h) => parseInt(h, 16)));
  }
  return dumps;
}

describe('golden frames in docs/PROTOCOL.md', () => {
  const dumps = dumpsInDoc();

  it('are there for every message type', () => {
    expect([...dumps.keys()]).toEqual(goldenMessages.map((g) => g.label));
    const types = new Set(goldenMessages.map((g) => g.message.type));
    for (const layout of messageLayouts) expect(types.has(layout.type), layout.name).toBe(true);
  });

  it.each(goldenMessages.map((g) => [g.label, g] as const))('%s decodes to the example and the example encodes to it', (label, golden) => {
    const dump = dumps.get(label)!;
    expect(decode(dump)).toEqual(golden.message);
    expect(new Uint8Array(encode(golden.message))).toEqual(dump);
  });

  it.each(goldenMessages.map((g) => [g.label, g.message] as const))('%s carries each field where the layout table puts it', (_label, message) => {
    const frame = encode(message);
    const layout = messageLayout(message.type)!;
    const values = message as unknown as Record<string, unknown>;
    expect(readRawField(frame, headerFields[0]!)).toBe(BigInt(frame.length));
    expect(readRawField(frame, headerFields[1]!)).toBe(1n);
    expect(readRawField(frame, headerFields[2]!)).toBe(BigInt(message.type));
    for (const f of [...headerFields.slice(3), ...layout.fields]) {
      const countOf = layout.entries?.countFields.indexOf(f.name) ?? -1;
      const expected = f.reserved ? 0 : countOf >= 0 ? (values[layout.entries!.groupNames[countOf]!] as unknown[]).length : values[f.name];
      expect(readRawField(frame, f), f.name).toBe(BigInt(expected as number));
    }
    const entries = layout.entries;
    if (entries === undefined) return;
    const all = entries.groupNames.flatMap((group) => values[group] as Record<string, number>[]);
    all.forEach((entry, i) => {
      for (const f of entries.fields) {
        const base = entries.offset + entries.entryLength * i;
        expect(readRawField(frame, f, base), `entry ${i} ${f.name}`).toBe(BigInt(f.reserved ? 0 : entry[f.name]!));
      }
    });
  });
});

describe('the NEW_ORDER golden frame', () => {
  it('is the frame assembled byte by byte from the spec, without the codec', () => {
    const golden = goldenMessages.find((g) => g.label === 'NEW_ORDER')!.message as Extract<Message, { type: 0x10 }>;
    const bytes = new Uint8Array(56);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 56, true);
    view.setUint8(2, 1);
    view.setUint8(3, 0x10);
    view.setUint32(4, golden.symbolId, true);
    view.setBigUint64(8, BigInt(golden.sequence), true);
    view.setBigUint64(16, BigInt(golden.timestampNs), true);
    view.setBigUint64(24, BigInt(golden.clientOrderId), true);
    view.setBigInt64(32, BigInt(golden.price), true);
    view.setBigUint64(40, BigInt(golden.quantity), true);
    view.setUint8(48, golden.side);
    view.setUint8(49, golden.orderType);
    view.setUint8(50, golden.timeInForce);
    view.setUint8(51, 0);
    view.setUint32(52, crc32cBitwise(bytes.subarray(0, 52)), true);
    expect(dumpsInDoc().get('NEW_ORDER')).toEqual(bytes);
  });

  it('is also what the doc prints for it, spelled out', () => {
    expect(dumpsInDoc().get('NEW_ORDER')).toEqual(
      Uint8Array.from(
        // prettier-ignore
        [
          0x38, 0x00, 0x01, 0x10, 0x03, 0x00, 0x00, 0x00, // length 56, version 1, NEW_ORDER, symbol 3
          0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // sequence 2
          0x40, 0xe2, 0xc7, 0x30, 0x46, 0x03, 0x00, 0x00, // timestampNs 3600001000000 = 0x346_30c7_e240
          0xe9, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // clientOrderId 1001
          0x29, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // price 10025
          0x2c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // quantity 300
          0x01, 0x01, 0x01, 0x00, // buy, limit, GTC, reserved
          0x53, 0x24, 0xa7, 0xbf, // CRC-32C of the 52 bytes above
        ],
      ),
    );
  });
});

describe('the BOOK_SNAPSHOT golden frame', () => {
  it('is the frame assembled byte by byte from the spec, without the codec', () => {
    const golden = goldenMessages.find((g) => g.label === 'BOOK_SNAPSHOT')!.message;
    if (golden.type !== MessageType.BookSnapshot) throw new Error('not a snapshot');
    const entries = [...golden.bids, ...golden.asks];
    const length = 36 + 24 * entries.length;
    const bytes = new Uint8Array(length);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, length, true);
    view.setUint8(2, 1);
    view.setUint8(3, 0x35);
    view.setUint32(4, golden.symbolId, true);
    view.setBigUint64(8, BigInt(golden.sequence), true);
    view.setBigUint64(16, BigInt(golden.timestampNs), true);
    view.setUint16(24, golden.bids.length, true);
    view.setUint16(26, golden.asks.length, true);
    entries.forEach((entry, i) => {
      view.setBigInt64(32 + 24 * i, BigInt(entry.price), true);
      view.setBigUint64(40 + 24 * i, BigInt(entry.quantity), true);
      view.setUint32(48 + 24 * i, entry.orderCount, true);
    });
    view.setUint32(length - 4, crc32cBitwise(bytes.subarray(0, length - 4)), true);
    expect(dumpsInDoc().get('BOOK_SNAPSHOT')).toEqual(bytes);
  });
});

