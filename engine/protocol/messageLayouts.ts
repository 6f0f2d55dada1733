/**
 * The byte layout of every frame, as data.
 *
 * This table is the single description of the wire format that the rest of the project reads:
 * the decoder takes frame lengths and names from it, tests check the hand-written encoder and
 * decoder against its offsets field by field, docs/PROTOCOL.md renders its tables from it, and a
 * fuzzer can walk every field through boundary values with `rawFrame.ts`.
 *
 * ```
 *  0        2   3   4          8                16               24          frameLength-4
 *  +--------+---+---+----------+----------------+----------------+-- body --+-----------+
 *  | length |ver|typ| symbolId |    sequence    |  timestampNs   |  fields  | CRC-32C   |
 *  +--------+---+---+----------+----------------+----------------+----------+-----------+
 * ```
 * All integers are little-endian.
 */

import { MessageType } from './messages.js';

/** How a field travels. 64-bit fields carry safe integers only. */
export type WireType = 'u8' | 'u16' | 'u32' | 'u64' | 'i64';

/** Size in bytes of each wire type. */
export const wireTypeLength: Readonly<Record<WireType, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, i64: 8 };

/** One field of a frame. */
export interface FieldLayout {
  /** Property name on the message object; `reserved` for padding that must be 0. */
  readonly name: string;
  /** Byte offset from the start of the frame (for snapshot entries: from the start of the entry). */
  readonly offset: number;
  readonly wireType: WireType;
  /** Padding: the encoder writes 0 and the decoder rejects anything else (ValueOutOfRange). */
  readonly reserved: boolean;
  /** For a field that carries a code, the table in `codes.ts` (or `MessageType`) it comes from. The codec does not check it. */
  readonly codes?: CodeTable;
}

/** Names of the code tables a field can draw its values from. */
export type CodeTable =
  | 'Side'
  | 'OrderType'
  | 'TimeInForce'
  | 'Liquidity'
  | 'RejectReason'
  | 'CancelReason'
  | 'SessionErrorReason'
  | 'LogoutReason'
  | 'MessageType';

/** Who may send a message on which channel. */
export type Sender = 'orderEntryClient' | 'orderEntryEngine' | 'marketDataSubscriber' | 'marketDataEngine';

/** The repeated part of a variable-length message (only BOOK_SNAPSHOT has one). */
export interface EntriesLayout {
  /** Body fields whose sum is the number of entries, in the order the entry groups follow each other. */
  readonly countFields: readonly string[];
  /** Property names of the entry arrays on the message, one per count field, same order. */
  readonly groupNames: readonly string[];
  /** Frame offset of the first entry. */
  readonly offset: number;
  /** Bytes per entry. */
  readonly entryLength: number;
  /** Fields of one entry, offsets from the start of the entry. */
  readonly fields: readonly FieldLayout[];
}

/** The layout of one message type. */
export interface MessageLayout {
  readonly type: MessageType;
  /** Wire name, as in docs/PROTOCOL.md: `NEW_ORDER`. */
  readonly name: string;
  /** Exact frame length in bytes; for a variable-length type, the length with no entries. */
  readonly frameLength: number;
  /** Body fields in offset order, offsets from the start of the frame. */
  readonly fields: readonly FieldLayout[];
  /** Present only on variable-length types. */
  readonly entries?: EntriesLayout;
  readonly senders: readonly Sender[];
}

/** The only protocol version this codec speaks (byte 2 of every frame). */
export const PROTOCOL_VERSION = 1;
/** Header length in bytes. */
export const HEADER_LENGTH = 24;
/** Checksum trailer length in bytes. */
export const CHECKSUM_LENGTH = 4;
/** The shortest possible frame in bytes: a header and a checksum with an empty body. */
export const MIN_FRAME_LENGTH = HEADER_LENGTH + CHECKSUM_LENGTH;
/** Largest frame accepted unless configured otherwise, in bytes. */
export const DEFAULT_MAX_FRAME_LENGTH = 4096;
/** Largest value the u16 length field can express, so the largest maximum one can configure. */
export const FRAME_LENGTH_LIMIT = 0xffff;

/** Bytes per BOOK_SNAPSHOT entry. */
export const SNAPSHOT_ENTRY_LENGTH = 24;

function field(name: string, offset: number, wireType: WireType, codes?: CodeTable): FieldLayout {
  const reserved = name === 'reserved';
  return codes === undefined ? { name, offset, wireType, reserved } : { name, offset, wireType, reserved, codes };
}

