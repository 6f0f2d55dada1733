import type { IntervalSeries } from '../harness/record/IntervalSeries.js';
import { percentileChart, type PercentileChartCurve } from './percentileChart.js';
import type { RunDirectory } from './readRunDirectory.js';
import type { PhaseResult } from './RunResult.js';
import { chartColor, type ChartMarker, type ChartSeries, type ChartSpec } from './writers/htmlPage.js';

const NS_PER_MS = 1_000_000;
/** Request kinds whose corrected round trip is `<kind>_rtt` and service time `<kind>_service_time`. */
const RTT_SUFFIX = '_rtt';
const SERVICE_SUFFIX = '_service_time';
/** Round trips answered per request sent (fill_rtt is not: a fill answers an order already counted in order_rtt). */
const ANSWER_METRICS = ['order_rtt', 'cancel_rtt', 'replace_rtt'] as const;
const SEND_LAG = 'send_lag';
const FEED_PREFIX = 'feed_latency.';

/** Phase starts as chart markers (x in s since the run's start), and the end of the last phase. */
export function phaseMarkers(phases: readonly PhaseResult[]): ChartMarker[] {
  const markers: ChartMarker[] = phases.map((p) => ({ x: p.startMs / 1_000, label: p.name }));
  const last = phases[phases.length - 1];
  if (last !== undefined) markers.push({ x: (last.startMs + last.durationMs) / 1_000, label: 'end' });
  return markers;
}

/** x of each interval of the log: its middle, in s since the run's start (interval k covers [k, k+1) s). */
export function intervalMidpoints(intervals: IntervalSeries): number[] {
  const out: number[] = [];
  for (const { startMs } of intervals.entries()) out.push((startMs + 500) / 1_000);
  return out;
}

/** Per interval: the values of `metric` recorded in it (a count per second, intervals being 1 s). */
export function countsPerInterval(intervals: IntervalSeries, metrics: readonly string[]): number[] {
  const out: number[] = [];
  for (const { set } of intervals.entries()) {
    let n = 0;
    for (const m of metrics) n += set.find(m)?.totalCount ?? 0;
    out.push(n);
  }
  return out;
}

/** Per interval: `metric` at `percentile` in ms (100 = the interval's max), null where the interval has no value. */
export function percentilePerInterval(intervals: IntervalSeries, metric: string, percentile: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (const { set } of intervals.entries()) {
    const h = set.find(metric);
    if (h === undefined || h.totalCount === 0) out.push(null);
    else out.push((percentile >= 100 ? h.maxValue : h.getValueAtPercentile(percentile)) / NS_PER_MS);
  }
  return out;
}

/** Per x (s): the offered rate of the phase containing it, null outside every phase. */
export function offeredRateAt(phases: readonly PhaseResult[], xs: readonly number[]): (number | null)[] {
  return xs.map((s) => {
    const ms = s * 1_000;
    const phase = phases.find((p) => ms >= p.startMs && ms < p.startMs + p.durationMs);
    return phase === undefined ? null : phase.offeredRate;
  });
}

/** Request kinds with a corrected round-trip histogram in the run (order, fill, cancel, replace), in that order first. */
function requestKinds(run: RunDirectory): string[] {
  const preferred = ['order', 'fill', 'cancel', 'replace'];
  const kinds = run.histograms.names().filter((n) => n.endsWith(RTT_SUFFIX)).map((n) => n.slice(0, -RTT_SUFFIX.length));
  return [...preferred.filter((k) => kinds.includes(k)), ...kinds.filter((k) => !preferred.includes(k)).sort()];
}

/** Subscriber classes with a feed-latency histogram (not the 'all' roll-up). */
function feedClasses(run: RunDirectory): string[] {
  return run.histograms.names().filter((n) => n.startsWith(FEED_PREFIX)).map((n) => n.slice(FEED_PREFIX.length)).filter((c) => c !== 'all');
}

