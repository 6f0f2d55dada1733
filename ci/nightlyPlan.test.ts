import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultNightlySeed, deriveRunSeeds, fuzzEntryArgs, fuzzTargetOf, NIGHTLY_DEFAULTS, NIGHTLY_HAVOC_FRAMES, nightlyProblems, reproduceCommand, type NightlyOptions } from './nightlyPlan.js';

const options = (over: Partial<NightlyOptions> = {}): NightlyOptions => ({
  scenarios: ['smoke', 'fuzz'], repeats: 6, seed: 20261207, target: undefined, fuzzTarget: undefined, baselineDir: undefined,
  outDir: 'nightly', promote: false, quick: false, scenarioDir: 'scenarios', ...over,
});

describe('deriveRunSeeds', () => {
  it('gives the same distinct seeds for the same nightly seed and entry, whatever else runs', () => {
    const seeds = deriveRunSeeds(20261207, 'smoke', 6);
    expect(seeds).toEqual(deriveRunSeeds(20261207, 'smoke', 6));
    expect(new Set(seeds).size).toBe(6);
    for (const s of seeds) expect(Number.isSafeInteger(s) && s >= 1 && s < 2 ** 31).toBe(true);
  });

  it('keeps the first seeds when the repeats grow, and differs between entries and nights', () => {
    expect(deriveRunSeeds(7, 'steady', 8).slice(0, 3)).toEqual(deriveRunSeeds(7, 'steady', 3));
    expect(deriveRunSeeds(7, 'steady', 3)).not.toEqual(deriveRunSeeds(7, 'smoke', 3));
    expect(deriveRunSeeds(7, 'steady', 3)).not.toEqual(deriveRunSeeds(8, 'steady', 3));
  });

  it('defaults the nightly seed to the UTC date', () => {
    expect(defaultNightlySeed(new Date('2026-12-07T23:59:00Z'))).toBe(20261207);
    expect(NIGHTLY_DEFAULTS.repeats).toBe(6);
  });
});

describe('nightlyProblems', () => {
  it('accepts the default matrix', () => {
    expect(nightlyProblems(options({ scenarios: [...NIGHTLY_DEFAULTS.scenarios] }))).toEqual([]);
  });

  it('names every problem at once', () => {
    const problems = nightlyProblems(options({
      scenarios: ['smoke', 'no-such', 'smoke', '../x'], repeats: 0, seed: 1.5, target: 'ftp://x', promote: true,
    }));
    expect(problems).toEqual([
      expect.stringMatching(/--repeats must be an integer from 1 to 100, got 0/),
      expect.stringMatching(/--seed must be a safe integer, got 1.5/),
      expect.stringMatching(/^--target: /),
      expect.stringMatching(/no scenario "no-such" \(scenarios\/no-such.yaml does not exist\)/),
      expect.stringMatching(/"smoke" is named twice/),
      expect.stringMatching(/"\.\.\/x" is not a scenario name/),
      expect.stringMatching(/--promote needs --baseline/),
    ]);
  });

  it('refuses to fuzz an HTTP target unless a tcp fuzz target is given', () => {
    const http = 'http://127.0.0.1:9003,md=127.0.0.1:9002';
    expect(nightlyProblems(options({ target: http }))).toEqual([expect.stringMatching(/fuzzer speaks the binary protocol only/)]);
    expect(nightlyProblems(options({ target: http, fuzzTarget: 'tcp://127.0.0.1:9001' }))).toEqual([]);
    expect(nightlyProblems(options({ target: http, scenarios: ['smoke'] }))).toEqual([]);
  });

  it('checks each scenario against the target before anything runs (subscribers need a market-data address)', () => {
    expect(nightlyProblems(options({ target: 'tcp://127.0.0.1:9001', scenarios: ['smoke', 'steady'] }))).toEqual([
      expect.stringMatching(/^--target tcp:\/\/127\.0\.0\.1:9001 with smoke: .*marketData/),
      expect.stringMatching(/^--target tcp:\/\/127\.0\.0\.1:9001 with steady: .*marketData/),
    ]);
    expect(nightlyProblems(options({ target: 'inproc', scenarios: ['smoke'] }))).toEqual([]);
  });

  it('finds scenarios in --scenario-dir', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-nightly-plan-'));
    writeFileSync(path.join(dir, 'mine.yaml'), 'version: 1\nname: mine\nphases:\n  - { name: a, duration: 1s, rate: 100 }\nclients: { orderEntry: 1 }\n');
    writeFileSync(path.join(dir, 'broken.yaml'), 'version: 1\nname: broken\nphases:\n  - { name: a, duration: 1s, rate: -1 }\n');
    expect(nightlyProblems(options({ scenarioDir: dir, scenarios: ['mine'] }))).toEqual([]);
    expect(nightlyProblems(options({ scenarioDir: dir, scenarios: ['smoke'] }))).toHaveLength(1);
    expect(nightlyProblems(options({ scenarioDir: dir, scenarios: ['broken'] }))).toEqual([expect.stringMatching(/broken\.yaml: .*phases\[0\]\.rate/)]);
  });
});

describe('fuzzTargetOf and reproduceCommand', () => {
  it('fuzzes a tcp target\'s order-entry and market-data addresses, the embedded engine otherwise', () => {
    expect(fuzzTargetOf({ target: 'tcp://10.0.0.5:9001,md=10.0.0.5:9002', fuzzTarget: undefined })).toBe('tcp://10.0.0.5:9001,md=10.0.0.5:9002');
    expect(fuzzTargetOf({ target: 'tcp://10.0.0.5:9001', fuzzTarget: undefined })).toBe('tcp://10.0.0.5:9001');
    expect(fuzzTargetOf({ target: undefined, fuzzTarget: undefined })).toBeUndefined();
    expect(fuzzTargetOf({ target: 'http://h:1', fuzzTarget: 'tcp://h:2' })).toBe('tcp://h:2');
  });

  it('runs the whole catalogue plus a million streaming havoc frames, or the quick sample alone with --quick', () => {
    const full = fuzzEntryArgs({ target: 'tcp://h:1,md=h:2', fuzzTarget: undefined, quick: false }, 42, 'out/fuzz');
    expect(full).toEqual(['fuzz', '--json', '--out', 'out/fuzz', '--seed', '42', '--havoc-frames', '1000000', '--target', 'tcp://h:1,md=h:2']);
    expect(NIGHTLY_HAVOC_FRAMES).toBeGreaterThanOrEqual(1_000_000);
    const quick = fuzzEntryArgs({ target: undefined, fuzzTarget: undefined, quick: true }, 42, 'out/fuzz');
    expect(quick).toEqual(['fuzz', '--json', '--out', 'out/fuzz', '--seed', '42', '--quick']);
  });

  it('says how to reproduce a night with its seed, entries and target', () => {
    expect(reproduceCommand(options({ scenarios: ['steady'], target: 'tcp://h:1,md=h:2', quick: true })))
      .toBe('npm run nightly -- --seed 20261207 --scenarios steady --repeats 6 --quick --target tcp://h:1,md=h:2');
  });
});
