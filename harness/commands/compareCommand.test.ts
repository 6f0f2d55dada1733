import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mean, standardDeviation } from 'simple-statistics';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../reports/compareRuns.js';
import { inspectPage } from '../../reports/inspectPage.testkit.js';
import { ExitCode } from '../exitCodes.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const matchbench = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000, cwd });

/**
 * The matcher in this process (no network), four symbols, resting orders and their cancels only
 * (every order costs about the same whatever the seed's price paths), offered far faster than one
 * thread can take them: 480,000 orders in 0.8 s, answered in about 1.7 s here. The run is saturated
 * throughout, so its throughput is the capacity of the inproc loop; compare reads it from the run's
 * full seconds (the last, partial one left out), with no warm-up left out (`--warmup-seconds 0`:
 * after a 1 s warm-up no full second would remain, and compare would fall back to the warm-up
 * for some runs and not others). On a quiet machine it is steady to 1-2% between runs and seeds,
 * on this shared one under load to about ±10%. Latency medians of unsaturated runs are not: with a millisecond between orders every
 * order meets cold caches, and the median service time moves by 20-30% between processes.
 */
const SCENARIO = `version: 1
name: compare-tiny
symbols: { count: 4, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
defaults:
  price: { volatility: 1, drift: 0 }
  mix: { limitGtc: 0.55, limitIoc: 0, limitFok: 0, market: 0, cancel: 0.45, replace: 0 }
  offsets: { mean: 30, sd: 4 }
  quantity: { median: 40, sigma: 0.5, min: 1, max: 1000 }
  cancelAfter: 50ms
phases:
  - { name: load, duration: 800ms, rate: 600000 }
clients: { orderEntry: 2, workers: 1 }
target: inproc
`;
const OFFERED_MS = 800;

/**
 * Runs per side: 4 against 4 completely separated gives p = 2/70 = 0.029, under alpha 0.05 for a
 * single gate. A 10% change against a run-to-run spread under 3% (see MAX_NOISE) separates them.
 */
const REPEATS = 4;

/** The gate of the trials: the saturated run's throughput, which a per-order cost moves directly. */
const GATES = ['--gate', 'throughput -5%'];
/** A gate on the matcher call's own median time instead. */
const SERVICE_GATE = ['--gate', 'order_service_time.p50 +5%'];
/** Largest A/A throughput spread (coefficient of variation) at which 5 runs a side can be asked to see 10%. */
const MAX_NOISE = 0.03;

