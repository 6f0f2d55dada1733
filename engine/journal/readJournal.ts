import fs from 'node:fs';
import type { Command } from '../book/Command.js';
import { decodeHeader, decodeRecord, headerLength, JournalError, RECORD_LENGTH, recordProblem } from './journalFormat.js';

/** What reading a journal found. */
export interface JournalContents {
  /** The configuration from the header. */
  readonly config: unknown;
  /** Sound records read (each passed to the visitor). */
  readonly records: number;
  /** Sequence of the last sound record (0 when none). */
  readonly lastSequence: number;
  /** Bytes up to the end of the last sound record: where appending resumes. */
  readonly validBytes: number;
  /** Bytes of a torn last record that were ignored (0 when the journal ends cleanly). */
  readonly tornBytes: number;
}

/** Records read per read() call (1 MiB). */
const CHUNK_RECORDS = 16_384;

/** What {@link readJournal} calls as it reads. */
export interface JournalVisitor {
  /** The header's configuration, before any record. */
  header?(config: unknown): void;
  /** Each sound record, in order. */
  record?(command: Command, sequence: number): void;
}

/**
 * Reads a journal front to back, handing its header and then every sound record to `visitor`.
 *
 * A torn tail — a last record cut short, or a last record that fails its checks with nothing after
 * it (a write the machine did not finish) — is tolerated and reported in `tornBytes`. A bad record
 * with anything after it is corruption in the middle: it throws JournalError naming the record's
 * offset, so that nothing is built on a journal that lost data.
 */
export function readJournal(path: string, visitor: JournalVisitor = {}): JournalContents {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const first = Buffer.alloc(8);
    if (fs.readSync(fd, first, 0, 8, 0) < 8) throw new JournalError(`not a matchbench journal: only ${size} bytes`, 0);
    const length = headerLength(first);
    if (size < length) throw new JournalError(`journal header says ${length} bytes, the file has ${size}`, 4);
    const header = Buffer.alloc(length);
    fs.readSync(fd, header, 0, length, 0);
    const config = decodeHeader(header);
    visitor.header?.(config);

    const chunk = Buffer.alloc(CHUNK_RECORDS * RECORD_LENGTH);
    let position = length;
    let records = 0;
    while (position < size) {
      const got = fs.readSync(fd, chunk, 0, Math.min(chunk.length, size - position), position);
      const whole = Math.floor(got / RECORD_LENGTH) * RECORD_LENGTH;
      for (let at = 0; at < whole; at += RECORD_LENGTH) {
        const offset = position + at;
        const problem = recordProblem(chunk, at, records + 1);
        if (problem !== undefined) {
          if (offset + RECORD_LENGTH === size) {
            return { config, records, lastSequence: records, validBytes: offset, tornBytes: RECORD_LENGTH };
          }
          throw new JournalError(`journal record ${records + 1} at byte offset ${offset} ${problem}, and ` +
            `${size - offset - RECORD_LENGTH} bytes follow it: the journal is corrupt in the middle`, offset);
        }
        records++;
        visitor.record?.(decodeRecord(chunk, at), records);
      }
      position += whole;
      if (whole < got || got === 0) break;
    }
    return { config, records, lastSequence: records, validBytes: position, tornBytes: size - position };
  } finally {
    fs.closeSync(fd);
  }
}
