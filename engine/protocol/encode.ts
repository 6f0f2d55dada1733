/**
 * Message → frame bytes.
 *
 * One hand-written writer per message type with literal frame offsets: no per-field closures or
 * table walks on the engine's hot path. `messageLayouts.ts` is the reference; the tests read every
 * field of encoded frames back through that table, so the two cannot disagree silently.
 */

import { SessionErrorReason } from './codes.js';
import { crc32c } from './crc32c.js';
import {
  CHECKSUM_LENGTH,
  DEFAULT_MAX_FRAME_LENGTH,
  FRAME_LENGTH_LIMIT,
  PROTOCOL_VERSION,
  SNAPSHOT_ENTRY_LENGTH,
  messageLayout,
  snapshotFrameLength,
} from './messageLayouts.js';
import { MessageType, type Message, type SnapshotLevel } from './messages.js';
import { ProtocolError } from './ProtocolError.js';

const TWO_TO_32 = 0x1_0000_0000;

/**
 * Length in bytes of the frame that encodes `msg`.
 *
 * @throws ProtocolError (UnknownMessageType) if `msg.type` is not a message type.
 */
export function frameLengthOf(msg: Message | UnstampedMessage): number {
  if (msg.type === MessageType.BookSnapshot) return snapshotFrameLength(msg.bids.length + msg.asks.length);
  const layout = messageLayout(msg.type);
  if (layout === undefined) throw unknownType(msg);
  return layout.frameLength;
}

/**
 * Encodes `msg` into a new Buffer holding exactly one frame.
 *
 * @param maxFrameLength refuse frames longer than this (only BOOK_SNAPSHOT can be); default 4096.
 * @throws ProtocolError with reason ValueOutOfRange for a field that is not an integer of its wire
 *   type's range (64-bit fields: a safe integer, ≥ 0 if unsigned), UnknownMessageType for an
 *   unknown `type`, FrameTooLarge for a snapshot that does not fit.
 */
export function encode(msg: Message, maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH): Buffer {
  // allocUnsafe is fine: encodeInto writes every byte of the frame, reserved ones included.
  const frame = Buffer.allocUnsafe(frameLengthOf(msg));
  encodeInto(msg, frame, 0, maxFrameLength);
  return frame;
}

/** A message without its header's `sequence` and `timestampNs`, which {@link encodeStamped} takes apart. */
export type UnstampedMessage = Message extends infer M ? M extends Message ? Omit<M, 'sequence' | 'timestampNs'> : never : never;

/**
 * Encodes `msg` with the given header `sequence` and `timestampNs` into a new Buffer holding
 * exactly one frame: what {@link encode} does for `{ ...msg, sequence, timestampNs }`, without
 * building that object. Sessions stamp every frame they send; the spread of report objects of
 * many shapes cost about a tenth of the engine's main thread in the engine benchmark.
 *
 * @throws ProtocolError as {@link encode}.
 */
export function encodeStamped(msg: UnstampedMessage, sequence: number, timestampNs: number,
  maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH): Buffer {
  const length = checkedFrameLength(msg, maxFrameLength);
  // allocUnsafe is fine: writeFrame writes every byte of the frame, reserved ones included.
  const frame = Buffer.allocUnsafe(length);
  writeFrameOrExplain(msg, frame, 0, length, sequence, timestampNs);
  return frame;
}

/**
 * {@link encodeStamped} into `target[offset..]` (as {@link encodeInto}); returns the bytes written.
 *
 * @throws ProtocolError as {@link encode}; RangeError if `target` has no room for the frame at `offset`.
 */
export function encodeStampedInto(msg: UnstampedMessage, sequence: number, timestampNs: number, target: Uint8Array,
  offset: number, maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH): number {
  const length = checkedFrameLength(msg, maxFrameLength);
  if (!Number.isInteger(offset) || offset < 0 || offset + length > target.length) {
    throw new RangeError(`a ${length}-byte frame does not fit at offset ${offset} of a ${target.length}-byte target`);
  }
  writeFrameOrExplain(msg, target, offset, length, sequence, timestampNs);
  return length;
}

/**
 * Encodes `msg` as one frame at `target[offset..]` and returns the number of bytes written.
 * If it throws, the bytes of `target` in that range may have been partly overwritten.
 *
 * @param maxFrameLength refuse frames longer than this (only BOOK_SNAPSHOT can be); default 4096.
 * @throws ProtocolError as `encode`; RangeError if `target` has no room for the frame at `offset`.
 */
export function encodeInto(
  msg: Message,
  target: Uint8Array,
  offset: number,
  maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH,
): number {
  const length = checkedFrameLength(msg, maxFrameLength);
  if (!Number.isInteger(offset) || offset < 0 || offset + length > target.length) {
    throw new RangeError(`a ${length}-byte frame does not fit at offset ${offset} of a ${target.length}-byte target`);
  }
  writeFrameOrExplain(msg, target, offset, length, msg.sequence, msg.timestampNs);
  return length;
}

