import { describe, expect, it } from 'vitest';
import { NIGHTLY_MANIFEST_SCHEMA, NIGHTLY_MANIFEST_VERSION, type NightlyManifest } from './NightlyManifest.js';
import { nightlySummary } from './nightlySummary.js';

const manifest: NightlyManifest = {
  schema: NIGHTLY_MANIFEST_SCHEMA, version: NIGHTLY_MANIFEST_VERSION, seed: 20261207, gitCommit: 'abc123-dirty',
  startedAt: '2026-12-07T02:17:00.000Z', endedAt: '2026-12-07T02:50:00.000Z', scenarios: ['smoke', 'steady', 'fuzz'], repeats: 2,
  quick: false, target: null, baseline: 'baseline', promoted: false, exitCode: 6,
  reproduce: 'npm run nightly -- --seed 20261207 --scenarios smoke,steady,fuzz --repeats 2',
  entries: [
    {
      kind: 'scenario', name: 'smoke', file: 'scenarios/smoke.yaml', exitCode: 6,
      runs: [
        { repeat: 1, seed: 11, dir: 'smoke/r1-seed11', exitCode: 0, verdict: 'passed', problem: null },
        { repeat: 2, seed: 22, dir: 'smoke/r2-seed22', exitCode: 4, verdict: 'thresholds-failed', problem: null },
      ],
      comparison: {
        state: 'compared', baselineDir: 'baseline/smoke', exitCode: 6, baselineRuns: 6, candidateRuns: 2, decided: true, runsNeeded: 6,
        regressions: ['order_rtt.p99 +31.0% (gate p99 +10%)'], notes: ['the first 1 s of every run is left out (warm-up)'], html: 'smoke/compare.html',
        rows: [
          { name: 'throughput', unit: 'per-second', baseline: 800, candidate: 801, changePct: 0.1, pAdjusted: 0.9, verdict: 'no significant change', gate: 'throughput -5%', regression: null },
          { name: 'order_rtt.p99', unit: 'ns', baseline: 1_000_000, candidate: 1_310_000, changePct: 31, pAdjusted: 0.002, verdict: 'significantly higher', gate: 'p99 +10%', regression: 'p99 +10%' },
        ],
      },
    },
    {
      kind: 'scenario', name: 'steady', file: 'scenarios/steady.yaml', exitCode: 0,
      runs: [{ repeat: 1, seed: 33, dir: 'steady/r1-seed33', exitCode: 0, verdict: 'passed', problem: null }],
      comparison: { state: 'no-baseline', baselineDir: 'baseline/steady' },
    },
    { kind: 'fuzz', name: 'fuzz', seed: 44, quick: false, target: null, exitCode: 0, cases: 6223, failed: 0, report: 'fuzz/fuzz-report.md', problem: null },
  ],
};

const texts = {
  runSummaries: new Map([
    ['smoke/r1-seed11', '## matchbench run: smoke — PASSED\n\nfirst run\n'],
    ['smoke/r2-seed22', '## matchbench run: smoke — FAILED (thresholds)\n\nsecond run\n'],
    ['steady/r1-seed33', '## matchbench run: steady — PASSED\n'],
  ]),
  fuzzReport: `matchbench fuzz: embedded — PASSED (6223 cases, 0 failed, 9.5 s)\n  bytes: ${'1c'.repeat(100_000)}\n`,
};

describe('nightlySummary', () => {
  const text = nightlySummary(manifest, texts);
  const lines = text.split('\n');

  it('opens with the verdict, the exit code and how to reproduce the night from its seed and commit', () => {
    expect(lines[0]).toBe('# matchbench nightly — FAILED (exit 6: a significant regression)');
    expect(text).toContain('seed 20261207 · commit abc123-dirty');
    expect(text).toContain('Reproduce: `git checkout abc123 && npm ci && npm run nightly -- --seed 20261207 --scenarios smoke,steady,fuzz --repeats 2`');
  });

  it('has one overview row per matrix entry', () => {
    expect(lines).toContain('| smoke | 2 | 1 passed, 1 thresholds-failed | **REGRESSION**: order_rtt.p99 +31.0% (gate p99 +10%) | 6 |');
    expect(lines).toContain('| steady | 1 | 1 passed | no baseline yet (first night) | 0 |');
    expect(lines).toContain('| fuzz | 6223 cases | 0 failed | – | 0 |');
  });

  it('lists each run with its seed, the gated comparison rows, and quotes the failing run\'s own summary', () => {
    expect(lines).toContain('| 2 | 22 | thresholds-failed | 4 | `smoke/r2-seed22` |');
    expect(lines).toContain('| order_rtt.p99 | 1.00 ms | 1.31 ms | +31.0% | 0.0020 | **REGRESSION** (significantly higher) | p99 +10% |');
    expect(lines).toContain('| throughput | 800.0/s | 801.0/s | +0.1% | 0.90 | no significant change | throughput -5% |');
    const smoke = text.slice(text.indexOf('## smoke'), text.indexOf('## steady'));
    expect(smoke).toContain('#### matchbench run: smoke — FAILED (thresholds)');
    expect(smoke).not.toContain('first run');
    expect(text).toContain('matchbench fuzz: embedded — PASSED');
  });

  it('cuts the long lines it quotes (a fuzz failure\'s bytes) so the job summary stays small', () => {
    expect(text.length).toBeLessThan(10_000);
    expect(text).toMatch(/bytes: [1c]{100,}… \(200009 characters; in full in the file\)/);
  });
});
