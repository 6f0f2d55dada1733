import type { Rng } from '../generate/Rng.js';
import type { RateSchedule } from './RateSchedule.js';

/**
 * One client's intended send times in an open workload model: a non-homogeneous Poisson process
 * with the schedule's rate (for a client of N, a schedule built with `clients` = N). Times do not
 * depend on when (or whether) earlier orders were answered.
 *
 * Method: time change by the integrated rate. The points E₁, E₁+E₂, … of a unit-rate Poisson
 * process (Eᵢ ~ Exp(1)) mapped through Λ⁻¹ are a Poisson process with rate λ(t); with Λ piecewise
 * quadratic, the inverse is closed-form, so the times are exact (no thinning rejections, no grid),
 * phase boundaries included. One uniform draw and one logarithm per arrival.
 *
 * ```
 *   unit-rate clock:   0 ──E₁──┬──E₂──┬────E₃────┬──▶ Λ (expected arrivals)
 *                              │Λ⁻¹   │Λ⁻¹       │Λ⁻¹
 *   run clock (ms):    0 ──────t₁─────t₂─────────t₃──▶
 * ```
 */
export class PoissonArrivals {
  /** Phase of the last arrival returned by {@link next} (-1 before the first and after the end). */
  phaseIndex = -1;
  private cumulative = 0;
  private segment = 0;
  private done = false;

  /**
   * @param schedule this client's offered rate
   * @param rng this client's arrival stream (see streamIndex.clientArrivals)
   */
  constructor(private readonly schedule: RateSchedule, private readonly rng: Rng) {}

  /** The next intended send time in ms since run start, or NaN once the run is over. */
  next(): number {
    if (this.done) return Number.NaN;
    this.cumulative += this.rng.exponential(1);
    const s = this.schedule.locate(this.cumulative, this.segment);
    if (s >= this.schedule.segmentCount) {
      this.done = true;
      this.phaseIndex = -1;
      return Number.NaN;
    }
    this.segment = s;
    this.phaseIndex = this.schedule.phaseOfSegment(s);
    return this.schedule.timeAt(s, this.cumulative);
  }
}
