/**
 * What a market-data subscriber that does not keep up with the feed may cost the engine, and what
 * happens to it. Node's `socket.write` queues without limit, so without a cap a paused subscriber
 * makes the engine hold everything sent to it (a plain Node server buffered 174 MB in 2 s on the
 * 2-core development machine).
 */

/** What to do with a subscriber whose queue is full. */
export type SlowSubscriberPolicy =
  /** Skip whole batches for it: it sees a gap in the feed sequence and may send SNAPSHOT_REQUEST. */
  | 'drop'
  /** Skip as `drop`, then, after `disconnectAfterDrops` skips or `disconnectAfterMs` over the cap, SESSION_ERROR SlowConsumer and close. */
  | 'disconnect';

/** Outbound limits of one subscriber connection; each documents its default. */
export interface OutboundLimitsOptions {
  /**
   * Bytes the engine may hold for one subscriber: unsent feed, heartbeats and snapshots, including
   * what Node's socket has queued, and 96 bytes per queued chunk for its object. A batch that would
   * go above it is dropped whole; a batch is always taken by an empty queue, so one subscriber
   * never holds more than max(capBytes, one batch), plus its last frame (SESSION_ERROR, LOGOUT).
   * Default 1 MiB.
   */
  readonly capBytes?: number;
  /** Default `drop`. */
  readonly policy?: SlowSubscriberPolicy;
  /** With `disconnect`: writes refused in a row (batches, heartbeats, snapshots) before SESSION_ERROR SlowConsumer. Default 100. */
  readonly disconnectAfterDrops?: number;
  /** With `disconnect`: time from the first refused write until SESSION_ERROR SlowConsumer, in ms, unless the queue drained first. Default 1,000. */
  readonly disconnectAfterMs?: number;
}

/** Outbound limits with every default filled in. */
export type OutboundLimits = Required<OutboundLimitsOptions>;

/** The defaults of {@link OutboundLimitsOptions}. */
export const OUTBOUND_LIMIT_DEFAULTS: OutboundLimits = {
  capBytes: 1024 * 1024,
  policy: 'drop',
  disconnectAfterDrops: 100,
  disconnectAfterMs: 1_000,
};

/** Every problem with `limits` (merged with the defaults), each naming its field; empty when they are usable. */
export function outboundLimitProblems(limits: OutboundLimits): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(limits.capBytes) || limits.capBytes < 1) problems.push(`capBytes must be a positive integer, got ${limits.capBytes}`);
  if (limits.policy !== 'drop' && limits.policy !== 'disconnect') problems.push(`policy must be 'drop' or 'disconnect', got ${String(limits.policy)}`);
  if (!Number.isInteger(limits.disconnectAfterDrops) || limits.disconnectAfterDrops < 1) {
    problems.push(`disconnectAfterDrops must be a positive integer, got ${limits.disconnectAfterDrops}`);
  }
  if (!(limits.disconnectAfterMs >= 0 && limits.disconnectAfterMs < Infinity)) {
    problems.push(`disconnectAfterMs must be a finite number ≥ 0, got ${limits.disconnectAfterMs}`);
  }
  return problems;
}
