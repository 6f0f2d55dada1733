import { describe, expect, it } from 'vitest';
import { EndedOrders } from './EndedOrders.js';

describe('EndedOrders', () => {
  it('forgets the oldest ended order once more than its capacity have ended, one per end, in the order they ended', () => {
    const forgotten: string[] = [];
    const ring = new EndedOrders<string>((o) => forgotten.push(o), 3);
    for (const o of ['a', 'b', 'c']) ring.ended(o);
    expect(forgotten).toEqual([]);
    for (const o of ['d', 'e', 'f', 'g']) ring.ended(o);
    expect(forgotten).toEqual(['a', 'b', 'c', 'd']);
  });
});
