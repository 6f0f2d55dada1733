/**
 * MoldUDP64 packets (NASDAQ MoldUDP64 Protocol Specification, version 1.00), all big-endian:
 *
 * ```
 *  downstream packet (feed and retransmissions)            request packet (reader → re-request server)
 *  ┌──────────────┬──────────────────┬───────────────┐      ┌──────────────┬──────────────────┬─────────────────┐
 *  │ session (10) │ sequence u64 (8) │ count u16 (2) │      │ session (10) │ sequence u64 (8) │ requested u16(2)│
 *  └──────────────┴──────────────────┴───────────────┘      └──────────────┴──────────────────┴─────────────────┘
 *  then `count` message blocks: length u16 (2) + message data (length bytes)
 *  count 0: heartbeat; 0xFFFF: end of session — both with no blocks, sequence = the next message's
 * ```
 *
 * The sequence is the first block's; block i has sequence + i. Sequences are read as doubles
 * (exact below 2^53, far beyond any session). The readers here allocate nothing; the encoders are
 * for the test publisher and the re-requests.
 */

/** Bytes of the downstream header and of a request packet. */
export const MOLD_HEADER_BYTES = 20;
/** Bytes of the session name: ASCII, right-padded with spaces. */
export const MOLD_SESSION_BYTES = 10;
/** Message count of a heartbeat, and of the end-of-session packet. */
export const MOLD_HEARTBEAT_COUNT = 0;
export const MOLD_END_OF_SESSION_COUNT = 0xffff;
/** Most messages one request may ask for (the count is a u16; 0xFFFF is reserved downstream). */
export const MOLD_MAX_REQUEST_COUNT = 0xfffe;

const TWO_TO_32 = 0x1_0000_0000;

/** A downstream packet's header, read; `problem` is null when the packet is well formed. */
export interface MoldPacketHeader {
  readonly sequence: number;
  readonly count: number;
  /** Why the packet cannot be read (too short, blocks overrunning or not filling it), or null. */
  readonly problem: string | null;
}

/** The session name as text (trailing spaces kept: a session is compared byte for byte). */
export function moldSession(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, MOLD_SESSION_BYTES).toString('latin1');
}

/** `name` padded with spaces to 10 bytes; throws beyond 10 or outside ASCII. */
export function padMoldSession(name: string): string {
  if (name.length > MOLD_SESSION_BYTES || !/^[\x20-\x7e]*$/.test(name)) throw new Error(`a MoldUDP64 session is up to 10 printable ASCII characters, not "${name}"`);
  return name.padEnd(MOLD_SESSION_BYTES, ' ');
}

/** True when the packet's session is `session` (10 bytes, padded). */
export function sameMoldSession(b: Uint8Array, session: string): boolean {
  for (let i = 0; i < MOLD_SESSION_BYTES; i++) if (b[i] !== session.charCodeAt(i)) return false;
  return true;
}

function readU64(b: Uint8Array, at: number): number {
  const high = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const low = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
  return high * TWO_TO_32 + low;
}

/**
 * Reads a downstream packet's header and walks its message blocks to check that they fill the
 * packet exactly (so that the reader can then walk them without checks).
 */
export function readMoldPacket(b: Uint8Array): MoldPacketHeader {
  if (b.length < MOLD_HEADER_BYTES) return { sequence: 0, count: 0, problem: `${b.length} bytes is shorter than the 20-byte header` };
  const sequence = readU64(b, 10);
  const count = (b[18]! << 8) | b[19]!;
  if (count === MOLD_HEARTBEAT_COUNT || count === MOLD_END_OF_SESSION_COUNT) {
    const what = count === 0 ? 'heartbeat' : 'end of session';
    return { sequence, count, problem: b.length === MOLD_HEADER_BYTES ? null : `a ${what} of ${b.length} bytes (it has none but the header)` };
  }
  let at = MOLD_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 2 > b.length) return { sequence, count, problem: `message ${i + 1} of ${count} starts beyond the ${b.length}-byte packet` };
    const length = (b[at]! << 8) | b[at + 1]!;
    at += 2 + length;
    if (at > b.length) return { sequence, count, problem: `message ${i + 1} of ${count} (${length} bytes) ends beyond the ${b.length}-byte packet` };
  }
  if (at !== b.length) return { sequence, count, problem: `${b.length - at} bytes after the last of ${count} messages` };
  return { sequence, count, problem: null };
}

/** A request for `count` messages from `sequence`. */
export function encodeMoldRequest(session: string, sequence: number, count: number): Uint8Array {
  return header(session, sequence, count, 0);
}

/** A request packet read back (the test re-request server's side); null when it is not 20 bytes. */
export function readMoldRequest(b: Uint8Array): { readonly session: string; readonly sequence: number; readonly count: number } | null {
  if (b.length !== MOLD_HEADER_BYTES) return null;
  return { session: moldSession(b), sequence: readU64(b, 10), count: (b[18]! << 8) | b[19]! };
}

/** A packet of `messages`, the first numbered `sequence`. */
export function encodeMoldPacket(session: string, sequence: number, messages: readonly Uint8Array[]): Uint8Array {
  if (messages.length < 1 || messages.length >= MOLD_END_OF_SESSION_COUNT) throw new Error(`a packet carries 1..65534 messages, not ${messages.length}`);
  const packet = header(session, sequence, messages.length, messages.reduce((n, m) => n + 2 + m.length, 0));
  let at = MOLD_HEADER_BYTES;
  for (const m of messages) {
    if (m.length > 0xffff) throw new Error(`a message block holds up to 65535 bytes, not ${m.length}`);
    packet[at] = m.length >>> 8;
    packet[at + 1] = m.length & 0xff;
    packet.set(m, at + 2);
    at += 2 + m.length;
  }
  return packet;
}

/** A heartbeat: `nextSequence` is the sequence of the next message to be sent. */
export function encodeMoldHeartbeat(session: string, nextSequence: number): Uint8Array {
  return header(session, nextSequence, MOLD_HEARTBEAT_COUNT, 0);
}

/** The end-of-session packet: `nextSequence` as in a heartbeat. */
export function encodeMoldEndOfSession(session: string, nextSequence: number): Uint8Array {
  return header(session, nextSequence, MOLD_END_OF_SESSION_COUNT, 0);
}

function header(session: string, sequence: number, count: number, extraBytes: number): Uint8Array {
  const name = padMoldSession(session);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new Error(`sequence ${sequence} is not a safe non-negative integer`);
  const b = new Uint8Array(MOLD_HEADER_BYTES + extraBytes);
  for (let i = 0; i < MOLD_SESSION_BYTES; i++) b[i] = name.charCodeAt(i);
  const view = new DataView(b.buffer);
  view.setBigUint64(10, BigInt(sequence), false);
  view.setUint16(18, count, false);
  return b;
}
