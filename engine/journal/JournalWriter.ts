import fs from 'node:fs';
import type { Command } from '../book/Command.js';
import { encodeHeader, encodeRecord, JournalError, RECORD_LENGTH } from './journalFormat.js';
import { readJournal } from './readJournal.js';

/**
 * When appended records reach the disk:
 * - `none`: written to the OS in batches, never fsynced (fastest; a machine crash loses the tail);
 * - `batch`: fsynced once `batchRecords` records or `batchIntervalMs` have gone by;
 * - `sync`: fsynced on every commit, so a record is durable when commit() returns.
 */
export type Durability = 'none' | 'batch' | 'sync';

/** Options of {@link JournalWriter.open}; each documents its default. */
export interface JournalWriterOptions {
  /** Default 'batch'. */
  readonly durability?: Durability;
  /** `batch`: fsync after this many records. Default 4,096. */
  readonly batchRecords?: number;
  /** `batch` and `none`: write (and for batch fsync) at least this often, in ms. Default 5. */
  readonly batchIntervalMs?: number;
}

export const JOURNAL_WRITER_DEFAULTS = { durability: 'batch', batchRecords: 4_096, batchIntervalMs: 5 } as const;

/** Counters for /metrics and reports. */
export interface JournalStats {
  readonly records: number;
  readonly lastSequence: number;
  /** Last sequence known to be on disk (fsynced). */
  readonly durableSequence: number;
  readonly fsyncs: number;
  readonly bytes: number;
}

/**
 * Appends commands to a journal file. Records are encoded into an in-memory batch by
 * {@link append} and written by {@link commit}; how often commit fsyncs is the durability mode.
 * A timer commits every `batchIntervalMs` so a quiet engine still reaches the disk.
 *
 * Opening an existing journal checks it (refusing one corrupt in the middle), cuts off a torn
 * last record, and continues its sequence; its header must hold the same configuration.
 */
export class JournalWriter {
  private readonly fd: number;
  private pending = Buffer.alloc(64 * RECORD_LENGTH * 16);
  private pendingBytes = 0;
  private nextSequence: number;
  private sinceFsync = 0;
  private lastFsyncMs = Date.now();
  private readonly timer: NodeJS.Timeout | undefined;
  private stats: JournalStats;
  private closed = false;

  private constructor(fd: number, nextSequence: number, private readonly durability: Durability,
    private readonly batchRecords: number, private readonly batchIntervalMs: number,
    /** What the file held when opened: its sound records, and the bytes of a torn last record cut off. */
    readonly found: { readonly records: number; readonly tornBytes: number }) {
    this.fd = fd;
    this.nextSequence = nextSequence;
    this.stats = { records: 0, lastSequence: nextSequence - 1, durableSequence: nextSequence - 1, fsyncs: 0, bytes: 0 };
    if (durability !== 'sync') {
      this.timer = setInterval(() => this.commit(), batchIntervalMs);
      this.timer.unref();
    }
  }

  /** Opens (creating if needed) the journal at `path` for a configuration. */
  static open(path: string, config: unknown, options: JournalWriterOptions = {}): JournalWriter {
    const durability = options.durability ?? JOURNAL_WRITER_DEFAULTS.durability;
    const batchRecords = options.batchRecords ?? JOURNAL_WRITER_DEFAULTS.batchRecords;
    const batchIntervalMs = options.batchIntervalMs ?? JOURNAL_WRITER_DEFAULTS.batchIntervalMs;
    if (!['none', 'batch', 'sync'].includes(durability)) throw new RangeError(`durability must be none, batch or sync, got ${durability}`);
    if (!Number.isInteger(batchRecords) || batchRecords < 1) throw new RangeError(`batchRecords must be a positive integer, got ${batchRecords}`);
    if (!(batchIntervalMs > 0)) throw new RangeError(`batchIntervalMs must be positive, got ${batchIntervalMs}`);
    let nextSequence = 1;
    let tornBytes = 0;
    if (fs.existsSync(path) && fs.statSync(path).size > 0) {
      const found = readJournal(path);
      if (JSON.stringify(found.config) !== JSON.stringify(config)) {
        throw new JournalError(`journal ${path} was written for another configuration: ${JSON.stringify(found.config)}`, 8);
      }
      if (found.tornBytes > 0) fs.truncateSync(path, found.validBytes);
      tornBytes = found.tornBytes;
      nextSequence = found.lastSequence + 1;
    } else {
      fs.writeFileSync(path, encodeHeader(config));
    }
    const fd = fs.openSync(path, 'a');
    if (nextSequence === 1) fs.fsyncSync(fd);
    return new JournalWriter(fd, nextSequence, durability, batchRecords, batchIntervalMs,
      { records: nextSequence - 1, tornBytes });
  }

  /** Adds a command to the current batch and returns its journal sequence. Not yet written. */
  append(command: Command): number {
    if (this.closed) throw new Error('journal is closed');
    if (this.pendingBytes + RECORD_LENGTH > this.pending.length) {
      const bigger = Buffer.alloc(this.pending.length * 2);
      this.pending.copy(bigger, 0, 0, this.pendingBytes);
      this.pending = bigger;
    }
    const sequence = this.nextSequence++;
    encodeRecord(this.pending, this.pendingBytes, sequence, command);
    this.pendingBytes += RECORD_LENGTH;
    return sequence;
  }

  /**
   * Writes the batch; fsyncs it in `sync` mode, and in `batch` mode once enough records or time
   * have gone by. In `sync` mode everything appended is durable when this returns.
   */
  commit(): void {
    if (this.closed) return;
    if (this.pendingBytes > 0) {
      let written = 0;
      while (written < this.pendingBytes) written += fs.writeSync(this.fd, this.pending, written, this.pendingBytes - written);
      const records = this.pendingBytes / RECORD_LENGTH;
      this.sinceFsync += records;
      this.pendingBytes = 0;
      this.stats = { ...this.stats, records: this.stats.records + records, lastSequence: this.nextSequence - 1,
        bytes: this.stats.bytes + records * RECORD_LENGTH };
    }
    if (this.sinceFsync === 0) return;
    const due = this.durability === 'sync' ||
      (this.durability === 'batch' && (this.sinceFsync >= this.batchRecords || Date.now() - this.lastFsyncMs >= this.batchIntervalMs));
    if (due) this.fsync();
  }

  private fsync(): void {
    fs.fsyncSync(this.fd);
    this.sinceFsync = 0;
    this.lastFsyncMs = Date.now();
    this.stats = { ...this.stats, fsyncs: this.stats.fsyncs + 1, durableSequence: this.stats.lastSequence };
  }

  /** Counters so far. */
  statistics(): JournalStats {
    return this.stats;
  }

  /** Writes and fsyncs what is left, whatever the mode, and closes the file. */
  close(): void {
    if (this.closed) return;
    this.commit();
    if (this.sinceFsync > 0) this.fsync();
    if (this.timer !== undefined) clearInterval(this.timer);
    fs.closeSync(this.fd);
    this.closed = true;
  }
}