describe('matchbench compare on repeated inproc runs', () => {
  let dir = '';
  let delayNs = 0;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-compare-'));
    const scenario = path.join(dir, 'tiny.yaml');
    fs.writeFileSync(scenario, SCENARIO);
    const run = (side: string, i: number, seed: number, extra: string[]): void => {
      const r = matchbench(dir, 'run', scenario, '--seed', String(seed), '--out', path.join(dir, side, `run-${i}`), '--quiet', ...extra);
      expect(r.stderr).toBe('');
      expect(r.status, `${side} run ${i}`).toBe(ExitCode.Ok);
    };
    // Interleaved (baseline, A/A, slowed; baseline, …) so that a drift of the shared machine's speed
    // during the test falls on every side alike instead of separating them.
    for (let i = 0; i < REPEATS; i++) {
      run('baseline', i, 100 + i, []);
      if (i === 0) {
        // The planted slowdown is 10% of the time the inproc loop spends per order at capacity: 10% of
        // 1 / (the first baseline run's throughput, as compare reads it), busy-waited inside the
        // matcher call of every order. A saturated run's throughput then falls by about 1/1.1, plus
        // the busy wait's own overshoot (one performance.now() per check): 10-15% in all.
        const self = matchbench(dir, 'compare', path.join(dir, 'baseline', 'run-0'), path.join(dir, 'baseline', 'run-0'), '--json',
          '--warmup-seconds', '0', '--html', path.join(dir, 'calibration.html'));
        const capacity = (JSON.parse(self.stdout) as CompareResult).rows.find((x) => x.name === 'throughput')?.baseline ?? 0;
        const result = JSON.parse(fs.readFileSync(path.join(dir, 'baseline', 'run-0', 'result.json'), 'utf8')) as
          { durationMs: number; orders: { sent: number } };
        // Saturated: answered more slowly than offered, so throughput is the loop's capacity.
        expect(capacity, 'the baseline run must be saturated: raise the scenario rate').toBeLessThan(0.8 * (result.orders.sent / OFFERED_MS) * 1_000);
        delayNs = Math.round(1e9 / capacity / 10);
        expect(delayNs).toBeGreaterThan(0);
      }
      run('aa', i, 200 + i, []);
      run('slowed', i, 300 + i, ['--inproc-delay-ns', String(delayNs)]);
    }
  }, 150_000);

  // Each comparison runs once (a second apiece); the tests below read the same outcome.
  const compared = new Map<string, { status: number | null; stdout: string; stderr: string; html: string; result: CompareResult | null }>();
  const compare = (baseline: string, candidate: string, gates: readonly string[] = GATES) => {
    const key = `${baseline} ${candidate} ${gates.join(' ')}`;
    const known = compared.get(key);
    if (known !== undefined) return known;
    const html = path.join(dir, `${baseline}-vs-${candidate}-${compared.size}.html`.replace(/\//g, '_'));
    const r = matchbench(dir, 'compare', path.join(dir, baseline), path.join(dir, candidate), ...gates, '--warmup-seconds', '0', '--html', html,
      '--json');
    const out = { status: r.status, stdout: r.stdout, stderr: r.stderr, html, result: r.stdout === '' ? null : (JSON.parse(r.stdout) as CompareResult) };
    compared.set(key, out);
    return out;
  };
  /** Run-to-run spread of throughput over the ten unslowed runs (coefficient of variation). */
  const aaNoise = (): number => {
    const row = compare('baseline', 'aa').result?.rows.find((x) => x.name === 'throughput');
    const xs = [...(row?.baselineRuns ?? []), ...(row?.candidateRuns ?? [])];
    return (standardDeviation(xs) / mean(xs));
  };

  it('does not flag an A/A comparison (same build, different seeds), either way round', () => {
    for (const [a, b] of [['baseline', 'aa'], ['aa', 'baseline']] as const) {
      const r = compare(a, b);
      expect(r.stderr).toBe('');
      expect(r.result?.decided).toBe(true);
      expect(r.result?.regressions, `${a} vs ${b}`).toEqual([]);
      expect(r.status).toBe(ExitCode.Ok);
    }
  });

  // On a quiet machine the ten unslowed runs agree to 1-2% and a 10% slowdown separates the sides;
  // on a shared one under load (other test files on the same 2 cores) they spread by 10-15%, and
  // then five runs a side cannot tell 10% from noise: compare rightly says "no significant change".
  // The test says so (skipped, with the spread measured) instead of passing or failing by luck.
  it('flags the planted 10% slowdown in repeated trials (against each of two independent baselines), exit 6', (context) => {
    const noise = aaNoise();
    if (noise > MAX_NOISE) context.skip(`machine too noisy to detect 10%: A/A throughput spread ${(100 * noise).toFixed(1)}% > ${100 * MAX_NOISE}%`);
    for (const base of ['baseline', 'aa']) {
      const r = compare(base, 'slowed');
      expect(r.status, `${base} vs slowed: ${r.stdout}`).toBe(ExitCode.Regression);
      const row = r.result?.rows.find((x) => x.name === 'throughput');
      expect(row?.regression).toBe('throughput -5%');
      expect(row?.verdict).toBe('significantly lower');
      expect(row?.baselineRuns).toHaveLength(REPEATS);
      expect(row?.pAdjusted).toBeLessThan(0.05);
      // The change seen is the planted one (plus the busy wait's overshoot), not a random jump.
      expect(row?.changePct).toBeLessThan(-5);
      expect(row?.changePct).toBeGreaterThan(-25);
    }
    const swapped = compare('slowed', 'baseline');
    expect(swapped.status, 'the slowed side as the baseline: an improvement, not a regression').toBe(ExitCode.Ok);
    expect(swapped.result?.rows.find((x) => x.name === 'throughput')?.verdict).toBe('significantly higher');
  });

  it('flags the same delay on the matcher call\'s own time whatever the noise: ~90% of its median, exit 6', () => {
    // The planted ns are 10% of the loop's time per order but most of the matcher call's (about 0.5 µs
    // at capacity), so a service-time gate sees it far above any run-to-run spread: the regression
    // path, its exit code and its output, checked on every machine.
    const r = compare('baseline', 'slowed', SERVICE_GATE);
    expect(r.status, r.stdout).toBe(ExitCode.Regression);
    const row = r.result?.rows.find((x) => x.name === 'order_service_time.p50');
    expect(row?.regression).toBe('order_service_time.p50 +5%');
    expect(row?.changePct).toBeGreaterThan(30);
    const swapped = compare('slowed', 'baseline', SERVICE_GATE);
    expect(swapped.status).toBe(ExitCode.Ok);
    expect(swapped.result?.rows.find((x) => x.name === 'order_service_time.p50')?.verdict).toBe('significantly lower');
  });

  it('prints every row as JSON with the runs it tested, the gate and the Holm-adjusted p', () => {
    const r = compare('baseline', 'slowed', SERVICE_GATE);
    const result = r.result as CompareResult;
    expect(result.alpha).toBe(0.05);
    expect(result.gates).toEqual(['order_service_time.p50 +5%']);
    expect(result.baseline).toHaveLength(REPEATS);
    const names = result.rows.map((x) => x.name);
    expect(names[0]).toBe('throughput');
    for (const n of ['order_rtt.p50', 'order_rtt.p99', 'order_rtt.max', 'cancel_service_time.p99.9', 'send_lag.p90']) expect(names).toContain(n);
    const p99 = result.rows.find((x) => x.name === 'order_rtt.p99');
    expect(p99?.gate).toBeNull();
    expect(p99?.p99DifferenceCi?.confidence).toBe(0.95);
    for (const row of result.rows) {
      if (row.pAdjusted !== null) expect(row.pAdjusted).toBeGreaterThanOrEqual(row.pValue as number);
    }
  });

  it('says "too little data" with one run per side and does not gate (exit 0, how many runs to make on stderr)', () => {
    const r = compare(path.join('baseline', 'run-0'), path.join('slowed', 'run-0'));
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.result?.decided).toBe(false);
    expect(r.result?.runsNeeded).toBe(4);
    expect(r.result?.rows.find((x) => x.name === 'throughput')?.verdict).toBe('too little data');
    expect(r.stderr).toMatch(/too little data to decide; repeat each side at least 4 times/);
  });

  it('prints the table, the verdict and where compare.html went (default file in the current directory)', () => {
    const r = matchbench(dir, 'compare', 'baseline', 'slowed', ...SERVICE_GATE);
    expect(r.status).toBe(ExitCode.Regression);
    expect(r.stdout).toMatch(/\| order_service_time\.p50 \| .* \| \*\*REGRESSION\*\* \(significantly higher\) \[gate order_service_time\.p50 \+5%\] \| 4\/4 \|/);
    expect(r.stdout).toMatch(/REGRESSIONS: order_service_time\.p50: \+/);
    expect(r.stdout).toMatch(/note: the first 1 s of every run is left out \(warm-up\)/);
    expect(r.stdout).toMatch(/compare\.html: compare\.html/);
    expect(fs.existsSync(path.join(dir, 'compare.html'))).toBe(true);
  });

  it('writes compare.html whose overlaid percentile curves draw in headless Chromium, regressions highlighted', async () => {
    const r = compare('baseline', 'slowed', SERVICE_GATE);
    const page = await inspectPage(r.html, { screenshotPath: path.join(dir, 'compare.png') });
    expect(page.errors).toEqual([]);
    expect(page.externalRequests).toEqual([]);
    expect(page.title).toMatch(/REGRESSION/);
    const ids = page.charts.map((c) => c.id);
    expect(ids).toContain('compare-order-rtt');
    expect(ids).toContain('compare-cancel-rtt');
    expect(ids).toContain('compare-order-service-time');
    for (const chart of page.charts) {
      expect(chart.state?.series, chart.id).toBe(2);
      // Both the baseline and the candidate curve put their colour on the canvas.
      for (const [i, pixels] of chart.pixelsBySeries.entries()) expect(pixels, `${chart.id} series ${i}`).toBeGreaterThan(10);
    }
    const html = fs.readFileSync(r.html, 'utf8');
    expect(html).toMatch(/<tr class="regression"><td>order_service_time\.p50<\/td>/);
  }, 60_000);
});

