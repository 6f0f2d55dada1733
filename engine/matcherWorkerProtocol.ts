/**
 * What the engine's main thread ({@link MatcherThread}) and its matcher worker (matcherWorker.ts)
 * say to each other outside the two rings: the worker's start data, its few messages, and a small
 * shared control block.
 */
import type { BookState } from './book/Book.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import type { BookLevels } from './DepthMirror.js';
import type { Durability } from './journal/JournalWriter.js';

/** How the matcher worker waits when the inbound ring is empty (engine/ring/WaitStrategy.ts). */
export type WaitStrategyName = 'busy-spin' | 'spin-then-park' | 'blocking';
/** Every {@link WaitStrategyName}, for CLI choices. */
export const WAIT_STRATEGY_NAMES: readonly WaitStrategyName[] = ['busy-spin', 'spin-then-park', 'blocking'];

/** The worker's workerData. */
export interface MatcherWorkerData {
  readonly symbols: readonly SymbolConfig[];
  /** The journal to replay and append to; none when undefined. */
  readonly journalPath: string | undefined;
  readonly durability: Durability;
  readonly waitStrategy: WaitStrategyName;
  /** RingBuffer.buffer of the inbound ring (commands; the main thread produces). */
  readonly inbound: SharedArrayBuffer;
  /** RingBuffer.buffer of the outbound ring (event records; the worker produces). */
  readonly outbound: SharedArrayBuffer;
  /** The control block, see {@link controlBlock}. */
  readonly control: SharedArrayBuffer;
}

/** Messages from the worker. */
export type MatcherWorkerMessage =
  /** Journal replayed (if any); the worker consumes the inbound ring once the control block says go. */
  | { readonly type: 'ready'; readonly records: number; readonly tornBytes: number; readonly stateHash: string;
      readonly books: readonly BookLevels[] }
  /** Could not start (journal refused, say); the worker ends. `journalOffset` is -1 unless it was a JournalError. */
  | { readonly type: 'failed'; readonly message: string; readonly journalOffset: number }
  /**
   * Inbound ring drained, every event in the outbound ring, journal closed. With `finalState` when
   * the STOP word said {@link STOP_WITH_STATE}: every book's full state and the state hash.
   */
  | { readonly type: 'stopped'; readonly processed: number; readonly finalState?: FinalState };

/** The matcher's books when it stopped, for checks after a run (slow to build: allocates per resting order). */
export interface FinalState {
  readonly stateHash: string;
  /** By ascending symbol id. */
  readonly books: readonly BookState[];
}

/** Bytes of the control block. */
export const CONTROL_BYTES = 16;

/**
 * Views on the control block: `flags[GO]` (1: the worker may consume; it waits on this word),
 * `flags[STOP]` (1: drain and stop), and `processed[0]` (commands processed so far, written by the
 * worker after each batch; a diagnostic, exact only in the 'stopped' message).
 */
export function controlBlock(buffer: SharedArrayBuffer): { flags: Int32Array; processed: Float64Array } {
  return { flags: new Int32Array(buffer, 0, 2), processed: new Float64Array(buffer, 8, 1) };
}
/** Index in `flags` of the go word. */
export const GO = 0;
/** Index in `flags` of the stop word: 1 stop, {@link STOP_WITH_STATE} stop and send the final state. */
export const STOP = 1;
/** Value of the stop word asking the worker to send its {@link FinalState} in 'stopped'. */
export const STOP_WITH_STATE = 2;
