import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'run', ...args], { encoding: 'utf8', timeout: 90_000 });
/** Runs the CLI without blocking this thread (the engine child answers meanwhile). */
const runAsync = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => new Promise((resolve) => {
  const child = spawn(process.execPath, [cli, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
});
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-cli-run-'));

const TINY = `version: 1
name: cli-tiny
symbols: { count: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases:
  - { name: only, duration: 1s, rate: 200 }
clients: { orderEntry: 2, workers: 1, marketData: [{ class: fast, count: 1 }] }
thresholds: [order_rtt.p99 < 10s, feed_gaps.fast == 0]
`;

describe('matchbench run', () => {
  it('runs a scenario against the embedded engine and writes the run directory (exit 0)', () => {
    const dir = tmp();
    const file = path.join(dir, 'tiny.yaml');
    fs.writeFileSync(file, TINY);
    const out = path.join(dir, 'run');
    const r = run(file, '--seed', '5', '--out', out);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/matchbench run: cli-tiny — PASSED/);
    const result = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')) as { seed: number; verdict: string };
    expect(result).toMatchObject({ seed: 5, verdict: 'passed' });
    expect(fs.existsSync(path.join(out, 'order_rtt.hgrm'))).toBe(true);
  });

  it('exits with the thresholds code when a threshold fails', () => {
    const dir = tmp();
    const file = path.join(dir, 'strict.yaml');
    fs.writeFileSync(file, TINY.replace('order_rtt.p99 < 10s', 'order_rtt.p99 < 1ns'));
    const r = run(file, '--target', 'inproc', '--out', path.join(dir, 'run'), '--quiet');
    expect(r.status).toBe(ExitCode.Thresholds);
    expect(r.stdout).toMatch(/`order_rtt.p99 < 1ns` \| [\d.]+ \| \*\*FAIL\*\*/);
  });

  it('lists every problem of a bad scenario file with its path and runs nothing (exit 2)', () => {
    const dir = tmp();
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, TINY.replace('rate: 200', 'rate: -5').replace('orderEntry: 2', 'orderEntry: 0').replace('phases:', 'phses: 1\nphases:'));
    const out = path.join(dir, 'run');
    const r = run(file, '--out', out);
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/phases\[0\]\.rate/);
    expect(r.stderr).toMatch(/clients\.orderEntry/);
    expect(r.stderr).toMatch(/phses/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('says clearly when the target cannot be reached (exit 5)', () => {
    const dir = tmp();
    const file = path.join(dir, 'tiny.yaml');
    fs.writeFileSync(file, TINY.replace('marketData: [{ class: fast, count: 1 }]', 'marketData: []').replace(', feed_gaps.fast == 0', ''));
    const r = run(file, '--target', 'tcp://127.0.0.1:1', '--out', path.join(dir, 'run'));
    expect(r.status).toBe(ExitCode.Target);
    expect(r.stderr).toMatch(/target unreachable: .*127\.0\.0\.1:1/);
  });

  it('rejects a bad --target with the usage code', () => {
    const r = run('scenarios/smoke.yaml', '--target', 'ftp://x');
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--target/);
  });

  it('runs a scenario against an engine child process over HTTP (--target http://host:port, exit 0)', async () => {
    const engine = spawn(process.execPath, [cli, 'engine', '--order-port', '0', '--md-port', '0', '--http-port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        let text = '';
        engine.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          const line = /engine ready: .*/.exec(text)?.[0];
          if (line !== undefined) resolve(line);
        });
        engine.on('exit', (code) => reject(new Error(`engine exited with ${code} before it was ready: ${text}`)));
      });
      const httpPort = /http 127\.0\.0\.1:(\d+)/.exec(ready)?.[1];
      const mdPort = /market data 127\.0\.0\.1:(\d+)/.exec(ready)?.[1];
      expect(httpPort).toBeDefined();
      const dir = tmp();
      const file = path.join(dir, 'tiny.yaml');
      fs.writeFileSync(file, TINY);
      const out = path.join(dir, 'run');
      const r = await runAsync(file, '--target', `http://127.0.0.1:${httpPort},md=127.0.0.1:${mdPort}`, '--out', out, '--quiet');
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status).toBe(ExitCode.Ok);
      const result = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')) as
        { verdict: string; target: { kind: string }; orders: { sent: number; unanswered: number }; latency: Record<string, { count: number }> };
      expect(result).toMatchObject({ verdict: 'passed', target: { kind: 'http' } });
      expect(result.orders.sent).toBeGreaterThan(100);
      expect(result.orders.unanswered).toBe(0);
      expect(result.latency.order_rtt?.count).toBeGreaterThan(0);
    } finally {
      engine.kill('SIGTERM');
    }
  });
});
