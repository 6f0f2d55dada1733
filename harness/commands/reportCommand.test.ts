import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';

const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const matchbench = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('matchbench report', () => {
  it('writes report.html into a run directory (exit 0), and refuses what is not one (exit 2)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-report-cli-'));
    fs.writeFileSync(path.join(dir, 's.yaml'), `version: 1
name: report-cli
symbols: { count: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases: [{ name: only, duration: 1s, rate: 100 }]
clients: { orderEntry: 1, workers: 1 }
target: inproc
`);
    const run = path.join(dir, 'run');
    expect(matchbench('run', path.join(dir, 's.yaml'), '--out', run, '--quiet').status).toBe(ExitCode.Ok);
    fs.rmSync(path.join(run, 'report.html'));
    const ok = matchbench('report', run);
    expect(ok.status).toBe(ExitCode.Ok);
    expect(ok.stdout.trim()).toBe(path.join(run, 'report.html'));
    expect(fs.readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(/^<!doctype html>[\s\S]*report-cli[\s\S]*uPlot/);

    const missing = matchbench('report', path.join(dir, 'nothing-here'));
    expect(missing.status).toBe(ExitCode.Usage);
    expect(missing.stderr).toMatch(/nothing-here: not a readable run directory:\n {2}no such directory/);
    const notRun = matchbench('report', dir);
    expect(notRun.status).toBe(ExitCode.Usage);
    expect(notRun.stderr).toMatch(/result\.json is missing/);
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
  });
});
