import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario, scenarioSymbols } from '../run/runScenario.js';
import { parseScenario } from '../scenario/loadScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { DifferentialViolationFile } from './differentialViolationFile.js';
import { LyingEngine } from './LyingEngine.testkit.js';

// runScenario drives TCP targets from worker threads started from dist/: `npm run build` first (npm test does).

const YAML = `
version: 1
name: differential
seed: 33
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.55, limitIoc: 0.15, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 }
  offsets: { mean: -2, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 150ms
phases:
  - { name: one, duration: 1s, rate: 300 }
clients:
  orderEntry: 3
  workers: 1
  marketData:
    - { class: fast, count: 1 }
thresholds:
  - invariant_violations == 0
target: embedded
`;

/** The liar has no market data. */
const YAML_NO_FEED = YAML.replace('  marketData:\n    - { class: fast, count: 1 }\n', '  marketData: []\n');

function scenario(): { scenario: Scenario; hash: string } {
  const loaded = parseScenario(YAML, 'scenarios/differential.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return { scenario: loaded.scenario, hash: loaded.hash };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

describe('the differential check during a run', () => {
  it('a clean embedded run passes and says it replayed every answered request and compared the final books', async () => {
    const { scenario: s, hash } = scenario();
    const output = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'scenarios/differential.yaml', seed: 33 });
    const { result } = output;
    expect(result.invariants.violations).toEqual([]);
    expect(result.invariants.checked).toMatch(/; differential replay through OrderBookReference of \d{2,} answered requests of 3 session\(s\) \(\d+ accepted orders .*\): \d{3,} execution reports compared, final books against the engine’s final books; \d+ BOOK_SNAPSHOT\(s\) \(every 1000 ms per fast subscriber, and at resyncs\)/);
    expect(result.verdict).toBe('passed');
    expect(output.violation).toBeUndefined();
  }, 60_000);

  it('an engine that trades at the aggressor\'s price, consistently, passes the session checks but not the replay: exit 3 and violation.json', async () => {
    const { scenario: s } = scenario();
    const liar = await LyingEngine.listen(scenarioSymbols(s), 'aggressor-price');
    stops.push(() => liar.close());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-differential-'));
    const file = path.join(dir, 'differential.yaml');
    writeFileSync(file, YAML_NO_FEED);
    const out = path.join(dir, 'run');
    // The built CLI, as a user runs it; spawned asynchronously so that this process's liar keeps answering.
    const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'run', file, '--seed', '33', '--target', `tcp://127.0.0.1:${liar.port}`, '--out', out, '--quiet', '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, stderr: stderr.slice(-2_000), lied: liar.hasLied }).toEqual({ code: 3, stderr: expect.any(String), lied: true });
    const result = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as { invariants: { checked: string; violations: string[] } };
    expect(result.invariants.checked).toMatch(/every execution report of 3 session\(s\)/);
    // The lied trade's two FILLs (one line per session that got one: the maker's and the taker's, or one when they are the same client).
    const lines = result.invariants.violations;
    expect(lines.length === 1 || lines.length === 2).toBe(true);
    for (const line of lines) {
      expect(line).toMatch(/^differential: client \d report \d+ \(command \d+ of the reconstructed order\): engine sent FILL .* (maker|taker), OrderBookReference gives FILL /);
    }
    const violation = JSON.parse(readFileSync(path.join(out, 'violation.json'), 'utf8')) as DifferentialViolationFile;
    expect(violation).toMatchObject({ schema: 'matchbench.differential-violation', version: 1, seed: 33, invariant: 'differential-executions',
      target: `tcp://127.0.0.1:${liar.port}`, firstFailingEventIndexOf: 'reconstructed command order', violationCount: lines.length });
    expect(violation.repro.command).toBe(`matchbench run ${file} --seed 33 --target tcp://127.0.0.1:${liar.port}`);
    expect(violation.repro.commands).toHaveLength(violation.firstFailingEventIndex + 1);
    expect(new Set(violation.repro.commands.map((c) => c.session)).size).toBeGreaterThan(1);
    expect(stdout.length).toBeGreaterThan(0);
  }, 60_000);
});
