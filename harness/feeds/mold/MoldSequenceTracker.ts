/**
 * The sequence side of a MoldUDP64 reader, without I/O: which message numbers are new, which fill
 * a gap and which are duplicates; which ranges are missing, which to re-request now, and which to
 * give up on. {@link MoldFeedReader} calls it for every message and on a timer; tests call it
 * directly.
 *
 * ```
 *  accept(seq) ─► seq ≥ next ─► 'live' (seq > next first opens the gap [next, seq))
 *             └─► seq < next ─► inside a missing range ─► 'recovered' (the range shrinks or splits)
 *                             └► otherwise ─► 'duplicate'
 *  due(now)  ─► a request older than retryAfterMs: re-request (tries < maxTries) or lose its messages
 *            └► send requests for unrequested ranges, lowest first, while fewer than maxOutstanding are in flight
 * ```
 *
 * Missing messages are kept as ranges (a gap of a million messages is one entry per request, not a
 * million), each at most `maxRequestMessages` long so that one request asks for it. A range that
 * receives some of its messages is still in flight (its clock and tries restart: the server is
 * answering); one that receives none for `retryAfterMs` is asked again, up to `maxTries` times.
 */

/** Options of a {@link MoldSequenceTracker}; each documents its default. */
export interface MoldSequenceTrackerOptions {
  /** Where this reader's session starts: a first packet above it is a gap. Default null: the first packet seen sets the baseline. */
  readonly firstSequence?: number | null;
  /** A re-request server exists. Default true. Without one, a missing range is lost after retryAfterMs (reordered packets may still fill it). */
  readonly canRequest?: boolean;
  /** Longest range one request asks for. Default 1,000 messages. */
  readonly maxRequestMessages?: number;
  /** Requests in flight at once. Default 4. */
  readonly maxOutstanding?: number;
  /** A request unanswered for this long is sent again (or given up), ms. Default 500. */
  readonly retryAfterMs?: number;
  /** Requests per range before its messages count as lost. Default 3. */
  readonly maxTries?: number;
}

/** The defaults of {@link MoldSequenceTrackerOptions}. */
export const MOLD_SEQUENCE_TRACKER_DEFAULTS = {
  firstSequence: null,
  canRequest: true,
  maxRequestMessages: 1_000,
  maxOutstanding: 4,
  retryAfterMs: 500,
  maxTries: 3,
} as const;

/** What the tracker counted. */
export interface MoldSequenceCounts {
  /** Sequence jumps seen (by a message or a heartbeat), and the messages they skipped. */
  gaps: number;
  gapMessages: number;
  /** Missing messages that arrived later (retransmitted, or a reordered packet). */
  recoveredMessages: number;
  /** Missing messages given up on after maxTries requests (or, without a re-request server, after retryAfterMs). */
  lostMessages: number;
  /** Messages at or below the last one that were not missing: already delivered. */
  duplicateMessages: number;
  /** Request packets sent, and how many of them were retries. */
  requestsSent: number;
  requestRetries: number;
}

/** How {@link MoldSequenceTracker.accept} classed a message. */
export const MoldAccept = { Live: 0, Recovered: 1, Duplicate: 2 } as const;
export type MoldAccept = (typeof MoldAccept)[keyof typeof MoldAccept];

interface MissingRange {
  from: number;
  /** Exclusive. */
  to: number;
  tries: number;
  /** When the last request for it left (ms), or −1 when none is in flight. */
  requestedAtMs: number;
  detectedAtMs: number;
}

/** Tracks one session's sequence. */
export class MoldSequenceTracker {
  readonly counts: MoldSequenceCounts = {
    gaps: 0, gapMessages: 0, recoveredMessages: 0, lostMessages: 0, duplicateMessages: 0, requestsSent: 0, requestRetries: 0,
  };
  readonly #firstSequence: number | null;
  readonly #canRequest: boolean;
  readonly #maxRequestMessages: number;
  readonly #maxOutstanding: number;
  readonly #retryAfterMs: number;
  readonly #maxTries: number;
  /** Sorted by `from`, disjoint. */
  #missing: MissingRange[] = [];
  #next = -1;
  #nowMs = 0;

