import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRunDirectory, RunDirectoryError } from './readRunDirectory.js';

const cli = fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url));
const SCENARIO = `version: 1
name: read-tiny
symbols: { count: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases: [{ name: only, duration: 1s, rate: 200 }]
clients: { orderEntry: 1, workers: 1 }
target: inproc
`;

/** Copies the run directory and lets `edit` spoil the copy. */
function spoiled(source: string, edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-spoiled-'));
  fs.cpSync(source, dir, { recursive: true });
  edit(dir);
  return dir;
}
const problemsOf = (dir: string): readonly string[] => {
  try {
    readRunDirectory(dir);
  } catch (error) {
    if (error instanceof RunDirectoryError) return error.problems;
    throw error;
  }
  throw new Error('expected a RunDirectoryError');
};
const editResult = (dir: string, change: (r: Record<string, unknown>) => void): void => {
  const file = path.join(dir, 'result.json');
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(r);
  fs.writeFileSync(file, JSON.stringify(r));
};

describe('readRunDirectory', () => {
  let run = '';
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-read-'));
    fs.writeFileSync(path.join(dir, 's.yaml'), SCENARIO);
    run = path.join(dir, 'run');
    const r = spawnSync(process.execPath, [cli, 'run', path.join(dir, 's.yaml'), '--out', run, '--quiet'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
  }, 90_000);

  it('reads result.json, its histograms and the per-second interval log', () => {
    const read = readRunDirectory(run);
    expect(read.result.scenario.name).toBe('read-tiny');
    expect(read.histograms.get('order_rtt').totalCount).toBe(read.result.latency['order_rtt']?.count);
    let perSecond = 0;
    for (const { set } of read.intervals.entries()) perSecond += set.find('order_rtt')?.totalCount ?? 0;
    expect(perSecond).toBe(read.result.latency['order_rtt']?.count);
  });

  it('refuses a schema version it does not know, saying which it reads', () => {
    const dir = spoiled(run, (d) => editResult(d, (r) => { r['version'] = 2; }));
    expect(problemsOf(dir)).toEqual(['result.json: schema version 2 is not one this build reads (it reads version 1); use the matchbench that wrote it']);
  });

  it('refuses a file that is not a run result', () => {
    const dir = spoiled(run, (d) => editResult(d, (r) => { r['schema'] = 'something.else'; }));
    expect(problemsOf(dir)[0]).toMatch(/schema is "something.else", expected "matchbench.run-result"/);
  });

  it('lists every broken field and a missing interval log at once', () => {
    const dir = spoiled(run, (d) => {
      editResult(d, (r) => { r['seed'] = 'one'; delete r['phases']; (r['orders'] as Record<string, unknown>)['sent'] = null; });
      fs.rmSync(path.join(d, 'latency.hlog'));
    });
    const problems = problemsOf(dir);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^result\.json: seed: /), expect.stringMatching(/^result\.json: phases: /),
      expect.stringMatching(/^result\.json: orders\.sent: /), 'latency.hlog is missing (the per-second histograms)']));
    expect(problems).toHaveLength(4);
  });

  it('says so for a missing directory, a missing result.json and JSON that does not parse', () => {
    expect(problemsOf(path.join(run, 'nope'))).toEqual(['no such directory']);
    expect(problemsOf(spoiled(run, (d) => fs.rmSync(path.join(d, 'result.json'))))).toEqual(['result.json is missing']);
    expect(problemsOf(spoiled(run, (d) => fs.writeFileSync(path.join(d, 'result.json'), '{"schema": ')))[0]).toMatch(/^result\.json: not valid JSON/);
  });
});