/** The frame length of `msg`, refused (FrameTooLarge) beyond `maxFrameLength` or the protocol's limit. */
function checkedFrameLength(msg: UnstampedMessage, maxFrameLength: number): number {
  const length = frameLengthOf(msg);
  if (length > maxFrameLength || length > FRAME_LENGTH_LIMIT) {
    throw new ProtocolError(
      SessionErrorReason.FrameTooLarge,
      `cannot encode ${messageLayout(msg.type)?.name ?? '?'}: frame length ${length} exceeds maximum ${Math.min(maxFrameLength, FRAME_LENGTH_LIMIT)}`,
    );
  }
  return length;
}

/** writeFrame, with the message's name put in front of a field's ValueOutOfRange. */
function writeFrameOrExplain(msg: UnstampedMessage, b: Uint8Array, o: number, length: number, sequence: number,
  timestampNs: number): void {
  try {
    writeFrame(msg, b, o, length, sequence, timestampNs);
  } catch (error) {
    if (error instanceof ProtocolError) {
      throw new ProtocolError(error.reason, `cannot encode ${messageLayout(msg.type)?.name ?? '?'}: ${error.message}`);
    }
    throw error;
  }
}

function writeFrame(msg: UnstampedMessage, b: Uint8Array, o: number, length: number, sequence: number, timestampNs: number): void {
  writeRawU16(b, o, length);
  b[o + 2] = PROTOCOL_VERSION;
  b[o + 3] = msg.type;
  writeU32(b, o + 4, msg.symbolId, 'symbolId');
  writeU64(b, o + 8, sequence, 'sequence');
  writeU64(b, o + 16, timestampNs, 'timestampNs');
  switch (msg.type) {
    case MessageType.Login:
      writeU32(b, o + 24, msg.clientId, 'clientId');
      writeU32(b, o + 28, msg.heartbeatIntervalMs, 'heartbeatIntervalMs');
      break;
    case MessageType.LoginAck:
      writeU32(b, o + 24, msg.sessionId, 'sessionId');
      writeU32(b, o + 28, msg.heartbeatIntervalMs, 'heartbeatIntervalMs');
      break;
    case MessageType.Heartbeat:
    case MessageType.FeedHeartbeat:
      break;
    case MessageType.Logout:
      writeU16(b, o + 24, msg.reason, 'reason');
      writeRawU16(b, o + 26, 0);
      break;
    case MessageType.SessionError:
      writeU16(b, o + 24, msg.reason, 'reason');
      writeRawU16(b, o + 26, 0);
      writeU64(b, o + 28, msg.refSequence, 'refSequence');
      break;
    case MessageType.NewOrder:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeI64(b, o + 32, msg.price, 'price');
      writeU64(b, o + 40, msg.quantity, 'quantity');
      writeU8(b, o + 48, msg.side, 'side');
      writeU8(b, o + 49, msg.orderType, 'orderType');
      writeU8(b, o + 50, msg.timeInForce, 'timeInForce');
      b[o + 51] = 0;
      break;
    case MessageType.Cancel:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      break;
    case MessageType.Replace:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeI64(b, o + 32, msg.price, 'price');
      writeU64(b, o + 40, msg.quantity, 'quantity');
      break;
    case MessageType.Ack:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeU64(b, o + 32, msg.orderId, 'orderId');
      writeU64(b, o + 40, msg.echoTimestampNs, 'echoTimestampNs');
      break;
    case MessageType.Reject:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeU64(b, o + 32, msg.echoTimestampNs, 'echoTimestampNs');
      writeU16(b, o + 40, msg.reason, 'reason');
      writeU8(b, o + 42, msg.refMessageType, 'refMessageType');
      b[o + 43] = 0;
      break;
    case MessageType.Fill:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeU64(b, o + 32, msg.orderId, 'orderId');
      writeU64(b, o + 40, msg.tradeId, 'tradeId');
      writeI64(b, o + 48, msg.price, 'price');
      writeU64(b, o + 56, msg.quantity, 'quantity');
      writeU64(b, o + 64, msg.leavesQuantity, 'leavesQuantity');
      writeU64(b, o + 72, msg.echoTimestampNs, 'echoTimestampNs');
      writeU8(b, o + 80, msg.side, 'side');
      writeU8(b, o + 81, msg.liquidity, 'liquidity');
      writeRawU16(b, o + 82, 0);
      break;
    case MessageType.Canceled:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeU64(b, o + 32, msg.orderId, 'orderId');
      writeU64(b, o + 40, msg.canceledQuantity, 'canceledQuantity');
      writeU64(b, o + 48, msg.echoTimestampNs, 'echoTimestampNs');
      writeU8(b, o + 56, msg.reason, 'reason');
      b[o + 57] = 0;
      writeRawU16(b, o + 58, 0);
      break;
    case MessageType.Replaced:
      writeU64(b, o + 24, msg.clientOrderId, 'clientOrderId');
      writeU64(b, o + 32, msg.orderId, 'orderId');
      writeI64(b, o + 40, msg.price, 'price');
      writeU64(b, o + 48, msg.leavesQuantity, 'leavesQuantity');
      writeU64(b, o + 56, msg.echoTimestampNs, 'echoTimestampNs');
      break;
    case MessageType.Trade:
      writeU64(b, o + 24, msg.tradeId, 'tradeId');
      writeI64(b, o + 32, msg.price, 'price');
      writeU64(b, o + 40, msg.quantity, 'quantity');
      writeU8(b, o + 48, msg.aggressorSide, 'aggressorSide');
      b[o + 49] = 0;
      writeRawU16(b, o + 50, 0);
      break;
    case MessageType.LevelUpdate:
      writeI64(b, o + 24, msg.price, 'price');
      writeU64(b, o + 32, msg.quantity, 'quantity');
      writeU32(b, o + 40, msg.orderCount, 'orderCount');
      writeU8(b, o + 44, msg.side, 'side');
      b[o + 45] = 0;
      writeRawU16(b, o + 46, 0);
      break;
    case MessageType.Quote:
      writeI64(b, o + 24, msg.bidPrice, 'bidPrice');
      writeU64(b, o + 32, msg.bidQuantity, 'bidQuantity');
      writeI64(b, o + 40, msg.askPrice, 'askPrice');
      writeU64(b, o + 48, msg.askQuantity, 'askQuantity');
      break;
    case MessageType.SnapshotRequest:
      writeU16(b, o + 24, msg.levels, 'levels');
      writeRawU16(b, o + 26, 0);
      break;
    case MessageType.BookSnapshot:
      writeU16(b, o + 24, msg.bids.length, 'bidCount');
      writeU16(b, o + 26, msg.asks.length, 'askCount');
      writeRawU32(b, o + 28, 0);
      writeLevels(b, o + 32, msg.bids, 'bids');
      writeLevels(b, o + 32 + SNAPSHOT_ENTRY_LENGTH * msg.bids.length, msg.asks, 'asks');
      break;
    default:
      throw unknownType(msg);
  }
  writeRawU32(b, o + length - CHECKSUM_LENGTH, crc32c(b, o, o + length - CHECKSUM_LENGTH));
}

