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
  'churn',
  'havoc',
] as const;
/** The order-entry classes (the ones a scenario's `clients.fuzz.classes` may name). */
export type OrderEntryFuzzClass = (typeof FUZZ_CLASSES)[number];

/**
 * The classes of the market-data port's cases (harness/fuzz/mdFuzzCatalogue.ts): each id starts
 * with its class, e.g. `md/crc/SNAPSHOT_REQUEST/bit-17`.
 */
export const MD_FUZZ_CLASSES = [
  'md/truncation',
  'md/length',
  'md/unknownType',
  'md/version',
  'md/crc',
  'md/sequence',
  'md/unexpected',
  'md/snapshot',
  'md/slowloris',
  'md/flood',
  'md/churn',
] as const;
export type MarketDataFuzzClass = (typeof MD_FUZZ_CLASSES)[number];
export type FuzzClass = OrderEntryFuzzClass | MarketDataFuzzClass;

/** Every class, order entry then market data: the rows of a report. */
export const ALL_FUZZ_CLASSES: readonly FuzzClass[] = [...FUZZ_CLASSES, ...MD_FUZZ_CLASSES];

/** The port a case is played on. */
export type FuzzChannel = 'orderEntry' | 'marketData';

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
  readonly type: 'LOGIN_ACK' | 'ACK' | 'REJECT' | 'CANCELED' | 'REPLACED' | 'BOOK_SNAPSHOT';
  /** The request's clientOrderId (not on LOGIN_ACK). */
  readonly clientOrderId?: number;
  /** RejectReason code, on REJECT. */
  readonly reason?: number;
  /** On BOOK_SNAPSHOT (market data, the answer to SNAPSHOT_REQUEST): the symbol asked for. */
  readonly symbolId?: number;
  /** On BOOK_SNAPSHOT: the most levels either side may hold (the request's `levels`, or as many as fit). */
  readonly maxLevelsPerSide?: number;
}

/**
 * How a case must end, after its answers:
 * - `sessionError`: SESSION_ERROR with `reason` (and `refSequence`), then the engine closes the connection;
 * - `alive`: the session goes on: the runner sends LOGOUT with `nextSequence` and the engine
 *   answers LOGOUT and closes (proof that it still reads and counts sequences right);
 * - `silent`: a frame is left unfinished; nothing more within the quiet time and the connection
 *   stays open (HEARTBEATs allowed), then the runner closes it;
 * - `closed`: the engine closes the connection, after a LOGOUT when `logout` is true;
 * - `survives` (havoc, churn bursts and resets): any protocol-conforming reaction (answers,
 *   SESSION_ERROR then close, or nothing); the liveness probe after the case checks the engine is still up;
 * - `hangUp` (half-open churn): the engine closes, silently or after one of the named SESSION_ERRORs.
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
  | {
    /**
     * The engine closes within the case's wait, silently or after a SESSION_ERROR with one of
     * `reasons` (a peer that half-closed may be dropped at once or when its timer runs out).
     */
    readonly kind: 'hangUp';
    readonly reasons: readonly number[];
  }
  | { readonly kind: 'survives' };

/** What docs/PROTOCOL.md says the engine does with a case's bytes. */
export interface ExpectedOutcome {
  readonly answers: readonly ExpectedAnswer[];
  readonly end: ExpectedEnd;
}

/** One fuzz case: played on its own TCP connection. */
export interface FuzzCase {
  /** The port it is played on. Default (absent) `orderEntry`; the `md/*` classes are `marketData`. */
  readonly channel?: FuzzChannel;
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
  /**
   * Class churn: what the case does to connections instead of (or after) writing its chunks on
   * one connection (harness/fuzz/playChurnCase.ts). Absent for every other class.
   */
  readonly churn?: ChurnPlan;
}

/**
 * What a churn case does with connections:
 * - `burst`: opens `connections` connections at once; on each writes nothing, 10 bytes of a LOGIN
 *   or a whole LOGIN (its own client id), then destroys them all together. Each may only be
 *   answered with LOGIN_ACK (to a whole LOGIN) or SESSION_ERROR TooManyConnections.
 * - `reset`: writes the chunks (after the login prelude when `login`), waits for `answersFirst`
 *   answers, then resets the connection (RST, with a frame possibly half written). With `after`:
 *   a new connection logs in with the same client id (retried while the engine still holds the
 *   old session) and sends `after` from sequence 2; the expected outcome is that session's.
 * - `halfClose`: writes the chunks, then ends its write side (FIN) and keeps reading.
 * - `beyondLimit`: logs `maxConnections` sessions in, one at a time, then opens one more and
 *   sends LOGIN: the expected outcome is that connection's; afterwards every earlier session must
 *   still answer LOGOUT. Played alone (no other case may hold connections meanwhile).
 */
export type ChurnPlan =
  | { readonly kind: 'burst'; readonly connections: number; readonly login: 'none' | 'partial' | 'whole' }
  | { readonly kind: 'reset'; readonly answersFirst: number; readonly after?: Uint8Array }
  | { readonly kind: 'halfClose' }
  | { readonly kind: 'beyondLimit'; readonly maxConnections: number };

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
