import type { Threshold } from './Scenario.js';

/**
 * The vocabulary of thresholds: which metrics a rule may name, which stats each has, and the unit
 * of each stat's value. Documented in docs/SCENARIOS.md (a test keeps the two in step); the runner
 * evaluates rules against the same names.
 */

/** Market-data subscriber classes a per-class metric is kept for, plus `all` (every class together). */
export const METRIC_CLASSES = ['fast', 'slow', 'stalled', 'churning', 'all'] as const;
export type MetricClass = (typeof METRIC_CLASSES)[number];

/** How a metric is kept, which decides its stats. */
export type MetricKind =
  /** An HdrHistogram of latencies: percentiles, min, mean, max in ms, and count. */
  | 'latency'
  /** A count of events over the run: count, and rate per second of run time. */
  | 'counter'
  /** Orders per second achieved against offered. */
  | 'achieved'
  /** Rejects: count, rate, and ratio to order-entry requests sent. */
  | 'rejects'
  /** The Kolmogorov-Smirnov check of inter-arrival times. */
  | 'ks';

/** One metric of the vocabulary. */
export interface MetricDefinition {
  readonly name: string;
  readonly kind: MetricKind;
  /** Classes the metric is kept per (written `name.class`), or null for a run-wide metric. */
  readonly classes: readonly MetricClass[] | null;
  /** The stat used when a rule names none (`feed_gaps.fast == 0`), or null when it must be named. */
  readonly defaultStat: string | null;
  /** What is measured, for docs and messages. */
  readonly meaning: string;
}

const FEED_CLASSES = METRIC_CLASSES;
/** Stalled subscribers read nothing after login, so they have no feed latency. */
const READING_CLASSES: readonly MetricClass[] = ['fast', 'slow', 'churning', 'all'];

/** Every metric a threshold may name. */
export const THRESHOLD_METRICS: readonly MetricDefinition[] = [
  { name: 'order_rtt', kind: 'latency', classes: null, defaultStat: null,
    meaning: 'NEW_ORDER round trip: intended send time (coordinated-omission corrected) to its ACK or REJECT' },
  { name: 'fill_rtt', kind: 'latency', classes: null, defaultStat: null,
    meaning: 'intended send time of an order that trades on arrival to its first FILL' },
  { name: 'cancel_rtt', kind: 'latency', classes: null, defaultStat: null,
    meaning: 'CANCEL round trip: intended send time to CANCELED or REJECT' },
  { name: 'replace_rtt', kind: 'latency', classes: null, defaultStat: null,
    meaning: 'REPLACE round trip: intended send time to its ACK or REJECT' },
  { name: 'order_service_time', kind: 'latency', classes: null, defaultStat: null,
    meaning: 'as order_rtt, from the actual send time (service time, not corrected for coordinated omission)' },
  { name: 'fill_service_time', kind: 'latency', classes: null, defaultStat: null, meaning: 'as fill_rtt, from the actual send time' },
  { name: 'cancel_service_time', kind: 'latency', classes: null, defaultStat: null, meaning: 'as cancel_rtt, from the actual send time' },
  { name: 'replace_service_time', kind: 'latency', classes: null, defaultStat: null, meaning: 'as replace_rtt, from the actual send time' },
  { name: 'feed_latency', kind: 'latency', classes: READING_CLASSES, defaultStat: null,
    meaning: "a market-data frame's engine timestamp to its receipt by a subscriber of the class (same host clock); not kept for stalled" },
  { name: 'feed_gaps', kind: 'counter', classes: FEED_CLASSES, defaultStat: 'count',
    meaning: 'breaks in the feed sequence seen by subscribers of the class' },
  { name: 'feed_drops', kind: 'counter', classes: FEED_CLASSES, defaultStat: 'count',
    meaning: 'feed messages missing in those breaks (the sum of the gap sizes)' },
  { name: 'feed_frames', kind: 'counter', classes: FEED_CLASSES, defaultStat: 'count',
    meaning: 'feed frames received by subscribers of the class' },
  { name: 'feed_errors', kind: 'counter', classes: FEED_CLASSES, defaultStat: 'count',
    meaning: 'protocol errors (bad CRC, malformed frames) seen by subscribers of the class' },
  { name: 'disconnects', kind: 'counter', classes: FEED_CLASSES, defaultStat: 'count',
    meaning: "subscriber connections ended by the engine or the network (a churning subscriber's own reconnects excluded)" },
  { name: 'reconnects', kind: 'counter', classes: FEED_CLASSES, defaultStat: 'count',
    meaning: 'successful reconnects of subscribers of the class' },
  { name: 'orders', kind: 'counter', classes: null, defaultStat: 'count',
    meaning: 'order-entry requests sent (new orders, cancels and replaces)' },
  { name: 'rejects', kind: 'rejects', classes: null, defaultStat: 'count', meaning: 'REJECTs received' },
  { name: 'unanswered', kind: 'counter', classes: null, defaultStat: 'count',
    meaning: 'order-entry requests still unanswered when the run ended' },
  { name: 'errors', kind: 'counter', classes: null, defaultStat: 'count',
    meaning: 'harness-side errors: SESSION_ERRORs, protocol errors, lost connections, requests never answered' },
  { name: 'invariant_violations', kind: 'counter', classes: null, defaultStat: 'count',
    meaning: 'broken book or event-stream invariants found by the live checks' },
  { name: 'achieved_rate', kind: 'achieved', classes: null, defaultStat: null,
    meaning: 'order-entry requests actually sent per second, against the rate the phases offered' },
  { name: 'arrivals', kind: 'ks', classes: null, defaultStat: 'p_value',
    meaning: 'Kolmogorov-Smirnov test that achieved inter-arrival times are exponential' },
];

/** Fixed (non-percentile) stats of each kind, with the unit of their value. */
export const KIND_STATS: Readonly<Record<MetricKind, Readonly<Record<string, Threshold['unit']>>>> = {
  latency: { min: 'ms', mean: 'ms', max: 'ms', count: 'count' },
  counter: { count: 'count', rate: 'per_second' },
  achieved: { ratio: 'ratio', min_ratio: 'ratio', rate: 'per_second' },
  rejects: { count: 'count', rate: 'per_second', ratio: 'ratio' },
  ks: { p_value: 'ratio', statistic: 'ratio' },
};

/** What each stat means, for docs. */
export const STAT_MEANINGS: Readonly<Record<string, string>> = {
  'p<N>': 'percentile N of the histogram, 0 < N <= 100 (p50, p99, p99.9, p99.99; also written p(99))',
  min: 'smallest value',
  mean: 'mean value',
  max: 'largest value',
  count: 'number of values or events over the whole run',
  rate: 'events per second of run time',
  ratio: 'rejects: rejects per request sent; achieved_rate: requests sent per request offered, whole run',
  min_ratio: 'achieved_rate: the lowest per-phase ratio of sent to offered',
  p_value: 'the p-value of the test (small: not exponential)',
  statistic: 'the KS statistic D (largest distance between the CDFs)',
};

/** The definition of `name`, if the vocabulary has it. */
export function metricDefinition(name: string): MetricDefinition | undefined {
  return THRESHOLD_METRICS.find((metric) => metric.name === name);
}

/** The stats `kind` accepts, as listed in messages (`p<N>` stands for any percentile). */
export function statNames(kind: MetricKind): string[] {
  return [...(kind === 'latency' ? ['p<N>'] : []), ...Object.keys(KIND_STATS[kind])];
}
