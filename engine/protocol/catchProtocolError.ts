import { ProtocolError } from './ProtocolError.js';

/** The ProtocolError `run` throws; rethrows anything else, and fails if it throws nothing. For tests. */
export function errorOf(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** The reason name of what `run` throws: a ProtocolError's reason, or a description of anything else. For tests. */
export function failureOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof ProtocolError ? error.reasonName : `not a ProtocolError: ${String(error)}`;
  }
  return 'no error';
}