/**
 * The charts of report.html, as data: latency percentile distributions (corrected solid,
 * service time dashed, one colour per request kind), latency over time with phase boundaries,
 * offered versus achieved rate per second, and feed latency per subscriber class (distribution and
 * over time) when the run had a feed.
 */
export function reportCharts(run: RunDirectory): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const kinds = requestKinds(run);
  charts.push(percentileChart({
    id: 'latency-percentiles', title: 'Latency by percentile',
    note: 'solid: corrected round trip (from the intended send time: the numbers to trust); dashed: service time (from the actual send)',
  }, kinds.flatMap((kind, i) => {
    const curves: PercentileChartCurve[] = [{ label: `${kind}${RTT_SUFFIX}`, color: chartColor(i), histogram: run.histograms.get(`${kind}${RTT_SUFFIX}`) }];
    const service = run.histograms.find(`${kind}${SERVICE_SUFFIX}`);
    if (service !== undefined) curves.push({ label: `${kind}${SERVICE_SUFFIX}`, color: chartColor(i), dash: true, histogram: service });
    return curves;
  })));

  const x = intervalMidpoints(run.intervals);
  const markers = phaseMarkers(run.result.phases);
  // From 0 to the later of the last phase's end and the last interval, so every phase boundary shows.
  const xRange = [0, Math.max(run.intervals.length, ...markers.map((m) => m.x))] as const;
  const overTime: ChartSeries[] = [
    { label: 'order_rtt p50', color: chartColor(0), values: percentilePerInterval(run.intervals, 'order_rtt', 50) },
    { label: 'order_rtt p99', color: chartColor(1), values: percentilePerInterval(run.intervals, 'order_rtt', 99) },
    { label: 'order_rtt max', color: chartColor(3), values: percentilePerInterval(run.intervals, 'order_rtt', 100) },
    { label: 'order_service_time p99', color: chartColor(1), dash: true, values: percentilePerInterval(run.intervals, 'order_service_time', 99) },
    { label: 'send_lag p99', color: chartColor(2), dash: true, values: percentilePerInterval(run.intervals, SEND_LAG, 99) },
  ];
  charts.push({ id: 'latency-over-time', title: 'Latency over time', note: 'per second, from the interval log; dashed lines mark phase boundaries',
    xAxis: 'seconds', yAxis: 'latency-ms', yLog: true, x, xRange, series: overTime, markers });

  charts.push({ id: 'rate-over-time', title: 'Offered versus achieved rate',
    note: 'offered: the phase\'s mean asked-for rate; sent: requests sent that second (send_lag counts); answered: order, cancel and replace answers that second',
    xAxis: 'seconds', yAxis: 'rate', yLog: false, x, xRange, markers, series: [
      { label: 'offered (phase mean)', color: chartColor(8), stepped: true, values: offeredRateAt(run.result.phases, x) },
      { label: 'sent', color: chartColor(0), values: countsPerInterval(run.intervals, [SEND_LAG]) },
      { label: 'answered', color: chartColor(2), dash: true, values: countsPerInterval(run.intervals, ANSWER_METRICS) },
    ] });

  const classes = feedClasses(run);
  if (classes.length > 0) {
    charts.push(percentileChart({ id: 'feed-percentiles', title: 'Feed latency by subscriber class',
      note: "engine frame timestamp to receipt, per class; a slow or stalled class's tail is its backlog" },
    classes.map((c, i) => ({ label: c, color: chartColor(i), histogram: run.histograms.get(`${FEED_PREFIX}${c}`) }))));
    charts.push({ id: 'feed-over-time', title: 'Feed latency over time (p99 per second)', note: 'per subscriber class; dashed lines mark phase boundaries',
      xAxis: 'seconds', yAxis: 'latency-ms', yLog: true, x, xRange, markers,
      series: classes.map((c, i) => ({ label: `${c} p99`, color: chartColor(i), values: percentilePerInterval(run.intervals, `${FEED_PREFIX}${c}`, 99) })) });
  }
  return charts;
}
