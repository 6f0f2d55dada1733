/**
 * SoupBinTCP 3.00 packets (NASDAQ, "SoupBinTCP Version 3.00"): the session layer an OUCH-style
 * order-entry protocol rides on. Every logical packet is
 *
 * ```
 *  ┌───────────────────┬─────────────┬──────────────────────────┐
 *  │ length u16 BE     │ type (1 B)  │ payload (length − 1 B)   │   length counts type + payload, not itself
 *  └───────────────────┴─────────────┴──────────────────────────┘
 * ```
 *
 * Client → server: `L` Login Request (username alpha 6, password alpha 10, requested session alpha
 * 10, requested sequence number numeric 20), `U` Unsequenced Data, `R` Client Heartbeat, `O` Logout
 * Request. Server → client: `A` Login Accepted (session alpha 10, sequence number numeric 20), `J`
 * Login Rejected (reason `A` not authorized, `S` session not available), `S` Sequenced Data, `H`
 * Server Heartbeat, `Z` End of Session; either way `+` Debug (text, ignored). Alpha fields are
 * left-justified and padded on the right with spaces; numeric fields are ASCII digits,
 * right-justified and padded on the left with spaces. Each side sends a heartbeat after 1 s without
 * sending anything, and treats 15 s without receiving anything as a dead link.
 *
 * Hand-written: the reader runs for every packet of every session and the format is four lines of
 * arithmetic; no library of npm speaks SoupBinTCP 3.00.
 */

/** Packet type bytes of SoupBinTCP 3.00. */
export const SoupPacketType = {
  Debug: 0x2b, // '+'
  LoginAccepted: 0x41, // 'A'
  LoginRejected: 0x4a, // 'J'
  SequencedData: 0x53, // 'S'
  ServerHeartbeat: 0x48, // 'H'
  EndOfSession: 0x5a, // 'Z'
  LoginRequest: 0x4c, // 'L'
  UnsequencedData: 0x55, // 'U'
  ClientHeartbeat: 0x52, // 'R'
  LogoutRequest: 0x4f, // 'O'
} as const;
export type SoupPacketType = (typeof SoupPacketType)[keyof typeof SoupPacketType];

/** Timing of SoupBinTCP 3.00: heartbeat after 1 s of sending silence; 15 s of receiving silence is a dead peer. */
export const SOUP_TIMING = { heartbeatIntervalMs: 1_000, peerTimeoutMs: 15_000 } as const;

/** Field widths of the login packets (bytes). */
export const SOUP_LOGIN = { username: 6, password: 10, session: 10, sequence: 20 } as const;
/** Payload bytes of a Login Request (46) and a Login Accepted (30). */
const LOGIN_REQUEST_PAYLOAD = SOUP_LOGIN.username + SOUP_LOGIN.password + SOUP_LOGIN.session + SOUP_LOGIN.sequence;
const LOGIN_ACCEPTED_PAYLOAD = SOUP_LOGIN.session + SOUP_LOGIN.sequence;

/** Login Rejected reason codes. */
export const SoupRejectReason = { NotAuthorized: 'A', SessionNotAvailable: 'S' } as const;

/** Bytes before the payload: length (2) and type (1). */
export const SOUP_HEADER_BYTES = 3;
/** Largest payload a u16 length can carry (length counts the type byte too). */
export const SOUP_MAX_PAYLOAD_BYTES = 0xffff - 1;

/** Which side's packets a reader accepts: a client reads the server's, a server the client's. */
export type SoupDirection = 'from-server' | 'from-client';

const FROM_SERVER = new Set<number>([SoupPacketType.Debug, SoupPacketType.LoginAccepted, SoupPacketType.LoginRejected,
  SoupPacketType.SequencedData, SoupPacketType.ServerHeartbeat, SoupPacketType.EndOfSession]);
const FROM_CLIENT = new Set<number>([SoupPacketType.Debug, SoupPacketType.LoginRequest, SoupPacketType.UnsequencedData,
  SoupPacketType.ClientHeartbeat, SoupPacketType.LogoutRequest]);

/** Payload size of packet types that have exactly one. */
const FIXED_PAYLOAD: Readonly<Record<number, number>> = {
  [SoupPacketType.LoginAccepted]: LOGIN_ACCEPTED_PAYLOAD,
  [SoupPacketType.LoginRejected]: 1,
  [SoupPacketType.ServerHeartbeat]: 0,
  [SoupPacketType.EndOfSession]: 0,
  [SoupPacketType.LoginRequest]: LOGIN_REQUEST_PAYLOAD,
  [SoupPacketType.ClientHeartbeat]: 0,
  [SoupPacketType.LogoutRequest]: 0,
};

