import { describe, expect, it } from 'vitest';
import { EventBuffer, EventKind } from './EventBuffer.js';

describe('EventBuffer', () => {
  it('keeps every record and its sequence as it grows from its smallest size', () => {
    const events = new EventBuffer(16);
    for (let i = 0; i < 1000; i++) {
      if (i % 3 === 0) {
        events.match(7, i, 10_000 + i, i + 1, 1, 2, 20 + i, 30 + i, 0, 3, 40 + i, 50 + i, 5, 123_456_789_012 + i);
      } else {
        events.levelUpdate(7, 2, 10_000 + i, 2 ** 40 + i, i);
      }
    }
    // 334 matches of 3 records and 666 level updates.
    expect(events.length).toBe(334 * 3 + 666);
    const all = events.events();
    expect(all.map((e) => e.sequence)).toEqual(all.map((_e, k) => k + 1));
    expect(all.at(-1)).toEqual({ kind: EventKind.Fill, sequence: 1668, symbolId: 7, owner: 3, clientOrderId: 1039,
      orderId: 1049, tradeId: 999, price: 10_999, quantity: 1000, leavesQuantity: 5, side: 1, liquidity: 2,
      echoTimestampNs: 123_456_790_011 });
    expect(all[3]).toEqual({ kind: EventKind.LevelUpdate, sequence: 4, symbolId: 7, side: 2, price: 10_001,
      quantity: 2 ** 40 + 1, orderCount: 1 });
    events.clear();
    events.quote(7, 1, 2, 3, 4);
    expect(events.events()).toEqual([{ kind: EventKind.Quote, sequence: 1669, symbolId: 7, bidPrice: 1, bidQuantity: 2,
      askPrice: 3, askQuantity: 4 }]);
  });

  it('refuses a first size above its limit of 2^30 numbers', () => {
    expect(() => new EventBuffer(2 ** 30)).toThrow(/above the limit of 76695844/);
  });
});