/** Header fields, common to every frame. */
export const headerFields: readonly FieldLayout[] = [
  field('frameLength', 0, 'u16'),
  field('version', 2, 'u8'),
  field('messageType', 3, 'u8', 'MessageType'),
  field('symbolId', 4, 'u32'),
  field('sequence', 8, 'u64'),
  field('timestampNs', 16, 'u64'),
];

/** A body field, placed by its offset within the body (as the protocol spec lists them); the frame offset adds the header. */
function body(name: string, bodyOffset: number, wireType: WireType, codes?: CodeTable): FieldLayout {
  return field(name, HEADER_LENGTH + bodyOffset, wireType, codes);
}

function layout(
  type: MessageType,
  name: string,
  senders: readonly Sender[],
  fields: readonly FieldLayout[],
  entries?: EntriesLayout,
): MessageLayout {
  const last = fields[fields.length - 1];
  const bodyEnd = last === undefined ? HEADER_LENGTH : last.offset + wireTypeLength[last.wireType];
  const frameLength = bodyEnd + CHECKSUM_LENGTH;
  return entries === undefined
    ? { type, name, frameLength, fields, senders }
    : { type, name, frameLength, fields, entries, senders };
}

const bothSessions: readonly Sender[] = ['orderEntryClient', 'orderEntryEngine', 'marketDataSubscriber', 'marketDataEngine'];
const clients: readonly Sender[] = ['orderEntryClient', 'marketDataSubscriber'];
const orderEntryClient: readonly Sender[] = ['orderEntryClient'];
const orderEntryEngine: readonly Sender[] = ['orderEntryEngine'];
const marketDataEngine: readonly Sender[] = ['marketDataEngine'];

