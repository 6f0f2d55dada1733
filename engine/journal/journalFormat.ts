/**
 * The journal's byte format: a header, then fixed-size command records.
 *
 *   header   0  magic "MBJ1"
 *            4  u32 headerLength (whole header, checksum included)
 *            8  UTF-8 JSON: the engine configuration the journal was written for (symbols)
 *          n-4  u32 CRC-32C of header bytes [0, n-4)
 *
 *   record   0  u32 recordLength (= 64)      4 u8 kind   5 u8 side   6 u8 orderType   7 u8 timeInForce
 *            8  u64 sequence (1, 2, 3, … with no gaps)
 *           16  u32 symbolId                20 u32 owner
 *           24  u64 clientOrderId           32 i64 price          40 u64 quantity
 *           48  u64 timestampNs             56 u32 reserved (0)
 *           60  u32 CRC-32C of record bytes [0, 60)
 *
 * Little-endian; 64-bit fields hold safe integers, as on the wire (docs/PROTOCOL.md).
 * Hand-written like the wire codec: it is on the engine's path for every command.
 */
import { CommandKind, type Command } from '../book/Command.js';
import { crc32c } from '../protocol/crc32c.js';

export const JOURNAL_MAGIC = 'MBJ1';
export const RECORD_LENGTH = 64;
/** The smallest header: magic, length, "{}" and the checksum. */
export const MIN_HEADER_LENGTH = 14;
const TWO_TO_32 = 0x1_0000_0000;

/** A journal that cannot be read: the message names the problem and the byte offset. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Builds the header for a configuration object (serialised as JSON). */
export function encodeHeader(config: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(config), 'utf8');
  const header = Buffer.alloc(8 + json.length + 4);
  header.write(JOURNAL_MAGIC, 0, 'latin1');
  header.writeUInt32LE(header.length, 4);
  json.copy(header, 8);
  header.writeUInt32LE(crc32c(header, 0, header.length - 4), header.length - 4);
  return header;
}

/** The header's declared length, from its first 8 bytes; throws JournalError if they are not a journal's. */
export function headerLength(first8: Uint8Array): number {
  const magic = Buffer.from(first8.buffer, first8.byteOffset, 4).toString('latin1');
  if (first8.length < 8 || magic !== JOURNAL_MAGIC) {
    throw new JournalError(`not a matchbench journal: it starts with ${JSON.stringify(magic)}, not "${JOURNAL_MAGIC}"`, 0);
  }
  const length = Buffer.from(first8.buffer, first8.byteOffset, 8).readUInt32LE(4);
  if (length < MIN_HEADER_LENGTH || length > 16 * 1024 * 1024) {
    throw new JournalError(`journal header length ${length} is not plausible`, 4);
  }
  return length;
}

/** The configuration in a complete header; throws JournalError if its checksum or JSON is bad. */
export function decodeHeader(header: Buffer): unknown {
  const carried = header.readUInt32LE(header.length - 4);
  if (crc32c(header, 0, header.length - 4) !== carried) {
    throw new JournalError('journal header fails its checksum', 0);
  }
  try {
    return JSON.parse(header.toString('utf8', 8, header.length - 4)) as unknown;
  } catch {
    throw new JournalError('journal header does not hold valid JSON', 8);
  }
}

/** Writes one record at `offset` of `target`. */
export function encodeRecord(target: Buffer, offset: number, sequence: number, c: Command): void {
  target.writeUInt32LE(RECORD_LENGTH, offset);
  target[offset + 4] = c.kind;
  target[offset + 5] = c.side;
  target[offset + 6] = c.orderType;
  target[offset + 7] = c.timeInForce;
  writeU64(target, offset + 8, sequence);
  target.writeUInt32LE(c.symbolId, offset + 16);
  target.writeUInt32LE(c.owner, offset + 20);
  writeU64(target, offset + 24, c.clientOrderId);
  writeI64(target, offset + 32, c.price);
  writeU64(target, offset + 40, c.quantity);
  writeU64(target, offset + 48, c.timestampNs);
  target.writeUInt32LE(0, offset + 56);
  target.writeUInt32LE(crc32c(target, offset, offset + 60), offset + 60);
}

/** Why a record is unusable, or undefined when it is sound. */
export function recordProblem(b: Buffer, offset: number, expectedSequence: number): string | undefined {
  if (b.readUInt32LE(offset) !== RECORD_LENGTH) return `has length ${b.readUInt32LE(offset)}, not ${RECORD_LENGTH}`;
  if (crc32c(b, offset, offset + 60) !== b.readUInt32LE(offset + 60)) return 'fails its checksum';
  const kind = b[offset + 4] as number;
  if (kind !== CommandKind.NewOrder && kind !== CommandKind.Cancel && kind !== CommandKind.Replace) {
    return `has unknown command kind ${kind}`;
  }
  const sequence = readU64(b, offset + 8);
  if (sequence !== expectedSequence) return `has sequence ${sequence} where ${expectedSequence} was due`;
  return undefined;
}

/** Reads a sound record. */
export function decodeRecord(b: Buffer, offset: number): Command {
  return {
    kind: b[offset + 4] as CommandKind,
    side: b[offset + 5] as number,
    orderType: b[offset + 6] as number,
    timeInForce: b[offset + 7] as number,
    symbolId: b.readUInt32LE(offset + 16),
    owner: b.readUInt32LE(offset + 20),
    clientOrderId: readU64(b, offset + 24),
    price: readI64(b, offset + 32),
    quantity: readU64(b, offset + 40),
    timestampNs: readU64(b, offset + 48),
  };
}

function writeU64(b: Buffer, offset: number, value: number): void {
  b.writeUInt32LE(value >>> 0, offset);
  b.writeUInt32LE(Math.floor(value / TWO_TO_32), offset + 4);
}

function writeI64(b: Buffer, offset: number, value: number): void {
  const high = Math.floor(value / TWO_TO_32);
  b.writeUInt32LE(value - high * TWO_TO_32, offset);
  b.writeInt32LE(high, offset + 4);
}

function readU64(b: Buffer, offset: number): number {
  return b.readUInt32LE(offset + 4) * TWO_TO_32 + b.readUInt32LE(offset);
}

function readI64(b: Buffer, offset: number): number {
  return b.readInt32LE(offset + 4) * TWO_TO_32 + b.readUInt32LE(offset);
}
