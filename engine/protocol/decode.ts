/**
 * Frame bytes → message, checking in the order docs/PROTOCOL.md ("Decoding order") lays down:
 *
 *   1. fewer than 2 bytes ............................ need more (here: LengthMismatch)
 *   2. frameLength < 28 → LengthMismatch, > max → FrameTooLarge
 *   3. fewer than frameLength bytes .................. need more (here: LengthMismatch)
 *   4. CRC-32C → ChecksumMismatch   5. version → UnsupportedVersion   6. type → UnknownMessageType
 *   7. exact length of the type → LengthMismatch
 *   8. 64-bit values outside the safe-integer range, non-zero reserved fields → ValueOutOfRange
 *
 * Steps 1–3 are also what `FrameReader` does while it waits for bytes. Code bytes (side, reasons,
 * …) are not checked: that is the engine's job, answered with REJECT.
 *
 * One hand-written reader per type with literal offsets, like `encode.ts`, and for the same
 * reason; the tests hold both against `messageLayouts.ts`.
 */

import { SessionErrorReason } from './codes.js';
import { crc32c } from './crc32c.js';
import {
  CHECKSUM_LENGTH,
  DEFAULT_MAX_FRAME_LENGTH,
  FRAME_LENGTH_LIMIT,
  LONGEST_FIXED_FRAME_LENGTH,
  MIN_FRAME_LENGTH,
  PROTOCOL_VERSION,
  SNAPSHOT_ENTRY_LENGTH,
  headerFields,
  messageLayout,
  snapshotFrameLength,
  type MessageLayout,
} from './messageLayouts.js';
import { MessageType, type Message, type SnapshotLevel } from './messages.js';
import { ProtocolError } from './ProtocolError.js';

const TWO_TO_32 = 0x1_0000_0000;
/** The high word of a u64 or positive i64 is at most this for the value to be ≤ 2^53-1. */
const MAX_SAFE_HIGH = 0x1f_ffff;
/** The high word of a negative i64 is at least this for the value to be ≥ -(2^53-1) (with a non-zero low word). */
const MIN_SAFE_HIGH = -0x20_0000;

/**
 * Decodes the frame that starts at `bytes[offset]`. Bytes after the frame are not looked at.
 *
 * @param offset where the frame starts; default 0.
 * @param maxFrameLength longest acceptable frame in bytes (88..65535); default 4096.
 * @throws ProtocolError for any malformed or incomplete frame, never anything else for any bytes;
 *   RangeError for a bad `offset` or `maxFrameLength` argument.
 */
export function decode(bytes: Uint8Array, offset = 0, maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH): Message {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  checkMaxFrameLength(maxFrameLength);
  const available = bytes.length - offset;
  if (available < 2) {
    throw new ProtocolError(SessionErrorReason.LengthMismatch, `need 2 bytes to read the frame length, have ${Math.max(0, available)}`);
  }
  const length = readU16(bytes, offset);
  checkFrameLength(length, maxFrameLength);
  if (available < length) {
    throw new ProtocolError(SessionErrorReason.LengthMismatch, `frame length ${length} but only ${available} bytes available`);
  }
  const checksumAt = offset + length - CHECKSUM_LENGTH;
  const carried = readU32(bytes, checksumAt);
  const computed = crc32c(bytes, offset, checksumAt);
  if (carried !== computed) {
    throw new ProtocolError(SessionErrorReason.ChecksumMismatch, `checksum mismatch: frame carries ${hex32(carried)}, its bytes give ${hex32(computed)}`);
  }
  // From here on the bytes are what the peer sent: errors report its sequence if it is in range.
  const sequenceHigh = readU32(bytes, offset + 12);
  const refSequence = sequenceHigh <= MAX_SAFE_HIGH ? sequenceHigh * TWO_TO_32 + readU32(bytes, offset + 8) : 0;
  const version = bytes[offset + 2]!;
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      SessionErrorReason.UnsupportedVersion,
      `unsupported protocol version ${version}, this codec speaks ${PROTOCOL_VERSION}`,
      refSequence,
    );
  }
  const type = bytes[offset + 3]!;
  const layout = messageLayout(type);
  if (layout === undefined) {
    throw new ProtocolError(SessionErrorReason.UnknownMessageType, `unknown message type 0x${type.toString(16).padStart(2, '0')}`, refSequence);
  }
  checkExactLength(bytes, offset, length, layout, refSequence);
  try {
    return readMessage(bytes, offset, type);
  } catch (fault) {
    if (fault instanceof FieldFault) throw fault.toProtocolError(layout, bytes, offset, refSequence);
    throw fault;
  }
}

