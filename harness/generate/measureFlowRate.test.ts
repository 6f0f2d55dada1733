import { describe, expect, it } from 'vitest';
import { exampleFlowScenario } from './exampleFlowScenario.js';
import { measureFlowRate, scaleRates } from './measureFlowRate.js';

describe('measureFlowRate', () => {
  it('generates the asked-for number of orders, the same stream every repetition (not a timing test)', () => {
    const r = measureFlowRate({ scenario: scaleRates(exampleFlowScenario(), 4), maxOrders: 30_000, repetitions: 2 });
    expect(r.orders).toBe(30_000);
    expect(r.clients).toBe(20);
    expect(r.ordersPerSecondRuns).toHaveLength(2);
    expect(r.ordersPerSecond).toBeGreaterThan(0);
    expect(r.streamHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops at the scenario end when it comes before maxOrders', () => {
    const r = measureFlowRate({ scenario: exampleFlowScenario(), maxOrders: 10_000_000, repetitions: 1 });
    expect(r.orders).toBeGreaterThan(80_000);
    expect(r.orders).toBeLessThan(110_000);
  });

  it('refuses a bad order budget or repetition count', () => {
    expect(() => measureFlowRate({ maxOrders: 0 })).toThrow(/maxOrders must be a positive integer, got 0/);
    expect(() => measureFlowRate({ repetitions: 1.5 })).toThrow(/repetitions must be a positive integer, got 1.5/);
  });
});
