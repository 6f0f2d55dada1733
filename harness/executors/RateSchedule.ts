import type { Phase, RateShape } from '../scenario/Scenario.js';

/**
 * The offered arrival rate of a whole run as a function of time: the phases' RateShapes laid end to
 * end, as piecewise-linear segments (a constant is flat, a ramp is one sloped segment, a spike is
 * base / peak / base). It answers the two questions an open workload model needs:
 *
 * - `integratedRate(ms)`: Λ(t) = ∫₀ᵗ λ(s) ds, the expected number of arrivals in [0, t];
 * - its inverse, used by {@link PoissonArrivals} to turn a unit-rate Poisson process into one with
 *   rate λ(t) (time change by the integrated rate), and by the KS check to turn send times back
 *   into unit-rate exponential gaps (the time-rescaling theorem).
 *
 * Both are exact, phase boundaries included: Λ is continuous and each segment's inverse is solved
 * in closed form (a quadratic for a ramp). Times are ms since the run start, rates arrivals per
 * second.
 *
 * A schedule is either the whole run's (all clients together, `clients` = 1) or one client's of N
 * (every rate divided by N once, here, so that every client of N, and a client of a run with
 * more clients at the same per-client rate, computes with bit-identical numbers).
 */
export class RateSchedule {
  /** Run length: the sum of the phases' durations. */
  readonly durationMs: number;
  /** Start of each phase, ms since run start; one more entry at the end (= durationMs). */
  readonly phaseStartMs: Float64Array;
  private readonly segStartMs: Float64Array;
  private readonly segEndMs: Float64Array;
  /** Rate at the segment start (Hz) and its slope (Hz per ms). */
  private readonly segRateHz: Float64Array;
  private readonly segSlopeHzPerMs: Float64Array;
  /** Λ at the segment start and end (expected arrivals since run start). */
  private readonly segCumStart: Float64Array;
  private readonly segCumEnd: Float64Array;
  private readonly segPhase: Int32Array;

  /** Clients the scenario's rate is split between (1: the whole run's rate). */
  readonly clients: number;

  /**
   * Builds the schedule of `phases` (validated scenario phases, run back to back) for one of
   * `clients` clients: each gets the phases' rate / clients.
   */
  constructor(phases: readonly Pick<Phase, 'durationMs' | 'rate'>[], clients = 1) {
    const problems: string[] = [];
    if (!Number.isSafeInteger(clients) || clients < 1) problems.push(`clients: must be a positive integer, got ${clients}`);
    if (phases.length === 0) problems.push('phases: at least one phase is needed');
    phases.forEach((p, i) => problems.push(...rateShapeProblems(p.rate, p.durationMs, `phases[${i}]`)));
    if (problems.length > 0) throw new RangeError(`bad rate schedule: ${problems.join('; ')}`);
    this.clients = clients;

    const starts: number[] = [];
    const ends: number[] = [];
    const rates: number[] = [];
    const slopes: number[] = [];
    const owners: number[] = [];
    this.phaseStartMs = new Float64Array(phases.length + 1);
    let at = 0;
    phases.forEach((phase, index) => {
      this.phaseStartMs[index] = at;
      const add = (fromMs: number, toMs: number, rateHz: number, slope: number): void => {
        if (toMs <= fromMs) return;
        starts.push(at + fromMs);
        ends.push(at + toMs);
        rates.push(rateHz / clients);
        slopes.push(slope / clients);
        owners.push(index);
      };
      const d = phase.durationMs;
      const shape = phase.rate;
      switch (shape.kind) {
        case 'constant':
          add(0, d, shape.perSecond, 0);
          break;
        case 'ramp':
          add(0, d, shape.from, (shape.to - shape.from) / d);
          break;
        case 'spike': {
          const peakStart = Math.min(shape.atMs, d);
          const peakEnd = Math.min(shape.atMs + shape.widthMs, d);
          add(0, peakStart, shape.base, 0);
          add(peakStart, peakEnd, shape.peak, 0);
          add(peakEnd, d, shape.base, 0);
          break;
        }
      }
      at += d;
    });
    this.durationMs = at;
    this.phaseStartMs[phases.length] = at;
    this.segStartMs = Float64Array.from(starts);
    this.segEndMs = Float64Array.from(ends);
    this.segRateHz = Float64Array.from(rates);
    this.segSlopeHzPerMs = Float64Array.from(slopes);
    this.segPhase = Int32Array.from(owners);
    this.segCumStart = new Float64Array(starts.length);
    this.segCumEnd = new Float64Array(starts.length);
    let cum = 0;
    for (let s = 0; s < starts.length; s++) {
      this.segCumStart[s] = cum;
      const lengthMs = (ends[s] as number) - (starts[s] as number);
      cum += ((rates[s] as number) * lengthMs + 0.5 * (slopes[s] as number) * lengthMs * lengthMs) / 1000;
      this.segCumEnd[s] = cum;
    }
  }

  /** Number of phases. */
  get phaseCount(): number {
    return this.phaseStartMs.length - 1;
  }

