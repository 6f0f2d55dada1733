/**
 * Why the harness could not use a target engine, as a code the CLI maps to a message and an exit
 * code:
 * - `unreachable`: nothing accepted a TCP connection at host:port (ECONNREFUSED, a connect timeout,
 *   no route);
 * - `login-refused`: the engine answered LOGIN with SESSION_ERROR (or LOGOUT) instead of LOGIN_ACK;
 * - `protocol`: the peer does not speak docs/PROTOCOL.md: a frame with a bad length, checksum,
 *   version or type, a frame out of sequence, something other than LOGIN_ACK first, nothing at all
 *   within the login timeout, or a close before LOGIN_ACK.
 */
export type TargetErrorCode = 'unreachable' | 'login-refused' | 'protocol';

/** A target engine could not be reached, refused the login, or speaks something else. */
export class TargetError extends Error {
  override readonly name = 'TargetError';

  /**
   * @param code what kind of failure, see {@link TargetErrorCode}.
   * @param target the engine's address, `host:port`.
   * @param message the whole story in one line, naming `target` and the numbers involved.
   * @param reasonName for `login-refused` and `protocol`, the SESSION_ERROR reason's name
   *   (e.g. `InvalidLogin`, `ChecksumMismatch`), when there is one.
   */
  constructor(
    readonly code: TargetErrorCode,
    readonly target: string,
    message: string,
    readonly reasonName?: string,
  ) {
    super(message);
  }
}