/**
 * Step 2 of the decoding order, on its own so that a streaming reader can refuse a frame as soon
 * as its two length bytes arrive.
 *
 * @throws ProtocolError LengthMismatch below 28 bytes, FrameTooLarge above `maxFrameLength`.
 */
export function checkFrameLength(frameLength: number, maxFrameLength: number): void {
  if (frameLength < MIN_FRAME_LENGTH) {
    throw new ProtocolError(SessionErrorReason.LengthMismatch, `frame length ${frameLength} is below the minimum ${MIN_FRAME_LENGTH}`);
  }
  if (frameLength > maxFrameLength) {
    throw new ProtocolError(SessionErrorReason.FrameTooLarge, `frame length ${frameLength} exceeds maximum ${maxFrameLength}`);
  }
}

/** @throws RangeError unless `maxFrameLength` is an integer from the longest fixed-size frame (88) to 65535. */
export function checkMaxFrameLength(maxFrameLength: number): void {
  if (!Number.isInteger(maxFrameLength) || maxFrameLength < LONGEST_FIXED_FRAME_LENGTH || maxFrameLength > FRAME_LENGTH_LIMIT) {
    throw new RangeError(`maxFrameLength must be an integer in ${LONGEST_FIXED_FRAME_LENGTH}..${FRAME_LENGTH_LIMIT}, got ${maxFrameLength}`);
  }
}

function checkExactLength(b: Uint8Array, o: number, length: number, layout: MessageLayout, refSequence: number): void {
  if (layout.entries === undefined) {
    if (length === layout.frameLength) return;
    throw new ProtocolError(
      SessionErrorReason.LengthMismatch,
      `${layout.name} needs exactly ${layout.frameLength} bytes, frame says ${length}`,
      refSequence,
    );
  }
  if (length < layout.frameLength) {
    throw new ProtocolError(
      SessionErrorReason.LengthMismatch,
      `${layout.name} needs at least ${layout.frameLength} bytes, frame says ${length}`,
      refSequence,
    );
  }
  const bidCount = readU16(b, o + 24);
  const askCount = readU16(b, o + 26);
  const expected = snapshotFrameLength(bidCount + askCount);
  if (length !== expected) {
    throw new ProtocolError(
      SessionErrorReason.LengthMismatch,
      `${layout.name} with ${bidCount} bids and ${askCount} asks needs exactly ${expected} bytes, frame says ${length}`,
      refSequence,
    );
  }
}

