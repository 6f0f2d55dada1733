import type * as hdr from 'hdr-histogram-js';
import { mergeFeedViolations, type FeedViolationSummary } from '../check/snapshotInvariants.js';
import { latencyHistogram } from '../record/HistogramSet.js';
import type { SubscriberClass, SubscriberGroup } from '../scenario/Scenario.js';
import {
  addFeedCounts,
  behaviourProblems,
  emptyFeedCounts,
  FeedSubscriber,
  subtractFeedCounts,
  type FeedClockOffset,
  type FeedCounts,
  type FeedSubscriberOptions,
  type SubscriberBehaviour,
} from './FeedSubscriber.js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { LayoutFeedSubscriber } from './LayoutFeedSubscriber.js';
import { MoldFeedSubscriber } from './MoldFeedSubscriber.js';
import { addLayoutClassFigures, encodeLatency, SUBSCRIBER_CLASSES, type LayoutClassFigures, type SubscriberClassResult } from './SubscriberPoolResult.js';

/** Options of a {@link SubscriberPool}; plain data, so they can be sent to a worker thread. Each documents its default. */
export interface SubscriberPoolOptions {
  /** Market-data host. Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** Subscribers to run, by class; in this order, their client ids counting up from {@link firstClientId}. */
  readonly groups: readonly SubscriberGroup[];
  /** Client id of the first subscriber. Default 1. Pools of one run need disjoint ranges. */
  readonly firstClientId?: number;
  /** Run seed; subscriber i draws from `Rng.stream(seed, firstClientId + i)`. Default 1. */
  readonly seed?: number;
  /** Default fixed 0 (an engine in this process). See `FeedClockOffset`. */
  readonly clockOffset?: FeedClockOffset;
  /** Passed to every subscriber (see {@link FeedSubscriberOptions}). */
  readonly heartbeatIntervalMs?: number;
  readonly symbols?: readonly number[];
  readonly resync?: boolean;
  readonly rebuildBooks?: boolean;
  /**
   * Fast subscribers: only the first of every `auditEvery` checks CRC-32C and rebuilds books; the
   * others check the framing, version, length and sequence of every frame and record its latency.
   * For a benchmark of the feed's fan-out, where every subscriber gets the same bytes and the
   * checksum would be most of the pool's work. Default 1: every subscriber checks everything.
   */
  readonly auditEvery?: number;
  readonly snapshotCheckIntervalMs?: number;
  readonly maxFrameLength?: number;
  readonly connectTimeoutMs?: number;
  /** Subscribers started per turn of the event loop, so a thousand connections do not hit the engine's accept backlog at once. Default 50. */
  readonly connectBatch?: number;
  /**
   * Read a feed described by this layout (docs/FEED_LAYOUT.md) instead of matchbench's protocol: fast groups only, with
   * LayoutFeedSubscribers connecting to host:port (TCP framings), or one MoldFeedSubscriber listening on host:port
   * (`moldudp64` framing; a multicast host is joined). `clockOffset` fixed gives the readers their offset, login leaves it to
   * the layout's clockSync (else 0); the protocol options (heartbeat, symbols, resync, books, snapshots, frame length) do
   * not apply. Default none (matchbench's protocol).
   */
  readonly layout?: FeedLayout;
}

/** What the pool needs of a subscriber: a FeedSubscriber (matchbench's protocol), or a LayoutFeedSubscriber or MoldFeedSubscriber (a layout feed). */
type PoolSubscriber = Pick<FeedSubscriber, 'start' | 'stop' | 'result' | 'books' | 'counts'>;

/** The defaults of {@link SubscriberPoolOptions}. */
export const SUBSCRIBER_POOL_DEFAULTS = { firstClientId: 1, seed: 1, connectBatch: 50, connectTimeoutMs: 5_000 } as const;

interface ClassState {
  readonly subscribers: PoolSubscriber[];
  /** Feed latencies since the last interval; every subscriber of the class records here. */
  readonly interval: hdr.Histogram;
  /** Everything before the last interval. */
  readonly total: hdr.Histogram;
  /** Summed counts at the last interval. */
  previous: FeedCounts;
}

/** Every problem with `options`, each with its path; empty when usable. */
export function subscriberPoolProblems(options: SubscriberPoolOptions): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) problems.push(`port must be an integer in 1..65535, got ${options.port}`);
  if (options.groups.length === 0) problems.push('groups must name at least one group');
  options.groups.forEach((group, i) => {
    if (!Number.isInteger(group.count) || group.count < 0) problems.push(`groups[${i}].count must be an integer ≥ 0, got ${group.count}`);
    problems.push(...behaviourProblems(group).map((p) => `groups[${i}].${p}`));
  });
  const first = options.firstClientId ?? SUBSCRIBER_POOL_DEFAULTS.firstClientId;
  const total = options.groups.reduce((n, g) => n + g.count, 0);
  if (!Number.isInteger(first) || first < 0 || first + total - 1 > 0xffff_ffff) problems.push(`firstClientId must leave room for ${total} u32 client ids, got ${first}`);
  const batch = options.connectBatch;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1)) problems.push(`connectBatch must be a positive integer, got ${batch}`);
  const audit = options.auditEvery;
  if (audit !== undefined && !(Number.isInteger(audit) && audit >= 1)) problems.push(`auditEvery must be a positive integer, got ${audit}`);
  const layout = options.layout;
  if (layout !== undefined) {
    if (layout.framing.kind === 'moldudp64' && total > 1) {
      problems.push(`layout ${layout.name} is MoldUDP64 over UDP, read by one subscriber (a unicast UDP port is read by one socket), not ${total}`);
    }
    options.groups.forEach((group, i) => {
      if (group.class !== 'fast') problems.push(`groups[${i}]: a layout feed is read at full speed without reconnecting, by fast subscribers only, not ${group.class}`);
    });
  }
  return problems;
}

