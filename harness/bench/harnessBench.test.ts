import { describe, expect, it } from 'vitest';
import { runHarnessBench } from './harnessBench.js';

describe('harness benchmark', () => {
  it('generates and records what it claims, and reports positive rates', () => {
    const r = runHarnessBench({ values: 20_000, repetitions: 2, flowOrders: 20_000 });
    expect(r.recordedPerRun).toBe(20_000);
    expect(r.recordNsRuns).toHaveLength(2);
    expect(r.recordNs).toBeGreaterThan(0);
    expect(r.flow.orders).toBe(20_000);
    expect(r.flow.ordersPerSecond).toBeGreaterThan(0);
    expect(r.flow.streamHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
