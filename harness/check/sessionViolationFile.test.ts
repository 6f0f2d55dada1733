import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { readRunDirectory } from '../../reports/readRunDirectory.js';
import { reportHtml } from '../../reports/writers/reportHtml.js';
import { writeRunDirectory } from '../../reports/writers/writeRunDirectory.js';
import { runScenario, scenarioSymbols } from '../run/runScenario.js';
import { parseScenario } from '../scenario/loadScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { LyingEngine, type Lie } from './LyingEngine.testkit.js';
import { sessionViolationFile, type SessionViolationFile } from './sessionViolationFile.js';

// runScenario drives TCP targets from worker threads started from dist/: `npm run build` first (npm test does).

const YAML = `
version: 1
name: session-check
seed: 21
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.55, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.2, replace: 0.05 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 150ms
phases:
  - { name: one, duration: 1s, rate: 400 }
clients:
  orderEntry: 3
  workers: 1
  marketData: []
thresholds:
  - invariant_violations == 0
target: embedded
`;

function scenario(): { scenario: Scenario; hash: string } {
  const loaded = parseScenario(YAML, 'scenarios/session check.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return { scenario: loaded.scenario, hash: loaded.hash };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function againstLiar(lie: Lie) {
  const { scenario: s, hash } = scenario();
  const liar = await LyingEngine.listen(scenarioSymbols(s), lie);
  stops.push(() => liar.close());
  const target = { kind: 'tcp' as const, orderEntry: { host: '127.0.0.1', port: liar.port }, marketData: null };
  const output = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'scenarios/session check.yaml', seed: 21, target });
  expect(liar.hasLied).toBe(true);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-sessioncheck-'));
  writeRunDirectory(dir, output.result, output.intervals, output.startEpochMs, {}, output.violation);
  return { output, dir, port: liar.port };
}

function readViolation(dir: string): SessionViolationFile {
  return JSON.parse(readFileSync(path.join(dir, 'violation.json'), 'utf8')) as SessionViolationFile;
}

describe('session-report checks during a run', () => {
  it('an engine that sends a FILL after CANCELED fails the run (exit 3) and violation.json says how to get it again', async () => {
    const { output, dir, port } = await againstLiar('fill-after-cancel');
    const { result } = output;
    expect(result.verdict).toBe('invariant-failed');
    expect(result.invariants.violations).toHaveLength(1);
    expect(result.invariants.violations[0])
      .toMatch(/^session report: client \d order \d+ \(symbol \d\), report \d+: no-fill-after-terminal: FILL of 1 at 1 after it was CANCELED User$/);
    expect(result.invariants.checked).toMatch(/every execution report of 3 session\(s\)/);
    expect(result.thresholds.find((t) => t.source.includes('invariant_violations'))?.passed).toBe(false);

    const file = readViolation(dir);
    expect(file).toMatchObject({ schema: 'matchbench.session-violation', version: 1, seed: 21, invariant: 'no-fill-after-terminal',
      scenario: { file: 'scenarios/session check.yaml', name: 'session-check' }, target: `tcp://127.0.0.1:${port}`,
      firstFailingEventIndexOf: 'session report stream', violationCount: 1 });
    expect(file.scenario.hash).toBe(result.scenario.hash);
    expect(file.firstFailingEventIndex).toBe(file.reportIndex);
    expect(file.repro.command).toBe(`matchbench run 'scenarios/session check.yaml' --seed 21 --target tcp://127.0.0.1:${port}`);
    // The session's own requests up to the failing report: the canceled order's NEW_ORDER and its CANCEL among them.
    const commands = file.repro.commands;
    expect(commands.every((c) => c.session === file.session)).toBe(true);
    expect(commands.filter((c) => c.clientOrderId === file.clientOrderId).map((c) => c.kind)).toEqual(['new', 'cancel']);
    expect(commands.at(-1)?.kind).toBeDefined();
    expect(file.repro.shrunk).toBe(false);
    expect(reportHtml(readRunDirectory(dir))).toContain('<code>violation.json</code> in the run directory');
  });

  it('an engine that fills worse than the limit fails the run with fill-within-limit', async () => {
    const { output, dir } = await againstLiar('worse-price');
    expect(output.result.verdict).toBe('invariant-failed');
    expect(output.result.invariants.violations).toEqual([expect.stringMatching(/fill-within-limit: (buy|sell) order with limit \d+ filled \d+ at \d+$/)]);
    expect(readViolation(dir).invariant).toBe('fill-within-limit');
  });

  it('a correct engine behind the same session layer, and the embedded reference engine, keep every invariant', async () => {
    const { scenario: s, hash } = scenario();
    const honest = await LyingEngine.listen(scenarioSymbols(s), 'none');
    stops.push(() => honest.close());
    const overTcp = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x.yaml', seed: 21,
      target: { kind: 'tcp', orderEntry: { host: '127.0.0.1', port: honest.port }, marketData: null } });
    expect(overTcp.result.invariants.violations).toEqual([]);
    expect(overTcp.result.verdict).toBe('passed');
    expect(overTcp.violation).toBeUndefined();

    const embedded = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x.yaml', seed: 21 });
    expect(embedded.result.errors).toEqual([]);
    expect(embedded.result.invariants.violations).toEqual([]);
    expect(embedded.result.invariants.checked).toMatch(/^final books .*; every execution report of 3 session\(s\) against what it sent \(\d{3,} reports\); differential replay through OrderBookReference of /);
    expect(embedded.result.verdict).toBe('passed');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-sessioncheck-'));
    writeRunDirectory(dir, embedded.result, embedded.intervals, embedded.startEpochMs, {}, embedded.violation);
    expect(existsSync(path.join(dir, 'violation.json'))).toBe(false);
  });

  it('over HTTP (taker fills only) and inproc, the reference engine keeps every invariant too', async () => {
    const { scenario: s, hash } = scenario();
    const engine = await Engine.start({ symbols: scenarioSymbols(s), httpPort: 0 });
    stops.push(() => engine.stop());
    const overHttp = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x.yaml', seed: 21,
      target: { kind: 'http', url: `http://127.0.0.1:${engine.http?.port ?? 0}`, marketData: null } });
    expect(overHttp.result.invariants.violations).toEqual([]);
    expect(overHttp.result.invariants.checked).toMatch(/every execution report of 3 session\(s\) against what it sent \(\d{3,} reports\)/);
    const inproc = await runScenario({ scenario: s, scenarioHash: hash, scenarioFile: 'x.yaml', seed: 21, target: { kind: 'inproc' } });
    expect(inproc.result.invariants.violations).toEqual([]);
    expect(inproc.result.invariants.checked).toMatch(/every event .*; every execution report of 3 session/);
  });
});

