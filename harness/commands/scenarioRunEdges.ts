/**
 * The CLI edges every command that runs a scenario shares (`run`, `profile`; the default directory
 * name also `merge` and `chaos`): where the run directory goes by default, Ctrl-C stopping the load
 * rather than the process, which thrown errors are the user's or the target's fault, and writing
 * the run directory with its report.
 */
import path from 'node:path';
import { writeReport } from '../../reports/writers/reportHtml.js';
import { writeRunDirectory } from '../../reports/writers/writeRunDirectory.js';
import { TargetError } from '../clients/TargetError.js';
import { ExitCode } from '../exitCodes.js';
import type { RunOutput } from '../run/runScenario.js';

/** `runs/<before>-<time><after>`: a run directory name that sorts by time and never collides with an earlier run's. */
export function defaultRunDir(before: string, after = ''): string {
  return path.join('runs', `${before}-${new Date().toISOString().replace(/[:.]/g, '-')}${after}`);
}

/** The lines that say a scenario file could not be used and nothing ran. */
export function scenarioProblemLines(file: string, problems: readonly string[]): string[] {
  return [`${file}: ${problems.length} problem(s), nothing was run:`, ...problems.map((p) => `  ${p}`)];
}

/**
 * The first SIGINT or SIGTERM prints `message` and aborts the returned signal (the load stops and
 * what was measured is still written); a second SIGINT exits 130 at once. `release` removes the
 * handlers when the run is over.
 */
export function stopLoadOnSignal(message: string): { readonly signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    process.stderr.write(`\n${message}\n`);
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The exit code and message of an error a run throws for a reason the user can act on; undefined for a bug (rethrow it). */
export function runErrorExit(error: unknown): { readonly code: ExitCode; readonly line: string } | undefined {
  if (error instanceof TargetError) return { code: ExitCode.Target, line: `target ${error.code}: ${error.message}` };
  if (error instanceof RangeError) return { code: ExitCode.Usage, line: error.message };
  return undefined;
}

/**
 * Writes the run directory (with violation.json when an invariant broke) and then its report.html,
 * drawn from the directory just written as `matchbench report` would (reports read run directories only).
 */
export function writeRunOutput(out: string, output: RunOutput, extraFiles: Readonly<Record<string, string>> = {}): void {
  writeRunDirectory(out, output.result, output.intervals, output.startEpochMs, extraFiles, output.violation);
  writeReport(out);
}
