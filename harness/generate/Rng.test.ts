import { describe, expect, it } from 'vitest';
import { Rng } from './Rng.js';

const draw = (rng: Rng, n: number, f: (r: Rng) => number) => Array.from({ length: n }, () => f(rng));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

describe('Rng', () => {
  it('repeats the same numbers for the same seed and differs for another', () => {
    const a = draw(new Rng(42), 100, (r) => r.next());
    expect(draw(new Rng(42), 100, (r) => r.next())).toEqual(a);
    expect(draw(new Rng(43), 100, (r) => r.next())).not.toEqual(a);
  });

  it('gives each stream of a seed its own numbers, reproducibly', () => {
    const s0 = draw(Rng.stream(7, 0), 50, (r) => r.next());
    const s1 = draw(Rng.stream(7, 1), 50, (r) => r.next());
    expect(s1).not.toEqual(s0);
    expect(draw(Rng.stream(7, 1), 50, (r) => r.next())).toEqual(s1);
  });

  it('draws normals, exponentials and log-normals with the asked-for moments (seed 1, n = 200,000)', () => {
    const rng = new Rng(1);
    const n = 200_000;
    const normals = draw(rng, n, (r) => r.normal(10_000, 20));
    expect(mean(normals)).toBeCloseTo(10_000, 0);
    expect(sd(normals)).toBeGreaterThan(19.8);
    expect(sd(normals)).toBeLessThan(20.2);
    const exps = draw(rng, n, (r) => r.exponential(4));
    expect(mean(exps)).toBeGreaterThan(0.245);
    expect(mean(exps)).toBeLessThan(0.255);
    const logs = draw(rng, n, (r) => Math.log(r.logNormal(3, 0.5)));
    expect(mean(logs)).toBeCloseTo(3, 1);
    const ints = draw(rng, n, (r) => r.int(1, 6));
    expect(new Set(ints)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it('refuses a seed that is not a safe integer', () => {
    expect(() => new Rng(1.5)).toThrow(/safe integer/);
  });
});
