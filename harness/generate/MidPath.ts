import type { Phase, PriceProcess, Scenario, SymbolsSpec } from '../scenario/Scenario.js';
import { Rng } from './Rng.js';
import { streamIndex } from './streamIndex.js';

/** How a mid path is sampled. */
export interface MidPathOptions {
  /** Spacing of the time grid the mid is sampled on, ms. Default 10. */
  readonly gridMs: number;
}

export const MID_PATH_DEFAULTS: MidPathOptions = { gridMs: 10 };

/**
 * One symbol's mid price, in ticks, on a fixed time grid across all phases of a run: what every
 * client of the run reads when it prices an order (the mid at its intended send time). It depends
 * only on (scenario, seed, symbol), never on the client count or the order in which clients ask.
 *
 * Over each grid step of dt seconds, with the parameters of the phase the step lies in (a step that
 * straddles a phase boundary is split there):
 * 1. regime: with a regime switch, calm → stressed with probability 1 − e^(−enter·dt), stressed →
 *    calm with 1 − e^(−exit·dt); a phase without one is calm, and a run starts calm;
 * 2. diffusion: x += (drift + extraDrift·stressed)·dt + volatility·(multiplier if stressed)·√dt·Z;
 * 3. jumps: Poisson(perSecond·dt) jumps, each Normal(mean, sd) ticks;
 * 4. x is clamped into the symbol band; the stored mid is round(x).
 *
 * The path is computed lazily up to the latest time asked for and kept (8 bytes per grid point:
 * a one-hour run on the 10 ms grid is 2.9 MB per symbol traded), so clients may ask in any order.
 */
export class MidPath {
  readonly symbolId: number;
  readonly gridMs: number;
  /** Grid points the whole run needs (the last one at or after the run end). */
  private readonly points: number;
  /** Grows by doubling as the path is computed, so untouched symbols cost almost nothing. */
  private midTicks: Float64Array;
  /** Grid points computed so far (midTicks[0..computed)). */
  private computed = 1;
  private readonly rng: Rng;
  private readonly phases: readonly Phase[];
  private readonly phaseEndMs: Float64Array;
  private readonly minTicks: number;
  private readonly maxTicks: number;
  /** Unrounded mid, ticks. */
  private x: number;
  private stressed = false;
  private phase = 0;
  private regimeSteps = 0;
  private stressedSteps = 0;

  /** The path of symbol `symbolId` (1-based) for `scenario` and `seed`. */
  constructor(scenario: Pick<Scenario, 'symbols' | 'phases'>, seed: number, symbolId: number,
    options: Partial<MidPathOptions> = {}) {
    const { gridMs } = { ...MID_PATH_DEFAULTS, ...options };
    const problems = midPathProblems(scenario.symbols, symbolId, gridMs);
    if (problems.length > 0) throw new RangeError(`bad mid path: ${problems.join('; ')}`);
    this.symbolId = symbolId;
    this.gridMs = gridMs;
    this.phases = scenario.phases;
    this.phaseEndMs = new Float64Array(scenario.phases.length);
    let at = 0;
    scenario.phases.forEach((p, i) => {
      at += p.durationMs;
      this.phaseEndMs[i] = at;
    });
    const s = scenario.symbols;
    this.minTicks = s.minPrice / s.tickSize;
    this.maxTicks = s.maxPrice / s.tickSize;
    this.x = Math.min(this.maxTicks, Math.max(this.minTicks, s.startMid / s.tickSize));
    this.points = Math.floor(at / gridMs) + 2;
    this.midTicks = new Float64Array(Math.min(this.points, 1024));
    this.midTicks[0] = Math.round(this.x);
    this.rng = Rng.stream(seed, streamIndex.symbolPath(symbolId));
  }

  /** Every symbol's path, indexed by symbolId − 1. */
  static forScenario(scenario: Pick<Scenario, 'symbols' | 'phases'>, seed: number,
    options: Partial<MidPathOptions> = {}): MidPath[] {
    return Array.from({ length: scenario.symbols.count }, (_, i) => new MidPath(scenario, seed, i + 1, options));
  }

  /** Mid in ticks at `ms` since run start: the value at the last grid point at or before it. */
  midTicksAt(ms: number): number {
    let k = Math.floor(ms / this.gridMs);
    if (!(k >= 0)) k = 0;
    else if (k >= this.points) k = this.points - 1;
    if (k >= this.computed) this.extendTo(k);
    return this.midTicks[k] as number;
  }