function readMessage(b: Uint8Array, o: number, type: number): Message {
  const symbolId = readU32(b, o + 4);
  const sequence = readU64(b, o + 8);
  const timestampNs = readU64(b, o + 16);
  switch (type) {
    case MessageType.Login:
      return { type: MessageType.Login, symbolId, sequence, timestampNs, clientId: readU32(b, o + 24), heartbeatIntervalMs: readU32(b, o + 28) };
    case MessageType.LoginAck:
      return { type: MessageType.LoginAck, symbolId, sequence, timestampNs, sessionId: readU32(b, o + 24), heartbeatIntervalMs: readU32(b, o + 28) };
    case MessageType.Heartbeat:
      return { type: MessageType.Heartbeat, symbolId, sequence, timestampNs };
    case MessageType.Logout:
      requireZero(b, o + 26, 2);
      return { type: MessageType.Logout, symbolId, sequence, timestampNs, reason: readU16(b, o + 24) };
    case MessageType.SessionError:
      requireZero(b, o + 26, 2);
      return {
        type: MessageType.SessionError,
        symbolId,
        sequence,
        timestampNs,
        reason: readU16(b, o + 24),
        refSequence: readU64(b, o + 28),
      };
    case MessageType.NewOrder:
      requireZero(b, o + 51, 1);
      return {
        type: MessageType.NewOrder,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        price: readI64(b, o + 32),
        quantity: readU64(b, o + 40),
        side: b[o + 48]!,
        orderType: b[o + 49]!,
        timeInForce: b[o + 50]!,
      };
    case MessageType.Cancel:
      return { type: MessageType.Cancel, symbolId, sequence, timestampNs, clientOrderId: readU64(b, o + 24) };
    case MessageType.Replace:
      return {
        type: MessageType.Replace,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        price: readI64(b, o + 32),
        quantity: readU64(b, o + 40),
      };
    case MessageType.Ack:
      return {
        type: MessageType.Ack,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        orderId: readU64(b, o + 32),
        echoTimestampNs: readU64(b, o + 40),
      };
    case MessageType.Reject:
      requireZero(b, o + 43, 1);
      return {
        type: MessageType.Reject,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        echoTimestampNs: readU64(b, o + 32),
        reason: readU16(b, o + 40),
        refMessageType: b[o + 42]!,
      };
    case MessageType.Fill:
      requireZero(b, o + 82, 2);
      return {
        type: MessageType.Fill,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        orderId: readU64(b, o + 32),
        tradeId: readU64(b, o + 40),
        price: readI64(b, o + 48),
        quantity: readU64(b, o + 56),
        leavesQuantity: readU64(b, o + 64),
        echoTimestampNs: readU64(b, o + 72),
        side: b[o + 80]!,
        liquidity: b[o + 81]!,
      };
    case MessageType.Canceled:
      requireZero(b, o + 57, 1);
      requireZero(b, o + 58, 2);
      return {
        type: MessageType.Canceled,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        orderId: readU64(b, o + 32),
        canceledQuantity: readU64(b, o + 40),
        echoTimestampNs: readU64(b, o + 48),
        reason: b[o + 56]!,
      };
    case MessageType.Replaced:
      return {
        type: MessageType.Replaced,
        symbolId,
        sequence,
        timestampNs,
        clientOrderId: readU64(b, o + 24),
        orderId: readU64(b, o + 32),
        price: readI64(b, o + 40),
        leavesQuantity: readU64(b, o + 48),
        echoTimestampNs: readU64(b, o + 56),
      };
    case MessageType.Trade:
      requireZero(b, o + 49, 1);
      requireZero(b, o + 50, 2);
      return {
        type: MessageType.Trade,
        symbolId,
        sequence,
        timestampNs,
        tradeId: readU64(b, o + 24),
        price: readI64(b, o + 32),
        quantity: readU64(b, o + 40),
        aggressorSide: b[o + 48]!,
      };
    case MessageType.LevelUpdate:
      requireZero(b, o + 45, 1);
      requireZero(b, o + 46, 2);
      return {
        type: MessageType.LevelUpdate,
        symbolId,
        sequence,
        timestampNs,
        price: readI64(b, o + 24),
        quantity: readU64(b, o + 32),
        orderCount: readU32(b, o + 40),
        side: b[o + 44]!,
      };
    case MessageType.Quote:
      return {
        type: MessageType.Quote,
        symbolId,
        sequence,
        timestampNs,
        bidPrice: readI64(b, o + 24),
        bidQuantity: readU64(b, o + 32),
        askPrice: readI64(b, o + 40),
        askQuantity: readU64(b, o + 48),
      };
    case MessageType.FeedHeartbeat:
      return { type: MessageType.FeedHeartbeat, symbolId, sequence, timestampNs };
    case MessageType.SnapshotRequest:
      requireZero(b, o + 26, 2);
      return { type: MessageType.SnapshotRequest, symbolId, sequence, timestampNs, levels: readU16(b, o + 24) };
    default: {
      // checkExactLength has run, so a BOOK_SNAPSHOT's counts match its length.
      requireZero(b, o + 28, 4);
      const bidCount = readU16(b, o + 24);
      const asksAt = o + 32 + SNAPSHOT_ENTRY_LENGTH * bidCount;
      const bids = readLevels(b, o + 32, bidCount);
      const asks = readLevels(b, asksAt, readU16(b, o + 26));
      return { type: MessageType.BookSnapshot, symbolId, sequence, timestampNs, bids, asks };
    }
  }
}

