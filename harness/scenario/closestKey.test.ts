import { describe, expect, it } from 'vitest';
import { closestKey, editDistance } from './closestKey.js';

describe('closestKey', () => {
  it('finds the key a typo was meant to be', () => {
    expect(closestKey('phses', ['version', 'phases', 'symbols'])).toBe('phases');
    expect(closestKey('volatilty', ['volatility', 'drift'])).toBe('volatility');
    expect(closestKey('limitGTC', ['limitGtc', 'limitIoc'])).toBe('limitGtc');
    expect(closestKey('tickSzie', ['tickSize', 'count'])).toBe('tickSize');
  });

  it('suggests nothing when no key is near', () => {
    expect(closestKey('colour', ['name', 'duration', 'rate'])).toBeUndefined();
    expect(closestKey('ab', ['xy'])).toBeUndefined();
  });

  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('rate', 'rat')).toBe(1);
    expect(editDistance('rate', 'rtae')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
