import { describe, expect, it } from 'vitest';
import { TokenBucket } from './TokenBucket.js';

const MS = 1_000_000;

describe('TokenBucket', () => {
  it('allows a full burst at once, then one more per 1/rate seconds', () => {
    const bucket = new TokenBucket(1_000, 3, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(0.5 * MS)).toBe(false);
    expect(bucket.take(1 * MS)).toBe(true);
    expect(bucket.take(1 * MS)).toBe(false);
  });

  it('never holds more than its capacity, however long it was idle', () => {
    const bucket = new TokenBucket(1_000, 3, 0);
    bucket.take(0);
    expect(bucket.take(3_600_000 * MS)).toBe(true);
    expect(bucket.available).toBe(2);
  });

  it('adds nothing when the clock steps back, and takes nothing away', () => {
    const bucket = new TokenBucket(1_000, 2, 10 * MS);
    expect(bucket.take(5 * MS)).toBe(true);
    expect(bucket.take(5 * MS)).toBe(true);
    expect(bucket.take(9 * MS)).toBe(false);
    expect(bucket.take(11 * MS)).toBe(true);
  });

  it('allows everything at an infinite rate', () => {
    const bucket = new TokenBucket(Infinity, 1, 0);
    for (let i = 0; i < 1_000; i++) expect(bucket.take(0)).toBe(true);
  });

  it('refuses a rate or capacity it cannot work with', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(NaN, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0.5, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, Infinity, 0)).toThrow(RangeError);
  });
});
