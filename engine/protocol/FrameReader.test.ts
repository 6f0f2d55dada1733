import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from './encode.js';
import { FrameReader } from './FrameReader.js';
import { goldenMessages } from './goldenMessages.js';
import type { Message } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import { failureOf } from './catchProtocolError.js';

const SEED = 0xf4a3e;
const goldenFrames = goldenMessages.map((g) => new Uint8Array(encode(g.message)));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

function drain(reader: FrameReader): Message[] {
  const messages: Message[] = [];
  for (let m = reader.next(); m !== undefined; m = reader.next()) messages.push(m);
  return messages;
}


describe('FrameReader', () => {
  it(`yields the same messages in order however the stream is cut, holding at most one chunk and one partial frame (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: goldenFrames.length - 1 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (picks, cuts) => {
          const stream = concat(picks.map((i) => goldenFrames[i]!));
          const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const reader = new FrameReader();
          const received: Message[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            const chunk = stream.subarray(from, to);
            from = to;
            reader.push(chunk);
            expect(reader.bufferedLength).toBeLessThanOrEqual(reader.maxFrameLength + chunk.length);
            received.push(...drain(reader));
            expect(reader.bufferedLength).toBeLessThan(reader.maxFrameLength);
          }
          expect(received).toEqual(picks.map((i) => goldenMessages[i]!.message));
          expect(reader.bufferedLength).toBe(0);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it(`yields the same messages from chunks read into one reused buffer, stopping early at times, with retainUnread after each (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: goldenFrames.length - 1 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 10 }),
        (picks, cuts, stops) => {
          const stream = concat(picks.map((i) => goldenFrames[i]!));
          const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const reused = new Uint8Array(stream.length);
          const reader = new FrameReader();
          const received: Message[] = [];
          let from = 0;
          for (const [k, to] of [...points, stream.length].entries()) {
            // A socket read into the same memory every time (net's onread), after wiping the last read.
            reused.fill(0xee);
            reused.set(stream.subarray(from, to), 0);
            reader.push(reused.subarray(0, to - from));
            from = to;
            // Sometimes the caller stops after a few frames (a session event), leaving the rest of the chunk unread.
            const stopAfter = stops[k % stops.length]!;
            for (let n = 0; stopAfter === 0 || n < stopAfter; n++) {
              const m = reader.next();
              if (m === undefined) break;
              received.push(m);
            }
            reader.retainUnread();
          }
          reused.fill(0xee);
          received.push(...drain(reader));
          expect(received).toEqual(picks.map((i) => goldenMessages[i]!.message));
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('yields every frame when fed one byte at a time', () => {
    const reader = new FrameReader();
    const received: Message[] = [];
    for (const byte of concat(goldenFrames)) {
      reader.push(Uint8Array.of(byte));
      received.push(...drain(reader));
    }
    expect(received).toEqual(goldenMessages.map((g) => g.message));
  });

  it('yields every frame of one chunk holding many, as views of that chunk without copying', () => {
    const stream = concat(goldenFrames);
    const reader = new FrameReader();
    reader.push(stream);
    const frames: Uint8Array[] = [];
    for (let f = reader.nextFrame(); f !== undefined; f = reader.nextFrame()) frames.push(f);
    expect(frames).toEqual(goldenFrames);
    for (const f of frames) expect(f.buffer).toBe(stream.buffer);
  });

  it('yields every frame of chunks pushed without draining in between', () => {
    const reader = new FrameReader();
    const stream = concat(goldenFrames);
    for (let at = 0; at < stream.length; at += 50) reader.push(stream.subarray(at, at + 50));
    expect(reader.bufferedLength).toBe(stream.length);
    expect(drain(reader)).toEqual(goldenMessages.map((g) => g.message));
  });

  it('needs more after every proper prefix of a frame, and yields it once the rest arrives', () => {
    for (const [i, frame] of goldenFrames.entries()) {
      for (let n = 0; n < frame.length; n++) {
        const reader = new FrameReader();
        reader.push(frame.subarray(0, n));
        expect(reader.next(), `${goldenMessages[i]!.label}[0..${n})`).toBeUndefined();
        reader.push(frame.subarray(n));
        expect(reader.next()).toEqual(goldenMessages[i]!.message);
        expect(reader.next()).toBeUndefined();
      }
    }
  });

  it('refuses a frame length above the maximum as soon as the two length bytes arrive', () => {
    const reader = new FrameReader({ maxFrameLength: 2048 });
    reader.push(Uint8Array.of(0xb8)); // 3000 = 0x0bb8, low byte first
    expect(reader.next()).toBeUndefined();
    reader.push(Uint8Array.of(0x0b));
    expect(() => reader.next()).toThrow('frame length 3000 exceeds maximum 2048');
    const whole = new FrameReader();
    whole.push(Uint8Array.of(0x01, 0x10));
    expect(failureOf(() => whole.nextFrame())).toBe('FrameTooLarge');
  });

  it('refuses a frame length below 28 as soon as the two length bytes arrive', () => {
    const reader = new FrameReader();
    reader.push(Uint8Array.of(27, 0));
    expect(failureOf(() => reader.next())).toBe('LengthMismatch');
  });

  it('stays failed after a bad frame: the same error again, and pushed bytes ignored', () => {
    const reader = new FrameReader();
    const corrupt = goldenFrames[5]!.slice();
    corrupt[30]! ^= 0x40;
    reader.push(concat([goldenFrames[0]!, corrupt, goldenFrames[1]!]));
    expect(reader.next()).toEqual(goldenMessages[0]!.message);
    let first: unknown;
    try {
      reader.next();
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(ProtocolError);
    expect((first as ProtocolError).reasonName).toBe('ChecksumMismatch');
    expect(reader.failure).toBe(first);
    reader.push(goldenFrames[2]!);
    expect(reader.bufferedLength).toBe(0);
    expect(() => reader.next()).toThrow(first as Error);
    expect(() => reader.nextFrame()).toThrow(first as Error);
  });

  it('hands out raw frames without checking them, for fast paths that decode later', () => {
    const reader = new FrameReader();
    const corrupt = goldenFrames[0]!.slice();
    corrupt[20]! ^= 1;
    reader.push(corrupt);
    expect(reader.nextFrame()).toEqual(corrupt);
    expect(reader.failure).toBeUndefined();
  });

  it('applies its maximum frame length to whole frames too', () => {
    const snapshot = goldenFrames.find((f) => f.length > 100)!;
    const reader = new FrameReader({ maxFrameLength: 100 });
    reader.push(snapshot);
    expect(failureOf(() => reader.next())).toBe('FrameTooLarge');
  });

  it('refuses a maximum frame length outside 88..65535, as it would refuse FILL', () => {
    expect(() => new FrameReader({ maxFrameLength: 87 })).toThrow(RangeError);
    expect(new FrameReader({ maxFrameLength: 88 }).maxFrameLength).toBe(88);
    expect(() => new FrameReader({ maxFrameLength: 65536 })).toThrow(RangeError);
    expect(new FrameReader({ maxFrameLength: 65535 }).maxFrameLength).toBe(65535);
  });
});

describe('FrameReader.nextFrameSpan', () => {
  it(`finds the same frame bytes as nextFrame however the stream is cut (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: goldenFrames.length - 1 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (picks, cuts) => {
          const stream = concat(picks.map((i) => goldenFrames[i]!));
          const points = [0, ...new Set(cuts.map((c) => c % stream.length)), stream.length].sort((a, b) => a - b);
          const chunks = points.slice(1).map((end, k) => stream.slice(points[k]!, end));
          const byView = new FrameReader();
          const bySpan = new FrameReader();
          const viewFrames: number[][] = [];
          const spanFrames: number[][] = [];
          for (const chunk of chunks) {
            byView.push(chunk);
            bySpan.push(chunk);
            for (let f = byView.nextFrame(); f !== undefined; f = byView.nextFrame()) viewFrames.push([...f]);
            for (let n = bySpan.nextFrameSpan(); n > 0; n = bySpan.nextFrameSpan()) {
              spanFrames.push([...bySpan.frameBytes.subarray(bySpan.frameOffset, bySpan.frameOffset + n)]);
            }
          }
          expect(spanFrames).toEqual(viewFrames);
          expect(spanFrames).toEqual(picks.map((i) => [...goldenFrames[i]!]));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('refuses a bad length field as nextFrame does, and stays failed', () => {
    const bytes = new Uint8Array([3, 0, 1, 1]);
    const bySpan = new FrameReader();
    const byView = new FrameReader();
    bySpan.push(bytes);
    byView.push(bytes);
    const spanFailure = failureOf(() => bySpan.nextFrameSpan());
    expect(spanFailure).toBe(failureOf(() => byView.nextFrame()));
    expect(spanFailure).not.toBe('no error');
    expect(() => bySpan.nextFrameSpan()).toThrow(ProtocolError);
  });
});
