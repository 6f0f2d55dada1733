import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_LENGTH,
  HEADER_LENGTH,
  LONGEST_FIXED_FRAME_LENGTH,
  headerFields,
  maxSnapshotEntries,
  messageLayout,
  messageLayouts,
  snapshotFrameLength,
  wireTypeLength,
  type FieldLayout,
} from './messageLayouts.js';
import { MessageType } from './messages.js';

/** The frame lengths the protocol spec gives, by wire name. */
const specifiedFrameLengths: Readonly<Record<string, number>> = {
  LOGIN: 36,
  LOGIN_ACK: 36,
  HEARTBEAT: 28,
  LOGOUT: 32,
  SESSION_ERROR: 40,
  NEW_ORDER: 56,
  CANCEL: 36,
  REPLACE: 52,
  ACK: 52,
  REJECT: 48,
  FILL: 88,
  CANCELED: 64,
  REPLACED: 68,
  TRADE: 56,
  LEVEL_UPDATE: 52,
  QUOTE: 60,
  FEED_HEARTBEAT: 28,
  SNAPSHOT_REQUEST: 32,
  BOOK_SNAPSHOT: 36,
};

/** Fields laid end to end from `start` with no gap or overlap; returns where they end. */
function expectContiguous(fields: readonly FieldLayout[], start: number, what: string): number {
  let at = start;
  for (const f of fields) {
    expect(f.offset, `${what}.${f.name}`).toBe(at);
    at += wireTypeLength[f.wireType];
  }
  return at;
}

describe('messageLayouts', () => {
  it('has one layout per MessageType code, found by its code', () => {
    expect(messageLayouts.map((l) => l.type)).toEqual(Object.values(MessageType));
    for (const l of messageLayouts) expect(messageLayout(l.type)).toBe(l);
    expect(messageLayout(0x99)).toBeUndefined();
  });

  it('gives every type the frame length of the spec', () => {
    expect(Object.fromEntries(messageLayouts.map((l) => [l.name, l.frameLength]))).toEqual(specifiedFrameLengths);
  });

  it('lays the header and every body out end to end up to the checksum', () => {
    expect(expectContiguous(headerFields, 0, 'header')).toBe(HEADER_LENGTH);
    for (const l of messageLayouts) {
      expect(expectContiguous(l.fields, HEADER_LENGTH, l.name) + CHECKSUM_LENGTH).toBe(l.frameLength);
      const named = l.fields.filter((f) => !f.reserved).map((f) => f.name);
      expect(new Set(named).size, `${l.name} field names are unique`).toBe(named.length);
    }
  });

  it('lays BOOK_SNAPSHOT entries out end to end after the fixed part', () => {
    const entries = messageLayout(MessageType.BookSnapshot)!.entries!;
    expect(entries.offset).toBe(32);
    expect(expectContiguous(entries.fields, 0, 'entry')).toBe(entries.entryLength);
    expect(snapshotFrameLength(5)).toBe(36 + 24 * 5);
    expect(maxSnapshotEntries()).toBe(169);
    expect(maxSnapshotEntries(65535)).toBe(2729);
  });

  it('knows FILL as the longest fixed-size frame', () => {
    expect(LONGEST_FIXED_FRAME_LENGTH).toBe(88);
  });
});
