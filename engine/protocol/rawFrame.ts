/**
 * Unchecked, layout-driven access to the bytes of a frame, for fuzzers and tests: put any value
 * (out of range, non-zero padding) into any field named by `messageLayouts.ts`, then reseal the
 * checksum so that the frame gets past step 4 of the decoding order and exercises the later ones.
 * Nothing here is meant for the engine's hot path.
 */

import { crc32c } from './crc32c.js';
import { CHECKSUM_LENGTH, MIN_FRAME_LENGTH, type FieldLayout } from './messageLayouts.js';

/**
 * The value of `field` as its wire type reads it (i64 signed, others unsigned), with no range check.
 *
 * @param base where the field's offset counts from: the frame's start, or for a BOOK_SNAPSHOT
 *   entry field, the entry's start. Default 0.
 */
export function readRawField(frame: Uint8Array, field: FieldLayout, base = 0): bigint {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const at = base + field.offset;
  switch (field.wireType) {
    case 'u8':
      return BigInt(view.getUint8(at));
    case 'u16':
      return BigInt(view.getUint16(at, true));
    case 'u32':
      return BigInt(view.getUint32(at, true));
    case 'u64':
      return view.getBigUint64(at, true);
    case 'i64':
      return view.getBigInt64(at, true);
  }
}

/**
 * Writes `value` into `field`, keeping its low bits (two's complement) when it does not fit the
 * wire type. Does not touch the checksum: call `resealFrame` afterwards.
 *
 * @param base as for `readRawField`.
 */
export function writeRawField(frame: Uint8Array, field: FieldLayout, value: bigint, base = 0): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const at = base + field.offset;
  switch (field.wireType) {
    case 'u8':
      view.setUint8(at, Number(BigInt.asUintN(8, value)));
      return;
    case 'u16':
      view.setUint16(at, Number(BigInt.asUintN(16, value)), true);
      return;
    case 'u32':
      view.setUint32(at, Number(BigInt.asUintN(32, value)), true);
      return;
    case 'u64':
    case 'i64':
      view.setBigUint64(at, BigInt.asUintN(64, value), true);
      return;
  }
}

/**
 * Recomputes the CRC-32C trailer of the frame at `frame[offset..]`, over the length its own length
 * field states.
 *
 * @throws RangeError if that length is below 28 bytes or runs past the end of `frame`.
 */
export function resealFrame(frame: Uint8Array, offset = 0): void {
  const length = (frame[offset] ?? 0) | ((frame[offset + 1] ?? 0) << 8);
  if (length < MIN_FRAME_LENGTH || offset + length > frame.length) {
    throw new RangeError(`cannot reseal: frame length ${length} at offset ${offset} of ${frame.length} bytes`);
  }
  const checksumAt = offset + length - CHECKSUM_LENGTH;
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(checksumAt, crc32c(frame, offset, checksumAt), true);
}
