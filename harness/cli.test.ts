import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
});
