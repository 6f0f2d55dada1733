import * as hdr from 'hdr-histogram-js';
import { LATENCY_HISTOGRAM, latencyHistogram } from '../record/HistogramSet.js';
import type { SubscriberClass } from '../scenario/Scenario.js';
import { mergeFeedViolations, type FeedViolationSummary } from '../check/snapshotInvariants.js';
import { addFeedCounts, emptyFeedCounts, type FeedCounts } from './FeedSubscriber.js';
import type { LayoutFeedCounts } from '../feeds/LayoutFrameDecoder.js';
import type { MoldFeedCounts } from '../feeds/mold/MoldFeedReader.js';

/** The classes in the order results list them. */
export const SUBSCRIBER_CLASSES: readonly SubscriberClass[] = ['fast', 'slow', 'stalled', 'churning'];

/** Errors kept as text per class. */
const MAX_ERRORS_KEPT = 10;

/**
 * What the subscribers of one class measured, over an interval or a whole run, in a form that
 * crosses threads (plain data) and merges exactly: counts add, the latency histogram is encoded
 * (HdrHistogram compressed base64) and added after decoding, never averaged.
 */
export interface SubscriberClassResult {
  readonly class: SubscriberClass;
  /** Subscribers of the class. */
  readonly subscribers: number;
  /** Of them, logged in when the result was taken. */
  readonly active: number;
  readonly counts: FeedCounts;
  /** Why sessions ended, by kind, summed. */
  readonly endReasons: Readonly<Record<string, number>>;
  /** The first few protocol errors and book mismatches, one line each. */
  readonly errors: readonly string[];
  /** Feed latency of every feed frame received, ns: encoded with `hdr.encodeIntoCompressedBase64`. */
  readonly latencyHistogram: string;
  /** Lowest and highest last feed sequence among the logged-in subscribers; −1 when none is. */
  readonly minLastFeedSequence: number;
  readonly maxLastFeedSequence: number;
  /**
   * Digests of the books subscribers hold exact (`FeedBook.digest`): symbol id → digest →
   * subscribers holding it. Present when asked for (end of run).
   */
  readonly books?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Books not exact (a gap not yet resynced, a cut snapshot); with `books`. */
  readonly inexactBooks?: number;
  /** Feed invariants broken on BOOK_SNAPSHOTs (harness/check/snapshotInvariants.ts); with `books`. */
  readonly feedViolations?: FeedViolationSummary;
  /** The layout readers' own figures, when the class read a layout feed (LayoutFeedSubscriber, MoldFeedSubscriber); whole-run results only. */
  readonly layout?: LayoutClassFigures;
}

/** What the layout-feed readers of a class measured beyond {@link FeedCounts}: the figures `matchbench feed` prints. */
export interface LayoutClassFigures {
  /** The layout's name. */
  readonly name: string;
  /** Summed over the readers (`maxGapFrames`: the largest). */
  readonly counts: Readonly<LayoutFeedCounts>;
  readonly framesByType: Readonly<Record<string, number>>;
  /** How the reads ended: verdict → readers (`stopped`: by the harness at the end of the run). */
  readonly verdicts: Readonly<Record<string, number>>;
  /** MoldUDP64 feeds: packets, sequence gaps, recoveries, losses and re-requests, summed. */
  readonly mold?: Readonly<MoldFeedCounts>;
}

