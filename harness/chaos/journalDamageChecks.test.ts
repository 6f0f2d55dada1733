import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandKind, type Command } from '../../engine/book/Command.js';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { JournalError, RECORD_LENGTH } from '../../engine/journal/journalFormat.js';
import { JournalWriter } from '../../engine/journal/JournalWriter.js';
import { readJournal } from '../../engine/journal/readJournal.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { ExitCode } from '../exitCodes.js';
import { checkBitFlip, checkTornTail } from './journalDamageChecks.js';
import { replayWithOracle } from './journalOracle.js';

const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const config = { symbols: [symbolConfig({ symbolId: 1, name: 'AAA', maxPrice: 2_000 })] };

/** Crossing buys and sells around 1,000, so records trade, rest and fill. */
function commands(n: number): Command[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: CommandKind.NewOrder, symbolId: 1, owner: 1 + (i % 3), clientOrderId: i + 1, side: i % 2 === 0 ? Side.Buy : Side.Sell,
    orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 995 + ((i * 7) % 11), quantity: 1 + ((i * 13) % 40), timestampNs: i + 1,
  }));
}

let dir = '';
let journal = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-chaos-damage-'));
  journal = path.join(dir, 'engine.journal');
  const writer = JournalWriter.open(journal, config, { durability: 'sync' });
  for (const c of commands(40)) writer.append(c);
  writer.close();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('torn last record', () => {
  it('reads back as the 39 records before it, with their state, whichever byte the cut falls on', () => {
    const result = checkTornTail(journal, dir);
    expect(result).toEqual({ cuts: RECORD_LENGTH, recovered: RECORD_LENGTH, problems: [] });
    expect(fs.readdirSync(dir)).toEqual(['engine.journal']);
  });

  it('refuses a journal damaged before its last record instead of taking it for a torn tail', () => {
    const bytes = fs.readFileSync(journal);
    const secondLast = bytes.length - 2 * RECORD_LENGTH;
    bytes[secondLast + 30] = (bytes[secondLast + 30] as number) ^ 1;
    fs.writeFileSync(journal, bytes);
    // Reading the whole journal already fails (record 39 is bad and a record follows it).
    expect(() => checkTornTail(journal, dir)).toThrow(JournalError);
  });
});

describe('a flipped bit in the middle', () => {
  it('is refused with a JournalError naming the record and its byte offset, for every bit of the record', () => {
    const bytes = fs.readFileSync(journal);
    const records = 40;
    const header = bytes.length - records * RECORD_LENGTH;
    const recordOffset = header + 19 * RECORD_LENGTH;
    const copy = path.join(dir, 'flipped.journal');
    for (let bit = 0; bit < RECORD_LENGTH * 8; bit++) {
      const damaged = Buffer.from(bytes);
      damaged[recordOffset + (bit >> 3)] = (damaged[recordOffset + (bit >> 3)] as number) ^ (1 << (bit & 7));
      fs.writeFileSync(copy, damaged);
      let error: unknown;
      try {
        readJournal(copy);
      } catch (e) {
        error = e;
      }
      expect(error, `bit ${bit}`).toBeInstanceOf(JournalError);
      expect((error as JournalError).offset).toBe(recordOffset);
      expect((error as Error).message).toMatch(new RegExp(`^journal record 20 at byte offset ${recordOffset} .* the journal is corrupt in the middle$`));
    }
  });

  it('checkBitFlip picks a seeded bit of the middle record and reports it refused', () => {
    const a = checkBitFlip(journal, dir, 5);
    expect(a).toMatchObject({ record: 20, detected: true });
    expect(a?.message).toMatch(/journal record 20 at byte offset \d+ .*corrupt in the middle/);
    expect(checkBitFlip(journal, dir, 5)).toEqual(a);
  });

  it('makes `matchbench replay` exit 2 with the record and offset', () => {
    const bytes = fs.readFileSync(journal);
    const offset = bytes.length - 20 * RECORD_LENGTH;
    bytes[offset + 40] = (bytes[offset + 40] as number) ^ 0x10;
    fs.writeFileSync(journal, bytes);
    const r = spawnSync(process.execPath, [cli, 'replay', journal], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toContain(`journal record 21 at byte offset ${offset} fails its checksum, and ${19 * RECORD_LENGTH} bytes follow it`);
    expect(r.stdout).toBe('');
  }, 60_000);
});

describe('replayWithOracle', () => {
  it('gives the state hash after each asked-for record count and every report per owner', () => {
    const oracle = replayWithOracle(journal, [0, 10, 40]);
    expect(oracle.records).toBe(40);
    expect(oracle.hashAfter.get(40)).toBe(oracle.stateHash);
    expect(new Set([oracle.hashAfter.get(0), oracle.hashAfter.get(10), oracle.stateHash]).size).toBe(3);
    // Every NEW_ORDER was answered (ACK or REJECT) to its owner, once.
    const answered = [...oracle.reportsByOwner.values()].flat().filter((r) => r.report.type === MessageType.Ack || r.report.type === MessageType.Reject);
    expect(answered).toHaveLength(40);
    expect([...oracle.newOrderRecords.values()].every((n) => n === 1)).toBe(true);
  });
});
