import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../harness/exitCodes.js';
import type { NightlyManifest } from './NightlyManifest.js';

// The built entry, as `npm run nightly` runs it (npm test builds before it tests).
const repo = fileURLToPath(new URL('..', import.meta.url));
const entry = path.join(repo, 'dist/ci/nightly.js');

interface Night { status: number | null; stdout: string; stderr: string; manifest: NightlyManifest | undefined }

function night(out: string, args: readonly string[], env: Record<string, string> = {}): Promise<Night> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, '--out', out, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      const file = path.join(out, 'nightly.json');
      resolve({ status, stdout, stderr, manifest: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as NightlyManifest : undefined });
    });
  });
}

const runDirs = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('npm run nightly --quick (end to end, the built CLI as child processes)', () => {
  it('passes and promotes a first night without a baseline, compares the second night with it, and never promotes a failing night', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-nightly-'));
    const baseline = path.join(dir, 'baseline');

    // Night 1: no baseline yet, so nothing to compare; it passes and becomes the baseline. (One repeat
    // a night: a shortened smoke run costs 6-10 s on a loaded 2-core machine; compare takes one a side.)
    const first = await night(path.join(dir, 'night1'), ['--quick', '--scenarios', 'smoke', '--repeats', '1', '--seed', '1', '--baseline', baseline, '--promote']);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.status, first.stdout).toBe(ExitCode.Ok);
    const m1 = first.manifest!;
    expect(m1).toMatchObject({ seed: 1, repeats: 1, quick: true, exitCode: 0, promoted: true });
    expect(m1.gitCommit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    const [smoke1] = m1.entries;
    expect(smoke1).toMatchObject({ kind: 'scenario', name: 'smoke', comparison: { state: 'no-baseline' } });
    expect(smoke1?.kind === 'scenario' && smoke1.runs.map((r) => r.verdict)).toEqual(['passed']);
    expect(first.stdout).toContain('| smoke | 1 | 1 passed | no baseline yet (first night) | 0 |');
    expect(runDirs(path.join(baseline, 'smoke'))).toEqual(smoke1?.kind === 'scenario' ? smoke1.runs.map((r) => path.basename(r.dir)).sort() : []);

    // Night 2: another seed, compared with night 1; the job summary is appended to $GITHUB_STEP_SUMMARY.
    const stepSummary = path.join(dir, 'step-summary.md');
    writeFileSync(stepSummary, 'earlier step\n');
    const second = await night(path.join(dir, 'night2'), ['--quick', '--scenarios', 'smoke', '--repeats', '1', '--seed', '2', '--baseline', baseline, '--promote'],
      { GITHUB_STEP_SUMMARY: stepSummary });
    expect(second.status, second.stdout).toBe(ExitCode.Ok);
    const smoke2 = second.manifest!.entries[0];
    expect(smoke2).toMatchObject({ name: 'smoke', comparison: { state: 'compared', baselineRuns: 1, candidateRuns: 1, exitCode: 0 } });
    expect(smoke2?.kind === 'scenario' && smoke2.runs[0]?.seed).not.toBe(smoke1?.kind === 'scenario' && smoke1.runs[0]?.seed);
    expect(existsSync(path.join(dir, 'night2/smoke/compare.html'))).toBe(true);
    const summary = readFileSync(path.join(dir, 'night2/summary.md'), 'utf8');
    expect(summary).toMatch(/Compared with the baseline .* \(1 run\) against 1 run: too little data/);
    expect(readFileSync(stepSummary, 'utf8')).toBe(`earlier step\n${summary}`);

    // Night 3: the engine cannot be reached (port 1), by the runs nor by the fuzzer (given the tcp
    // target's order-entry address): the night fails with their own code, 5, and the baseline keeps
    // night 2's runs. (A passing fuzz run is harness/commands/fuzzCommand.test.ts's subject.)
    const third = await night(path.join(dir, 'night3'), ['--quick', '--scenarios', 'smoke,fuzz', '--repeats', '1', '--seed', '3', '--baseline', baseline,
      '--promote', '--target', 'tcp://127.0.0.1:1,md=127.0.0.1:1']);
    expect(third.status).toBe(ExitCode.Target);
    expect(third.manifest).toMatchObject({ exitCode: ExitCode.Target, promoted: false, target: 'tcp://127.0.0.1:1,md=127.0.0.1:1' });
    expect(third.manifest?.entries[0]).toMatchObject({ runs: [{ verdict: null, exitCode: ExitCode.Target, problem: expect.stringMatching(/127\.0\.0\.1:1/) }] });
    expect(third.manifest?.entries[1]).toMatchObject({ kind: 'fuzz', target: 'tcp://127.0.0.1:1,md=127.0.0.1:1', exitCode: ExitCode.Target, cases: null,
      problem: expect.stringMatching(/target not usable/) });
    expect(third.stderr).toMatch(/not promoted: the night failed \(exit 5\)/);
    expect(runDirs(path.join(baseline, 'smoke'))).toEqual(smoke2?.kind === 'scenario' ? smoke2.runs.map((r) => path.basename(r.dir)).sort() : []);
  }, 180_000);

  it('refuses bad options with every problem and the usage code, running nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-nightly-'));
    const r = await night(path.join(dir, 'out'), ['--scenarios', 'smoke,nope', '--repeats', '0', '--promote']);
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/no scenario "nope"/);
    expect(r.stderr).toMatch(/--repeats must be/);
    expect(r.stderr).toMatch(/--promote needs --baseline/);
    const tcp = await night(path.join(dir, 'out'), ['--scenarios', 'smoke', '--target', 'tcp://127.0.0.1:9001']);
    expect(tcp.status).toBe(ExitCode.Usage);
    expect(tcp.stderr).toMatch(/--target tcp:\/\/127\.0\.0\.1:9001 with smoke: .*marketData/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
