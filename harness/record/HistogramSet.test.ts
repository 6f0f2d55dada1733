import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intervalLogText, parseIntervalLog, percentileDistributionText } from './histogramFiles.js';
import { HistogramSet, latencyHistogram } from './HistogramSet.js';
import { IntervalSeries } from './IntervalSeries.js';

const SEED = 20261122;

describe('HistogramSet', () => {
  it('merging encoded per-worker sets equals recording everything in one set, exactly', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 5_000_000_000 }), { maxLength: 200 }), { minLength: 1, maxLength: 5 }),
      (workers) => {
        const whole = new HistogramSet();
        const merged = new HistogramSet();
        for (const values of workers) {
          const worker = new HistogramSet();
          for (const v of values) {
            worker.record('order_rtt', v);
            whole.record('order_rtt', v);
          }
          merged.add(HistogramSet.decode(JSON.parse(JSON.stringify(worker.encode())) as Record<string, string>));
        }
        const a = whole.get('order_rtt');
        const b = merged.get('order_rtt');
        expect(b.totalCount).toBe(a.totalCount);
        for (const p of [0, 50, 90, 99, 99.9, 100]) expect(b.getValueAtPercentile(p)).toBe(a.getValueAtPercentile(p));
      },
    ), { seed: SEED, numRuns: 100 });
  });

  it('adding percentiles is not averaging them: two workers with different latencies give the true p99', () => {
    const fast = new HistogramSet();
    const slow = new HistogramSet();
    for (let i = 0; i < 9_900; i++) fast.record('x', 100_000);
    for (let i = 0; i < 100; i++) slow.record('x', 50_000_000);
    const merged = new HistogramSet();
    merged.add(fast);
    merged.add(slow);
    // 1% of all values are 50 ms: p99 sits at the boundary, p99.9 is the slow value.
    expect(merged.summaries().x?.p999Ns).toBeGreaterThan(49_000_000);
    expect(merged.summaries().x?.p50Ns).toBeLessThan(101_000);
  });

  it('a garbled encoding is refused', () => {
    expect(() => HistogramSet.decode({ x: 'not-a-histogram' })).toThrow();
  });
});

describe('histogram files', () => {
  it('the .hgrm text lists percentiles in ms and the total count', () => {
    const h = latencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordValue(i * 1_000_000);
    const text = percentileDistributionText(h);
    expect(text).toMatch(/Value\s+Percentile\s+TotalCount/);
    expect(text).toMatch(/#\[Max\s+=\s+1000\.\d+, Total count\s+=\s+1000\]/);
  });

  it('the interval log reads back into the same per-second histograms', () => {
    const series = new IntervalSeries();
    for (let ms = 0; ms < 3_500; ms += 7) series.record(ms, ms % 2 === 0 ? 'order_rtt' : 'fill_rtt', 1_000 + ms * 1_000);
    const text = intervalLogText(series, Date.UTC(2026, 10, 22), 'test run');
    expect(text).toMatch(/^#test run/);
    expect(text).toMatch(/Tag=order_rtt,0\.000,1\.000,/);
    const back = parseIntervalLog(text);
    expect(back.length).toBe(4);
    for (let i = 0; i < 4; i++) {
      for (const name of ['order_rtt', 'fill_rtt']) {
        expect(back.at(i).get(name).totalCount).toBe(series.at(i).get(name).totalCount);
        // Exact to the bucket: a decoded histogram reports each bucket's highest equivalent value.
        expect(back.at(i).get(name).getValueAtPercentile(100)).toBe(series.at(i).get(name).getValueAtPercentile(100));
        expect(back.at(i).get(name).getValueAtPercentile(50)).toBe(series.at(i).get(name).getValueAtPercentile(50));
      }
    }
  });
});
