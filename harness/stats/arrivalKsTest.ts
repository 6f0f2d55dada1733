import type { RateSchedule } from '../executors/RateSchedule.js';
import { exponentialCdf, kolmogorovSmirnovTest, type KsResult } from './kolmogorovSmirnovTest.js';

export interface ArrivalKsOptions {
  /**
   * Where the first gap starts, ms since run start: 0 tests the gap from the run start to the first
   * arrival too; null starts at the first arrival. Default 0.
   */
  readonly startMs: number | null;
}

export const ARRIVAL_KS_DEFAULTS: ArrivalKsOptions = { startMs: 0 };

/** A KS result on rescaled inter-arrival gaps, with their mean (1 when the rate was right). */
export interface ArrivalKsResult extends KsResult {
  readonly meanRescaledGap: number;
}

/**
 * Are these send times a Poisson process with the schedule's rate? By the time-rescaling theorem,
 * the gaps Λ(tᵢ) − Λ(tᵢ₋₁) of a Poisson process with rate λ(t) are independent Exp(1), whatever
 * the shape of λ; this KS-tests them against Exp(1). Pass one client's times with the per-client
 * schedule (`new RateSchedule(phases, N)`), or all clients' times merged with the whole run's. Works on intended times (a
 * generator check) and on achieved send times (did the load generator keep up, without bunching?).
 * A small p-value means the times are not that process: wrong rate, too regular, or clumped.
 *
 * @param timesMs send times, ms since run start, ascending
 */
export function arrivalKsTest(timesMs: ArrayLike<number>, schedule: RateSchedule,
  overrides: Partial<ArrivalKsOptions> = {}): ArrivalKsResult {
  const { startMs } = { ...ARRIVAL_KS_DEFAULTS, ...overrides };
  const problems: string[] = [];
  const n = timesMs.length;
  const gaps = startMs === null ? n - 1 : n;
  if (gaps < 1) problems.push(`timesMs: need at least ${startMs === null ? 2 : 1} times, got ${n}`);
  let previous = startMs ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = timesMs[i] as number;
    if (!(t >= previous)) {
      problems.push(`timesMs[${i}]: ${t} is ${Number.isNaN(t) ? 'not a number' : `before ${i === 0 ? 'startMs' : `timesMs[${i - 1}]`} ${previous}`}`);
      break;
    }
    previous = t;
  }
  if (problems.length > 0) throw new RangeError(`arrivalKsTest: ${problems.join('; ')}`);

  const rescaled = new Float64Array(gaps);
  let lastCum = startMs === null ? schedule.integratedRate(timesMs[0] as number) : schedule.integratedRate(startMs);
  let sum = 0;
  for (let i = startMs === null ? 1 : 0, g = 0; i < n; i++, g++) {
    const cum = schedule.integratedRate(timesMs[i] as number);
    const gap = cum - lastCum;
    rescaled[g] = gap;
    sum += gap;
    lastCum = cum;
  }
  return { ...kolmogorovSmirnovTest(rescaled, exponentialCdf(1)), meanRescaledGap: sum / gaps };
}
