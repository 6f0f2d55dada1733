import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RateSchedule } from '../executors/RateSchedule.js';
import type { Phase, SubscriberGroup } from '../scenario/Scenario.js';
import { shardClientIndexes, shardFirstSubscriberId, shardSchedule, shardSubscriberGroups } from './shardShare.js';

const PHASES: Pick<Phase, 'durationMs' | 'rate'>[] = [
  { durationMs: 3_000, rate: { kind: 'constant', perSecond: 200 } },
  { durationMs: 4_000, rate: { kind: 'ramp', from: 100, to: 900 } },
  { durationMs: 4_000, rate: { kind: 'spike', base: 500, peak: 2_000, atMs: 1_000, widthMs: 1_000 } },
];

describe('a shard\u2019s share of a run', () => {
  it('deals every client and subscriber to exactly one shard (fast-check, seed 7)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 4 }),
      (clients, shards, groupCounts) => {
        const count = Math.min(clients, shards);
        const groups: SubscriberGroup[] = groupCounts.map((c) => ({ class: 'fast', count: c }));
        const dealt = Array.from({ length: count }, (_, index) => shardClientIndexes(clients, { index, count })).flat().sort((a, b) => a - b);
        expect(dealt).toEqual(Array.from({ length: clients }, (_, i) => i));
        const subscribers = Array.from({ length: count }, (_, index) => shardSubscriberGroups(groups, { index, count }));
        expect(subscribers.flat().reduce((s, g) => s + g.count, 0)).toBe(groupCounts.reduce((s, c) => s + c, 0));
        // Subscriber client ids of consecutive shards follow on without overlap.
        for (let index = 1; index < count; index++) {
          const before = subscribers[index - 1]?.reduce((s, g) => s + g.count, 0) ?? 0;
          expect(shardFirstSubscriberId(1_000, groups, { index, count }) - shardFirstSubscriberId(1_000, groups, { index: index - 1, count })).toBe(before);
        }
      }), { seed: 7, numRuns: 200 });
  });

  it('offers each shard its clients\u2019 share of the rate, the shares adding up to the whole run', () => {
    const whole = new RateSchedule(PHASES, 1);
    const shards = [0, 1, 2].map((index) => shardSchedule(PHASES, 8, { index, count: 3 }));
    // 8 clients over 3 shards: 3, 3 and 2 clients.
    expect(shards.map((s) => s.totalExpected / whole.totalExpected)).toEqual([3 / 8, 3 / 8, 2 / 8].map((x) => expect.closeTo(x, 12)));
    for (const ms of [500, 3_500, 8_100, 10_999]) {
      expect(shards.reduce((sum, s) => sum + s.rateHzAt(ms), 0)).toBeCloseTo(whole.rateHzAt(ms), 9);
    }
    expect(shardSchedule(PHASES, 8, undefined).totalExpected).toBe(whole.totalExpected);
  });
});
