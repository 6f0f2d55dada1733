/**
 * Exit codes of every matchbench command. Documented in the README; CI scripts branch on them.
 */
export const ExitCode = {
  /** Finished and everything it checked passed. */
  Ok: 0,
  /** Something failed that is not one of the cases below (a crash, an I/O error). */
  Error: 1,
  /** Bad flags, a bad scenario file, a bad argument: nothing was run. */
  Usage: 2,
  /** A correctness check failed: implementations disagreed or an invariant broke. */
  Invariant: 3,
  /** `matchbench run`: the run finished and was correct, but a threshold of the scenario failed. */
  Thresholds: 4,
  /** The target could not be reached, refused login, or does not speak docs/PROTOCOL.md; nothing was measured. */
  Target: 5,
  /**
   * `matchbench compare`: the candidate is significantly worse than the baseline beyond a regression gate;
   * `matchbench history --fail-on-regression`: a metric's latest segment is a significant regression.
   */
  Regression: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
