import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandKind } from '../engine/book/Command.js';
import { Matcher } from '../engine/book/Matcher.js';
import { symbolConfig } from '../engine/book/SymbolConfig.js';
import { JournalWriter } from '../engine/journal/JournalWriter.js';
import { ExitCode } from './exitCodes.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('matchbench command', () => {
  it('lists its subcommands under --help', () => {
    const r = run('--help');
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/matchbench bench <benchmark>/);
  });

  it('exits with the usage code and says why when no command is given', () => {
    const r = run();
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/Name a command/);
  });

  it('rejects an unknown command or flag with the usage code', () => {
    expect(run('explode').status).toBe(ExitCode.Usage);
    const r = run('bench', 'matcher', '--operatoins', '5');
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/operatoins/);
  });

  it('rejects a bad benchmark flag value, naming it', () => {
    const r = run('bench', 'matcher', '--operations', '0');
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--operations must be a positive integer, got 0/);
  });

  it('prints the matcher benchmark as one JSON object with --json', () => {
    const r = run('bench', 'matcher', '--operations', '3000', '--repetitions', '1', '--json');
    expect(r.status).toBe(ExitCode.Ok);
    const result = JSON.parse(r.stdout) as { benchmark: string; problems: string[]; implementations: { name: string; opsPerSecond: number;
      ratioToPeer: number; latencyNs: { p50: number; p99: number; p999: number } }[] };
    expect(result.benchmark).toBe('matcher');
    expect(result.problems).toEqual([]);
    expect(result.implementations).toHaveLength(3);
    expect(result.implementations[0]).toMatchObject({ name: 'matchbench OrderBook' });
    expect(typeof result.implementations[0]?.latencyNs.p999).toBe('number');
  });

  it('replays a journal to the state hash of the books that wrote it, and refuses a corrupt one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-cli-'));
    try {
      const file = path.join(dir, 'e.journal');
      const symbols = [symbolConfig({ symbolId: 1, name: 'AAA' })];
      const writer = JournalWriter.open(file, { symbols });
      const live = new Matcher(symbols);
      for (let i = 1; i <= 40; i++) {
        const side = i % 2 === 0 ? 1 : 2;
        writer.append({ kind: CommandKind.NewOrder, symbolId: 1, owner: 1, clientOrderId: i, side, orderType: 1, timeInForce: 1,
          price: 100 + (i % 7), quantity: i, timestampNs: i });
        live.newOrder(1, 1, i, side, 1, 1, 100 + (i % 7), i, i);
      }
      writer.close();
      const ok = run('replay', file, '--json');
      expect(ok.status).toBe(ExitCode.Ok);
      expect(JSON.parse(ok.stdout)).toMatchObject({ records: 40, tornBytes: 0, stateHash: live.stateHash() });

      const bytes = fs.readFileSync(file);
      bytes[bytes.readUInt32LE(4) + 70]! ^= 1;
      fs.writeFileSync(file, bytes);
      const bad = run('replay', file);
      expect(bad.status).toBe(ExitCode.Usage);
      expect(bad.stderr).toMatch(/journal record 2 at byte offset \d+ fails its checksum/);
      expect(run('replay', path.join(dir, 'missing.journal')).status).toBe(ExitCode.Usage);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
