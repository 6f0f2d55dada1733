import { describe, expect, it } from 'vitest';
import { ExitCode } from '../harness/exitCodes.js';
import { scenarioExitCode, worstExitCode } from './nightlyVerdict.js';

describe('worstExitCode', () => {
  it('is 0 only when everything passed', () => {
    expect(worstExitCode([])).toBe(ExitCode.Ok);
    expect(worstExitCode([0, 0, 0])).toBe(ExitCode.Ok);
  });

  it('ranks invariant and fuzz failures over regressions over thresholds over the rest', () => {
    expect(worstExitCode([ExitCode.Thresholds, ExitCode.Regression, ExitCode.Invariant, ExitCode.Ok])).toBe(ExitCode.Invariant);
    expect(worstExitCode([ExitCode.Thresholds, ExitCode.Regression])).toBe(ExitCode.Regression);
    expect(worstExitCode([ExitCode.Target, ExitCode.Thresholds])).toBe(ExitCode.Thresholds);
    expect(worstExitCode([ExitCode.Error, ExitCode.Target])).toBe(ExitCode.Target);
    expect(worstExitCode([0, 137])).toBe(137);
  });
});

describe('scenarioExitCode', () => {
  const runs = (...codes: number[]) => codes.map((exitCode) => ({ exitCode }));
  it('passes a first night without a baseline', () => {
    expect(scenarioExitCode(runs(0, 0), { state: 'no-baseline', baselineDir: 'baseline/smoke' })).toBe(ExitCode.Ok);
  });

  it('fails with the regression code when the comparison found one, and with a run\'s own code otherwise', () => {
    const compared = (exitCode: number) => ({
      state: 'compared' as const, baselineDir: 'b', exitCode, baselineRuns: 6, candidateRuns: 6, decided: true, runsNeeded: 6,
      regressions: [], notes: [], rows: [], html: 'smoke/compare.html',
    });
    expect(scenarioExitCode(runs(0, 0), compared(ExitCode.Regression))).toBe(ExitCode.Regression);
    expect(scenarioExitCode(runs(0, ExitCode.Invariant), compared(ExitCode.Regression))).toBe(ExitCode.Invariant);
    expect(scenarioExitCode(runs(0, ExitCode.Thresholds), compared(ExitCode.Ok))).toBe(ExitCode.Thresholds);
    expect(scenarioExitCode(runs(ExitCode.Target), { state: 'no-candidate' })).toBe(ExitCode.Target);
    expect(scenarioExitCode(runs(0), { state: 'failed', baselineDir: 'b', exitCode: ExitCode.Usage, problem: 'unknown schema' })).toBe(ExitCode.Usage);
  });
});
