import { readUnsigned, writeField } from '../../feeds/layoutBytes.js';
import { packetTypeName, readAlpha, SOUP_HEADER_BYTES, soupPacket, SoupPacketType, writeAlpha } from './soupBinTcp.js';
import type { SoupField, SoupFieldRole, SoupMessage, SoupMessageSet } from './SoupMessageSet.js';

/**
 * What a message carries, by field role. Side, time in force and reason go by matchbench name
 * (`buy`, `gtc`, a reason's name from the file); a wire code the file does not name reads back as
 * `?` and the code. Tokens and alpha symbols are strings; everything else is a number.
 */
export type SoupValues = Partial<Record<SoupFieldRole, string | number>>;

/** A message read: its description and values, or why it could not be. */
export type DecodedSoupMessage =
  | { readonly ok: true; readonly message: SoupMessage; readonly values: SoupValues }
  | { readonly ok: false; readonly problem: string };

/**
 * Encodes and decodes one side's messages of a {@link SoupMessageSet}, wrapped in their SoupBinTCP
 * packets (Unsequenced Data to the engine, Sequenced Data from it). Used by the driver for every
 * order and answer, and by the test peer; each message is one small allocation (main-thread
 * driver rates), the field positions all precomputed by the resolver.
 */
export class SoupMessageCodec {
  private readonly byCode: (SoupMessage | undefined)[] = [];

  /** @param reads whose messages {@link decode} reads: the engine's (a client) or the client's (a server). */
  constructor(readonly set: SoupMessageSet, reads: 'fromEngine' | 'toEngine') {
    for (const m of set[reads]) this.byCode[m.code] = m;
  }

  /** A whole packet (header included) carrying `m` with `values`; throws a RangeError for a value the field cannot take. */
  encode(m: SoupMessage, values: SoupValues): Uint8Array {
    const toEngine = this.set.toEngine.includes(m);
    const b = soupPacket(toEngine ? SoupPacketType.UnsequencedData : SoupPacketType.SequencedData, m.sizeBytes);
    const base = SOUP_HEADER_BYTES;
    b[base] = m.code;
    for (const f of m.fields) {
      const given = f.role === null ? undefined : values[f.role];
      let v: string | number | null = given ?? f.constant;
      if (given !== undefined && f.codes.size > 0 && typeof given === 'string') {
        const code = f.codes.get(given);
        if (code === undefined) throw new RangeError(`${m.name}.${f.name}: no code for "${given}"`);
        v = code;
      }
      if (v === null) {
        if (f.type === 'alpha') b.fill(0x20, base + f.offset, base + f.offset + f.sizeBytes);
        continue;
      }
      write(b, base, f, v, m.name);
    }
    return b;
  }

  /** Reads a message (a packet's payload, its type byte first). */
  decode(payload: Uint8Array): DecodedSoupMessage {
    if (payload.length === 0) return { ok: false, problem: 'an empty message (no type byte)' };
    const m = this.byCode[payload[0]!];
    if (m === undefined) return { ok: false, problem: `unknown message type ${packetTypeName(payload[0]!)}` };
    if (payload.length !== m.sizeBytes) return { ok: false, problem: `${m.name} is ${payload.length} bytes; the message set says ${m.sizeBytes}` };
    const values: SoupValues = {};
    for (const role in m.byRole) {
      const f = m.byRole[role as SoupFieldRole] as SoupField;
      let v: string | number = f.binary === null ? readAlpha(payload, f.offset, f.sizeBytes) : readUnsigned(payload, f.binary);
      if (f.codes.size > 0) v = nameOf(f, v);
      values[role as SoupFieldRole] = v;
    }
    return { ok: true, message: m, values };
  }
}

function write(b: Uint8Array, base: number, f: SoupField, v: string | number, messageName: string): void {
  if (f.binary === null) {
    writeAlpha(b, base + f.offset, f.sizeBytes, String(v), f.padLeft);
    return;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || (f.sizeBytes < 8 && v >= 2 ** (8 * f.sizeBytes))) {
    throw new RangeError(`${messageName}.${f.name}: ${String(v)} does not fit ${f.sizeBytes} unsigned bytes`);
  }
  writeField(b, f.binary, v, base);
}

/** The matchbench name of a wire code, or `?` and the code. */
function nameOf(f: SoupField, v: string | number): string {
  for (const [name, code] of f.codes) if (code === v) return name;
  return `?${String(v)}`;
}
