/**
 * The layout file's form (docs/FEED_LAYOUT.md), as zod schemas: keys, types and ranges of one
 * value at a time. Rules that tie fields together (offsets inside sizes, the type field in the
 * header, the checksum inside every message) are applied afterwards by resolveFeedLayout.ts.
 * Objects are closed: an unknown key is an error naming the closest known key.
 */
import * as z from 'zod';
import { closed } from '../scenario/scenarioSchema.js';
import { CHECKSUM_ALGORITHMS, FIELD_TYPES } from './FeedLayout.js';

/** The layout format version this build reads. */
export const FEED_LAYOUT_VERSION = 1;

/** Upper bounds, each with its reason. */
export const FEED_LAYOUT_LIMITS = {
  /** Longest frame: the reader's partial-frame buffer is this big, per connection. */
  maxFrameBytes: 1_048_576,
  /** Message types: a type field is at most 16 bits. */
  messages: 65_536,
  /** Fields per message or header. */
  fields: 1_000,
  /** Heartbeat and keepalive intervals, ms (1 h). */
  intervalMs: 3_600_000,
} as const;

const offset = (): z.ZodNumber => z.number().int().min(0).max(FEED_LAYOUT_LIMITS.maxFrameBytes);
/** A position in a frame: ≥ 0 from its start, < 0 from its end. */
const position = (): z.ZodNumber => z.number().int().min(-FEED_LAYOUT_LIMITS.maxFrameBytes).max(FEED_LAYOUT_LIMITS.maxFrameBytes);
const frameBytes = (): z.ZodNumber => z.number().int().min(1).max(FEED_LAYOUT_LIMITS.maxFrameBytes);
const endianness = z.enum(['little', 'big']);
const name = (): z.ZodString => z.string().min(1).max(100);

export const fieldSchema = closed({
  name: name(),
  offset: offset(),
  type: z.enum(FIELD_TYPES),
  /** Optional: must match the type's size when given. */
  size: z.number().int().optional(),
  endianness: endianness.optional(),
});
export type FieldFile = z.output<typeof fieldSchema>;

/** A message type code: an integer (0x41) or one character ('A', its code). */
const typeCode = z.union([z.number().int().min(0).max(0xffff), z.string().length(1)], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be an integer 0..65535 or one character' : undefined),
});

const sizeSchema = z.union([frameBytes(), closed({ min: frameBytes(), max: frameBytes() })], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be a size in bytes, or {min, max} for a variable-size type' : undefined),
});

export const messageSchema = closed({
  type: typeCode,
  name: name(),
  size: sizeSchema,
  heartbeat: z.boolean().optional(),
  sequence: z.enum(['next', 'last', 'none']).optional(),
  sequenceField: name().optional(),
  timestampField: name().optional(),
  /** Record feed latency for this type (when a timestamp exists). Default true; heartbeats never. */
  latency: z.boolean().optional(),
  /** This type answers the subscribe message; its timestamp estimates a monotonic sender clock's offset. Default false. */
  clockSync: z.boolean().optional(),
  fields: z.array(fieldSchema).max(FEED_LAYOUT_LIMITS.fields).optional(),
});
export type MessageFile = z.output<typeof messageSchema>;

const outboundFieldSchema = closed({
  offset: offset(),
  type: z.enum(FIELD_TYPES),
  endianness: endianness.optional(),
  value: z.union([z.number().int(), z.literal('sent')], {
    error: (issue) => (issue.code === 'invalid_union' ? 'must be an integer or "sent" (messages sent so far, this one included)' : undefined),
  }),
  /** For the reader of the file only. */
  name: name().optional(),
});

/** A message to send: hex bytes, or a size and fields (unlisted bytes are 0). */
export const outboundSchema = closed({
  hex: z.string().regex(/^(?:[0-9a-fA-F]{2}\s*)+$/, { message: 'must be pairs of hex digits (spaces allowed)' }).optional(),
  size: frameBytes().optional(),
  fields: z.array(outboundFieldSchema).max(FEED_LAYOUT_LIMITS.fields).optional(),
  /** Write the layout's checksum into the message. Default true when the layout has one and the message is given by fields. */
  checksum: z.boolean().optional(),
});
export type OutboundFile = z.output<typeof outboundSchema>;

export const keepaliveSchema = closed({ everyMs: z.number().int().min(10).max(FEED_LAYOUT_LIMITS.intervalMs), message: outboundSchema });

export const framingSchema = z.discriminatedUnion('kind', [
  closed({ kind: z.literal('length-prefixed'), lengthField: name(), lengthCounts: z.enum(['frame', 'rest']).optional(),
    maxFrameBytes: frameBytes().optional() }),
  closed({ kind: z.literal('fixed') }),
  /** Frames are the message blocks of MoldUDP64 packets over UDP (harness/feeds/mold/): the block gives the length, Mold the sequence. */
  closed({ kind: z.literal('moldudp64'), session: z.string().min(1).max(10).regex(/^[\x20-\x7e]+$/, { message: 'must be printable ASCII' }).optional(),
    first: z.number().int().min(1).optional(), retransmit: z.string().optional() }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'kind must be length-prefixed, fixed or moldudp64' : undefined) });

export const topLevelSchema = closed({
  version: z.literal(FEED_LAYOUT_VERSION),
  name: name(),
  description: z.string().optional(),
  endianness: endianness.optional(),
  framing: framingSchema,
  header: z.array(fieldSchema).min(1).max(FEED_LAYOUT_LIMITS.fields),
  typeField: name(),
  sequence: closed({ field: name(), first: z.number().int().min(0).optional() }).optional(),
  timestamp: closed({ field: name(), unit: z.enum(['ns', 'us', 'ms', 's']), clock: z.enum(['monotonic', 'epoch']) }).optional(),
  checksum: closed({
    algorithm: z.enum(CHECKSUM_ALGORITHMS),
    offset: position().optional(),
    from: position().optional(),
    to: position().optional(),
    endianness: endianness.optional(),
  }).optional(),
  heartbeat: closed({
    intervalMs: z.number().int().min(1).max(FEED_LAYOUT_LIMITS.intervalMs),
    missingAfterIntervals: z.number().min(1).max(1_000).optional(),
  }).optional(),
  subscribe: outboundSchema.optional(),
  keepalive: keepaliveSchema.optional(),
  messages: z.array(messageSchema).min(1).max(FEED_LAYOUT_LIMITS.messages),
});
export type FeedLayoutFile = z.output<typeof topLevelSchema>;
