import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveOrders } from './LiveOrders.js';

const SEED = 9090;
console.log(`LiveOrders tests: fast-check seed ${SEED}`);

describe('LiveOrders', () => {
  it('always yields the earliest-due order (lowest id on ties), like a sorted list', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), due: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('rekey' as const), due: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (ops, capacity) => {
      const heap = new LiveOrders(capacity, 2);
      let model: { due: number; id: number }[] = [];
      let nextId = 1;
      let forgotten = 0;
      const sort = () => model.sort((a, b) => a.due - b.due || a.id - b.id);
      for (const o of ops) {
        if (o.kind === 'push') {
          if (model.length === capacity) {
            model.shift();
            forgotten++;
          }
          const id = nextId++;
          heap.push(o.due, id, id % 7, 1 + (id % 2));
          model.push({ due: o.due, id });
        } else if (o.kind === 'pop') {
          heap.popMin();
          model.shift();
        } else if (model.length > 0) {
          heap.rekeyMin(o.due);
          (model[0] as { due: number }).due = o.due;
        }
        sort();
        expect(heap.size).toBe(model.length);
        const first = model[0];
        if (first === undefined) expect(heap.minId).toBe(0);
        else {
          expect(heap.minId).toBe(first.id);
          expect(heap.minDueMs).toBe(first.due);
          expect(heap.minSymbolId).toBe(first.id % 7);
          expect(heap.minSide).toBe(1 + (first.id % 2));
        }
      }
      expect(heap.forgotten).toBe(forgotten);
    }), { seed: SEED, numRuns: 300 });
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LiveOrders(0)).toThrow(/capacity must be a positive integer, got 0/);
  });
});
