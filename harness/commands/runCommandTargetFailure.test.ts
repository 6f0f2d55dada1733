import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { readRunDirectory } from '../../reports/readRunDirectory.js';
import { LyingEngine } from '../check/LyingEngine.testkit.js';
import { ExitCode } from '../exitCodes.js';
import { MisbehavingHttpServer } from '../targets/MisbehavingHttpServer.testkit.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
/** Runs the CLI without blocking this thread (the misbehaving peer answers meanwhile); the wall time it took. */
const runAsync = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; tookMs: number }> => new Promise((resolve) => {
  const startedMs = performance.now();
  const child = spawn(process.execPath, [cli, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr, tookMs: performance.now() - startedMs }); });
});

// 20 s of load: a run that ends on a verdict ends long before it.
const SCENARIO = `version: 1
name: cli-misbehaving
symbols: { count: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases:
  - { name: only, duration: 20s, rate: 100 }
clients: { orderEntry: 2, workers: 1, marketData: [] }
thresholds: [order_rtt.p99 < 10s]
`;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function scenarioFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-cli-misbehaving-'));
  const file = path.join(dir, 'misbehaving.yaml');
  fs.writeFileSync(file, SCENARIO);
  return { dir, file };
}

describe('matchbench run against a target that misbehaves', () => {
  it('ends early when a tcp:// engine stops answering: verdict error with the reason, exit 1, run directory written', async () => {
    const engine = await LyingEngine.listen([symbolConfig({ symbolId: 1, name: 'SYM1', tickSize: 1, minPrice: 5000, maxPrice: 15000, maxQuantity: 1_000_000 })],
      'none', { misbehaviour: 'heartbeats-only' });
    stops.push(() => engine.close());
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'run');
    const r = await runAsync(file, '--target', `tcp://127.0.0.1:${engine.port}`, '--unresponsive-after', '1', '--out', out, '--quiet');
    expect(r.status, r.stderr).toBe(ExitCode.Error);
    expect(r.stdout).toMatch(/FAILED \(error\)/);
    expect(r.stdout).toMatch(/- tcp: engine unresponsive after 1\.\d s: client \d's oldest request has waited 1\.\d s/);
    expect(r.tookMs).toBeLessThan(15_000);
    const written = readRunDirectory(out);
    expect(written.result.verdict).toBe('error');
    expect(written.result.errors[0]).toMatch(/^tcp: engine unresponsive after/);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  }, 60_000);

  it('ends early when an http:// engine crashes: verdict error with the reason, exit 1, run directory written', async () => {
    const server = await MisbehavingHttpServer.listen({ misbehaviour: 'crash', crashAfterOrders: 100 });
    stops.push(() => server.close());
    const { dir, file } = scenarioFile();
    const out = path.join(dir, 'run');
    const r = await runAsync(file, '--target', server.url, '--out', out, '--quiet');
    expect(r.status, r.stderr).toBe(ExitCode.Error);
    expect(r.stdout).toMatch(/FAILED \(error\)/);
    expect(r.stdout).toMatch(/- http: connection lost at \d+\.\d{3} s \(client \d: /);
    expect(r.tookMs).toBeLessThan(15_000);
    expect(readRunDirectory(out).result.verdict).toBe('error');
  }, 60_000);

  it('refuses --unresponsive-after outside 0.1 to 3600 s before running anything (exit 2)', async () => {
    const { file } = scenarioFile();
    const r = await runAsync(file, '--unresponsive-after', '0');
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--unresponsive-after must be a number of seconds from 0\.1 to 3600, got 0/);
  }, 60_000);
});
