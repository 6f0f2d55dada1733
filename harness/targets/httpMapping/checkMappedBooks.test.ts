import { describe, expect, it } from 'vitest';
import { depthViolations } from './checkMappedBooks.js';

describe('depthViolations', () => {
  it('passes a sound snapshot and an empty one', () => {
    expect(depthViolations([{ price: 100, quantity: 5 }, { price: 99, quantity: 1 }], [{ price: 101, quantity: 2 }, { price: 103, quantity: 9 }])).toEqual([]);
    expect(depthViolations([], [])).toEqual([]);
  });

  it('names a crossed book, levels out of order and empty or unreadable levels', () => {
    expect(depthViolations([{ price: 101, quantity: 5 }, { price: 102, quantity: 1 }], [{ price: 101, quantity: 0 }, { price: Number.NaN, quantity: 1 }])).toEqual([
      'not-crossed broken: best bid 101 is not below best ask 101',
      'level-order broken: bid level 102 follows 101',
      'level-totals broken: ask level 101 holds 0',
      'level-totals broken: ask level NaN holds 1',
    ]);
  });
});
