import type { LatencySummary } from '../record/HistogramSet.js';
import type { Threshold } from '../scenario/Scenario.js';
import type { RunResult, ThresholdResult } from '../../reports/RunResult.js';

/** What thresholds are judged on: a result without its verdict and threshold lines. */
export type Measured = Omit<RunResult, 'verdict' | 'thresholds'>;

const NS_PER_MS = 1_000_000;

function latencyStat(summary: LatencySummary, stat: string): number | null {
  switch (stat) {
    case 'p50': return summary.p50Ns / NS_PER_MS;
    case 'p90': return summary.p90Ns / NS_PER_MS;
    case 'p99': return summary.p99Ns / NS_PER_MS;
    case 'p99.9': return summary.p999Ns / NS_PER_MS;
    case 'p99.99': return summary.p9999Ns / NS_PER_MS;
    case 'max': return summary.maxNs / NS_PER_MS;
    case 'min': return summary.minNs / NS_PER_MS;
    case 'mean': return summary.meanNs / NS_PER_MS;
    case 'count': return summary.count;
    default: return null;
  }
}

function feedCount(m: Measured, className: string, pick: (f: Measured['feed'][string]) => number): number | null {
  if (className === 'all' || className === '') {
    const all = Object.values(m.feed);
    return all.length === 0 ? null : all.reduce((sum, f) => sum + pick(f), 0);
  }
  const f = m.feed[className];
  return f === undefined ? null : pick(f);
}

/**
 * The measured value a threshold speaks of, in its unit (ms for latencies), or null when the run
 * did not measure it (a feed class with no subscribers, a latency with no samples).
 */
export function measuredValue(m: Measured, t: Pick<Threshold, 'metric' | 'stat'>): number | null {
  const latency = m.latency[t.metric];
  if (latency !== undefined) return latency.count === 0 && t.stat !== 'count' ? null : latencyStat(latency, t.stat);
  const [family = '', className = 'all'] = t.metric.split('.');
  const o = m.orders;
  switch (family) {
    case 'feed_gaps': return feedCount(m, className, (f) => f.gaps);
    case 'feed_drops': return feedCount(m, className, (f) => f.drops);
    case 'feed_frames': return feedCount(m, className, (f) => f.frames);
    case 'disconnects': return feedCount(m, className, (f) => f.disconnects);
    case 'reconnects': return feedCount(m, className, (f) => f.reconnects);
    case 'feed_errors': return feedCount(m, className, (f) => f.protocolErrors);
    case 'achieved_rate': {
      const offered = m.phases.reduce((s, p) => s + p.offered, 0);
      const seconds = m.phases.reduce((s, p) => s + p.durationMs, 0) / 1_000;
      if (t.stat === 'ratio') return offered === 0 ? null : o.sent / offered;
      return seconds === 0 ? null : o.sent / seconds;
    }
    case 'rejects': return o.rejected;
    case 'unanswered': return o.unanswered;
    case 'errors': return m.errors.length;
    case 'invariant_violations': return m.invariants.violations.length;
    case 'arrivals': return t.stat === 'p_value' || t.stat === 'pvalue' ? m.arrivals.pValue : m.arrivals.ksStatistic;
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
