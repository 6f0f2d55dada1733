import { HistogramSet } from './HistogramSet.js';

/**
 * Latency histograms per second of a run: interval k holds the values whose measurement ended in
 * second [k, k+1) since the run's start. Each load generator keeps its own series; the run adds
 * them interval by interval (exact, like {@link HistogramSet}), which gives the interval log
 * (latency over time) and per-second percentiles for comparisons.
 */
export class IntervalSeries {
  private readonly intervals: HistogramSet[] = [];

  /** Length of one interval, in ms. */
  static readonly INTERVAL_MS = 1_000;

  /** Records `valueNs` under `name` in the interval containing `atMs` (ms since the run's start). */
  record(atMs: number, name: string, valueNs: number): void {
    this.at(Math.max(0, Math.floor(atMs / IntervalSeries.INTERVAL_MS))).record(name, valueNs);
  }

  /** The set of interval `index`, created on first use (with the ones before it). */
  at(index: number): HistogramSet {
    while (this.intervals.length <= index) this.intervals.push(new HistogramSet());
    return this.intervals[index] as HistogramSet;
  }

  /** Number of intervals (the last one that holds or held anything, plus one). */
  get length(): number {
    return this.intervals.length;
  }

  /** Adds `other` into this series, interval by interval. */
  add(other: IntervalSeries): void {
    for (let i = 0; i < other.intervals.length; i++) this.at(i).add(other.intervals[i] as HistogramSet);
  }

  /** Exact form for crossing threads: one encoded set per interval. */
  encode(): Record<string, string>[] {
    return this.intervals.map((set) => set.encode());
  }

  static decode(encoded: readonly Readonly<Record<string, string>>[]): IntervalSeries {
    const series = new IntervalSeries();
    encoded.forEach((set, i) => series.at(i).add(HistogramSet.decode(set)));
    return series;
  }

  /** Every interval in order, with its start in ms since the run's start. */
  *entries(): IterableIterator<{ readonly startMs: number; readonly set: HistogramSet }> {
    for (let i = 0; i < this.intervals.length; i++) {
      yield { startMs: i * IntervalSeries.INTERVAL_MS, set: this.intervals[i] as HistogramSet };
    }
  }
}
