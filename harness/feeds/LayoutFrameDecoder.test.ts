import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../engine/protocol/encode.js';
import { goldenMessages } from '../../engine/protocol/goldenMessages.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import { encodeLayoutFrame, type LayoutFrameSpec } from './encodeLayoutFrame.js';
import type { ChecksumAlgorithm, FeedLayout } from './FeedLayout.js';
import { LayoutFrameDecoder } from './LayoutFrameDecoder.js';
import { parseFeedLayout } from './loadFeedLayout.js';

const example = (name: string): FeedLayout => layoutOf(readFileSync(new URL(`../../feeds/examples/${name}.yaml`, import.meta.url), 'utf8'));

function layoutOf(text: string): FeedLayout {
  const loaded = parseFeedLayout(text);
  if (!loaded.ok) throw new Error(`layout problems:\n${loaded.problems.join('\n')}`);
  return loaded.layout;
}

/** A small length-prefixed little-endian layout (length counts the rest) with the given checksum trailer. */
function testLayout(algorithm: ChecksumAlgorithm): FeedLayout {
  const width = { none: 0, xor8: 1, xor32le: 4, crc32c: 4 }[algorithm];
  return layoutOf(`
version: 1
name: test-${algorithm}
framing: { kind: length-prefixed, lengthField: len, lengthCounts: rest, maxFrameBytes: 80 }
header:
  - { name: len, offset: 0, type: u16 }
  - { name: kind, offset: 2, type: u8 }
  - { name: seq, offset: 3, type: u32 }
  - { name: ts, offset: 7, type: u64 }
typeField: kind
sequence: { field: seq, first: 1 }
timestamp: { field: ts, unit: us, clock: monotonic }
checksum: { algorithm: ${algorithm} }
messages:
  - { type: 1, name: DATA, size: ${20 + width}, fields: [{ name: price, offset: 15, type: i32 }, { name: flag, offset: 19, type: u8 }] }
  - { type: 2, name: HB, size: ${15 + width}, heartbeat: true, sequence: last }
  - { type: 3, name: VAR, size: { min: ${15 + width}, max: 64 } }
`);
}

const concat = (frames: readonly Uint8Array[]): Uint8Array => Uint8Array.from(frames.flatMap((f) => [...f]));

/** DATA 1..n, a heartbeat after every 10th, a VAR frame of growing size every 7th. */
function fixture(layout: FeedLayout, n: number): { bytes: Uint8Array; data: number; hb: number; vars: number } {
  const frames: Uint8Array[] = [];
  let data = 0;
  let hb = 0;
  let vars = 0;
  for (let seq = 1; seq <= n; seq++) {
    if (seq % 7 === 0) {
      frames.push(encodeLayoutFrame(layout, { type: 'VAR', values: { seq }, sizeBytes: Math.min(64, layout.messages[2]!.minBytes + seq % 40) }));
      vars++;
    } else {
      frames.push(encodeLayoutFrame(layout, { type: 'DATA', values: { seq, price: -seq * 3, flag: seq & 0xff } }));
      data++;
    }
    if (seq % 10 === 0) {
      frames.push(encodeLayoutFrame(layout, { type: 'HB', values: { seq } }));
      hb++;
    }
  }
  return { bytes: concat(frames), data, hb, vars };
}

function decodeAll(layout: FeedLayout, bytes: Uint8Array, cuts: readonly number[] = []): LayoutFrameDecoder {
  const decoder = new LayoutFrameDecoder(layout);
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b).concat(bytes.length)) {
    decoder.push(bytes.subarray(from, cut), 0);
    from = cut;
  }
  return decoder;
}

