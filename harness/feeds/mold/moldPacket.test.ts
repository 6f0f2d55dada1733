import { describe, expect, it } from 'vitest';
import {
  encodeMoldEndOfSession, encodeMoldHeartbeat, encodeMoldPacket, encodeMoldRequest, moldSession, readMoldPacket, readMoldRequest,
} from './moldPacket.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** 'SESSION001' in ASCII. */
const SESSION_HEX = '53455353494f4e303031';

describe('MoldUDP64 packets', () => {
  it('encodes a downstream packet as the spec lays it out: session, u64 sequence, u16 count, then length-prefixed blocks', () => {
    const packet = encodeMoldPacket('SESSION001', 0x0102_0304_0506, [Uint8Array.of(0x41, 0x42), Uint8Array.of(0x43)]);
    expect(hex(packet)).toBe(`${SESSION_HEX}0000010203040506` + '0002' + '0002' + '4142' + '0001' + '43');
    expect(readMoldPacket(packet)).toEqual({ sequence: 0x0102_0304_0506, count: 2, problem: null });
    expect(moldSession(packet)).toBe('SESSION001');
  });

  it('pads a short session with spaces; heartbeat is count 0, end of session 0xFFFF, both carrying the next sequence', () => {
    const heartbeat = encodeMoldHeartbeat('ABC', 42);
    expect(hex(heartbeat)).toBe(`${Buffer.from('ABC       ').toString('hex')}000000000000002a0000`);
    expect(readMoldPacket(heartbeat)).toEqual({ sequence: 42, count: 0, problem: null });
    expect(hex(encodeMoldEndOfSession('SESSION001', 7)).slice(20)).toBe('0000000000000007ffff');
    expect(readMoldPacket(encodeMoldEndOfSession('SESSION001', 7))).toEqual({ sequence: 7, count: 0xffff, problem: null });
  });

  it('encodes and reads request packets: session, first sequence, message count', () => {
    const request = encodeMoldRequest('SESSION001', 1_000_000, 250);
    expect(hex(request)).toBe(`${SESSION_HEX}00000000000f424000fa`);
    expect(readMoldRequest(request)).toEqual({ session: 'SESSION001', sequence: 1_000_000, count: 250 });
    expect(readMoldRequest(request.subarray(0, 19))).toBeNull();
  });

  it('reads sequences beyond 32 bits exactly', () => {
    const b = Buffer.from(`${SESSION_HEX}0000001234567890` + '0001' + '0001' + 'ff', 'hex');
    expect(readMoldPacket(b)).toEqual({ sequence: 0x12_3456_7890, count: 1, problem: null });
  });

  it('names what is wrong with a malformed packet', () => {
    const good = encodeMoldPacket('SESSION001', 1, [Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    expect(readMoldPacket(good.subarray(0, 12)).problem).toBe('12 bytes is shorter than the 20-byte header');
    expect(readMoldPacket(good.subarray(0, good.length - 1)).problem).toBe('message 2 of 2 (1 bytes) ends beyond the 27-byte packet');
    expect(readMoldPacket(good.subarray(0, 25)).problem).toBe('message 2 of 2 starts beyond the 25-byte packet');
    expect(readMoldPacket(Buffer.concat([good, Uint8Array.of(0)])).problem).toBe('1 bytes after the last of 2 messages');
    expect(readMoldPacket(Buffer.concat([encodeMoldHeartbeat('S', 1), Uint8Array.of(0)])).problem).toBe('a heartbeat of 21 bytes (it has none but the header)');
  });

  it('refuses to encode what the format cannot carry', () => {
    expect(() => encodeMoldPacket('ELEVENCHARS', 1, [Uint8Array.of(1)])).toThrow(/up to 10 printable ASCII/);
    expect(() => encodeMoldPacket('S', 1, [])).toThrow(/1..65534 messages/);
    expect(() => encodeMoldPacket('S', 1, [new Uint8Array(0x1_0000)])).toThrow(/up to 65535 bytes/);
  });
});
