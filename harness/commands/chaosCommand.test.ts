import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosResult } from '../chaos/runChaos.js';
import { ExitCode } from '../exitCodes.js';

const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));

/** A short load: 2.5 s at 300 orders/s from 3 sessions on 2 symbols, the smoke scenario's mix. */
const SCENARIO = `version: 1
name: chaos-short
seed: 11
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.65, limitIoc: 0.05, limitFok: 0.02, market: 0.03, cancel: 0.2, replace: 0.05 }
  offsets: { mean: 2, sd: 5 }
  quantity: { median: 40, sigma: 1, min: 1, max: 1000 }
  cancelAfter: 1s
phases:
  - { name: steady, duration: 2500ms, rate: 300 }
clients:
  orderEntry: 3
  marketData: []
target: embedded
`;

let dir = '';
let scenario = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-chaos-'));
  scenario = path.join(dir, 'short.yaml');
  fs.writeFileSync(scenario, SCENARIO);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function chaos(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, 'chaos', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

describe('matchbench chaos', () => {
  it('kills the sync-durable engine twice under load and finds every acknowledged order in the journal', async () => {
    const out = path.join(dir, 'sync');
    const r = await chaos('--scenario', scenario, '--kills', '2', '--out', out, '--json');
    const result = JSON.parse(r.stdout) as ChaosResult;
    expect(result.failures, r.stderr).toEqual([]);
    expect(r.code).toBe(ExitCode.Ok);
    expect(result).toMatchObject({ verdict: 'pass', durability: 'sync', killsRequested: 2, finalStopExitCode: 0 });
    expect(result.kills).toHaveLength(2);
    for (const k of result.kills) {
      expect(k.stateHashMatch).toBe(true);
      expect(k.recoveredRecords).toBeGreaterThan(0);
      expect(k.recoveryMs).toBeGreaterThan(0);
    }
    expect(result.kills[1]!.recoveredRecords).toBeGreaterThanOrEqual(result.kills[0]!.recoveredRecords);
    expect(result.orders.acknowledged).toBeGreaterThan(300);
    expect(result.orders).toMatchObject({ acknowledgedLost: 0, duplicates: 0, outcomeMismatches: 0 });
    expect(result.orders.inDoubtLanded).toBeLessThanOrEqual(result.orders.inDoubt);
    expect(result.replay).toMatchObject({ stateHashMatch: true });
    expect(result.replay.records).toBeGreaterThan(result.kills[1]!.recoveredRecords);
    // Both subscribers saw each kill, logged in again and were brought back by a snapshot; their books end equal to the journal's.
    expect(result.subscribers).toMatchObject({ count: 2, resumes: 4, resumesExpected: 4, booksCompared: 4, booksEqual: 4, booksInexact: 0 });
    expect(result.truncation.tornTail).toEqual({ cuts: 64, recovered: 64, problems: [] });
    expect(result.truncation.bitFlip).toMatchObject({ detected: true });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'chaos.json'), 'utf8'))).toEqual(result);
    expect(fs.readFileSync(path.join(out, 'engine.log'), 'utf8')).toMatch(/\[epoch 2\] replayed \d+ journal records; state hash/);
  }, 120_000);

  it('catches an engine that ACKs before journaling: acknowledged orders lost, exit 3', async () => {
    const r = await chaos('--scenario', scenario, '--kills', '2', '--subscribers', '0', '--out', path.join(dir, 'lying'),
      '--testkit-journal-lag-ms', '300');
    expect(r.code, r.stderr).toBe(ExitCode.Invariant);
    expect(r.stdout).toMatch(/— FAILED/);
    const lost = /\| acknowledged orders lost \(must be 0\) \| \*\*(\d+)\*\* \|/.exec(r.stdout);
    expect(lost, r.stdout).not.toBeNull();
    expect(Number(lost?.[1])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/- \d+ acknowledged orders lost \(ACKed, not in the journal\)/);
    expect(r.stdout).toMatch(/- client \d+ order \d+: ACKed \(engine order id \d+\) in epoch \d, but not in the journal/);
    // The lie shows only in what was ACKed: the restarts still agree with the (shorter) journal.
    expect(r.stdout).toMatch(/\| state hash: restarts and final replay equal the oracle's \| yes \|/);
  }, 120_000);

  it('refuses bad flags with exit 2 and names each', async () => {
    const r = await chaos('--kills', '-1', '--subscribers', '1.5');
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('--kills must be an integer from 0 to 1000, got -1');
    expect(r.stderr).toContain('--subscribers must be an integer from 0 to 100, got 1.5');
    const missing = await chaos('--scenario', path.join(dir, 'missing.yaml'), '--out', path.join(dir, 'never'));
    expect(missing.code).toBe(ExitCode.Usage);
    expect(missing.stderr).toContain('cannot read scenario');
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  }, 60_000);
});
