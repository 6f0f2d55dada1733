import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';

// The built CLI, as a user runs it (npm test builds before it tests); the engine under clinic runs from dist/ too.
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));

/** Runs `matchbench profile …` without blocking this thread; killed after `timeoutMs`. */
const profile = (args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'profile', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });

// Two seconds of load with thresholds a profiled engine on a busy 2-core machine meets: the test is
// about the profile landing in the run directory, not about speed (smoke's 50 ms p99 fails under clinic there).
const SHORT = `version: 1
name: profile-short
symbols: { count: 2, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases:
  - { name: only, duration: 2s, rate: 200 }
clients: { orderEntry: 2, workers: 1, marketData: [{ class: fast, count: 2 }] }
thresholds: [order_rtt.p99 < 10s, feed_gaps.fast == 0, errors.count == 0, invariant_violations == 0]
`;

describe('matchbench profile', () => {
  it('profiles the engine under clinic doctor while the scenario runs, and links the HTML from report.html', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-cli-profile-'));
    const file = path.join(dir, 'short.yaml');
    fs.writeFileSync(file, SHORT);
    const out = path.join(dir, 'run');
    const r = await profile([file, '--tool', 'doctor', '--seed', '3', '--out', out, '--quiet'], 200_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/profile-short — PASSED/);
    const result = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')) as { seed: number; verdict: string; target: { description: string } };
    expect(result).toMatchObject({ seed: 3, verdict: 'passed' });
    // The load went over TCP to the engine process clinic started, not to an embedded engine.
    expect(result.target.description).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+, market data 127\.0\.0\.1:\d+$/);
    const html = fs.readFileSync(path.join(out, 'profile', 'doctor.html'), 'utf8');
    expect(html.length).toBeGreaterThan(10_000);
    expect(html).toContain('<title>Clinic Doctor</title>');
    expect(fs.readFileSync(path.join(out, 'profile', 'clinic.log'), 'utf8')).toMatch(/engine ready: 2 symbol\(s\)/);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<a href="profile/doctor.html">clinic doctor</a>');
  }, 240_000);

  it('refuses an unknown tool with the choices and exit code 2, before starting anything', async () => {
    const r = await profile(['scenarios/smoke.yaml', '--tool', 'heapdump'], 30_000);
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/Argument: tool, Given: "heapdump", Choices: "doctor", "flame", "bubbleprof"/);
  });

  it('names every problem of a bad scenario file and exits 2 without starting clinic', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-cli-profile-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, SHORT.replace('rate: 200', 'rate: -5').replace('orderEntry: 2', 'orderEntry: 0'));
    const r = await profile([file, '--out', path.join(dir, 'run')], 30_000);
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/2 problem\(s\), nothing was run/);
    expect(fs.existsSync(path.join(dir, 'run'))).toBe(false);
  });
});