  /** Number of linear segments (for {@link locate}). */
  get segmentCount(): number {
    return this.segStartMs.length;
  }

  /** Expected arrivals over the whole run (per client when `clients` > 1). */
  get totalExpected(): number {
    return this.segCumEnd.length === 0 ? 0 : (this.segCumEnd[this.segCumEnd.length - 1] as number);
  }

  /** Index of the phase that holds `ms` (phases are half-open [start, end)); -1 outside the run. */
  phaseAt(ms: number): number {
    const starts = this.phaseStartMs;
    if (!(ms >= 0) || ms >= this.durationMs) return -1;
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Offered rate at `ms` (arrivals per second, per client when `clients` > 1); 0 outside the run. */
  rateHzAt(ms: number): number {
    const s = this.segmentAtMs(ms);
    if (s < 0) return 0;
    return (this.segRateHz[s] as number) + (this.segSlopeHzPerMs[s] as number) * (ms - (this.segStartMs[s] as number));
  }

  /** Λ(ms): expected arrivals in [0, ms] (clamped to the run). */
  integratedRate(ms: number): number {
    if (!(ms > 0)) return 0;
    if (ms >= this.durationMs) return this.totalExpected;
    const s = this.segmentAtMs(ms);
    if (s < 0) return 0;
    const tau = ms - (this.segStartMs[s] as number);
    return (this.segCumStart[s] as number) +
      ((this.segRateHz[s] as number) * tau + 0.5 * (this.segSlopeHzPerMs[s] as number) * tau * tau) / 1000;
  }

  /** Expected arrivals in [fromMs, toMs). */
  expectedArrivals(fromMs: number, toMs: number): number {
    return this.integratedRate(toMs) - this.integratedRate(fromMs);
  }

  /**
   * The segment in which Λ reaches `cumulative`, searching forward from segment `from` (callers
   * walking forward in time keep their last answer, so this is O(1) amortised); segmentCount when
   * the run ends before Λ gets there. Segments with no arrivals (rate 0) are never returned.
   */
  locate(cumulative: number, from: number): number {
    const ends = this.segCumEnd;
    let s = from;
    while (s < ends.length && (ends[s] as number) <= cumulative) s++;
    return s;
  }

  /** The time (ms) at which Λ reaches `cumulative`, which must lie in segment `segment` (see {@link locate}). */
  timeAt(segment: number, cumulative: number): number {
    const startMs = this.segStartMs[segment] as number;
    const rateHz = this.segRateHz[segment] as number;
    const slope = this.segSlopeHzPerMs[segment] as number;
    const x = (cumulative - (this.segCumStart[segment] as number)) * 1000;
    // Solve rate·τ + slope·τ²/2 = x for τ ≥ 0 in the cancellation-free form 2x / (rate + √(rate² + 2·slope·x)).
    const root = Math.sqrt(Math.max(0, rateHz * rateHz + 2 * slope * x));
    const tau = slope === 0 ? x / rateHz : (2 * x) / (rateHz + root);
    const endMs = this.segEndMs[segment] as number;
    const t = startMs + tau;
    // Rounding can land τ on the segment end, which belongs to the next segment (and maybe phase):
    // step back a couple of ulps so the arrival stays in the segment `locate` chose.
    return t < endMs ? t : Math.max(startMs, endMs * (1 - Number.EPSILON));
  }

  /** The phase a segment belongs to. */
  phaseOfSegment(segment: number): number {
    return this.segPhase[segment] as number;
  }

  /** The segment holding `ms` (segments tile the run), or -1 outside the run. */
  private segmentAtMs(ms: number): number {
    const starts = this.segStartMs;
    if (!(ms >= 0) || ms >= this.durationMs || starts.length === 0) return -1;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return ms >= (starts[lo] as number) && ms < (this.segEndMs[lo] as number) ? lo : -1;
  }
}

/** Every problem with one phase's rate shape, each prefixed with `path`. */
export function rateShapeProblems(rate: RateShape, durationMs: number, path: string): string[] {
  const problems: string[] = [];
  const finiteNonNegative = (v: number, name: string): void => {
    if (!Number.isFinite(v) || v < 0) problems.push(`${path}.${name}: must be a finite number >= 0, got ${v}`);
  };
  if (!Number.isFinite(durationMs) || durationMs <= 0) problems.push(`${path}.durationMs: must be > 0, got ${durationMs}`);
  switch (rate.kind) {
    case 'constant':
      finiteNonNegative(rate.perSecond, 'rate.perSecond');
      break;
    case 'ramp':
      finiteNonNegative(rate.from, 'rate.from');
      finiteNonNegative(rate.to, 'rate.to');
      break;
    case 'spike':
      finiteNonNegative(rate.base, 'rate.base');
      finiteNonNegative(rate.peak, 'rate.peak');
      finiteNonNegative(rate.atMs, 'rate.atMs');
      finiteNonNegative(rate.widthMs, 'rate.widthMs');
      break;
    default:
      problems.push(`${path}.rate.kind: unknown rate shape ${String((rate as { kind: unknown }).kind)}`);
  }
  return problems;
}
