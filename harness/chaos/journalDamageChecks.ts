import fs from 'node:fs';
import path from 'node:path';
import { JournalError, RECORD_LENGTH } from '../../engine/journal/journalFormat.js';
import { readJournal } from '../../engine/journal/readJournal.js';
import { replayJournal } from '../../engine/journal/replayJournal.js';
import { Rng } from '../generate/Rng.js';

/** Cutting the journal inside its last record, at every byte. */
export interface TornTailResult {
  /** Cuts tried: one per byte of the last record (0 to 63 of its bytes left). */
  readonly cuts: number;
  /** Cuts after which the journal read back exactly the records before the last, with the state they give. */
  readonly recovered: number;
  /** The first few cuts that did not, each one line. */
  readonly problems: readonly string[];
}

/** One bit flipped in a record in the middle of the journal. */
export interface BitFlipResult {
  /** Record (1-based) and byte offset of the flipped bit in the file, and the bit (0–7). */
  readonly record: number;
  readonly byteOffset: number;
  readonly bit: number;
  /** The journal was refused with a JournalError naming the record's offset. */
  readonly detected: boolean;
  /** What reading it said. */
  readonly message: string;
}

const MAX_PROBLEMS = 5;

/**
 * Copies the journal and cuts the copy at every byte of its last record: each cut must read back as
 * the records before it (a torn tail, `tornBytes` = the bytes left of the last record) and replay
 * to the same state as the whole journal less its last record.
 *
 * @param workDir where the copy goes (removed afterwards).
 */
export function checkTornTail(journalPath: string, workDir: string): TornTailResult {
  const whole = fs.readFileSync(journalPath);
  const full = readJournal(journalPath);
  if (full.records < 1) return { cuts: 0, recovered: 0, problems: ['the journal has no record to cut'] };
  const lastStart = full.validBytes - RECORD_LENGTH;
  const copy = path.join(workDir, 'torn-tail.journal');
  const problems: string[] = [];
  let recovered = 0;
  let expectedHash: string | undefined;
  try {
    fs.writeFileSync(copy, whole.subarray(0, lastStart));
    expectedHash = replayJournal(copy).stateHash;
    for (let left = 0; left < RECORD_LENGTH; left++) {
      fs.writeFileSync(copy, whole.subarray(0, lastStart + left));
      try {
        const r = replayJournal(copy);
        if (r.records === full.records - 1 && r.tornBytes === left && r.stateHash === expectedHash) recovered++;
        else if (problems.length < MAX_PROBLEMS) {
          problems.push(`cut with ${left} bytes of record ${full.records} left: read ${r.records} records, ${r.tornBytes} torn bytes` +
            `${r.stateHash === expectedHash ? '' : ', another state hash'}`);
        }
      } catch (error) {
        if (problems.length < MAX_PROBLEMS) problems.push(`cut with ${left} bytes of record ${full.records} left: ${(error as Error).message}`);
      }
    }
  } finally {
    fs.rmSync(copy, { force: true });
  }
  return { cuts: RECORD_LENGTH, recovered, problems };
}

/**
 * Copies the journal, flips one seeded bit of its middle record and reads the copy: it must be
 * refused with a JournalError at that record's offset (records follow it, so it is not a torn tail).
 */
export function checkBitFlip(journalPath: string, workDir: string, seed: number): BitFlipResult | undefined {
  const bytes = fs.readFileSync(journalPath);
  const full = readJournal(journalPath);
  if (full.records < 3) return undefined;
  const rng = new Rng(seed, BIT_FLIP_STREAM);
  const record = Math.ceil(full.records / 2);
  const headerBytes = full.validBytes - full.records * RECORD_LENGTH;
  const recordOffset = headerBytes + (record - 1) * RECORD_LENGTH;
  const byteOffset = recordOffset + rng.int(0, RECORD_LENGTH - 1);
  const bit = rng.int(0, 7);
  bytes[byteOffset] = (bytes[byteOffset] as number) ^ (1 << bit);
  const copy = path.join(workDir, 'bit-flip.journal');
  try {
    fs.writeFileSync(copy, bytes);
    readJournal(copy);
    return { record, byteOffset, bit, detected: false, message: 'read without complaint' };
  } catch (error) {
    const detected = error instanceof JournalError && error.offset === recordOffset && error.message.includes(`byte offset ${recordOffset}`);
    return { record, byteOffset, bit, detected, message: (error as Error).message };
  } finally {
    fs.rmSync(copy, { force: true });
  }
}

/** Rng stream of the bit-flip choice (harness/generate/streamIndex.ts lane 0, k = 7002: free for run members). */
const BIT_FLIP_STREAM = 4 * 7_002;
