/**
 * Why `matchbench profile` could not produce a profile, as a code the CLI maps to a message and an
 * exit code (all of them: 1):
 * - `clinic-missing`: the `clinic` package cannot be resolved from this installation;
 * - `engine-failed`: the reference engine under clinic exited, or did not say where it listens,
 *   before the load started;
 * - `clinic-failed`: clinic exited with an error, or did not finish its analysis in time;
 * - `no-html`: clinic finished but wrote no HTML report.
 */
export type ProfileErrorCode = 'clinic-missing' | 'engine-failed' | 'clinic-failed' | 'no-html';

/** The profiler, or the engine running under it, failed; `message` tells the whole story. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';

  /**
   * @param code what failed, see {@link ProfileErrorCode}.
   * @param message one or more lines naming the tool, the files and the last output involved.
   */
  constructor(readonly code: ProfileErrorCode, message: string) {
    super(message);
  }
}
