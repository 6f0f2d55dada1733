import { describe, expect, it } from 'vitest';
import { deltaDebug } from './deltaDebug.js';

describe('deltaDebug', () => {
  it('shrinks to the items that together make the test fail, in their order', () => {
    const input = Array.from({ length: 200 }, (_, i) => i);
    const result = deltaDebug(input, (items) => items.includes(17) && items.includes(150) && items.includes(3));
    expect(result.items).toEqual([3, 17, 150]);
    expect(result.complete).toBe(true);
  });

  it('a failure that needs an item before another keeps both (order matters)', () => {
    const input = ['x', 'new', 'y', 'z', 'cancel', 'w'];
    const fails = (items: readonly string[]): boolean => {
      const n = items.indexOf('new');
      return n >= 0 && items.indexOf('cancel') > n;
    };
    expect(deltaDebug(input, fails).items).toEqual(['new', 'cancel']);
  });

  it('stops at its budget with the smallest failing list so far', () => {
    const input = Array.from({ length: 1_000 }, (_, i) => i);
    const result = deltaDebug(input, (items) => items.includes(500) && items.includes(501), { maxTests: 5 });
    expect(result.complete).toBe(false);
    expect(result.tests).toBe(5);
    expect(result.items).toContain(500);
    expect(result.items).toContain(501);
    expect(result.items.length).toBeLessThan(1_000);
  });
});
