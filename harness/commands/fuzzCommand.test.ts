import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';
import { SloppyEngine } from '../fuzz/SloppyEngine.testkit.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
/** Runs `matchbench fuzz …` without blocking this thread (the sloppy engine answers meanwhile). */
const fuzz = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => new Promise((resolve) => {
  const child = spawn(process.execPath, [cli, 'fuzz', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
});

describe('matchbench fuzz', () => {
  let sloppy: SloppyEngine;
  beforeAll(async () => {
    sloppy = await SloppyEngine.listen();
  });
  afterAll(async () => {
    await sloppy.close();
  });

  it('runs the quick configuration against the embedded engine, both ports, with streaming havoc: a table per class, the JSON report written (exit 0)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-fuzz-'));
    const r = await fuzz('--quick', '--havoc', '20', '--havoc-frames', '5000', '--probe-every', '1000', '--out', out);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/— PASSED/);
    expect(r.stdout).toMatch(/\| crc \| 40 \| 40 \| 0 \|/);
    expect(r.stdout).toMatch(/\| havoc \| 20 \| 20 \| 0 \|/);
    // Churn with the limit case: the embedded engine is started with 4 × 32 + 16 connections.
    expect(r.stdout).toMatch(/\| churn \| 10 \| 10 \| 0 \|/);
    // The market-data port: its classes, md/churn/beyond-limit included (the limit is known).
    expect(r.stdout).toMatch(/\| md\/crc \| 40 \| 40 \| 0 \|/);
    expect(r.stdout).toMatch(/\| md\/churn \| 8 \| 8 \| 0 \|/);
    expect(r.stdout).toMatch(/Streaming havoc \(seed 1\): 5000 frames on \d+ connections .*no failures/);
    expect(r.stdout).toMatch(/RSS: .* grew \d+\.\d MiB \(bound 256\.0 MiB/);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'fuzz-report.json'), 'utf8')) as {
      failed: number; classes: unknown[]; havocStream: { frames: number; probes: number; failures: unknown[] } };
    expect(report.failed).toBe(0);
    expect(report.classes.length).toBe(13 + 11);
    expect(report.havocStream).toMatchObject({ frames: 5000, failures: [] });
    expect(report.havocStream.probes).toBeGreaterThanOrEqual(5);
    expect(fs.readFileSync(path.join(out, 'fuzz-report.md'), 'utf8')).toBe(r.stdout);
  }, 60_000);

  it('replays one case by id', async () => {
    const r = await fuzz('--case', 'semantic/duplicate-client-order-id', '--json');
    expect(r.status).toBe(ExitCode.Ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ cases: 1, passed: 1, classes: [{ class: 'semantic', cases: 1, passed: 1, failed: 0 }] });
  }, 30_000);

  it('exits 3 against a market-data port that skips the CRC, with the md/ case\'s replay command', async () => {
    const target = `tcp://127.0.0.1:${sloppy.port},md=127.0.0.1:${sloppy.port}`;
    const r = await fuzz('--target', target, '--case', 'md/crc/SNAPSHOT_REQUEST/zero');
    expect(r.status).toBe(ExitCode.Invariant);
    expect(r.stdout).toMatch(/expected: SESSION_ERROR ChecksumMismatch \(refSequence 0\) then close/);
    expect(r.stdout).toContain(`replay:   matchbench fuzz --target ${target} --case md/crc/SNAPSHOT_REQUEST/zero`);
  }, 30_000);

  it('exits 3 against an engine that skips the CRC, printing expected vs observed, the bytes and the replay command', async () => {
    const target = `tcp://127.0.0.1:${sloppy.port}`;
    const r = await fuzz('--target', target, '--case', 'crc/NEW_ORDER/zero');
    expect(r.status).toBe(ExitCode.Invariant);
    expect(r.stdout).toMatch(/— FAILED/);
    expect(r.stdout).toMatch(/expected: SESSION_ERROR ChecksumMismatch \(refSequence 0\) then close/);
    expect(r.stdout).toMatch(/bytes \(after LOGIN\): 3800011047000000/);
    expect(r.stdout).toContain(`replay:   matchbench fuzz --target ${target} --case crc/NEW_ORDER/zero`);
  }, 30_000);

  it('lists every usage problem at once (exit 2) and exits 5 when nothing listens', async () => {
    const bad = await fuzz('--case', 'no/such-case', '--havoc', '-3', '--target', 'http://127.0.0.1:1', '--havoc-frames', '1.5',
      '--probe-every', '0', '--max-rss-growth-mb', '-1', '--havoc-case-frames', '0');
    expect(bad.status).toBe(ExitCode.Usage);
    expect(bad.stderr).toMatch(/--havoc must be an integer ≥ 0, got -3/);
    expect(bad.stderr).toMatch(/--target: "http:\/\/127.0.0.1:1" is not tcp:\/\/host:port\[,md=host:port\]/);
    expect(bad.stderr).toMatch(/--case: no case "no\/such-case"/);
    expect(bad.stderr).toMatch(/--havoc-frames must be an integer ≥ 0, got 1.5/);
    expect(bad.stderr).toMatch(/--probe-every must be an integer ≥ 1, got 0/);
    expect(bad.stderr).toMatch(/--max-rss-growth-mb must be a positive number, got -1/);
    expect(bad.stderr).toMatch(/--havoc-case-frames must be an integer ≥ 1, got 0/);
    const noMd = await fuzz('--case', 'md/crc/LOGIN/zero', '--target', 'tcp://127.0.0.1:1,md=nowhere');
    expect(noMd.status).toBe(ExitCode.Usage);
    expect(noMd.stderr).toMatch(/--target: md: "nowhere" is not host:port/);
    const mdCase = await fuzz('--case', 'md/crc/LOGIN/zero', '--target', 'tcp://127.0.0.1:1');
    expect(mdCase.status).toBe(ExitCode.Usage);
    expect(mdCase.stderr).toMatch(/--case md\/crc\/LOGIN\/zero plays on the market-data port: give --target tcp:\/\/host:port,md=host:port/);
    const closed = await SloppyEngine.listen();
    const port = closed.port;
    await closed.close();
    const down = await fuzz('--target', `tcp://127.0.0.1:${port}`, '--quick');
    expect(down.status).toBe(ExitCode.Target);
    expect(down.stderr).toMatch(/target not usable: .*ECONNREFUSED/);
  }, 30_000);
});
