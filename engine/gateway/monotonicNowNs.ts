/** A monotonic clock reading in ns. Only differences of two readings of one clock mean anything. */
export type NsClock = () => number;

/**
 * The process's monotonic clock in ns, with the process start as its epoch.
 *
 * Why not `process.hrtime.bigint()`: its epoch is arbitrary (often boot), and a host up for more
 * than 104 days reads above 2^53 ns, which no `timestampNs` may carry. Counting from process start
 * keeps readings safe integers (and valid wire timestamps) for 104 days of engine uptime;
 * `performance.now()` resolves a microsecond or better.
 */
export const monotonicNowNs: NsClock = () => Math.round(performance.now() * 1e6);
