import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderIndex } from './OrderIndex.js';

const SEED = Number(process.env.MATCHBENCH_SEED ?? 20261122);

describe('OrderIndex', () => {
  it('behaves like a Map under random inserts, lookups, takes and slot deletes, through growth (seeded)', () => {
    const key = fc.tuple(fc.integer({ min: 0, max: 3 }),
      fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 31, 4294967295)));
    const op = fc.tuple(fc.constantFrom('insert', 'take', 'deleteSlot', 'get'), key);
    fc.assert(fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
      // Slots are the operation numbers: up to 3,000, so the per-slot arrays (4 at first) grow too.
      const index = new OrderIndex(4, 4);
      const model = new Map<string, number>();
      ops.forEach(([kind, [owner, id]], n) => {
        const k = `${owner}/${id}`;
        if (kind === 'insert' && !model.has(k)) {
          index.insert(owner, id, n);
          model.set(k, n);
        } else if (kind === 'take') {
          expect(index.take(owner, id)).toBe(model.get(k) ?? -1);
          model.delete(k);
        } else if (kind === 'deleteSlot' && model.has(k)) {
          index.deleteSlot(model.get(k) as number);
          model.delete(k);
        }
        expect(index.get(owner, id)).toBe(model.get(k) ?? -1);
      });
      expect(index.size).toBe(model.size);
      const seen = new Map<string, number>();
      index.forEach((owner, id, slot) => seen.set(`${owner}/${id}`, slot));
      expect(seen).toEqual(model);
    }), { seed: SEED, numRuns: 200 });
  });

  it('tells owners apart for the same client order id', () => {
    const index = new OrderIndex();
    index.insert(1, 42, 7);
    index.insert(2, 42, 8);
    expect([index.get(1, 42), index.get(2, 42), index.get(3, 42)]).toEqual([7, 8, -1]);
  });
});
