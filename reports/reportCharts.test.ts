import { describe, expect, it } from 'vitest';
import { IntervalSeries } from '../harness/record/IntervalSeries.js';
import { countsPerInterval, intervalMidpoints, offeredRateAt, percentilePerInterval, phaseMarkers } from './reportCharts.js';
import type { PhaseResult } from './RunResult.js';

const phase = (name: string, startMs: number, durationMs: number, offeredRate: number): PhaseResult =>
  ({ name, startMs, durationMs, offered: 0, offeredRate, sent: 0, achievedRate: 0, latency: {} });
const PHASES = [phase('warmup', 0, 3_000, 200), phase('steady', 3_000, 7_000, 500), phase('burst', 10_000, 4_000, 875)];

describe('report chart data', () => {
  it('marks each phase start and the end of the last phase, in seconds', () => {
    expect(phaseMarkers(PHASES)).toEqual([{ x: 0, label: 'warmup' }, { x: 3, label: 'steady' }, { x: 10, label: 'burst' }, { x: 14, label: 'end' }]);
    expect(phaseMarkers([])).toEqual([]);
  });

  it('gives the phase mean offered rate for each second, none past the last phase', () => {
    expect(offeredRateAt(PHASES, [0.5, 2.5, 3.5, 9.5, 10.5, 13.5, 14.5])).toEqual([200, 200, 500, 500, 875, 875, null]);
  });

  it('reads per-second counts and percentiles from the interval series, null for empty seconds', () => {
    const series = new IntervalSeries();
    for (let i = 1; i <= 100; i++) series.record(200, 'order_rtt', i * 1_000_000);
    series.record(2_500, 'order_rtt', 7_000_000);
    series.record(2_600, 'cancel_rtt', 1_000);
    expect(intervalMidpoints(series)).toEqual([0.5, 1.5, 2.5]);
    expect(countsPerInterval(series, ['order_rtt', 'cancel_rtt'])).toEqual([100, 0, 2]);
    const p99 = percentilePerInterval(series, 'order_rtt', 99);
    expect(p99[0]).toBeCloseTo(99, 0);
    expect(p99[1]).toBeNull();
    expect(percentilePerInterval(series, 'order_rtt', 100)[0]).toBeCloseTo(100, 0);
  });
});
