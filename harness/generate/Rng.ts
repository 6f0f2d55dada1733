import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

type Generator = ReturnType<typeof xoroshiro128plus>;

/**
 * A seeded random source: every random choice in matchbench comes from one of these, so a seed
 * reproduces a run. Wraps pure-rand's xoroshiro128+ (mutated in place, no allocation per draw) and
 * adds the distributions order flow needs. Same seed, same numbers, on any machine.
 */
export class Rng {
  private readonly generator: Generator;
  /** Second value of the last Box-Muller pair, or NaN. */
  private spareNormal = Number.NaN;

  /** A generator for `seed` (any safe integer); `stream` 0 is the seed's main stream. */
  constructor(seed: number, stream = 0) {
    this.generator = xoroshiro128plus(mix32(seed, stream));
  }

  /**
   * An independent stream for one member of a run (a client, a symbol): derived from the run seed
   * and the member's index, so adding members does not change the streams of the others.
   */
  static stream(seed: number, index: number): Rng {
    return new Rng(seed, index + 1);
  }

  /** Uniform in [0, 1), 53 random bits. */
  next(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Normal(mean, sd) by the Box-Muller transform (pairs cached, nothing allocated). */
  normal(mean: number, sd: number): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + sd * z;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  /** Exponential with the given rate (mean 1/rate), e.g. Poisson inter-arrival times. */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** exp(Normal(mu, sigma)). */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }
}

/** Mixes a seed and a stream index into a well-spread 32-bit seed (splitmix-style finaliser). */
function mix32(seed: number, index: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let h = Math.imul((seed >>> 0) ^ Math.floor(seed / 2 ** 32), 0x9e3779b1) ^ Math.imul(index, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}
