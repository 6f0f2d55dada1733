import { describe, expect, it } from 'vitest';
import { parseThreshold } from './parseThreshold.js';
import { THRESHOLD_METRICS } from './thresholdMetrics.js';

function ok(rule: string): unknown {
  const parsed = parseThreshold(rule);
  if (!parsed.ok) throw new Error(`expected "${rule}" to parse: ${parsed.problems.join('; ')}`);
  return parsed.threshold;
}

function problems(rule: string): readonly string[] {
  const parsed = parseThreshold(rule);
  if (parsed.ok) throw new Error(`expected "${rule}" to be refused`);
  return parsed.problems;
}

describe('parseThreshold', () => {
  it('reads the k6-style forms the docs show, with every latency normalised to ms', () => {
    expect(ok('order_rtt.p99 < 2ms')).toEqual({ source: 'order_rtt.p99 < 2ms', metric: 'order_rtt', stat: 'p99', op: '<', value: 2, unit: 'ms' });
    expect(ok('fill_rtt.p99.9 <= 5ms')).toMatchObject({ metric: 'fill_rtt', stat: 'p99.9', op: '<=', value: 5, unit: 'ms' });
    expect(ok('feed_gaps.fast == 0')).toMatchObject({ metric: 'feed_gaps.fast', stat: 'count', op: '==', value: 0, unit: 'count' });
    expect(ok('achieved_rate.ratio >= 0.95')).toMatchObject({ metric: 'achieved_rate', stat: 'ratio', op: '>=', value: 0.95, unit: 'ratio' });
    expect(ok('errors.count == 0')).toMatchObject({ metric: 'errors', stat: 'count', value: 0, unit: 'count' });
    expect(ok('feed_latency.slow.p99.99 > 1s')).toMatchObject({ metric: 'feed_latency.slow', stat: 'p99.99', op: '>', value: 1000 });
    expect(ok('rejects.rate != 10/s')).toMatchObject({ metric: 'rejects', stat: 'rate', op: '!=', value: 10, unit: 'per_second' });
  });

  it('converts ns, us, µs, ms and s to ms, and a percentage to a ratio', () => {
    const value = (rule: string): number => (ok(rule) as { value: number }).value;
    expect(value('order_rtt.max < 250000ns')).toBeCloseTo(0.25, 12);
    expect(value('order_rtt.max < 250us')).toBeCloseTo(0.25, 12);
    expect(value('order_rtt.max < 250µs')).toBeCloseTo(0.25, 12);
    expect(value('order_rtt.max < 1.5ms')).toBe(1.5);
    expect(value('order_rtt.max < 2 s')).toBe(2_000);
    expect(value('achieved_rate.min_ratio >= 95%')).toBeCloseTo(0.95, 12);
  });

  it('accepts p(99) and writes percentiles in one form', () => {
    expect(ok('order_rtt.p(99) < 2ms')).toMatchObject({ stat: 'p99' });
    expect(ok('order_rtt.p99.90 < 2ms')).toMatchObject({ stat: 'p99.9' });
    expect(ok('order_rtt.p100 < 2ms')).toMatchObject({ stat: 'p100' });
  });

  it('gives counters their default stat and takes the count stat of a latency', () => {
    expect(ok('invariant_violations == 0')).toMatchObject({ stat: 'count' });
    expect(ok('arrivals >= 0.01')).toMatchObject({ stat: 'p_value', unit: 'ratio' });
    expect(ok('order_rtt.count > 1000')).toMatchObject({ stat: 'count', unit: 'count' });
  });

  it('accepts every metric of the vocabulary with one of its stats', () => {
    for (const metric of THRESHOLD_METRICS) {
      const subject = metric.classes === null ? metric.name : `${metric.name}.${metric.classes[0]!}`;
      const rule = metric.kind === 'latency' ? `${subject}.p99 < 1ms` : metric.kind === 'achieved' ? `${subject}.ratio > 0.5` : `${subject} >= 0`;
      expect(parseThreshold(rule).ok, rule).toBe(true);
    }
  });

  it('refuses an unknown metric, suggesting the nearest and listing all', () => {
    const [problem] = problems('order_rt.p99 < 2ms');
    expect(problem).toMatch(/^unknown metric "order_rt" \(did you mean "order_rtt"\?\); metrics: order_rtt, fill_rtt, /);
    expect(problem).toContain('invariant_violations');
  });

  it('refuses an unknown stat with the stats of that metric', () => {
    expect(problems('order_rtt.p99x < 2ms')).toEqual([expect.stringMatching(/^order_rtt: unknown stat "p99x".*stats of order_rtt: p<N>, min, mean, max, count$/)]);
    expect(problems('errors.p99 == 0')).toEqual(['errors: unknown stat "p99"; stats of errors: count, rate']);
    expect(problems('order_rtt.avg < 2ms')[0]).toContain('stats of order_rtt: p<N>, min, mean, max, count');
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(problems('order_rtt.p0 < 2ms')).toEqual(['order_rtt.p0: a percentile must be above 0 and at most 100']);
    expect(problems('order_rtt.p101 < 2ms')).toEqual(['order_rtt.p101: a percentile must be above 0 and at most 100']);
  });

  it('requires a stat where there is no default', () => {
    expect(problems('order_rtt < 2ms')).toEqual([expect.stringMatching(/^order_rtt: name a stat, e.g. order_rtt.p99; stats: p<N>/)]);
    expect(problems('achieved_rate >= 0.9')[0]).toMatch(/^achieved_rate: name a stat, e.g. achieved_rate.ratio/);
  });

  it('requires a subscriber class on per-class metrics and refuses unknown or meaningless ones', () => {
    expect(problems('feed_gaps == 0')).toEqual(['feed_gaps is kept per subscriber class: write feed_gaps.<class> with class one of fast, slow, stalled, churning, all']);
    expect(problems('feed_gaps.quick == 0')).toEqual(['feed_gaps: unknown subscriber class "quick"; classes: fast, slow, stalled, churning, all']);
    expect(problems('feed_latency.stalled.p99 < 1ms')[0]).toMatch(/stalled subscribers read nothing after login, so they have no feed_latency/);
  });

  it('insists on a duration unit for latencies, and no unit for counts', () => {
    expect(problems('order_rtt.p99 < 2')).toEqual(['2: a latency needs a unit, one of ns, us, µs, ms, s (e.g. 2ms)']);
    expect(problems('order_rtt.p99 < 2min')).toEqual(['2min: unknown duration unit "min"; units: ns, us, µs, ms, s']);
    expect(problems('errors.count == 0ms')).toEqual(['0ms: a count takes no unit']);
    expect(problems('errors.rate < 3ms')).toEqual(['3ms: a rate is per second, written without a unit or with "/s"']);
    expect(problems('achieved_rate.ratio > 9x')).toEqual(['9x: a ratio is a plain number (0.95) or a percentage (95%)']);
  });

  it('refuses a bad operator, a missing side and a value that is not a number, all at once', () => {
    expect(problems('order_rtt.p99 = 2ms')).toEqual(['unknown operator "=" (write "=="); operators: <= >= == != < >']);
    expect(problems('order_rtt.p99 => 2ms')[0]).toMatch(/^unknown operator "=>"/);
    expect(problems('order_rtt.p99 2ms')).toEqual([expect.stringMatching(/^no comparison/)]);
    expect(problems('< 2ms')).toEqual(['no metric before the operator']);
    expect(problems('order_rtt.p99 <')).toEqual(['no value after the operator']);
    expect(problems('order_rtt.p99 < fast')).toEqual(['"fast" is not a number with an optional unit']);
    expect(problems('')).toEqual(['empty rule; write e.g. "order_rtt.p99 < 2ms"']);
    expect(problems('order_rt.p99 =< x')).toHaveLength(3);
  });
});