/** A packet type byte as text: `'A'` for printable ones, else hex. */
export function packetTypeName(type: number): string {
  return type >= 0x21 && type <= 0x7e ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
}

/** A packet with `payloadBytes` of room after the header, type and length written. */
export function soupPacket(type: number, payloadBytes = 0): Uint8Array {
  if (payloadBytes > SOUP_MAX_PAYLOAD_BYTES) throw new RangeError(`a SoupBinTCP payload is at most ${SOUP_MAX_PAYLOAD_BYTES} bytes, not ${payloadBytes}`);
  const b = new Uint8Array(SOUP_HEADER_BYTES + payloadBytes);
  const length = payloadBytes + 1;
  b[0] = length >>> 8;
  b[1] = length & 0xff;
  b[2] = type;
  return b;
}

/** A packet carrying `payload`. */
export function encodeSoupPacket(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = soupPacket(type, payload.length);
  b.set(payload, SOUP_HEADER_BYTES);
  return b;
}

/** Writes `text` as ASCII into [at, at + width), space padded on the right (`left`: on the left). Throws when it does not fit. */
export function writeAlpha(b: Uint8Array, at: number, width: number, text: string, padLeft = false): void {
  if (text.length > width) throw new RangeError(`"${text}" is longer than its ${width}-byte field`);
  const start = padLeft ? at + width - text.length : at;
  b.fill(0x20, at, at + width);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`"${text}" is not printable ASCII`);
    b[start + i] = c;
  }
}

/** The ASCII text of [at, at + width) without its space padding (either side). */
export function readAlpha(b: Uint8Array, at: number, width: number): string {
  let start = at;
  let end = at + width;
  while (start < end && b[start] === 0x20) start++;
  while (end > start && b[end - 1] === 0x20) end--;
  return String.fromCharCode(...b.subarray(start, end));
}

/** A numeric field: ASCII digits right-justified, space padded on the left. */
function writeNumeric(b: Uint8Array, at: number, width: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`sequence number ${value} is not a non-negative safe integer`);
  writeAlpha(b, at, width, String(value), true);
}

