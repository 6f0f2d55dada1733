/**
 * Sequences in shared memory as Int32 words, and back to exact 53-bit sequences.
 *
 * Why Int32 words and not BigInt64: Atomics.load/store/compareExchange on an Int32Array take no
 * allocation (about 10-12 ns each on the 2-core bench machine), while on a BigInt64Array every
 * load allocates a BigInt (25-33 ns measured, plus garbage). The ring touches shared sequences on
 * every batch, so it stores each one as its low 32 bits (its "word") and every participant keeps
 * the exact value in a local JS number (safe up to 2^53: 11 years at 25 M messages/s).
 *
 * The rule that makes this exact: two sequences that may be compared are never 2^31 or more apart.
 * In the ring they never are: a producer can be at most `capacity` (at most 2^30) sequences ahead
 * of the slowest consumer. So the signed 32-bit difference of two words is the true difference,
 * and a word plus a nearby exact sequence gives back the exact sequence ({@link expandWord}).
 *
 * A word written by a participant you have not been following (a multi-producer claim you just
 * won) is expanded with the consumer's epoch, an exact coarse clock kept next to its gating
 * sequence: see {@link epochOf} and {@link expandFromEpoch}.
 */

/** 2^30: a consumer's epoch is its sequence divided by this, rounded down. */
export const EPOCH_SPAN = 0x4000_0000;

/** The word a sequence is stored as: its value modulo 2^32, as a signed Int32. Exact for any safe integer. */
export function toWord(sequence: number): number {
  // ToInt32 takes the mathematical value modulo 2^32, so this is exact for every safe integer.
  return sequence | 0;
}

/** a − b for two words whose sequences are less than 2^31 apart (positive when a is ahead). */
export function wordDistance(a: number, b: number): number {
  return (a - b) | 0;
}

/** The exact sequence stored as `word`, given an exact sequence less than 2^31 away from it. */
export function expandWord(word: number, nearSequence: number): number {
  return nearSequence + ((word - (nearSequence | 0)) | 0);
}

/** A consumer's epoch: its (last consumed) sequence divided by {@link EPOCH_SPAN}, rounded down. */
export function epochOf(sequence: number): number {
  return Math.floor(sequence / EPOCH_SPAN);
}

/**
 * The exact sequence stored as `word`, given that it lies in [epoch × 2^30, epoch × 2^30 + 2^32).
 * Used with a consumer's epoch for a word known to be at most 2^31 ahead of that consumer.
 */
export function expandFromEpoch(word: number, epoch: number): number {
  const base = epoch * EPOCH_SPAN;
  return base + ((word - (base | 0)) >>> 0);
}