describe('LayoutFrameDecoder', () => {
  describe.each(['none', 'xor8', 'xor32le', 'crc32c'] as const)('checksum %s', (algorithm) => {
    const layout = testLayout(algorithm);
    const f = fixture(layout, 200);

    it('decodes a fixture stream: every frame counted by type, no gap, no failure', () => {
      const d = decodeAll(layout, f.bytes);
      expect(d.framesByType()).toEqual({ DATA: f.data, HB: f.hb, VAR: f.vars });
      expect(d.counts).toMatchObject({ frames: f.data + f.hb + f.vars, bytes: f.bytes.length, gaps: 0, checksumFailures: 0,
        heartbeats: f.hb, unknownTypes: 0, protocolErrors: 0, sequenceRegressions: 0 });
      expect(d.lastSequence).toBe(200);
      expect(d.pendingBytes).toBe(0);
    });

    it('gives the same counts however the stream is cut into chunks (fixed seed)', () => {
      const whole = decodeAll(layout, f.bytes).counts;
      fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: f.bytes.length }), { maxLength: 60 }), (cuts) => {
        expect(decodeAll(layout, f.bytes, cuts).counts).toEqual(whole);
      }), { seed: 8, numRuns: 50 });
      // One byte at a time, too.
      expect(decodeAll(layout, f.bytes, Array.from({ length: f.bytes.length }, (_, i) => i)).counts).toEqual(whole);
    });

    if (algorithm !== 'none') {
      it('counts a corrupt frame as a checksum failure, drops it, and the next frame shows the gap', () => {
        const frames = [1, 2, 3, 4].map((seq) => encodeLayoutFrame(layout, { type: 'DATA', values: { seq, price: 100 + seq } }));
        const corrupt = frames[1]!;
        corrupt[15] = corrupt[15]! ^ 0x40; // a bit of DATA 2's price
        const d = decodeAll(layout, concat(frames));
        expect(d.counts).toMatchObject({ frames: 4, checksumFailures: 1, gaps: 1, gapFrames: 1, protocolErrors: 0 });
        expect(d.framesByType().DATA).toBe(3);
        expect(d.errors[0]).toMatch(new RegExp(`stream byte ${frames[0]!.length} .*${algorithm} checksum`));
      });
    }
  });

  it('checks hand-computed checksums: xor8 and xor32le (with a partial last word)', () => {
    // ITCH-like heartbeat 'H' (0x48), locate 0, sequence 7, timestamp 0: xor8 = 0x48 ^ 0x07 = 0x4f.
    const d = new LayoutFrameDecoder(example('itch-like'));
    d.push(Buffer.from('48 0000 00000007 0000000000000000 4f'.replace(/ /g, ''), 'hex'), 0);
    expect(d.counts).toMatchObject({ frames: 1, heartbeats: 1, checksumFailures: 0 });
    expect(d.lastSequence).toBe(7);
    // xor32le over 9 bytes 01..09 (LE words 0x04030201, 0x08070605, 0x00000009) = 0x0c04040d, stored little-endian.
    const layout = layoutOf(`
version: 1
name: w
framing: { kind: fixed }
header: [{ name: t, offset: 0, type: u8 }]
typeField: t
checksum: { algorithm: xor32le, offset: 9, from: 0, to: 9 }
messages: [{ type: 1, name: M, size: 13 }]
`);
    const w = new LayoutFrameDecoder(layout);
    w.push(Buffer.from('010203040506070809 0d04040c'.replace(/ /g, ''), 'hex'), 0);
    w.push(Buffer.from('010203040506070809 0d04040d'.replace(/ /g, ''), 'hex'), 0);
    expect(w.counts).toMatchObject({ frames: 2, checksumFailures: 1 });
    expect(w.framesByType().M).toBe(1);
  });

  it('reads the protocol doc\'s golden frames (CRC-32C by engine/protocol/encode) with the matchbench example layout', () => {
    const layout = example('matchbench');
    const engineToSubscriber = ['LOGIN_ACK', 'TRADE', 'LEVEL_UPDATE', 'QUOTE', 'FEED_HEARTBEAT', 'BOOK_SNAPSHOT', 'LOGOUT', 'SESSION_ERROR'];
    const golden = goldenMessages.filter((g) => engineToSubscriber.some((name) => g.label.startsWith(name)));
    const d = new LayoutFrameDecoder(layout);
    for (const g of golden) d.push(encode(g.message), 0);
    expect(d.counts).toMatchObject({ frames: golden.length, checksumFailures: 0, unknownTypes: 0, protocolErrors: 0 });
    expect(Object.values(d.framesByType()).reduce((a, b) => a + b, 0)).toBe(golden.length);
    expect(d.framesByType().BOOK_SNAPSHOT).toBe(golden.filter((g) => g.label.startsWith('BOOK_SNAPSHOT')).length);
    // A type the layout does not list (order entry's ACK) is skipped by its length, not fatal.
    const ack = goldenMessages.find((g) => g.label === 'ACK')!;
    d.push(encode(ack.message), 0);
    expect(d.counts).toMatchObject({ unknownTypes: 1, protocolErrors: 0 });
  });

  it('detects gaps with the frames missed, repeats, and heartbeats that carry a later sequence', () => {
    const layout = testLayout('crc32c');
    const data = (seq: number): LayoutFrameSpec => ({ type: 'DATA', values: { seq } });
    const frames = [data(1), data(2), data(3), data(7), data(8), data(8), data(5), { type: 'HB', values: { seq: 12 } }, data(13), data(20)]
      .map((s) => encodeLayoutFrame(layout, s));
    const d = decodeAll(layout, concat(frames));
    // 4..6 (3 frames), 9..12 announced by the heartbeat (4), 14..19 (6).
    expect(d.counts).toMatchObject({ gaps: 3, gapFrames: 13, maxGapFrames: 6, sequenceRegressions: 2, heartbeats: 1 });
    expect(d.lastSequence).toBe(20);
    // `first: 1`: a feed whose first frame is 5 missed 1..4.
    const late = decodeAll(layout, encodeLayoutFrame(layout, data(5)));
    expect(late.counts).toMatchObject({ gaps: 1, gapFrames: 4 });
  });

  it('ends with a protocol error, without buffering, on a length beyond the layout\'s maximum or a wrong size for the type', () => {
    const layout = testLayout('crc32c');
    const tooLong = new LayoutFrameDecoder(layout);
    // len = 60000: a frame of 60002 bytes, far above maxFrameBytes 80.
    expect(tooLong.push(Uint8Array.from([0x60, 0xea, 1, 0, 0]), 0)).toBe(false);
    expect(tooLong.failure).toMatch(/length 60002 bytes is outside 19\.\.80/);
    expect(tooLong.pendingBytes).toBe(0);
    expect(tooLong.push(new Uint8Array(100), 0)).toBe(false);

    // No checksum, so that the edited type byte is what the decoder sees.
    const plain = testLayout('none');
    const wrongSize = new LayoutFrameDecoder(plain);
    const frame = encodeLayoutFrame(plain, { type: 'VAR', sizeBytes: 30 });
    frame[2] = 1; // now it says DATA, which is 20 bytes
    expect(wrongSize.push(frame, 0)).toBe(false);
    expect(wrongSize.failure).toMatch(/DATA of 30 bytes; the layout says 20/);
    expect(wrongSize.counts.protocolErrors).toBe(1);

    const fixed = new LayoutFrameDecoder(example('itch-like'));
    expect(fixed.push(Uint8Array.from([0x5a, 0, 0]), 0)).toBe(false);
    expect(fixed.failure).toMatch(/unknown message type 90; with fixed framing/);
  });

  it('measures feed latency from a monotonic timestamp with the clock offset, and from an epoch timestamp', () => {
    const layout = testLayout('xor8');
    const latency = latencyHistogram();
    // Sender clock = ours + 1 s; frame stamped at sender 1,000,500 µs, received at our 600 µs: 100 µs.
    const d = new LayoutFrameDecoder(layout, { latency, clockOffsetNs: 1_000_000_000 });
    d.push(encodeLayoutFrame(layout, { type: 'DATA', values: { seq: 1, ts: 1_000_500 } }), 600_000);
    d.push(encodeLayoutFrame(layout, { type: 'HB', values: { seq: 1, ts: 0 } }), 600_000);
    expect(latency.totalCount).toBe(1);
    expect(latency.maxValue).toBeGreaterThanOrEqual(99_900);
    expect(latency.maxValue).toBeLessThanOrEqual(100_100);

    // Clock sync: subscribe sent at our 1,000 ns, LOGIN_ACK stamped 1,000,002,000 on the sender's clock, received at 3,000.
    const matchbench = example('matchbench');
    const synced = new LayoutFrameDecoder(matchbench);
    synced.expectClockSync(1_000);
    synced.push(encodeLayoutFrame(matchbench, { type: 'LOGIN_ACK', values: { timestampNs: 1_000_002_000 } }), 3_000);
    expect([synced.clockOffsetNs, synced.clockOffsetBoundNs]).toEqual([1_000_000_000, 1_000]);

    const itch = example('itch-like');
    const epochLatency = latencyHistogram();
    const e = new LayoutFrameDecoder(itch, { latency: epochLatency });
    // Stamped 5 ms ago in Unix ns (above 2^53: read relative to a reference, exactly).
    const nowNs = Math.round(performance.now() * 1e6);
    const sentEpochNs = BigInt(Math.round(performance.timeOrigin * 1_000)) * 1_000n + BigInt(nowNs) - 5_000_000n;
    const frame = encodeLayoutFrame(itch, { type: 'SystemEvent', values: { sequence: 1 } });
    new DataView(frame.buffer).setBigUint64(7, sentEpochNs, false);
    frame[16] = frame.subarray(0, 16).reduce((x, b) => x ^ b, 0);
    e.push(frame, nowNs);
    expect(e.counts.checksumFailures).toBe(0);
    expect(epochLatency.totalCount).toBe(1);
    expect(epochLatency.maxValue).toBeGreaterThanOrEqual(4_990_000);
    expect(epochLatency.maxValue).toBeLessThanOrEqual(5_010_000);
  });
});
