/**
 * Reading and writing a layout's integer fields, and its checksums. The readers sit on the feed
 * reader's hot path (length, type, sequence and timestamp of every frame), so they are plain
 * byte arithmetic on a Uint8Array: no DataView per frame, no bigint.
 */
import { crc32c } from '../../engine/protocol/crc32c.js';
import type { ChecksumAlgorithm, LayoutField } from './FeedLayout.js';

const TWO_TO_32 = 0x1_0000_0000;

/** An unsigned field of 1, 2 or 4 bytes at `at`. */
export function readUint(b: Uint8Array, at: number, sizeBytes: number, littleEndian: boolean): number {
  switch (sizeBytes) {
    case 1: return b[at]!;
    case 2: return littleEndian ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
    default: return littleEndian
      ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
      : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }
}

/** The upper 32 bits of a u64 field (0 for narrower fields). */
export function readHigh(b: Uint8Array, field: LayoutField, base = 0): number {
  if (field.sizeBytes !== 8) return 0;
  return readUint(b, base + field.offset + (field.littleEndian ? 4 : 0), 4, field.littleEndian);
}

/** The lower 32 bits of a field (all of it when it is 4 bytes or narrower). */
export function readLow(b: Uint8Array, field: LayoutField, base = 0): number {
  if (field.sizeBytes !== 8) return readUint(b, base + field.offset, field.sizeBytes, field.littleEndian);
  return readUint(b, base + field.offset + (field.littleEndian ? 0 : 4), 4, field.littleEndian);
}

/** An unsigned field as a number (a u64 above 2^53 comes back rounded to the nearest double). */
export function readUnsigned(b: Uint8Array, field: LayoutField, base = 0): number {
  return field.sizeBytes === 8 ? readHigh(b, field, base) * TWO_TO_32 + readLow(b, field, base) : readLow(b, field, base);
}

/**
 * Writes `value` into `field` (not a hot path: fixtures, subscribe messages). Signed types take
 * two's complement; 64-bit values must be safe integers.
 */
export function writeField(b: Uint8Array, field: LayoutField, value: number, base = 0): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const at = base + field.offset;
  const le = field.littleEndian;
  switch (field.type) {
    case 'u8': view.setUint8(at, value); break;
    case 'i8': view.setInt8(at, value); break;
    case 'u16': view.setUint16(at, value, le); break;
    case 'i16': view.setInt16(at, value, le); break;
    case 'u32': view.setUint32(at, value, le); break;
    case 'i32': view.setInt32(at, value, le); break;
    case 'u64': view.setBigUint64(at, BigInt(value), le); break;
    case 'i64': view.setBigInt64(at, BigInt(value), le); break;
  }
}

/** The range a field type carries, as numbers (64-bit types: the safe integers). */
export function fieldTypeRange(type: LayoutField['type']): { readonly min: number; readonly max: number } {
  switch (type) {
    case 'u8': return { min: 0, max: 0xff };
    case 'u16': return { min: 0, max: 0xffff };
    case 'u32': return { min: 0, max: 0xffff_ffff };
    case 'u64': return { min: 0, max: Number.MAX_SAFE_INTEGER };
    case 'i8': return { min: -0x80, max: 0x7f };
    case 'i16': return { min: -0x8000, max: 0x7fff };
    case 'i32': return { min: -0x8000_0000, max: 0x7fff_ffff };
    case 'i64': return { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
  }
}

/** XOR of every byte in [start, end). */
export function xor8(b: Uint8Array, start: number, end: number): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= b[i]!;
  return x;
}

/**
 * XOR of the little-endian u32 words of [start, end), word by word from `start`; a last partial
 * word is padded with zero bytes.
 */
export function xor32le(b: Uint8Array, start: number, end: number): number {
  let x = 0;
  let i = start;
  for (const last4 = end - 4; i <= last4; i += 4) x ^= b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
  for (let shift = 0; i < end; i++, shift += 8) x ^= b[i]! << shift;
  return x >>> 0;
}

/** The checksum of [start, end) by `algorithm` (0 for none). */
export function checksumOf(algorithm: ChecksumAlgorithm, b: Uint8Array, start: number, end: number): number {
  switch (algorithm) {
    case 'none': return 0;
    case 'xor8': return xor8(b, start, end);
    case 'xor32le': return xor32le(b, start, end);
    case 'crc32c': return crc32c(b, start, end);
  }
}