describe('matchbench run', () => {
  it('exits 3 on a session-report violation and leaves violation.json in the run directory', async () => {
    const { scenario: s } = scenario();
    const liar = await LyingEngine.listen(scenarioSymbols(s), 'fill-after-cancel');
    stops.push(() => liar.close());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matchbench-sessioncheck-cli-'));
    const file = path.join(dir, 'check.yaml');
    writeFileSync(file, YAML);
    const out = path.join(dir, 'run');
    // The built CLI, as a user runs it; spawned asynchronously so that this process's engine keeps answering.
    const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'run', file, '--seed', '21', '--target', `tcp://127.0.0.1:${liar.port}`, '--out', out, '--quiet']);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    expect(stdout).toMatch(/no-fill-after-terminal/);
    const violation = readViolation(out);
    expect(violation.repro.command).toBe(`matchbench run ${file} --seed 21 --target tcp://127.0.0.1:${liar.port}`);
    expect(existsSync(path.join(out, 'result.json'))).toBe(true);
  });
});

describe('violation.json for inproc', () => {
  it('names the matcher event, and a violation that does not replay keeps the unshrunk prefix', () => {
    const { scenario: s, hash } = scenario();
    const file = sessionViolationFile({ invariant: 'fill-within-limit', session: 1, symbolId: 1, clientOrderId: 4, reportIndex: 6, eventIndex: 40,
      commandIndex: 11, lastStreamIndex: 3, orderStreamIndex: 3, atMs: 12.5, message: 'made up' },
    { scenario: s, scenarioFile: 'a.yaml', scenarioHash: hash, seed: 21, target: { kind: 'inproc' }, symbols: scenarioSymbols(s), violationCount: 2 });
    expect(file).toMatchObject({ firstFailingEventIndex: 40, firstFailingEventIndexOf: 'matcher event sequence', clientId: 2, violationCount: 2 });
    expect(file.repro.command).toBe('matchbench run a.yaml --seed 21 --target inproc');
    expect(file.repro).toMatchObject({ shrunk: false, reproduced: false, omittedBefore: 0 });
    expect(file.repro.commands).toHaveLength(12);
    expect(new Set(file.repro.commands.map((c) => c.session)).size).toBeGreaterThan(1);
  });

  it('for the end-of-run check, the prefix ends at the order\'s own NEW_ORDER', () => {
    const { scenario: s, hash } = scenario();
    const file = sessionViolationFile({ invariant: 'one-terminal-state', session: 2, symbolId: 1, clientOrderId: 3, reportIndex: -1, eventIndex: null,
      commandIndex: null, lastStreamIndex: 50, orderStreamIndex: 2, atMs: 900, message: 'made up' },
    { scenario: s, scenarioFile: 'a.yaml', scenarioHash: hash, seed: 21, target: { kind: 'inproc' }, symbols: scenarioSymbols(s), violationCount: 1 });
    expect(file).toMatchObject({ firstFailingEventIndex: -1, firstFailingEventIndexOf: 'end of run' });
    const commands = file.repro.commands;
    expect(commands.filter((c) => c.session === 2)).toHaveLength(3);
    expect(commands.at(-1)?.session).toBe(2);
  });
});
