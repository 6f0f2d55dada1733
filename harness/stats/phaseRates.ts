import type { RateSchedule } from '../executors/RateSchedule.js';

/** Offered versus achieved arrivals in one phase. */
export interface PhaseRate {
  readonly phaseIndex: number;
  readonly durationMs: number;
  /** Expected arrivals (integrated offered rate) and the phase's mean offered rate. */
  readonly offeredCount: number;
  readonly offeredPerSecond: number;
  /** Arrivals that fell in the phase and their rate. */
  readonly achievedCount: number;
  readonly achievedPerSecond: number;
  /** (achieved − offered) / √offered: how many Poisson standard deviations apart (0 when nothing was offered). */
  readonly zScore: number;
}

/**
 * Offered versus achieved rate per phase, for send times (ms since run start, any order) drawn
 * from `schedule` (the whole run's for all clients merged, a per-client one for one client's
 * times). Times outside the run are ignored.
 */
export function phaseRates(timesMs: ArrayLike<number>, schedule: RateSchedule): PhaseRate[] {
  const counts = new Float64Array(schedule.phaseCount);
  for (let i = 0; i < timesMs.length; i++) {
    const p = schedule.phaseAt(timesMs[i] as number);
    if (p >= 0) counts[p] = (counts[p] as number) + 1;
  }
  return Array.from(counts, (achievedCount, phaseIndex) => {
    const start = schedule.phaseStartMs[phaseIndex] as number;
    const end = schedule.phaseStartMs[phaseIndex + 1] as number;
    const durationMs = end - start;
    const offeredCount = schedule.expectedArrivals(start, end);
    return {
      phaseIndex,
      durationMs,
      offeredCount,
      offeredPerSecond: offeredCount / (durationMs / 1000),
      achievedCount,
      achievedPerSecond: achievedCount / (durationMs / 1000),
      zScore: offeredCount > 0 ? (achievedCount - offeredCount) / Math.sqrt(offeredCount) : 0,
    };
  });
}
