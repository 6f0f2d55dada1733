import type * as hdr from 'hdr-histogram-js';
import { percentileCurve } from './percentileCurve.js';
import type { ChartSeries, ChartSpec } from './writers/htmlPage.js';

/** One curve of a percentile chart. */
export interface PercentileChartCurve {
  readonly label: string;
  readonly color: string;
  readonly dash?: boolean;
  /** Values in ns. */
  readonly histogram: hdr.Histogram;
}

/** Where a percentile chart goes and what it says. */
export interface PercentileChartOptions {
  readonly id: string;
  readonly title: string;
  readonly note: string;
}

const NS_PER_MS = 1_000_000;

/**
 * A chart of percentile distributions on HdrHistogram's log percentile axis, values in ms: the
 * curves' points ({@link percentileCurve}) put on one shared x grid (their union), each curve
 * ending at its own count (null beyond it, where it has no information). Empty histograms are
 * left out.
 */
export function percentileChart(options: PercentileChartOptions, curves: readonly PercentileChartCurve[]): ChartSpec {
  const drawn = curves.filter((c) => c.histogram.totalCount > 0);
  const byKey = new Map<string, number>();
  for (const curve of drawn) for (const p of percentileCurve(curve.histogram)) byKey.set(p.x.toPrecision(10), p.x);
  const x = [...byKey.values()].sort((a, b) => a - b);
  const series: ChartSeries[] = drawn.map((curve) => {
    const count = curve.histogram.totalCount;
    return {
      label: curve.label, color: curve.color, ...(curve.dash === true ? { dash: true } : {}),
      values: x.map((at) => {
        if (at > count * (1 + 1e-9)) return null;
        const valueNs = at >= count * (1 - 1e-9) ? curve.histogram.getValueAtPercentile(100) : curve.histogram.getValueAtPercentile(100 * (1 - 1 / at));
        return valueNs / NS_PER_MS;
      }),
    };
  });
  return { id: options.id, title: options.title, note: options.note, xAxis: 'percentile', yAxis: 'latency-ms', yLog: true, x, series,
    markers: [] };
}
