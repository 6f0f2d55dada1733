import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeLoginAccepted, decodeLoginRequest, encodeLoginAccepted, encodeLoginRejected, encodeLoginRequest, encodeSoupPacket, SoupPacketReader,
  SoupPacketType,
} from './soupBinTcp.js';

const SEED = 0x50_0b;

function readAll(direction: 'from-server' | 'from-client', bytes: Uint8Array, chunkSizes: readonly number[] = [bytes.length]) {
  const packets: { type: number; payload: number[] }[] = [];
  const reader = new SoupPacketReader(direction, (type, payload) => packets.push({ type, payload: [...payload] }));
  let at = 0;
  let error: string | null = null;
  for (let i = 0; at < bytes.length && error === null; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length] ?? 1);
    error = reader.push(bytes.subarray(at, at + size));
    at += size;
  }
  return { packets, error, reader };
}

describe('SoupBinTCP 3.00 packets', () => {
  it('writes a Login Request as the spec lays it out: 2-byte length 47, L, alpha fields padded, sequence right-justified', () => {
    const b = encodeLoginRequest({ username: 'mb', password: 'pw', session: '', sequence: 42 });
    expect(b.length).toBe(49);
    expect([b[0], b[1]]).toEqual([0, 47]);
    expect(String.fromCharCode(...b.subarray(2))).toBe(`Lmb    pw        ${' '.repeat(10)}${' '.repeat(18)}42`);
    expect(decodeLoginRequest(b.subarray(3))).toEqual({ username: 'mb', password: 'pw', session: '', sequence: 42 });
  });

  it('round-trips logins, accepts and rejects whatever the values (property, seed printed)', () => {
    const alpha = (max: number) => fc.stringMatching(new RegExp(`^[!-~]{0,${max}}$`));
    fc.assert(fc.property(alpha(6), alpha(10), alpha(10), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (username, password, session, sequence) => {
      const login = encodeLoginRequest({ username, password, session, sequence });
      const accepted = encodeLoginAccepted(session, sequence);
      const { packets, error } = readAll('from-client', login, [3]);
      expect(error).toBeNull();
      expect(decodeLoginRequest(Uint8Array.from(packets[0]!.payload))).toEqual({ username, password, session, sequence });
      const back = readAll('from-server', accepted);
      expect(decodeLoginAccepted(Uint8Array.from(back.packets[0]!.payload))).toEqual({ session, sequence });
    }), { seed: SEED, numRuns: 200 });
  });

  it('cuts packets out of any chunking, payloads intact', () => {
    const stream = new Uint8Array([...encodeLoginAccepted('S1', 1), ...encodeSoupPacket(SoupPacketType.ServerHeartbeat),
      ...encodeSoupPacket(SoupPacketType.SequencedData, Uint8Array.from([0x41, 1, 2, 3])), ...encodeSoupPacket(SoupPacketType.EndOfSession)]);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (sizes) => {
      const { packets, error } = readAll('from-server', stream, sizes);
      expect(error).toBeNull();
      expect(packets.map((p) => String.fromCharCode(p.type))).toEqual(['A', 'H', 'S', 'Z']);
      expect(packets[2]!.payload).toEqual([0x41, 1, 2, 3]);
    }), { seed: SEED, numRuns: 100 });
  });

  it('refuses malformed packets with a message naming the problem, and reads nothing after', () => {
    expect(readAll('from-server', Uint8Array.from([0, 0, 0x48])).error).toMatch(/length 0/);
    expect(readAll('from-server', Uint8Array.from([0, 1, 0x4c])).error).toMatch(/'L' is not one a SoupBinTCP 3.00 server sends/);
    expect(readAll('from-client', Uint8Array.from([0, 1, 0x53])).error).toMatch(/'S' is not one a SoupBinTCP 3.00 client sends/);
    expect(readAll('from-server', Uint8Array.from([0, 2, 0x48, 0])).error).toMatch(/'H' has a 1-byte payload; SoupBinTCP 3.00 says 0/);
    expect(readAll('from-server', encodeLoginRejected('A').subarray(0, 2)).error).toBeNull();
    const big = new SoupPacketReader('from-server', () => undefined, 100);
    expect(big.push(Uint8Array.from([0x10, 0, 0x53]))).toMatch(/length 4096, above the 101/);
    const after = readAll('from-server', Uint8Array.from([0, 0, 0, 1, 0x48]));
    expect(after.packets).toEqual([]);
  });

  it('keeps an incomplete packet for the next chunk and no more', () => {
    const reader = new SoupPacketReader('from-server', () => undefined);
    reader.push(Uint8Array.from([0, 5, 0x53, 1]));
    expect(reader.pendingBytes).toBe(4);
    reader.push(Uint8Array.from([2, 3, 4]));
    expect(reader.pendingBytes).toBe(0);
    expect(reader.packets).toBe(1);
  });
});