/**
 * Many {@link FeedSubscriber}s on the current thread, with results per class. A load generator
 * runs one per worker thread (see SubscriberPoolThread); tests run one directly. With a `layout`
 * (a feed that is not matchbench's protocol, docs/FEED_LAYOUT.md) its subscribers are
 * {@link LayoutFeedSubscriber}s (or one {@link MoldFeedSubscriber}) instead: same counts and latency,
 * no books, plus the layout's own figures in the whole-run result (`layout`).
 *
 * ```
 *  start() ─► subscribers 1..N (connectBatch per event-loop turn) ─► each logs in once
 *  feed ─► subscriber ─► counts (its own), latency ─► its class's interval histogram
 *  interval() ─► per class: counts − counts at the last interval, interval histogram encoded,
 *                then added to the class's total and reset
 *  stop() ─► LOGOUT everywhere ─► per class: whole-run counts and histogram (+ book digests)
 * ```
 */
export class SubscriberPool {
  readonly #options: SubscriberPoolOptions;
  readonly #classes = new Map<SubscriberClass, ClassState>();
  readonly #all: PoolSubscriber[] = [];
  /** The FeedSubscribers among them (all of them without a layout). */
  readonly #protocol: FeedSubscriber[] = [];
  #started = false;

  /** @throws RangeError listing every problem with the options. */
  constructor(options: SubscriberPoolOptions) {
    const problems = subscriberPoolProblems(options);
    if (problems.length > 0) throw new RangeError(`invalid subscriber pool options: ${problems.join('; ')}`);
    this.#options = options;
    let clientId = options.firstClientId ?? SUBSCRIBER_POOL_DEFAULTS.firstClientId;
    for (const group of options.groups) {
      const { count, ...behaviour } = group;
      let state = this.#classes.get(group.class);
      if (state === undefined) {
        state = { subscribers: [], interval: latencyHistogram(), total: latencyHistogram(), previous: emptyFeedCounts() };
        this.#classes.set(group.class, state);
      }
      for (let i = 0; i < count; i++) {
        let subscriber: PoolSubscriber;
        if (options.layout === undefined) {
          const audits = group.class !== 'fast' || i % (options.auditEvery ?? 1) === 0;
          const protocol = new FeedSubscriber({ ...this.#subscriberOptions(clientId, behaviour as SubscriberBehaviour, state.interval),
            ...(audits ? {} : { verifyChecksums: false, rebuildBooks: false }) });
          this.#protocol.push(protocol);
          subscriber = protocol;
        } else if (options.layout.framing.kind === 'moldudp64') {
          subscriber = new MoldFeedSubscriber({ layout: options.layout, host: options.host ?? '127.0.0.1', port: options.port, clientId,
            latency: state.interval, ...(options.clockOffset?.kind === 'fixed' ? { clockOffsetNs: options.clockOffset.engineClockOffsetNs } : {}) });
        } else {
          subscriber = this.#layoutSubscriber(options.layout, clientId, state.interval);
        }
        clientId++;
        state.subscribers.push(subscriber);
        this.#all.push(subscriber);
      }
    }
  }

  /** Subscribers in the pool. */
  get size(): number {
    return this.#all.length;
  }