  constructor(options: MoldSequenceTrackerOptions = {}) {
    const d = MOLD_SEQUENCE_TRACKER_DEFAULTS;
    this.#firstSequence = options.firstSequence ?? d.firstSequence;
    this.#canRequest = options.canRequest ?? d.canRequest;
    this.#maxRequestMessages = Math.max(1, Math.min(options.maxRequestMessages ?? d.maxRequestMessages, 0xfffe));
    this.#maxOutstanding = Math.max(1, options.maxOutstanding ?? d.maxOutstanding);
    this.#retryAfterMs = options.retryAfterMs ?? d.retryAfterMs;
    this.#maxTries = Math.max(1, options.maxTries ?? d.maxTries);
  }

  /** The sequence of the next new message; −1 before the first packet. */
  get nextSequence(): number {
    return this.#next;
  }

  /** Messages still missing (neither recovered nor given up). */
  get missingMessages(): number {
    return this.#missing.reduce((n, r) => n + r.to - r.from, 0);
  }

  /** The time (ms, any epoch) used for ranges detected from now on; {@link due} sets it too. */
  setNow(nowMs: number): void {
    this.#nowMs = nowMs;
  }

  /** A message numbered `sequence` arrived. */
  accept(sequence: number): MoldAccept {
    if (this.#next < 0) this.#baseline(sequence);
    if (sequence >= this.#next) {
      if (sequence > this.#next) this.#gap(this.#next, sequence);
      this.#next = sequence + 1;
      return MoldAccept.Live;
    }
    const missing = this.#missing;
    // Few ranges are open at a time, and fills come mostly in order from the first: a scan is enough.
    for (let i = 0; i < missing.length; i++) {
      const r = missing[i]!;
      if (sequence < r.from) break;
      if (sequence >= r.to) continue;
      this.counts.recoveredMessages++;
      if (r.requestedAtMs >= 0) {
        // The server is answering: wait for the rest before asking again.
        r.requestedAtMs = this.#nowMs;
        r.tries = 1;
      }
      if (sequence === r.from) r.from++;
      else if (sequence === r.to - 1) r.to--;
      else {
        missing.splice(i + 1, 0, { ...r, from: sequence + 1 });
        r.to = sequence;
      }
      if (r.from >= r.to) missing.splice(i, 1);
      return MoldAccept.Recovered;
    }
    this.counts.duplicateMessages++;
    return MoldAccept.Duplicate;
  }

  /** A heartbeat or end of session says the next message is `sequence`: anything before it not seen is a gap. */
  advanceTo(sequence: number): void {
    if (this.#next < 0) this.#baseline(sequence);
    if (sequence > this.#next) {
      this.#gap(this.#next, sequence);
      this.#next = sequence;
    }
  }

  /**
   * Timeouts and requests at `nowMs`: gives up on ranges asked `maxTries` times without an
   * answer, and calls `send(from, count)` for each range to request now.
   */
  due(nowMs: number, send: (from: number, count: number) => void): void {
    this.#nowMs = nowMs;
    const missing = this.#missing;
    let outstanding = 0;
    for (let i = 0; i < missing.length; i++) {
      const r = missing[i]!;
      const waitedMs = nowMs - (r.requestedAtMs >= 0 ? r.requestedAtMs : r.detectedAtMs);
      const expired = this.#canRequest ? r.requestedAtMs >= 0 && waitedMs >= this.#retryAfterMs : waitedMs >= this.#retryAfterMs;
      if (expired && (!this.#canRequest || r.tries >= this.#maxTries)) {
        this.counts.lostMessages += r.to - r.from;
        missing.splice(i--, 1);
        continue;
      }
      if (expired) r.requestedAtMs = -1;
      if (r.requestedAtMs >= 0) outstanding++;
    }
    if (!this.#canRequest) return;
    for (const r of missing) {
      if (outstanding >= this.#maxOutstanding) break;
      if (r.requestedAtMs >= 0) continue;
      if (r.tries > 0) this.counts.requestRetries++;
      r.tries++;
      r.requestedAtMs = nowMs;
      outstanding++;
      this.counts.requestsSent++;
      send(r.from, r.to - r.from);
    }
  }

  #baseline(sequence: number): void {
    const first = this.#firstSequence;
    this.#next = first !== null && first < sequence ? first : sequence;
  }

  /** Messages [from, to) were skipped: one gap, cut into ranges that one request each can ask for. */
  #gap(from: number, to: number): void {
    this.counts.gaps++;
    this.counts.gapMessages += to - from;
    for (let at = from; at < to; at += this.#maxRequestMessages) {
      this.#missing.push({ from: at, to: Math.min(to, at + this.#maxRequestMessages), tries: 0, requestedAtMs: -1, detectedAtMs: this.#nowMs });
    }
  }
}
