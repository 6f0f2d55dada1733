import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));

const TINY = `version: 1
name: peer-tiny
symbols: { count: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases:
  - { name: only, duration: 1s, rate: 200 }
clients: { orderEntry: 2, workers: 1 }
thresholds: [errors.count == 0]
`;

let peer: ChildProcessByStdio<null, Readable, Readable> | undefined;
afterEach(() => {
  peer?.kill('SIGKILL');
  peer = undefined;
});

/** Starts `matchbench peer …` and resolves with its `--target` once it says it is ready (bounded: 20 s). */
function startPeer(...args: string[]): Promise<{ target: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, 'peer', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  peer = child;
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer not ready in 20 s: ${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const target = /--target (\S+)/.exec(out)?.[1];
      if (target !== undefined) {
        clearTimeout(timer);
        resolve({ target, output: () => out, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

describe('matchbench peer', () => {
  it('serves SoupBinTCP + OUCH on 127.0.0.1 until SIGINT: a run against it passes and the peer counts what it got', async () => {
    const { target, output, exited } = await startPeer('soup', '--symbols', '1');
    expect(target).toMatch(/^soup:\/\/127\.0\.0\.1:\d+,messages=targets\/soup\/ouch42\.yaml$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-peer-'));
    fs.writeFileSync(path.join(dir, 'tiny.yaml'), TINY);
    const run = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'run', path.join(dir, 'tiny.yaml'), '--target', target, '--out', path.join(dir, 'run')],
        { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout }); });
    });
    expect(run.stdout).toMatch(/PASSED/);
    expect(run.status).toBe(ExitCode.Ok);
    peer?.kill('SIGINT');
    expect(await exited).toBe(0);
    const saw = JSON.parse(/saw (\{.*\})/.exec(output())?.[1] ?? '{}') as { logins?: number; orders?: number };
    expect(saw.logins).toBe(2);
    expect(saw.orders).toBeGreaterThan(50);
  }, 90_000);

  it('refuses a mode the peer does not have, and a bad message set, with exit 2', () => {
    const badMode = spawnSync(process.execPath, [cli, 'peer', 'fix', '--mode', 'overfil'], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    expect(badMode.status).toBe(ExitCode.Usage);
    expect(badMode.stderr).toMatch(/--mode must be one of normal, silent, .* for a fix peer, got overfil/);
    const badSet = spawnSync(process.execPath, [cli, 'peer', 'soup', '--messages', 'no/such.yaml'], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    expect(badSet.status).toBe(ExitCode.Usage);
    expect(badSet.stderr).toMatch(/no\/such\.yaml/);
  });
});
