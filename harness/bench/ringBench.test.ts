import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';
import { formatRingBench } from './formatRingBench.js';
import { checkConsumerReport, MessageChecker, messageValue, runRingBench } from './ringBench.js';

// The benchmark's workers and the CLI run from dist/ (npm test builds first).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));

describe('ring benchmark', () => {
  it('runs every transport on 200,000 ring messages and finds every checksum right', async () => {
    const result = await runRingBench({ messages: 200_000, portMessages: 10_000, repetitions: 1, warmups: 0, timeoutMs: 20_000 });
    expect(result.problems).toEqual([]);
    expect(result.transports.map((t) => [t.name, t.producers, t.messages])).toEqual([
      ['ring SPSC', 1, 200_000],
      ['ring MPSC (2 producers)', 2, 200_000],
      ['postMessage (worker → main)', 1, 10_000],
      ['MessageChannel (worker → worker)', 1, 10_000],
    ]);
    for (const t of result.transports) expect(t.msgsPerSecond).toBeGreaterThan(0);
    expect(result.transports[2]?.ratioToPostMessage).toBe(1);
    expect(result.transports[0]?.meanConsumerBatch).toBeGreaterThanOrEqual(1);
    const text = formatRingBench(result, 'test machine');
    expect(text).toContain('check: every run delivered every message exactly once');
    expect(text).toContain('publish 64 slots at a time');
  });

  it('reports a lost, duplicated, reordered or corrupted message', () => {
    const deliver = (indexes: number[], corrupt = -1): string[] => {
      const checker = new MessageChecker(2);
      for (let i = 0; i < 5; i++) checker.accept(1, i, messageValue(1, i));
      for (const i of indexes) checker.accept(0, i, messageValue(0, i) + (i === corrupt ? 1 : 0));
      return checkConsumerReport(checker.report(), 2, 5);
    };
    expect(deliver([0, 1, 2, 3, 4])).toEqual([]);
    expect(deliver([0, 1, 3, 4])).toEqual(expect.arrayContaining([
      'received 9 messages, expected 10', 'producer 0: 4 messages, expected 5', 'producer 0: 1 messages out of order (lost, duplicated or reordered)']));
    expect(deliver([0, 1, 1, 2, 3, 4])).toContain('producer 0: 1 messages out of order (lost, duplicated or reordered)');
    expect(deliver([0, 2, 1, 3, 4])).toContain('producer 0: 3 messages out of order (lost, duplicated or reordered)');
    expect(deliver([0, 1, 2, 3, 4], 2)[0]).toMatch(/^producer 0: checksum \d+, expected \d+$/);
    const stray = new MessageChecker(1);
    stray.accept(3, 0, 0);
    expect(checkConsumerReport(stray.report(), 1, 0)).toEqual(['received 1 messages, expected 0', '1 messages name an unknown producer']);
  });

  it('prints one JSON object from `matchbench bench ring --json` and exits 0 when the checks pass', () => {
    const r = spawnSync(process.execPath, [cli, 'bench', 'ring', '--messages', '200000', '--port-messages', '5000', '--repetitions', '1', '--json'],
      { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toContain('ring SPSC: run 1/1');
    expect(r.status).toBe(ExitCode.Ok);
    const result = JSON.parse(r.stdout) as { benchmark: string; problems: string[]; ring: { batch: number }; transports: { name: string }[] };
    expect(result.benchmark).toBe('ring');
    expect(result.problems).toEqual([]);
    expect(result.ring.batch).toBe(64);
    expect(result.transports).toHaveLength(4);
  });

  it('refuses bad ring flags with the usage exit code, naming every problem', () => {
    const r = spawnSync(process.execPath, [cli, 'bench', 'ring', '--capacity', '1000', '--batch', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--capacity: must be a power of two/);
    expect(r.stderr).toMatch(/--batch must be a positive integer, got 0/);
  });
});
