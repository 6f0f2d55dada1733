import { describe, expect, it } from 'vitest';
import type { RateShape } from '../scenario/Scenario.js';
import { RateSchedule } from './RateSchedule.js';

const phase = (durationMs: number, rate: RateShape) => ({ durationMs, rate });

describe('RateSchedule', () => {
  const schedule = new RateSchedule([
    phase(1_000, { kind: 'constant', perSecond: 100 }),
    phase(2_000, { kind: 'ramp', from: 100, to: 500 }),
    phase(1_000, { kind: 'spike', base: 50, peak: 1_000, atMs: 200, widthMs: 100 }),
    phase(500, { kind: 'constant', perSecond: 0 }),
  ]);

  it('integrates each shape in closed form: constant, ramp (trapezoid), spike (base + peak)', () => {
    expect(schedule.durationMs).toBe(4_500);
    expect(schedule.integratedRate(1_000)).toBeCloseTo(100, 9);
    expect(schedule.expectedArrivals(1_000, 3_000)).toBeCloseTo(600, 9); // (100 + 500) / 2 × 2 s
    expect(schedule.expectedArrivals(1_000, 2_000)).toBeCloseTo(200, 9); // 100..300 over 1 s
    expect(schedule.expectedArrivals(3_000, 4_000)).toBeCloseTo(0.9 * 50 + 0.1 * 1_000, 9);
    expect(schedule.expectedArrivals(4_000, 4_500)).toBe(0);
    expect(schedule.totalExpected).toBeCloseTo(100 + 600 + 145, 9);
  });

  it('divides every rate by the client count for a per-client schedule', () => {
    const perClient = new RateSchedule([phase(1_000, { kind: 'ramp', from: 100, to: 500 })], 4);
    expect(perClient.totalExpected).toBeCloseTo(75, 9);
    expect(perClient.rateHzAt(500)).toBeCloseTo(75, 9);
  });

  it('reports the rate and the phase at any time, phases half-open', () => {
    expect(schedule.rateHzAt(1_500)).toBeCloseTo(200, 9);
    expect(schedule.rateHzAt(3_250)).toBe(1_000);
    expect(schedule.rateHzAt(3_300)).toBe(50);
    expect(schedule.phaseAt(0)).toBe(0);
    expect(schedule.phaseAt(999.999)).toBe(0);
    expect(schedule.phaseAt(1_000)).toBe(1);
    expect(schedule.phaseAt(4_499)).toBe(3);
    expect(schedule.phaseAt(4_500)).toBe(-1);
    expect(schedule.phaseAt(-1)).toBe(-1);
  });

  it('inverts the integrated rate exactly, across every segment and boundary', () => {
    for (let ms = 0; ms < 4_000; ms += 37.5) {
      const cum = schedule.integratedRate(ms);
      const s = schedule.locate(cum, 0);
      if (schedule.rateHzAt(ms) === 0) continue;
      expect(schedule.timeAt(s, cum)).toBeCloseTo(ms, 6);
    }
    expect(schedule.locate(schedule.totalExpected, 0)).toBe(schedule.segmentCount);
  });

  it('refuses bad shapes, naming every problem with its path', () => {
    expect(() => new RateSchedule([
      phase(0, { kind: 'constant', perSecond: -1 }),
      phase(100, { kind: 'spike', base: 1, peak: Number.NaN, atMs: -5, widthMs: 1 }),
    ])).toThrow(/phases\[0\]\.durationMs: must be > 0.*phases\[0\]\.rate\.perSecond.*phases\[1\]\.rate\.peak.*phases\[1\]\.rate\.atMs/);
    expect(() => new RateSchedule([], 0)).toThrow(/clients: must be a positive integer, got 0.*at least one phase/);
  });
});
