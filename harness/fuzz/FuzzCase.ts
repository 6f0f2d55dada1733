/**
 * The case model of the malicious-frame fuzzer (`matchbench fuzz`, docs/FUZZ.md): what one case
 * sends on its own order-entry connection and what docs/PROTOCOL.md says the engine must answer.
 */

/** The classes of cases; a report counts cases, passes and failures per class. */
export const FUZZ_CLASSES = [
  'truncation',
  'length',
  'unknownType',
  'version',
  'crc',
  'enum',
  'numeric',
  'reserved',
  'semantic',
  'slowloris',
  'stream',
  'havoc',
] as const;
export type FuzzClass = (typeof FUZZ_CLASSES)[number];

/** One write of the case: bytes, sent after waiting `pauseMs` (default 0). */
export interface FuzzChunk {
  readonly bytes: Uint8Array;
  /** Wait this long before writing, in ms (slow writers, idle mid-frame). */
  readonly pauseMs?: number;
}

/**
 * An answer the engine must send to the case's frames, in order: LOGIN_ACK, and per request ACK,
 * REJECT (with its reason), CANCELED with reason User (the answer to CANCEL) or REPLACED. FILLs and
 * other CANCELEDs (IOC, FOK and market remainders) are not answers and are not compared.
 */
export interface ExpectedAnswer {
  readonly type: 'LOGIN_ACK' | 'ACK' | 'REJECT' | 'CANCELED' | 'REPLACED';
  /** The request's clientOrderId (not on LOGIN_ACK). */
  readonly clientOrderId?: number;
  /** RejectReason code, on REJECT. */
  readonly reason?: number;
}

/**
 * How a case must end, after its answers:
 * - `sessionError`: SESSION_ERROR with `reason` (and `refSequence`), then the engine closes the connection;
 * - `alive`: the session goes on: the runner sends LOGOUT with `nextSequence` and the engine
 *   answers LOGOUT and closes (proof that it still reads and counts sequences right);
 * - `silent`: a frame is left unfinished; nothing more within the quiet time and the connection
 *   stays open (HEARTBEATs allowed), then the runner closes it;
 * - `closed`: the engine closes the connection, after a LOGOUT when `logout` is true;
 * - `survives` (havoc): any protocol-conforming reaction (answers, SESSION_ERROR then close, or
 *   nothing); the liveness probe after the case checks the engine is still up.
 */
export type ExpectedEnd =
  | {
    readonly kind: 'sessionError';
    readonly reason: number;
    /**
     * The SESSION_ERROR's `refSequence`: the offending frame's sequence if it passed the CRC check
     * and its sequence is a safe integer, else 0. Absent: not checked.
     */
    readonly refSequence?: number;
  }
  | { readonly kind: 'alive'; readonly nextSequence: number }
  | { readonly kind: 'silent' }
  | { readonly kind: 'closed'; readonly logout: boolean }
  | { readonly kind: 'survives' };

/** What docs/PROTOCOL.md says the engine does with a case's bytes. */
export interface ExpectedOutcome {
  readonly answers: readonly ExpectedAnswer[];
  readonly end: ExpectedEnd;
}

/** One fuzz case: played on its own TCP connection. */
export interface FuzzCase {
  /** Stable id, unique in the catalogue: `<class>/<what>`; `matchbench fuzz --case <id>` replays it. */
  readonly id: string;
  readonly class: FuzzClass;
  /** One line: what is wrong with the bytes. */
  readonly description: string;
  /**
   * Log in first (LOGIN sequence 1 with a fresh clientId, wait for LOGIN_ACK): the case's own
   * frames then start at sequence 2. False: the case's bytes are the first on the connection.
   */
  readonly login: boolean;
  readonly chunks: readonly FuzzChunk[];
  readonly expected: ExpectedOutcome;
  /**
   * Requests another session sends first (after its own LOGIN, from sequence 2; valid NEW_ORDERs
   * only), each answered with ACK before the case starts: orders that belong to someone else.
   */
  readonly peerOrders?: Uint8Array;
  /**
   * Longest wait for the outcome after the last chunk, ms, for cases whose answer comes from a
   * timer (login timeout, heartbeat timeout). Default: the runner's `answerTimeoutMs`.
   */
  readonly waitMs?: number;
}

/** The bytes of a case, all chunks back to back. */
export function caseBytes(fuzzCase: Pick<FuzzCase, 'chunks'>): Uint8Array {
  return concatBytes(fuzzCase.chunks.map((c) => c.bytes));
}

/** `parts` back to back in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** Lower-case hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