  /** The whole path (computing it to the end), one mid in ticks per grid point from t = 0. */
  toArray(): Float64Array {
    this.extendTo(this.points - 1);
    return this.midTicks.slice(0, this.points);
  }

  /** Fraction of the grid steps computed so far that began in the stressed regime. */
  get stressedFraction(): number {
    return this.regimeSteps === 0 ? 0 : this.stressedSteps / this.regimeSteps;
  }

  private extendTo(k: number): void {
    if (k >= this.midTicks.length) {
      let length = this.midTicks.length;
      while (length <= k) length *= 2;
      const grown = new Float64Array(Math.min(this.points, length));
      grown.set(this.midTicks.subarray(0, this.computed));
      this.midTicks = grown;
    }
    const grid = this.gridMs;
    for (let i = this.computed; i <= k; i++) {
      let t = (i - 1) * grid;
      const stepEnd = i * grid;
      while (t < stepEnd) {
        while (this.phase < this.phaseEndMs.length - 1 && (this.phaseEndMs[this.phase] as number) <= t) this.phase++;
        const phaseEnd = this.phaseEndMs[this.phase] as number;
        // Past the last phase (the grid's final partial step) the last phase's dynamics continue.
        const until = phaseEnd > t && phaseEnd < stepEnd ? phaseEnd : stepEnd;
        this.advance((this.phases[this.phase] as Phase).price, (until - t) / 1000);
        t = until;
      }
      this.midTicks[i] = Math.round(this.x);
    }
    if (k + 1 > this.computed) this.computed = k + 1;
  }

  /** Moves x over dtS seconds under `p`. */
  private advance(p: PriceProcess, dtS: number): void {
    const rng = this.rng;
    const regime = p.regimeSwitch;
    if (regime === null) this.stressed = false;
    else {
      const rate = this.stressed ? regime.exitPerSecond : regime.enterPerSecond;
      if (rng.next() < -Math.expm1(-rate * dtS)) this.stressed = !this.stressed;
      this.regimeSteps++;
      if (this.stressed) this.stressedSteps++;
    }
    const vol = this.stressed && regime !== null ? p.volatility * regime.volatilityMultiplier : p.volatility;
    const drift = this.stressed && regime !== null ? p.drift + regime.extraDrift : p.drift;
    let x = this.x + drift * dtS + vol * Math.sqrt(dtS) * rng.normal(0, 1);
    const jumps = p.jumps;
    if (jumps !== null && jumps.perSecond > 0) {
      // Poisson count by inversion: mean perSecond·dt is small on a 10 ms grid, so this loop is short.
      const m = jumps.perSecond * dtS;
      const u = rng.next();
      let term = Math.exp(-m);
      let cdf = term;
      let count = 0;
      while (u > cdf && count < 1000) {
        count++;
        term *= m / count;
        cdf += term;
      }
      for (let j = 0; j < count; j++) x += rng.normal(jumps.mean, jumps.sd);
    }
    this.x = x < this.minTicks ? this.minTicks : x > this.maxTicks ? this.maxTicks : x;
  }
}

function midPathProblems(s: SymbolsSpec, symbolId: number, gridMs: number): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(symbolId) || symbolId < 1 || symbolId > s.count) {
    problems.push(`symbolId: must be an integer in 1..${s.count}, got ${symbolId}`);
  }
  if (!(gridMs > 0) || !Number.isFinite(gridMs)) problems.push(`gridMs: must be > 0, got ${gridMs}`);
  if (!(s.tickSize > 0)) problems.push(`symbols.tickSize: must be > 0, got ${s.tickSize}`);
  else {
    for (const [name, v] of [['minPrice', s.minPrice], ['maxPrice', s.maxPrice], ['startMid', s.startMid]] as const) {
      if (!Number.isSafeInteger(v / s.tickSize)) problems.push(`symbols.${name}: must be a multiple of tickSize ${s.tickSize}, got ${v}`);
    }
  }
  if (!(s.minPrice <= s.maxPrice)) problems.push(`symbols: minPrice ${s.minPrice} is above maxPrice ${s.maxPrice}`);
  return problems;
}