describe('matchbench compare usage errors (exit 2, nothing written)', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-compare-usage-'));

  it('reports missing directories, a bad gate and a bad alpha at once', () => {
    const r = matchbench(cwd, 'compare', '/nonexistent/a', '/nonexistent/b', '--gate', 'p99 ten%', '--gate', 'throughput +5%', '--alpha', '2');
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/gate "p99 ten%"/);
    expect(r.stderr).toMatch(/gate "throughput \+5%": throughput takes .* a negative limit/);
    expect(r.stderr).toMatch(/--alpha must be a number above 0 and at most 0\.5, got 2/);
    expect(r.stderr).toMatch(/\/nonexistent\/a: no such directory/);
    expect(r.stderr).toMatch(/\/nonexistent\/b: no such directory/);
    expect(fs.existsSync(path.join(cwd, 'compare.html'))).toBe(false);
  });

  it('reports an unreadable gate file and a directory without runs', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-compare-empty-'));
    const r = matchbench(cwd, 'compare', empty, empty, '--gate-file', path.join(cwd, 'missing-gates.txt'));
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--gate-file .*missing-gates\.txt: ENOENT/);
    expect(r.stderr).toMatch(new RegExp(`${empty}: .*result\\.json`));
  });

  it('refuses --inproc-delay-ns on a target other than inproc (run, exit 2, nothing run)', () => {
    const scenario = path.join(cwd, 'tiny.yaml');
    fs.writeFileSync(scenario, SCENARIO);
    const r = matchbench(cwd, 'run', scenario, '--target', 'embedded', '--inproc-delay-ns', '1000', '--out', path.join(cwd, 'run'));
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--inproc-delay-ns works only with the inproc target \(--target inproc\); the target is embedded/);
    expect(fs.existsSync(path.join(cwd, 'run'))).toBe(false);
  });
});
