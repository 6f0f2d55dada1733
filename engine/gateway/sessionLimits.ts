import { DEFAULT_MAX_FRAME_LENGTH, FRAME_LENGTH_LIMIT, LONGEST_FIXED_FRAME_LENGTH } from '../protocol/messageLayouts.js';

/** Limits of one gateway session (order entry or market data); each documents its default. */
export interface SessionLimitsOptions {
  /** Time from connecting to a valid LOGIN before SESSION_ERROR LoginTimeout, in ms. Default 2,000. */
  readonly loginTimeoutMs?: number;
  /** Shortest heartbeat interval a LOGIN may ask for, in ms. Default 100 (the protocol's). */
  readonly minHeartbeatIntervalMs?: number;
  /** Longest heartbeat interval a LOGIN may ask for, in ms. Default 60,000 (the protocol's). */
  readonly maxHeartbeatIntervalMs?: number;
  /** A peer silent for this many heartbeat intervals is dead (SESSION_ERROR HeartbeatTimeout). Default 3. */
  readonly deadAfterIntervals?: number;
  /**
   * Sustained inbound frame rate the peer may keep up, in frames per second; above it the session
   * ends with SESSION_ERROR RateLimitExceeded. `Infinity` turns the limit off. Default 50,000.
   */
  readonly maxFramesPerSecond?: number;
  /**
   * Frames the peer may send at once above the sustained rate (the token bucket's size). One TCP
   * read can carry a thousand or more frames, and an engine pause makes reads bigger, so this
   * must be well above one read's worth. Default 5,000 (100 ms at the default rate).
   */
  readonly burstFrames?: number;
  /** Longest inbound frame accepted, and longest outbound BOOK_SNAPSHOT, in bytes (88..65535). Default 4,096. */
  readonly maxFrameLength?: number;
}

/** Session limits with every default filled in. */
export type SessionLimits = Required<SessionLimitsOptions>;

/** The defaults of {@link SessionLimitsOptions}. */
export const SESSION_LIMIT_DEFAULTS: SessionLimits = {
  loginTimeoutMs: 2_000,
  minHeartbeatIntervalMs: 100,
  maxHeartbeatIntervalMs: 60_000,
  deadAfterIntervals: 3,
  maxFramesPerSecond: 50_000,
  burstFrames: 5_000,
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
};

/** Every problem with `limits` (merged with the defaults), each naming its field; empty when they are usable. */
export function sessionLimitProblems(limits: SessionLimits): string[] {
  const problems: string[] = [];
  const positive = (name: keyof SessionLimits, value: number): void => {
    if (!(value > 0 && value < Infinity)) problems.push(`${name} must be a positive finite number, got ${value}`);
  };
  const positiveInteger = (name: keyof SessionLimits, value: number): void => {
    if (!Number.isInteger(value) || value < 1) problems.push(`${name} must be a positive integer, got ${value}`);
  };
  positive('loginTimeoutMs', limits.loginTimeoutMs);
  positiveInteger('minHeartbeatIntervalMs', limits.minHeartbeatIntervalMs);
  positiveInteger('maxHeartbeatIntervalMs', limits.maxHeartbeatIntervalMs);
  if (limits.minHeartbeatIntervalMs > limits.maxHeartbeatIntervalMs) {
    problems.push(`minHeartbeatIntervalMs (${limits.minHeartbeatIntervalMs}) must not exceed maxHeartbeatIntervalMs (${limits.maxHeartbeatIntervalMs})`);
  }
  positiveInteger('deadAfterIntervals', limits.deadAfterIntervals);
  if (!(limits.maxFramesPerSecond > 0)) problems.push(`maxFramesPerSecond must be positive (Infinity turns the limit off), got ${limits.maxFramesPerSecond}`);
  positiveInteger('burstFrames', limits.burstFrames);
  const max = limits.maxFrameLength;
  if (!Number.isInteger(max) || max < LONGEST_FIXED_FRAME_LENGTH || max > FRAME_LENGTH_LIMIT) {
    problems.push(`maxFrameLength must be an integer in ${LONGEST_FIXED_FRAME_LENGTH}..${FRAME_LENGTH_LIMIT}, got ${max}`);
  }
  return problems;
}

/**
 * `options` merged once with {@link SESSION_LIMIT_DEFAULTS}. Does not change `options`.
 *
 * @throws RangeError listing every problem at once.
 */
export function resolveSessionLimits(options: SessionLimitsOptions = {}): SessionLimits {
  const limits: SessionLimits = { ...SESSION_LIMIT_DEFAULTS, ...options };
  const problems = sessionLimitProblems(limits);
  if (problems.length > 0) throw new RangeError(`invalid session limits: ${problems.join('; ')}`);
  return limits;
}
