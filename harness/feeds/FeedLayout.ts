/**
 * A fixed-layout binary market-data feed, as a layout file describes it (docs/FEED_LAYOUT.md),
 * validated and resolved: every offset absolute from the frame's first byte, every field's size
 * and byte order known, every cross-reference (type field, sequence, timestamp, checksum
 * position) checked against every message type. loadFeedLayout.ts builds it; LayoutFrameDecoder
 * and LayoutFeedReader read frames with it.
 */

/** Integer field types: unsigned and signed, 1 to 8 bytes. */
export const FIELD_TYPES = ['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Bytes of each field type. */
export const FIELD_TYPE_BYTES: Readonly<Record<FieldType, 1 | 2 | 4 | 8>> = {
  u8: 1, u16: 2, u32: 4, u64: 8, i8: 1, i16: 2, i32: 4, i64: 8,
};

/** One field: `offset` from the frame's first byte. */
export interface LayoutField {
  readonly name: string;
  readonly offset: number;
  readonly type: FieldType;
  readonly sizeBytes: 1 | 2 | 4 | 8;
  readonly littleEndian: boolean;
}

/** What a frame's sequence field says: the next number (a gap if it skips), the last number issued (heartbeats, acks), or nothing. */
export type SequenceRole = 'next' | 'last' | 'none';

/** One message type of the feed. */
export interface LayoutMessage {
  /** The type field's value. */
  readonly code: number;
  readonly name: string;
  /** Frame size in bytes, whole frame; equal for fixed-size types. */
  readonly minBytes: number;
  readonly maxBytes: number;
  /** The message's own fields (the header's are not repeated). */
  readonly fields: readonly LayoutField[];
  /** Frames of this type are the feed's heartbeats: counted as such, no latency recorded. */
  readonly heartbeat: boolean;
  /**
   * Frames of this type answer the subscribe message: the first one's timestamp, taken between
   * sending the subscribe message and receiving the answer, estimates a `monotonic` sender
   * clock's offset from the reader's (within half that round trip).
   */
  readonly clockSync: boolean;
  readonly sequenceRole: SequenceRole;
  /** The field holding the sequence number (the header's or the message's own); null when the role is `none`. */
  readonly sequenceField: LayoutField | null;
  /** The field holding the send time; null when the frame carries none. */
  readonly timestampField: LayoutField | null;
  /** Record feed latency for frames of this type: not for heartbeats, nor for types marked `latency: false`. */
  readonly recordLatency: boolean;
}

/** How frames are delimited on the stream. */
export type LayoutFraming =
  /** A length field in the header: the frame's size is the field's value, plus the bytes up to and including the field when it counts only the rest. */
  | { readonly kind: 'length-prefixed'; readonly lengthField: LayoutField; readonly lengthCounts: 'frame' | 'rest' }
  /** No length on the wire: the type field gives the message type, and the type its size. */
  | { readonly kind: 'fixed' }
  /**
   * MoldUDP64 (NASDAQ, version 1.00) over UDP: each frame is one message block of a packet, whose
   * length gives the frame's size; sequence numbers are Mold's (the packet's, plus the block's
   * index), not a field of the frame. `session`: the expected session name (null: the first
   * packet's); `firstSequence`: where the session starts for this reader (null: the first packet
   * seen); `retransmit`: the re-request server (null: gaps cannot be recovered).
   */
  | { readonly kind: 'moldudp64'; readonly session: string | null; readonly firstSequence: number | null;
    readonly retransmit: { readonly host: string; readonly port: number } | null };

export const CHECKSUM_ALGORITHMS = ['none', 'xor8', 'xor32le', 'crc32c'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/**
 * Where a frame's checksum sits and what it covers. Positions ≥ 0 count from the frame's first
 * byte, positions < 0 from its end (−4: the last four bytes), so one description fits every size.
 */
export interface LayoutChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Bytes of the checksum field: 1 for xor8, 4 for xor32le and crc32c, 0 for none. */
  readonly widthBytes: 0 | 1 | 4;
  readonly offset: number;
  /** Covered bytes: [from, to). */
  readonly from: number;
  readonly to: number;
  readonly littleEndian: boolean;
}

/** A message the reader sends: bytes fixed at load time, but for fields that count messages sent and the checksum. */
export interface OutboundMessage {
  /** The message with every constant field written (counter fields and checksum still 0). */
  readonly template: Uint8Array;
  /** Fields set to the number of messages this connection has sent, this one included (1 for the first). */
  readonly sentCounterFields: readonly LayoutField[];
  /** Compute the layout's checksum into the message when sending. */
  readonly checksum: boolean;
}

/** The timestamp's unit and clock. */
export interface LayoutTimestamp {
  /** ns per unit of the field: 1, 1,000, 1,000,000 or 1,000,000,000. */
  readonly unitNs: number;
  /**
   * `monotonic`: the sender's monotonic clock (any epoch); the reader needs the offset from its own
   * (0 for an engine in the same process). `epoch`: Unix time; the reader's and sender's wall
   * clocks are assumed to agree (NTP/PTP), and their disagreement is part of the measured latency.
   */
  readonly clock: 'monotonic' | 'epoch';
}

/** A feed layout, resolved. */
export interface FeedLayout {
  readonly name: string;
  readonly description: string;
  readonly framing: LayoutFraming;
  /** Longest frame of any type: no buffer grows beyond it; a length above it is a protocol error. */
  readonly maxFrameBytes: number;
  /** Shortest frame of any type. */
  readonly minFrameBytes: number;
  /** Bytes of the header: the end of its last field. */
  readonly headerBytes: number;
  readonly headerFields: readonly LayoutField[];
  readonly typeField: LayoutField;
  readonly messages: readonly LayoutMessage[];
  /** First sequence number of the feed, if known: a first frame above it is a gap. Null: the first frame seen sets the baseline. */
  readonly firstSequence: number | null;
  /** Null when no message carries a timestamp. */
  readonly timestamp: LayoutTimestamp | null;
  readonly checksum: LayoutChecksum;
  /** The interval at which a quiet feed sends heartbeats, and how many intervals without any frame count as a silence. */
  readonly heartbeat: { readonly intervalMs: number; readonly missingAfterIntervals: number } | null;
  /** Sent once after connecting. */
  readonly subscribe: OutboundMessage | null;
  /** Sent every `everyMs` after the subscribe message (a client heartbeat the sender may require). */
  readonly keepalive: { readonly everyMs: number; readonly message: OutboundMessage } | null;
}

/** Resolves a signed checksum position (< 0 counts from the end) against a frame of `frameBytes`. */
export function framePosition(position: number, frameBytes: number): number {
  return position < 0 ? frameBytes + position : position;
}
