import { describe, expect, it } from 'vitest';
import { Rng } from './Rng.js';
import { WeightedChoice } from './WeightedChoice.js';

describe('WeightedChoice', () => {
  it('gives Zipf symbol k weight 1/k^s and uniform symbols equal weight', () => {
    const zipf = WeightedChoice.forPopularity({ kind: 'zipf', exponent: 2 }, 3);
    const h = 1 + 1 / 4 + 1 / 9;
    expect([0, 1, 2].map((i) => zipf.probability(i))).toEqual([1 / h, 1 / 4 / h, 1 / 9 / h].map((p) => expect.closeTo(p, 12)));
    const uniform = WeightedChoice.forPopularity({ kind: 'uniform' }, 4);
    expect(uniform.probability(3)).toBeCloseTo(0.25, 12);
  });

  it('never picks a zero-weight index and always returns one in range (seed 5)', () => {
    const choice = new WeightedChoice([0, 1, 0, 3]);
    const rng = new Rng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(choice.pick(rng));
    expect([...seen].sort()).toEqual([1, 3]);
  });

  it('refuses empty, negative or all-zero weights, naming each', () => {
    expect(() => new WeightedChoice([])).toThrow(/at least one/);
    expect(() => new WeightedChoice([1, -1, Number.NaN])).toThrow(/weights\[1\].*weights\[2\]/);
    expect(() => new WeightedChoice([0, 0])).toThrow(/sum to 0/);
  });
});
