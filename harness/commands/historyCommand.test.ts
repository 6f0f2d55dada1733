import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import type { HistoryResult } from '../../reports/history/buildHistory.js';
import { writeSyntheticNightly, writeSyntheticRun, nightStart } from '../../reports/history/syntheticRun.testkit.js';
import { ExitCode } from '../exitCodes.js';
import { historyCommand } from './historyCommand.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const matchbench = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

/**
 * The command run in this process through yargs with its real builder (no Node start-up per case,
 * which on a loaded machine costs seconds): its output and exit code, the exit code then cleared.
 */
async function inProcess(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
  try {
    await yargs().command(historyCommand).strict().parseAsync(['history', ...args]);
    return { status: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

describe('matchbench history', () => {
  afterEach(() => { process.exitCode = undefined; });
  let root = '';
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-cli-'));
    writeSyntheticNightly(root);
  }, 60_000);

  it('prints a trend table per scenario and writes <dir>/history.html (exit 0 without --fail-on-regression)', () => {
    const r = matchbench('history', root, '--metric', 'throughput', '--metric', 'order_rtt.p99');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/^## steady-x: 14 night\(s\), 28 run\(s\), night-98 \(aaaaaaaaaaaa\) … night-7 \(bbbbbbbbbbbb\)$/m);
    expect(r.stdout).toMatch(/^\| order_rtt\.p99 \| 1\.\d\d ms \| 1\.\d\d ms \| .* \| REGRESSION night-42 \+\d+\.\d% worse \(p=0\.0\d+\) \|$/m);
    expect(r.stdout).toMatch(/^\| throughput \| 100\.0\/s \| 80\.0\/s \| 80\.0\/s \| 100\.0\/s \| REGRESSION night-56 −20\.0% worse/m);
    expect(r.stdout).toContain(`history.html: ${path.join(root, 'history.html')}`);
    expect(fs.readFileSync(path.join(root, 'history.html'), 'utf8')).toMatch(/^<!doctype html>[\s\S]*steady-x: order_rtt\.p99[\s\S]*uPlot/);
  });

  it('exits 6 with --fail-on-regression when a latest segment regressed, 0 when the selection has none; --json prints the history', () => {
    const failing = matchbench('history', root, '--fail-on-regression', '--scenario', 'steady-x', '--metric', 'order_rtt.p50',
      '--html', path.join(root, 'a.html'), '--json', '--seed', '7');
    expect(failing.status).toBe(ExitCode.Regression);
    const history = JSON.parse(failing.stdout) as HistoryResult & { dir: string; html: string };
    expect(history.seed).toBe(7);
    expect(history.html).toBe(path.join(root, 'a.html'));
    expect(history.scenarios.map((s) => s.scenario)).toEqual(['steady-x']);
    expect(history.scenarios[0]?.metrics[0]?.changePoints.map((c) => c.index)).toEqual([8]);
    expect(history.regressions).toEqual([expect.stringMatching(/^steady-x order_rtt\.p50: \+\d+\.\d% since night night-42/)]);
    const passing = matchbench('history', root, '--fail-on-regression', '--scenario', 'steady-x', '--metric', 'throughput',
      '--metric', 'feed_gaps', '--html', path.join(root, 'b.html'));
    expect(passing.stdout).toContain('no metric\'s latest segment is a regression');
    expect(passing.status).toBe(ExitCode.Ok);
  });

  it('refuses a missing directory, one without runs, unknown metrics and scenarios and bad options, naming each (exit 2)', async () => {
    const bad = await inProcess(path.join(root, 'nope'), '--permutations', '50', '--min-nights', '1', '--html', ' ');
    expect(bad.status).toBe(ExitCode.Usage);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'matchbench history: --permutations 50 cannot reach --alpha 0.01: the smallest p is 1/(1 + permutations); use at least 99',
      'matchbench history: --min-nights must be a whole number from 2, got 1',
      'matchbench history: --html must name a file',
      `matchbench history: ${path.join(root, 'nope')}: no such directory`]);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-empty-'));
    const none = await inProcess(empty);
    expect(none.status).toBe(ExitCode.Usage);
    expect(none.stderr).toMatch(/no readable run directory \(a directory holding result\.json\) up to 3 levels down/);
    expect(fs.existsSync(path.join(empty, 'history.html'))).toBe(false);
    const unknown = await inProcess(root, '--metric', 'order_rt.p99', '--scenario', 'nope');
    expect(unknown.status).toBe(ExitCode.Usage);
    expect(unknown.stderr).toMatch(/--scenario nope: no run of that scenario/);
    expect(unknown.stderr).toMatch(/--metric order_rt\.p99: no run has that metric \(did you mean "order_rtt\.p99"\?\)/);
    // Through the CLI too: exit code 2 reaches the shell.
    const missing = matchbench('history', path.join(root, 'nope'));
    expect(missing.status).toBe(ExitCode.Usage);
    expect(missing.stderr).toBe(`matchbench history: ${path.join(root, 'nope')}: no such directory\n`);
  });

  it('says which run it skipped and why, and goes on with the others', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-broken-'));
    for (let night = 0; night < 3; night++) {
      writeSyntheticRun(path.join(dir, `n${night}`, 'smoke-1'), { scenario: 'smoke', seed: 1, startedAt: nightStart('2026-11-01', night), orderRttNs: 500_000 });
    }
    fs.mkdirSync(path.join(dir, 'n3', 'smoke-1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'n3', 'smoke-1', 'result.json'), '{"schema": ');
    const r = await inProcess(dir);
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stderr).toMatch(new RegExp(`^matchbench history: skipped ${path.join(dir, 'n3', 'smoke-1').replace(/[/.]/g, '\\$&')}: result\\.json: not valid JSON`));
    expect(r.stdout).toMatch(/## smoke: 3 night\(s\), 3 run\(s\)/);
  });
});
