import { HistogramSet, type LatencySummary } from '../record/HistogramSet.js';
import type { Threshold } from '../scenario/Scenario.js';
import type { RunResult, ThresholdResult } from '../../reports/RunResult.js';

/** What thresholds are judged on: a result without its verdict and threshold lines. */
export type Measured = Omit<RunResult, 'verdict' | 'thresholds'>;

const NS_PER_MS = 1_000_000;

function latencyStat(m: Measured, metric: string, summary: LatencySummary, stat: string): number | null {
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (percentile !== null) {
    const encoded = m.histograms[metric];
    if (encoded === undefined) return null;
    return HistogramSet.decode({ [metric]: encoded }).get(metric).getValueAtPercentile(Number(percentile[1])) / NS_PER_MS;
  }
  switch (stat) {
    case 'max': return summary.maxNs / NS_PER_MS;
    case 'min': return summary.minNs / NS_PER_MS;
    case 'mean': return summary.meanNs / NS_PER_MS;
    case 'count': return summary.count;
    default: return null;
  }
}

function feedCount(m: Measured, className: string, pick: (f: Measured['feed'][string]) => number): number | null {
  if (className === 'all') {
    const all = Object.values(m.feed);
    return all.length === 0 ? null : all.reduce((sum, f) => sum + pick(f), 0);
  }
  const f = m.feed[className];
  return f === undefined ? null : pick(f);
}

/** A counter as its stat asks: the count, or per second of the run's phases. */
function counter(m: Measured, value: number | null, stat: string): number | null {
  if (value === null) return null;
  if (stat !== 'rate') return value;
  const seconds = m.phases.reduce((s, p) => s + p.durationMs, 0) / 1_000;
  return seconds === 0 ? null : value / seconds;
}

/**
 * The measured value a threshold speaks of, in its unit (ms for latencies), or null when the run
 * did not measure it (a feed class with no subscribers, a latency with no samples). The metric
 * vocabulary is harness/scenario/thresholdMetrics.ts.
 */
export function measuredValue(m: Measured, t: Pick<Threshold, 'metric' | 'stat'>): number | null {
  const latency = m.latency[t.metric];
  if (latency !== undefined) return latency.count === 0 && t.stat !== 'count' ? null : latencyStat(m, t.metric, latency, t.stat);
  const dot = t.metric.indexOf('.');
  const family = dot < 0 ? t.metric : t.metric.slice(0, dot);
  const className = dot < 0 ? 'all' : t.metric.slice(dot + 1);
  if (family === 'feed_latency') return null;
  const o = m.orders;
  switch (family) {
    case 'feed_gaps': return counter(m, feedCount(m, className, (f) => f.gaps), t.stat);
    case 'feed_drops': return counter(m, feedCount(m, className, (f) => f.drops), t.stat);
    case 'feed_frames': return counter(m, feedCount(m, className, (f) => f.frames), t.stat);
    case 'feed_errors': return counter(m, feedCount(m, className, (f) => f.protocolErrors), t.stat);
    case 'disconnects': return counter(m, feedCount(m, className, (f) => f.disconnects), t.stat);
    case 'reconnects': return counter(m, feedCount(m, className, (f) => f.reconnects), t.stat);
    case 'orders': return counter(m, o.sent, t.stat);
    case 'unanswered': return counter(m, o.unanswered, t.stat);
    case 'errors': return counter(m, m.errors.length, t.stat);
    case 'invariant_violations': return counter(m, m.invariants.violations.length, t.stat);
    case 'rejects':
      if (t.stat === 'ratio') return o.sent === 0 ? null : o.rejected / o.sent;
      return counter(m, o.rejected, t.stat);
    case 'achieved_rate': {
      const offered = m.phases.reduce((s, p) => s + p.offered, 0);
      const seconds = m.phases.reduce((s, p) => s + p.durationMs, 0) / 1_000;
      if (t.stat === 'ratio') return offered === 0 ? null : o.sent / offered;
      if (t.stat === 'min_ratio') {
        const ratios = m.phases.filter((p) => p.offered > 0).map((p) => p.sent / p.offered);
        return ratios.length === 0 ? null : Math.min(...ratios);
      }
      return seconds === 0 ? null : o.sent / seconds;
    }
    case 'arrivals': return t.stat === 'statistic' ? m.arrivals.ksStatistic : m.arrivals.pValue;
    default: return null;
  }
}

function holds(actual: number, op: Threshold['op'], value: number): boolean {
  switch (op) {
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    case '==': return actual === value;
    case '!=': return actual !== value;
  }
}

/**
 * Judges every threshold. One whose metric was not measured fails (a rule about something the
 * run never saw must not pass silently).
 */
export function evaluateThresholds(m: Measured, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = measuredValue(m, t);
    return { source: t.source, actual, passed: actual !== null && holds(actual, t.op, t.value) };
  });
}
