import { framePosition, type FeedLayout, type LayoutChecksum, type LayoutField, type OutboundMessage } from './FeedLayout.js';
import { checksumOf, fieldTypeRange, writeField } from './layoutBytes.js';

/** What to put in a frame: the message type (name or code), field values by name, and for variable-size types the size. */
export interface LayoutFrameSpec {
  readonly type: string | number;
  /** Header and message fields by name; unnamed ones are 0. The type and length fields are filled in. */
  readonly values?: Readonly<Record<string, number>>;
  /** Frame size for a variable-size type. Default its minimum. */
  readonly sizeBytes?: number;
}

/**
 * Encodes one frame by a layout, checksum included: for test publishers and fixtures (not a hot
 * path). Throws on a type, field or value the layout does not have.
 */
export function encodeLayoutFrame(layout: FeedLayout, spec: LayoutFrameSpec): Uint8Array {
  const m = layout.messages.find((x) => x.name === spec.type || x.code === spec.type);
  if (m === undefined) throw new Error(`layout ${layout.name} has no message type ${String(spec.type)}`);
  const size = spec.sizeBytes ?? m.minBytes;
  if (size < m.minBytes || size > m.maxBytes) throw new Error(`${m.name} is ${m.minBytes}..${m.maxBytes} bytes, not ${size}`);
  const frame = new Uint8Array(size);
  const fields = new Map<string, LayoutField>([...layout.headerFields, ...m.fields].map((f) => [f.name, f]));
  for (const [name, value] of Object.entries(spec.values ?? {})) {
    const f = fields.get(name);
    if (f === undefined) throw new Error(`${m.name} has no field ${name}`);
    const range = fieldTypeRange(f.type);
    if (!Number.isInteger(value) || value < range.min || value > range.max) throw new Error(`${name} = ${value} does not fit a ${f.type}`);
    writeField(frame, f, value);
  }
  writeField(frame, layout.typeField, m.code);
  if (layout.framing.kind === 'length-prefixed') {
    const f = layout.framing.lengthField;
    writeField(frame, f, layout.framing.lengthCounts === 'frame' ? size : size - f.offset - f.sizeBytes);
  }
  writeChecksum(frame, layout.checksum);
  return frame;
}

/** The bytes of a subscribe or keepalive message as the `sent`-th message of its connection (1 for the first), checksum included. */
export function encodeOutbound(message: OutboundMessage, sent: number, checksum: LayoutChecksum): Uint8Array {
  const bytes = message.template.slice();
  for (const f of message.sentCounterFields) writeField(bytes, f, Math.min(sent, fieldTypeRange(f.type).max));
  if (message.checksum) writeChecksum(bytes, checksum);
  return bytes;
}

/** Computes the checksum of a whole frame into its place (nothing for `none`). */
function writeChecksum(frame: Uint8Array, c: LayoutChecksum): void {
  if (c.widthBytes === 0) return;
  const size = frame.length;
  const value = checksumOf(c.algorithm, frame, framePosition(c.from, size), framePosition(c.to, size));
  writeField(frame, { name: 'checksum', offset: framePosition(c.offset, size), type: c.widthBytes === 1 ? 'u8' : 'u32',
    sizeBytes: c.widthBytes === 1 ? 1 : 4, littleEndian: c.littleEndian }, value);
}
