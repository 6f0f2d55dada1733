import { ExitCode } from '../harness/exitCodes.js';
import type { NightlyComparison, NightlyRun } from './NightlyManifest.js';

/**
 * Which exit code wins when a night has several: a broken correctness check (an invariant, a fuzz
 * case) first, then a regression, then a failed threshold, then the codes that say nothing was
 * measured (target, crash, usage). A night with a regression and an invariant failure reads 3:
 * the wrong answer matters more than the slow one.
 */
export const EXIT_PRECEDENCE: readonly number[] = [
  ExitCode.Invariant, ExitCode.Regression, ExitCode.Thresholds, ExitCode.Target, ExitCode.Error, ExitCode.Usage,
];

/** The most important of `codes` by {@link EXIT_PRECEDENCE}; 0 when all are 0; an unknown non-zero code ranks last. */
export function worstExitCode(codes: readonly number[]): number {
  const failing = codes.filter((c) => c !== ExitCode.Ok);
  if (failing.length === 0) return ExitCode.Ok;
  const rank = (c: number): number => {
    const i = EXIT_PRECEDENCE.indexOf(c);
    return i === -1 ? EXIT_PRECEDENCE.length : i;
  };
  return failing.reduce((a, b) => (rank(b) < rank(a) ? b : a));
}

/**
 * A scenario entry's exit code: its runs' codes (`matchbench run`: 3 invariant, 4 thresholds, 5
 * target, 1 crash) and its comparison's (6 regression). No baseline is not a failure: the first
 * night passes and becomes the baseline.
 */
export function scenarioExitCode(runs: readonly Pick<NightlyRun, 'exitCode'>[], comparison: NightlyComparison): number {
  const codes = runs.map((r) => r.exitCode);
  if (comparison.state === 'compared' || comparison.state === 'failed') codes.push(comparison.exitCode);
  return worstExitCode(codes);
}