function readLevels(b: Uint8Array, at: number, count: number): SnapshotLevel[] {
  const levels = new Array<SnapshotLevel>(count);
  for (let i = 0; i < count; i++, at += SNAPSHOT_ENTRY_LENGTH) {
    requireZero(b, at + 20, 4);
    levels[i] = { price: readI64(b, at), quantity: readU64(b, at + 8), orderCount: readU32(b, at + 16) };
  }
  return levels;
}

function readU16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function readU64(b: Uint8Array, at: number): number {
  const high = readU32(b, at + 4);
  if (high > MAX_SAFE_HIGH) throw new FieldFault(at, 'u64');
  return high * TWO_TO_32 + readU32(b, at);
}

function readI64(b: Uint8Array, at: number): number {
  const high = b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24); // signed
  const low = readU32(b, at);
  if (high > MAX_SAFE_HIGH || high < MIN_SAFE_HIGH || (high === MIN_SAFE_HIGH && low === 0)) throw new FieldFault(at, 'i64');
  return high * TWO_TO_32 + low;
}

function requireZero(b: Uint8Array, at: number, length: 1 | 2 | 4): void {
  if (b[at] !== 0 || (length > 1 && b[at + 1] !== 0) || (length > 2 && (b[at + 2] !== 0 || b[at + 3] !== 0))) {
    throw new FieldFault(at, length === 1 ? 'u8' : length === 2 ? 'u16' : 'u32', true);
  }
}

function hex32(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/**
 * A field value that fails step 8. Thrown by the readers with only the byte position, so that the
 * happy path builds no strings; `decode` turns it into a ProtocolError that names the field.
 */
class FieldFault {
  constructor(
    readonly at: number,
    readonly wireType: 'u8' | 'u16' | 'u32' | 'u64' | 'i64',
    readonly reserved = false,
  ) {}

  toProtocolError(layout: MessageLayout, b: Uint8Array, o: number, refSequence: number): ProtocolError {
    const fieldOffset = this.at - o;
    const name = fieldName(layout, b, o, fieldOffset);
    let message: string;
    if (this.reserved) {
      const value = this.wireType === 'u8' ? b[this.at]! : this.wireType === 'u16' ? readU16(b, this.at) : readU32(b, this.at);
      message = `${layout.name} ${name} at offset ${fieldOffset} is ${value}, must be 0`;
    } else {
      const raw = (BigInt(readU32(b, this.at + 4)) << 32n) | BigInt(readU32(b, this.at));
      const value = this.wireType === 'i64' ? BigInt.asIntN(64, raw) : raw;
      message =
        value > 0n
          ? `${layout.name} field ${name} = ${value} is above the safe-integer range (max 2^53-1)`
          : `${layout.name} field ${name} = ${value} is below the safe-integer range (min -(2^53-1))`;
    }
    return new ProtocolError(SessionErrorReason.ValueOutOfRange, message, refSequence);
  }
}

/** The name of the field at `fieldOffset` of a frame, for error messages: `price`, `asks[2].quantity`. */
function fieldName(layout: MessageLayout, b: Uint8Array, o: number, fieldOffset: number): string {
  const fixed = [...headerFields, ...layout.fields].find((f) => f.offset === fieldOffset);
  if (fixed !== undefined) return fixed.name === 'reserved' ? 'reserved field' : fixed.name;
  const entries = layout.entries;
  if (entries === undefined) return `field at offset ${fieldOffset}`;
  const index = Math.floor((fieldOffset - entries.offset) / entries.entryLength);
  const inEntry = entries.fields.find((f) => f.offset === fieldOffset - entries.offset - index * entries.entryLength);
  // Entry groups follow each other in wire order; find the group the index falls in.
  let first = 0;
  for (let g = 0; g < entries.countFields.length; g++) {
    const countField = layout.fields.find((f) => f.name === entries.countFields[g]);
    const count = countField === undefined ? 0 : readU16(b, o + countField.offset);
    if (index < first + count) {
      const inGroup = `${entries.groupNames[g] ?? '?'}[${index - first}]`;
      return inEntry === undefined ? inGroup : inEntry.reserved ? `${inGroup} reserved field` : `${inGroup}.${inEntry.name}`;
    }
    first += count;
  }
  return `field at offset ${fieldOffset}`;
}