function writeLevels(b: Uint8Array, at: number, levels: readonly SnapshotLevel[], side: 'bids' | 'asks'): void {
  for (let i = 0; i < levels.length; i++, at += SNAPSHOT_ENTRY_LENGTH) {
    const level = levels[i]!;
    writeI64(b, at, level.price, `${side}[${i}].price`);
    writeU64(b, at + 8, level.quantity, `${side}[${i}].quantity`);
    writeU32(b, at + 16, level.orderCount, `${side}[${i}].orderCount`);
    writeRawU32(b, at + 20, 0);
  }
}

function unknownType(msg: UnstampedMessage): ProtocolError {
  const type: unknown = (msg as { type: unknown }).type;
  return new ProtocolError(SessionErrorReason.UnknownMessageType, `cannot encode message type ${typeof type === 'number' ? `0x${type.toString(16)}` : String(type)}: not a protocol message type`);
}

function outOfRange(field: string, value: unknown, what: string): ProtocolError {
  return new ProtocolError(SessionErrorReason.ValueOutOfRange, `field ${field} = ${String(value)} is not ${what}`);
}

// Raw writers: the value is known to fit. Uint8Array stores keep the low 8 bits.
function writeRawU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
}

function writeRawU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

// Checked writers: refuse anything the wire type cannot carry exactly.
function writeU8(b: Uint8Array, at: number, v: number, field: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xff)) throw outOfRange(field, v, 'a u8 (an integer in 0..255)');
  b[at] = v;
}

function writeU16(b: Uint8Array, at: number, v: number, field: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xffff)) throw outOfRange(field, v, 'a u16 (an integer in 0..65535)');
  writeRawU16(b, at, v);
}

function writeU32(b: Uint8Array, at: number, v: number, field: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff)) throw outOfRange(field, v, 'a u32 (an integer in 0..4294967295)');
  writeRawU32(b, at, v);
}

function writeU64(b: Uint8Array, at: number, v: number, field: string): void {
  if (!(Number.isSafeInteger(v) && v >= 0)) throw outOfRange(field, v, 'a u64 in the safe-integer range (an integer in 0..2^53-1)');
  writeRawU32(b, at, v >>> 0); // >>> 0 is v mod 2^32, exact for any safe integer
  writeRawU32(b, at + 4, Math.floor(v / TWO_TO_32));
}

function writeI64(b: Uint8Array, at: number, v: number, field: string): void {
  if (!Number.isSafeInteger(v)) throw outOfRange(field, v, 'an i64 in the safe-integer range (an integer in -(2^53-1)..2^53-1)');
  // Two's complement: low word v mod 2^32, high word floor(v / 2^32), which is ≥ -2^21 here.
  writeRawU32(b, at, v >>> 0);
  writeRawU32(b, at + 4, Math.floor(v / TWO_TO_32));
}