/** `a` and `b` added: counts summed (`maxGapFrames` the larger), frames per type and verdicts summed. */
export function addLayoutClassFigures(a: LayoutClassFigures | undefined, b: LayoutClassFigures): LayoutClassFigures {
  if (a === undefined) return { ...b, counts: { ...b.counts }, framesByType: { ...b.framesByType }, verdicts: { ...b.verdicts } };
  const counts = { ...a.counts };
  for (const key of Object.keys(counts) as (keyof LayoutFeedCounts)[]) {
    counts[key] = key === 'maxGapFrames' ? Math.max(counts[key], b.counts[key]) : counts[key] + b.counts[key];
  }
  const add = (x: Readonly<Record<string, number>>, y: Readonly<Record<string, number>>): Record<string, number> => {
    const out = { ...x };
    for (const [k, n] of Object.entries(y)) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  const mold = a.mold === undefined || b.mold === undefined ? a.mold ?? b.mold
    : add(a.mold as unknown as Record<string, number>, b.mold as unknown as Record<string, number>) as unknown as MoldFeedCounts;
  return { name: a.name, counts, framesByType: add(a.framesByType, b.framesByType), verdicts: add(a.verdicts, b.verdicts),
    ...(mold === undefined ? {} : { mold }) };
}

/** Decodes a class result's latency histogram (ns). */
export function decodeLatency(encoded: string): hdr.Histogram {
  const histogram = latencyHistogram();
  if (encoded !== '') histogram.add(hdr.decodeFromCompressedBase64(encoded, LATENCY_HISTOGRAM.bitBucketSize, false));
  return histogram;
}

/** Encodes a latency histogram for a {@link SubscriberClassResult}. */
export function encodeLatency(histogram: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/**
 * Merges results from several pools (threads) class by class: counts and end reasons summed,
 * histograms decoded and added, sequences min/max'ed, book digests counted together. Classes in
 * {@link SUBSCRIBER_CLASSES} order.
 */
export function mergeClassResults(results: readonly (readonly SubscriberClassResult[])[]): SubscriberClassResult[] {
  const merged: SubscriberClassResult[] = [];
  for (const cls of SUBSCRIBER_CLASSES) {
    const parts = results.flatMap((r) => r.filter((c) => c.class === cls));
    if (parts.length === 0) continue;
    const counts = emptyFeedCounts();
    const endReasons: Record<string, number> = {};
    const errors: string[] = [];
    const histogram = latencyHistogram();
    let subscribers = 0;
    let active = 0;
    let minSeq = -1;
    let maxSeq = -1;
    let books: Record<string, Record<string, number>> | undefined;
    let inexactBooks: number | undefined;
    const feedViolations: (FeedViolationSummary | undefined)[] = [];
    let layout: LayoutClassFigures | undefined;
    for (const part of parts) {
      feedViolations.push(part.feedViolations);
      if (part.layout !== undefined) layout = addLayoutClassFigures(layout, part.layout);
      subscribers += part.subscribers;
      active += part.active;
      addFeedCounts(counts, part.counts);
      for (const [reason, n] of Object.entries(part.endReasons)) endReasons[reason] = (endReasons[reason] ?? 0) + n;
      for (const e of part.errors) if (errors.length < MAX_ERRORS_KEPT) errors.push(e);
      histogram.add(decodeLatency(part.latencyHistogram));
      if (part.minLastFeedSequence >= 0) minSeq = minSeq < 0 ? part.minLastFeedSequence : Math.min(minSeq, part.minLastFeedSequence);
      maxSeq = Math.max(maxSeq, part.maxLastFeedSequence);
      if (part.books !== undefined) {
        books ??= {};
        for (const [symbol, digests] of Object.entries(part.books)) {
          const into = (books[symbol] ??= {});
          for (const [digest, n] of Object.entries(digests)) into[digest] = (into[digest] ?? 0) + n;
        }
        inexactBooks = (inexactBooks ?? 0) + (part.inexactBooks ?? 0);
      }
    }
    merged.push({
      class: cls, subscribers, active, counts, endReasons, errors, latencyHistogram: encodeLatency(histogram),
      minLastFeedSequence: minSeq, maxLastFeedSequence: maxSeq,
      ...(books === undefined ? {} : { books, inexactBooks: inexactBooks ?? 0 }),
      ...(feedViolations.every((v) => v === undefined) ? {} : { feedViolations: mergeFeedViolations(feedViolations) }),
      ...(layout === undefined ? {} : { layout }),
    });
  }
  return merged;
}
