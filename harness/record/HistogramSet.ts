import * as hdr from 'hdr-histogram-js';

/** How every latency histogram in a run is built, so that any two can be added exactly. */
export const LATENCY_HISTOGRAM = {
  /** Values are ns; 1 ns resolution at the bottom. */
  lowestDiscernibleValue: 1,
  /** 60 s in ns; autoResize raises it if a stall is longer. */
  highestTrackableValue: 60_000_000_000,
  /** 3 digits: a value is stored within 0.1%. */
  numberOfSignificantValueDigits: 3,
  bitBucketSize: 32,
  autoResize: true,
} as const satisfies hdr.BuildRequest;

/** A fresh latency histogram (values in ns). */
export function latencyHistogram(): hdr.Histogram {
  return hdr.build(LATENCY_HISTOGRAM);
}

/** Percentiles every summary reports, in this order. */
export const SUMMARY_PERCENTILES = [50, 90, 99, 99.9, 99.99] as const;

/** A histogram's summary in ns (count 0: every field 0). */
export interface LatencySummary {
  readonly count: number;
  readonly minNs: number;
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly p9999Ns: number;
  readonly maxNs: number;
}

/** Summarises a histogram of ns values. */
export function summarize(histogram: hdr.Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, minNs: 0, meanNs: 0, p50Ns: 0, p90Ns: 0, p99Ns: 0, p999Ns: 0, p9999Ns: 0, maxNs: 0 };
  const at = (p: number): number => histogram.getValueAtPercentile(p);
  return {
    count,
    minNs: histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue,
    meanNs: Math.round(histogram.mean),
    p50Ns: at(50), p90Ns: at(90), p99Ns: at(99), p999Ns: at(99.9), p9999Ns: at(99.99),
    maxNs: histogram.maxValue,
  };
}

/**
 * Named latency histograms (metric name → histogram of ns), the unit in which load generators
 * hand their measurements over: encoded (HdrHistogram's compressed base64, exact), then decoded
 * and added on the other side. Percentiles are only ever read from the added histograms, never
 * averaged across workers.
 */
export class HistogramSet {
  private readonly histograms = new Map<string, hdr.Histogram>();

  /** The histogram for `name`, created empty on first use. */
  get(name: string): hdr.Histogram {
    let histogram = this.histograms.get(name);
    if (histogram === undefined) {
      histogram = latencyHistogram();
      this.histograms.set(name, histogram);
    }
    return histogram;
  }

  /** The histogram for `name` if anything created it. */
  find(name: string): hdr.Histogram | undefined {
    return this.histograms.get(name);
  }

  /** Records one value in ns (rounded; negative values, which a clock step could give, count as 0). */
  record(name: string, valueNs: number): void {
    this.get(name).recordValue(valueNs > 0 ? Math.round(valueNs) : 0);
  }

  /** Metric names, sorted. */
  names(): string[] {
    return [...this.histograms.keys()].sort();
  }

  /** Adds every histogram of `other` into this set. */
  add(other: HistogramSet): void {
    for (const [name, histogram] of other.histograms) this.get(name).add(histogram);
  }

  /** Removes every value, keeping the names. */
  reset(): void {
    for (const histogram of this.histograms.values()) histogram.reset();
  }

  /** True when no histogram holds a value. */
  get empty(): boolean {
    for (const histogram of this.histograms.values()) if (histogram.totalCount > 0) return false;
    return true;
  }

  /** Exact, compact form for crossing threads and for result.json: name → compressed base64. */
  encode(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.names()) out[name] = hdr.encodeIntoCompressedBase64(this.get(name));
    return out;
  }

  /** The inverse of {@link encode}. Throws on a string that is not an encoded histogram. */
  static decode(encoded: Readonly<Record<string, string>>): HistogramSet {
    const set = new HistogramSet();
    for (const [name, base64] of Object.entries(encoded)) {
      const decoded = hdr.decodeFromCompressedBase64(base64, LATENCY_HISTOGRAM.bitBucketSize, false);
      set.get(name).add(decoded);
    }
    return set;
  }

  /** Summaries of every histogram, by name. */
  summaries(): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const name of this.names()) out[name] = summarize(this.get(name));
    return out;
  }
}
