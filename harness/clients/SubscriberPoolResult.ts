import * as hdr from 'hdr-histogram-js';
import { LATENCY_HISTOGRAM, latencyHistogram } from '../record/HistogramSet.js';
import type { SubscriberClass } from '../scenario/Scenario.js';
import { mergeFeedViolations, type FeedViolationSummary } from '../check/snapshotInvariants.js';
import { addFeedCounts, emptyFeedCounts, type FeedCounts } from './FeedSubscriber.js';

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
    for (const part of parts) {
      feedViolations.push(part.feedViolations);
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
    });
  }
  return merged;
}
