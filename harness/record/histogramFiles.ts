import * as hdr from 'hdr-histogram-js';
import { HistogramSet } from './HistogramSet.js';
import { IntervalSeries } from './IntervalSeries.js';

/** ns per ms: the .hgrm and .hlog files give values in ms, as HdrHistogram's tools expect. */
const NS_PER_MS = 1_000_000;

/**
 * A histogram's percentile distribution in HdrHistogram's text format (the `.hgrm` file that
 * HdrHistogram's plotter and hdr-plot read), values in ms.
 */
export function percentileDistributionText(histogram: hdr.Histogram): string {
  return histogram.outputPercentileDistribution(5, NS_PER_MS);
}

/**
 * An HdrHistogram interval log (`.hlog`, the format of HistogramLogWriter/HistogramLogProcessor):
 * one line per interval and metric, tagged with the metric name, timestamps in s since the run's
 * start, max values in ms.
 */
export function intervalLogText(series: IntervalSeries, startEpochMs: number, comment: string): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((chunk) => { text += chunk; });
  writer.outputComment(comment);
  writer.outputLogFormatVersion();
  writer.outputStartTime(startEpochMs);
  writer.outputLegend();
  const seconds = IntervalSeries.INTERVAL_MS / 1_000;
  for (const { startMs, set } of series.entries()) {
    for (const name of set.names()) {
      const histogram = set.get(name);
      if (histogram.totalCount === 0) continue;
      histogram.tag = name;
      writer.outputIntervalHistogram(histogram, startMs / 1_000, startMs / 1_000 + seconds, NS_PER_MS);
    }
  }
  return text;
}

/**
 * Reads an interval log written by {@link intervalLogText} back into a series (for reports and
 * comparisons that start from a run directory).
 */
export function parseIntervalLog(text: string): IntervalSeries {
  const series = new IntervalSeries();
  for (const line of text.split('\n')) {
    const match = /^Tag=([^,]+),([\d.]+),([\d.]+),([\d.]+),(\S+)$/.exec(line.trim());
    if (match === null) continue;
    const [, tag, start, , , base64] = match as unknown as [string, string, string, string, string, string];
    const index = Math.round((Number(start) * 1_000) / IntervalSeries.INTERVAL_MS);
    const decoded = HistogramSet.decode({ [tag]: base64 });
    series.at(index).add(decoded);
  }
  return series;
}