  /**
   * Starts every subscriber and resolves once each has logged in once (stalled ones included), or
   * after `connectTimeoutMs` with however many did. Returns how many logged in.
   */
  async start(): Promise<number> {
    if (this.#started) throw new Error('SubscriberPool already started');
    this.#started = true;
    const batch = this.#options.connectBatch ?? SUBSCRIBER_POOL_DEFAULTS.connectBatch;
    for (let i = 0; i < this.#all.length; i += batch) {
      for (const s of this.#all.slice(i, i + batch)) s.start();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const deadline = performance.now() + (this.#options.connectTimeoutMs ?? SUBSCRIBER_POOL_DEFAULTS.connectTimeoutMs);
    const loggedIn = (): number => this.#all.filter((s) => s.counts.logins > 0).length;
    while (loggedIn() < this.#all.length && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return loggedIn();
  }

  /** Per class, what happened since the last interval (or the start); resets the interval histograms. */
  interval(options: { readonly books?: boolean } = {}): SubscriberClassResult[] {
    return this.#take(false, options.books ?? false);
  }

  /** Stops every subscriber (LOGOUT) and returns per class what they measured over the whole run, with book digests. */
  async stop(): Promise<SubscriberClassResult[]> {
    // Books and sequences as they were while the feed ran, before the sessions end.
    const results = this.#take(true, true);
    await Promise.all(this.#all.map((s) => s.stop()));
    return results;
  }

  /** The matchbench-protocol subscribers (none with a layout), for tests and callers that want per-subscriber results. */
  subscribers(): readonly FeedSubscriber[] {
    return this.#protocol;
  }

  #take(whole: boolean, books: boolean): SubscriberClassResult[] {
    const out: SubscriberClassResult[] = [];
    for (const cls of SUBSCRIBER_CLASSES) {
      const state = this.#classes.get(cls);
      if (state === undefined) continue;
      const counts = emptyFeedCounts();
      const endReasons: Record<string, number> = {};
      const errors: string[] = [];
      let active = 0;
      let minSeq = -1;
      let maxSeq = -1;
      const digests: Record<string, Record<string, number>> = {};
      let inexact = 0;
      const feedViolations: (FeedViolationSummary | undefined)[] = [];
      let layout: LayoutClassFigures | undefined;
      for (const s of state.subscribers) {
        const r = s.result();
        feedViolations.push(r.feedViolations);
        const l = !whole ? undefined : s instanceof LayoutFeedSubscriber ? s.layoutResult() : s instanceof MoldFeedSubscriber ? s.moldResult() : undefined;
        if (l !== undefined) {
          // Whole-run results are taken just before stop() ends the reads: one still running ends as stopped.
          const verdict = l.verdict === 'running' ? 'stopped' : l.verdict;
          layout = addLayoutClassFigures(layout, { name: l.layout, counts: l.counts, framesByType: l.framesByType, verdicts: { [verdict]: 1 },
            ...('mold' in l ? { mold: l.mold } : {}) });
        }
        addFeedCounts(counts, r.counts);
        for (const [reason, n] of Object.entries(r.endReasons)) endReasons[reason] = (endReasons[reason] ?? 0) + n;
        for (const e of r.errors) if (errors.length < 10) errors.push(e);
        if (r.state === 'active') {
          active++;
          minSeq = minSeq < 0 ? r.lastFeedSequence : Math.min(minSeq, r.lastFeedSequence);
          maxSeq = Math.max(maxSeq, r.lastFeedSequence);
        }
        if (books) {
          for (const b of s.books()) {
            if (!b.exact) {
              inexact++;
              continue;
            }
            const bySymbol = (digests[b.symbolId] ??= {});
            bySymbol[b.digest] = (bySymbol[b.digest] ?? 0) + 1;
          }
        }
      }
      const intervalLatency = whole ? '' : encodeLatency(state.interval);
      state.total.add(state.interval);
      state.interval.reset();
      const reported = whole ? counts : subtractFeedCounts(counts, state.previous);
      state.previous = counts;
      out.push({
        class: cls,
        subscribers: state.subscribers.length,
        active,
        counts: reported,
        endReasons,
        errors,
        latencyHistogram: whole ? encodeLatency(state.total) : intervalLatency,
        minLastFeedSequence: minSeq,
        maxLastFeedSequence: maxSeq,
        // A layout feed keeps no books and checks no snapshots: no digests, so nothing downstream compares books it does not have.
        ...(books && this.#options.layout === undefined ? { books: digests, inexactBooks: inexact, feedViolations: mergeFeedViolations(feedViolations) } : {}),
        ...(layout === undefined ? {} : { layout }),
      });
    }
    return out;
  }

  #layoutSubscriber(layout: FeedLayout, clientId: number, latency: hdr.Histogram): LayoutFeedSubscriber {
    const o = this.#options;
    return new LayoutFeedSubscriber({
      layout, port: o.port, clientId, latency,
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.clockOffset?.kind === 'fixed' ? { clockOffsetNs: o.clockOffset.engineClockOffsetNs } : {}),
      ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
    });
  }

  #subscriberOptions(clientId: number, behaviour: SubscriberBehaviour, latency: hdr.Histogram): FeedSubscriberOptions {
    const o = this.#options;
    return {
      port: o.port, clientId, behaviour, latency,
      seed: o.seed ?? SUBSCRIBER_POOL_DEFAULTS.seed,
      stream: clientId,
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.clockOffset === undefined ? {} : { clockOffset: o.clockOffset }),
      ...(o.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: o.heartbeatIntervalMs }),
      ...(o.symbols === undefined ? {} : { symbols: o.symbols }),
      ...(o.resync === undefined ? {} : { resync: o.resync }),
      ...(o.rebuildBooks === undefined ? {} : { rebuildBooks: o.rebuildBooks }),
      ...(o.snapshotCheckIntervalMs === undefined ? {} : { snapshotCheckIntervalMs: o.snapshotCheckIntervalMs }),
      ...(o.maxFrameLength === undefined ? {} : { maxFrameLength: o.maxFrameLength }),
      ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
    };
  }
}
