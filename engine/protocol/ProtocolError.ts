import { SessionErrorReason, codeName } from './codes.js';

/**
 * A frame that breaks the wire format, or a message the encoder refuses to put on the wire.
 *
 * `reason` is what the receiving side puts in its SESSION_ERROR before closing, and
 * `refSequence` what goes in that SESSION_ERROR's `refSequence`.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  /**
   * @param reason the SESSION_ERROR reason that fits the fault.
   * @param message what exactly is wrong, with the numbers involved.
   * @param refSequence sequence of the offending frame, when the frame got far enough to trust
   *   it (checksum right, value in range); 0 otherwise.
   */
  constructor(
    readonly reason: SessionErrorReason,
    message: string,
    readonly refSequence: number = 0,
  ) {
    super(message);
  }

  /** The reason's name, e.g. "ChecksumMismatch". */
  get reasonName(): string {
    return codeName(SessionErrorReason, this.reason);
  }
}