/** A numeric field's value, or NaN when it is not digits (blank reads as 0). */
function readNumeric(b: Uint8Array, at: number, width: number): number {
  const text = readAlpha(b, at, width);
  if (text === '') return 0;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** What a Login Request carries. */
export interface SoupLogin {
  readonly username: string;
  readonly password: string;
  /** Blank: the currently active session. */
  readonly session: string;
  /** The next sequence number the client expects; 0: start with the most recently generated message. */
  readonly sequence: number;
}

export function encodeLoginRequest(login: SoupLogin): Uint8Array {
  const b = soupPacket(SoupPacketType.LoginRequest, LOGIN_REQUEST_PAYLOAD);
  let at = SOUP_HEADER_BYTES;
  writeAlpha(b, at, SOUP_LOGIN.username, login.username);
  writeAlpha(b, (at += SOUP_LOGIN.username), SOUP_LOGIN.password, login.password);
  // The session id is written as Login Accepted shows it: padded on the left.
  writeAlpha(b, (at += SOUP_LOGIN.password), SOUP_LOGIN.session, login.session, true);
  writeNumeric(b, (at += SOUP_LOGIN.session), SOUP_LOGIN.sequence, login.sequence);
  return b;
}

/** A Login Request's payload (46 bytes) read back; the sequence is NaN when it is not numeric. */
export function decodeLoginRequest(payload: Uint8Array): SoupLogin {
  let at = 0;
  const username = readAlpha(payload, at, SOUP_LOGIN.username);
  const password = readAlpha(payload, (at += SOUP_LOGIN.username), SOUP_LOGIN.password);
  const session = readAlpha(payload, (at += SOUP_LOGIN.password), SOUP_LOGIN.session);
  return { username, password, session, sequence: readNumeric(payload, at + SOUP_LOGIN.session, SOUP_LOGIN.sequence) };
}

export function encodeLoginAccepted(session: string, sequence: number): Uint8Array {
  const b = soupPacket(SoupPacketType.LoginAccepted, LOGIN_ACCEPTED_PAYLOAD);
  writeAlpha(b, SOUP_HEADER_BYTES, SOUP_LOGIN.session, session, true);
  writeNumeric(b, SOUP_HEADER_BYTES + SOUP_LOGIN.session, SOUP_LOGIN.sequence, sequence);
  return b;
}

/** A Login Accepted's payload (30 bytes): the session, and the sequence number of the next Sequenced Data (NaN when not numeric). */
export function decodeLoginAccepted(payload: Uint8Array): { readonly session: string; readonly sequence: number } {
  return { session: readAlpha(payload, 0, SOUP_LOGIN.session), sequence: readNumeric(payload, SOUP_LOGIN.session, SOUP_LOGIN.sequence) };
}

export function encodeLoginRejected(reason: string): Uint8Array {
  const b = soupPacket(SoupPacketType.LoginRejected, 1);
  b[SOUP_HEADER_BYTES] = reason.charCodeAt(0);
  return b;
}

/** A Login Rejected reason in words. */
export function loginRejectedReason(code: number): string {
  const c = String.fromCharCode(code);
  if (c === SoupRejectReason.NotAuthorized) return "'A' not authorized (bad username or password)";
  if (c === SoupRejectReason.SessionNotAvailable) return "'S' session not available";
  return `${packetTypeName(code)} (not a SoupBinTCP 3.00 reason)`;
}

/**
 * Cuts a byte stream into SoupBinTCP packets and hands each to `onPacket` (the payload is a view
 * into the chunk or the reader's buffer: copy what outlives the call). A packet the other side may
 * not send, a length of 0 or a fixed-size packet of the wrong size is a protocol error: {@link push}
 * returns its text and the reader takes nothing more.
 */
export class SoupPacketReader {
  private partial: Uint8Array | null = null;
  private failed: string | null = null;
  /** Packets read, and bytes. */
  packets = 0;
  bytes = 0;

  /**
   * @param direction whose packets these are.
   * @param maxPayloadBytes a length above it is an error (no peer of the message set sends longer; keeps the buffer bounded).
   */
  constructor(
    private readonly direction: SoupDirection,
    private readonly onPacket: (type: number, payload: Uint8Array) => void,
    private readonly maxPayloadBytes = SOUP_MAX_PAYLOAD_BYTES,
  ) {}

  /** The protocol error that ended reading, or null. */
  get error(): string | null {
    return this.failed;
  }

  /** Reads every whole packet of `chunk` (after any partial one kept from before); returns the protocol error, if one ended reading. */
  push(chunk: Uint8Array): string | null {
    if (this.failed !== null) return this.failed;
    this.bytes += chunk.length;
    let b = chunk;
    if (this.partial !== null) {
      const joined = new Uint8Array(this.partial.length + chunk.length);
      joined.set(this.partial);
      joined.set(chunk, this.partial.length);
      b = joined;
      this.partial = null;
    }
    let at = 0;
    while (b.length - at >= 2) {
      const length = (b[at]! << 8) | b[at + 1]!;
      if (length === 0) return this.fail('a packet of length 0 (the length counts the type byte, so it is at least 1)');
      if (length - 1 > this.maxPayloadBytes) return this.fail(`a packet of length ${length}, above the ${this.maxPayloadBytes + 1} this session allows`);
      if (b.length - at < 2 + length) break;
      const type = b[at + 2]!;
      const allowed = this.direction === 'from-server' ? FROM_SERVER : FROM_CLIENT;
      if (!allowed.has(type)) {
        return this.fail(`packet type ${packetTypeName(type)} is not one a SoupBinTCP 3.00 ${this.direction === 'from-server' ? 'server' : 'client'} sends`);
      }
      const fixed = FIXED_PAYLOAD[type];
      if (fixed !== undefined && fixed !== length - 1) {
        return this.fail(`packet ${packetTypeName(type)} has a ${length - 1}-byte payload; SoupBinTCP 3.00 says ${fixed}`);
      }
      this.packets++;
      this.onPacket(type, b.subarray(at + 3, at + 2 + length));
      if (this.failed !== null) return this.failed;
      at += 2 + length;
    }
    if (at < b.length) this.partial = b.slice(at);
    return null;
  }

  /** Bytes of a packet begun but not complete. */
  get pendingBytes(): number {
    return this.partial?.length ?? 0;
  }

  /** Ends reading with an error (also for the caller's own checks, e.g. a packet out of place). */
  fail(message: string): string {
    this.failed ??= message;
    this.partial = null;
    return this.failed;
  }
}
