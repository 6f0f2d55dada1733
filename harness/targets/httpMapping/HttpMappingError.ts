/**
 * A mapping file that cannot be used, with every problem in it. A RangeError: `matchbench run`
 * reports it as bad input (exit code 2), nothing run.
 */
export class HttpMappingError extends RangeError {
  override readonly name = 'HttpMappingError';

  constructor(readonly problems: readonly string[]) {
    super(`HTTP mapping: ${problems.length} problem(s), nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
