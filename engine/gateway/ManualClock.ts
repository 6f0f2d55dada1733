import type { NsClock } from './monotonicNowNs.js';

/** A clock that moves only when told to, for tests of timers. */
export class ManualClock {
  /** The current reading, integer ns. */
  nowNs: number;
  /** Reads the clock; hand this to a session as its `clock`. */
  readonly read: NsClock = () => this.nowNs;

  /** @param startNs first reading, default 1 s (any integer ns works; only differences matter). */
  constructor(startNs = 1_000_000_000) {
    this.nowNs = startNs;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advanceMs(ms: number): void {
    this.nowNs += Math.round(ms * 1_000_000);
  }
}
