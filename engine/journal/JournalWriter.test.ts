import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyCommand, CommandKind, type Command } from '../book/Command.js';
import { Matcher } from '../book/Matcher.js';
import { symbolConfig } from '../book/SymbolConfig.js';
import { OrderType, Side, TimeInForce } from '../protocol/codes.js';
import { JournalError, RECORD_LENGTH } from './journalFormat.js';
import { JournalWriter } from './JournalWriter.js';
import { readJournal } from './readJournal.js';
import { replayJournal } from './replayJournal.js';

const config = { symbols: [symbolConfig({ symbolId: 1, name: 'AAA', maxPrice: 2_000 }), symbolConfig({ symbolId: 2, name: 'BBB', tickSize: 5, maxPrice: 5_000 })] };

/** A deterministic mixed stream: new orders around 1,000 on two symbols, cancels and replaces of earlier ids. */
function commands(n: number, seed = 1): Command[] {
  let s = seed;
  const next = (k: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % k;
  };
  const out: Command[] = [];
  for (let i = 1; i <= n; i++) {
    const symbolId = 1 + next(2);
    const tick = symbolId === 1 ? 1 : 5;
    const owner = 1 + next(3);
    const roll = next(10);
    if (roll < 7) {
      const side = next(2) === 0 ? Side.Buy : Side.Sell;
      out.push({ kind: CommandKind.NewOrder, symbolId, owner, clientOrderId: i, side, orderType: OrderType.Limit,
        timeInForce: roll === 6 ? TimeInForce.IOC : TimeInForce.GTC, price: (200 + next(11) - 5) * tick, quantity: 1 + next(20),
        timestampNs: 2 ** 40 + i });
    } else if (roll < 9) {
      out.push({ kind: CommandKind.Cancel, symbolId, owner, clientOrderId: 1 + next(i), side: 0, orderType: 0, timeInForce: 0,
        price: 0, quantity: 0, timestampNs: i });
    } else {
      out.push({ kind: CommandKind.Replace, symbolId, owner, clientOrderId: 1 + next(i), side: 0, orderType: 0, timeInForce: 0,
        price: (200 + next(11) - 5) * tick, quantity: 1 + next(20), timestampNs: i });
    }
  }
  return out;
}

let dir = '';
let file = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-journal-'));
  file = path.join(dir, 'engine.journal');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(cmds: Command[], options = {}): JournalWriter {
  const writer = JournalWriter.open(file, config, options);
  for (const c of cmds) writer.append(c);
  writer.commit();
  return writer;
}

function liveHash(cmds: Command[]): string {
  const m = new Matcher(config.symbols);
  for (const c of cmds) applyCommand(m, c);
  return m.stateHash();
}