/** Every message type, in type-code order. */
export const messageLayouts: readonly MessageLayout[] = [
  layout(MessageType.Login, 'LOGIN', clients, [body('clientId', 0, 'u32'), body('heartbeatIntervalMs', 4, 'u32')]),
  layout(MessageType.LoginAck, 'LOGIN_ACK', ['orderEntryEngine', 'marketDataEngine'], [
    body('sessionId', 0, 'u32'),
    body('heartbeatIntervalMs', 4, 'u32'),
  ]),
  layout(MessageType.Heartbeat, 'HEARTBEAT', ['orderEntryClient', 'orderEntryEngine', 'marketDataSubscriber'], []),
  layout(MessageType.Logout, 'LOGOUT', bothSessions, [body('reason', 0, 'u16', 'LogoutReason'), body('reserved', 2, 'u16')]),
  layout(MessageType.SessionError, 'SESSION_ERROR', bothSessions, [
    body('reason', 0, 'u16', 'SessionErrorReason'),
    body('reserved', 2, 'u16'),
    body('refSequence', 4, 'u64'),
  ]),
  layout(MessageType.NewOrder, 'NEW_ORDER', orderEntryClient, [
    body('clientOrderId', 0, 'u64'),
    body('price', 8, 'i64'),
    body('quantity', 16, 'u64'),
    body('side', 24, 'u8', 'Side'),
    body('orderType', 25, 'u8', 'OrderType'),
    body('timeInForce', 26, 'u8', 'TimeInForce'),
    body('reserved', 27, 'u8'),
  ]),
  layout(MessageType.Cancel, 'CANCEL', orderEntryClient, [body('clientOrderId', 0, 'u64')]),
  layout(MessageType.Replace, 'REPLACE', orderEntryClient, [
    body('clientOrderId', 0, 'u64'),
    body('price', 8, 'i64'),
    body('quantity', 16, 'u64'),
  ]),
  layout(MessageType.Ack, 'ACK', orderEntryEngine, [
    body('clientOrderId', 0, 'u64'),
    body('orderId', 8, 'u64'),
    body('echoTimestampNs', 16, 'u64'),
  ]),
  layout(MessageType.Reject, 'REJECT', orderEntryEngine, [
    body('clientOrderId', 0, 'u64'),
    body('echoTimestampNs', 8, 'u64'),
    body('reason', 16, 'u16', 'RejectReason'),
    body('refMessageType', 18, 'u8', 'MessageType'),
    body('reserved', 19, 'u8'),
  ]),
  layout(MessageType.Fill, 'FILL', orderEntryEngine, [
    body('clientOrderId', 0, 'u64'),
    body('orderId', 8, 'u64'),
    body('tradeId', 16, 'u64'),
    body('price', 24, 'i64'),
    body('quantity', 32, 'u64'),
    body('leavesQuantity', 40, 'u64'),
    body('echoTimestampNs', 48, 'u64'),
    body('side', 56, 'u8', 'Side'),
    body('liquidity', 57, 'u8', 'Liquidity'),
    body('reserved', 58, 'u16'),
  ]),
  layout(MessageType.Canceled, 'CANCELED', orderEntryEngine, [
    body('clientOrderId', 0, 'u64'),
    body('orderId', 8, 'u64'),
    body('canceledQuantity', 16, 'u64'),
    body('echoTimestampNs', 24, 'u64'),
    body('reason', 32, 'u8', 'CancelReason'),
    body('reserved', 33, 'u8'),
    body('reserved', 34, 'u16'),
  ]),
  layout(MessageType.Replaced, 'REPLACED', orderEntryEngine, [
    body('clientOrderId', 0, 'u64'),
    body('orderId', 8, 'u64'),
    body('price', 16, 'i64'),
    body('leavesQuantity', 24, 'u64'),
    body('echoTimestampNs', 32, 'u64'),
  ]),
  layout(MessageType.Trade, 'TRADE', marketDataEngine, [
    body('tradeId', 0, 'u64'),
    body('price', 8, 'i64'),
    body('quantity', 16, 'u64'),
    body('aggressorSide', 24, 'u8', 'Side'),
    body('reserved', 25, 'u8'),
    body('reserved', 26, 'u16'),
  ]),
  layout(MessageType.LevelUpdate, 'LEVEL_UPDATE', marketDataEngine, [
    body('price', 0, 'i64'),
    body('quantity', 8, 'u64'),
    body('orderCount', 16, 'u32'),
    body('side', 20, 'u8', 'Side'),
    body('reserved', 21, 'u8'),
    body('reserved', 22, 'u16'),
  ]),
  layout(MessageType.Quote, 'QUOTE', marketDataEngine, [
    body('bidPrice', 0, 'i64'),
    body('bidQuantity', 8, 'u64'),
    body('askPrice', 16, 'i64'),
    body('askQuantity', 24, 'u64'),
  ]),
  layout(MessageType.FeedHeartbeat, 'FEED_HEARTBEAT', marketDataEngine, []),
  layout(MessageType.SnapshotRequest, 'SNAPSHOT_REQUEST', ['marketDataSubscriber'], [
    body('levels', 0, 'u16'),
    body('reserved', 2, 'u16'),
  ]),
  layout(
    MessageType.BookSnapshot,
    'BOOK_SNAPSHOT',
    marketDataEngine,
    [body('bidCount', 0, 'u16'), body('askCount', 2, 'u16'), body('reserved', 4, 'u32')],
    {
      countFields: ['bidCount', 'askCount'],
      groupNames: ['bids', 'asks'],
      offset: HEADER_LENGTH + 8,
      entryLength: SNAPSHOT_ENTRY_LENGTH,
      fields: [field('price', 0, 'i64'), field('quantity', 8, 'u64'), field('orderCount', 16, 'u32'), field('reserved', 20, 'u32')],
    },
  ),
];

const layoutsByType: readonly (MessageLayout | undefined)[] = (() => {
  const byType = new Array<MessageLayout | undefined>(256).fill(undefined);
  for (const l of messageLayouts) byType[l.type] = l;
  return byType;
})();

/** The layout of a type code, or undefined if the code is not a message type. */
export function messageLayout(type: number): MessageLayout | undefined {
  return layoutsByType[type];
}

/** Length in bytes of a BOOK_SNAPSHOT frame with `entryCount` bids and asks together. */
export function snapshotFrameLength(entryCount: number): number {
  return HEADER_LENGTH + 8 + SNAPSHOT_ENTRY_LENGTH * entryCount + CHECKSUM_LENGTH;
}

/** The longest frame of fixed length (FILL, 88 bytes): a configured maximum frame length may not be below it. */
export const LONGEST_FIXED_FRAME_LENGTH = Math.max(...messageLayouts.filter((l) => l.entries === undefined).map((l) => l.frameLength));

/** How many BOOK_SNAPSHOT entries (bids and asks together) fit in a frame of at most `maxFrameLength` bytes: 169 at the default. */
export function maxSnapshotEntries(maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH): number {
  return Math.max(0, Math.floor((maxFrameLength - snapshotFrameLength(0)) / SNAPSHOT_ENTRY_LENGTH));
}