describe('journal', () => {
  it('replays to the same books as the live matcher', () => {
    const cmds = commands(3_000);
    write(cmds).close();
    const replay = replayJournal(file);
    expect(replay.records).toBe(3_000);
    expect(replay.tornBytes).toBe(0);
    expect(replay.stateHash).toBe(liveHash(cmds));
    expect(replay.matcher.book(1)!.orderCount()).toBeGreaterThan(0);
  });

  it('keeps every field of every command, large values included', () => {
    const cmds = commands(200);
    cmds.push({ kind: CommandKind.NewOrder, symbolId: 2 ** 32 - 1, owner: 2 ** 32 - 1, clientOrderId: 2 ** 53 - 1, side: 255,
      orderType: 255, timeInForce: 255, price: -(2 ** 53 - 1), quantity: 2 ** 53 - 1, timestampNs: 2 ** 53 - 1 });
    write(cmds).close();
    const read: Command[] = [];
    readJournal(file, { record: (c) => read.push(c) });
    expect(read).toEqual(cmds);
  });

  it('continues the sequence when reopened', () => {
    const cmds = commands(500);
    write(cmds.slice(0, 200)).close();
    write(cmds.slice(200)).close();
    const sequences: number[] = [];
    readJournal(file, { record: (_c, sequence) => sequences.push(sequence) });
    expect(sequences).toEqual(cmds.map((_c, i) => i + 1));
    expect(replayJournal(file).stateHash).toBe(liveHash(cmds));
  });

  it('recovers to the previous record when cut at any byte of its last record', () => {
    const cmds = commands(50);
    write(cmds).close();
    const whole = fs.readFileSync(file);
    const before = liveHash(cmds.slice(0, 49));
    for (let cut = 1; cut <= RECORD_LENGTH; cut++) {
      fs.writeFileSync(file, whole.subarray(0, whole.length - cut));
      const replay = replayJournal(file);
      expect(replay.records).toBe(49);
      expect(replay.tornBytes).toBe(RECORD_LENGTH - cut);
      expect(replay.stateHash).toBe(before);
    }
  });

  it('treats a damaged last record as torn, and a writer cuts it off before appending', () => {
    const cmds = commands(50);
    write(cmds).close();
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    expect(readJournal(file)).toMatchObject({ records: 49, tornBytes: RECORD_LENGTH });
    write([cmds[49]!]).close();
    expect(readJournal(file)).toMatchObject({ records: 50, tornBytes: 0 });
    expect(replayJournal(file).stateHash).toBe(liveHash(cmds));
  });

  it('refuses a journal with a flipped bit in the middle, naming the record and offset', () => {
    write(commands(100)).close();
    const bytes = fs.readFileSync(file);
    const headerLength = bytes.readUInt32LE(4);
    const offset = headerLength + 40 * RECORD_LENGTH;
    bytes[offset + 30]! ^= 0x10;
    fs.writeFileSync(file, bytes);
    const error = (() => {
      try {
        readJournal(file);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).offset).toBe(offset);
    expect((error as JournalError).message).toBe(`journal record 41 at byte offset ${offset} fails its checksum, and ` +
      `${59 * RECORD_LENGTH} bytes follow it: the journal is corrupt in the middle`);
    expect(() => JournalWriter.open(file, config)).toThrow(JournalError);
  });

  it('refuses files that are not journals, and a journal written for another configuration', () => {
    fs.writeFileSync(file, 'hello world, not a journal');
    expect(() => readJournal(file)).toThrow(/not a matchbench journal/);
    fs.rmSync(file);
    write(commands(5)).close();
    expect(() => JournalWriter.open(file, { symbols: [] })).toThrow(/written for another configuration/);
  });

  it('fsyncs every commit in sync mode, every batch in batch mode, and only on close in none', () => {
    const cmds = commands(100);
    const sync = JournalWriter.open(file, config, { durability: 'sync' });
    for (const c of cmds.slice(0, 10)) {
      sync.append(c);
      sync.commit();
    }
    expect(sync.statistics()).toMatchObject({ records: 10, fsyncs: 10, durableSequence: 10 });
    sync.close();

    fs.rmSync(file);
    const batch = JournalWriter.open(file, config, { durability: 'batch', batchRecords: 25, batchIntervalMs: 60_000 });
    for (const c of cmds) {
      batch.append(c);
      batch.commit();
    }
    expect(batch.statistics()).toMatchObject({ records: 100, fsyncs: 4, durableSequence: 100 });
    batch.close();

    fs.rmSync(file);
    const none = JournalWriter.open(file, config, { durability: 'none', batchIntervalMs: 60_000 });
    for (const c of cmds) none.append(c);
    none.commit();
    expect(none.statistics()).toMatchObject({ records: 100, fsyncs: 0, durableSequence: 0 });
    none.close();
    expect(none.statistics()).toMatchObject({ fsyncs: 1, durableSequence: 100 });
    expect(readJournal(file).records).toBe(100);
  });

  it('refuses bad options', () => {
    expect(() => JournalWriter.open(file, config, { durability: 'fast' as never })).toThrow(/durability must be none, batch or sync/);
    expect(() => JournalWriter.open(file, config, { batchRecords: 0 })).toThrow(/batchRecords/);
  });
});
