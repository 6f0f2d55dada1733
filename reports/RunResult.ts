/**
 * `result.json`: everything a run measured, in a versioned schema that `matchbench report` and
 * `matchbench compare` read back. A reader refuses a schema version it does not know.
 *
 * Latencies are ns. Every percentile is read from histograms added across load generators
 * (`histograms` holds them, encoded, so a reader can recompute anything), never averaged.
 */
import type { LatencySummary } from '../harness/record/HistogramSet.js';

export const RUN_RESULT_SCHEMA = 'matchbench.run-result';
export const RUN_RESULT_VERSION = 1;

/** How a run ended; the CLI maps each to an exit code (harness/exitCodes.ts). */
export type RunVerdict = 'passed' | 'thresholds-failed' | 'invariant-failed' | 'error';

export interface RunResult {
  readonly schema: typeof RUN_RESULT_SCHEMA;
  readonly version: typeof RUN_RESULT_VERSION;
  readonly verdict: RunVerdict;
  readonly identity: RunIdentity;
  readonly scenario: { readonly name: string; readonly file: string; readonly hash: string; readonly description: string };
  readonly seed: number;
  /** sha256 over every client's generated order stream, in client order: same scenario + seed, same hash. */
  readonly streamHash: string;
  readonly target: { readonly kind: string; readonly description: string };
  /** The engine's state hash (Matcher.stateHash) at the end, when the target reports its books (embedded, inproc); else null. */
  readonly finalStateHash: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Wall time from the first intended send to the end of draining, ms. */
  readonly durationMs: number;
  /** True when the run was stopped early (Ctrl-C); everything measured until then is here. */
  readonly interrupted: boolean;
  readonly phases: readonly PhaseResult[];
  readonly orders: OrderCounts;
  /** Whether achieved send times were Poisson at the intended rate (time-rescaled KS test). */
  readonly arrivals: ArrivalCheck;
  /** Summary per metric (order_rtt, order_service_time, fill_rtt, …, feed_latency.<class>). */
  readonly latency: Readonly<Record<string, LatencySummary>>;
  /** The same histograms, encoded (HdrHistogram compressed base64), exact. */
  readonly histograms: Readonly<Record<string, string>>;
  readonly feed: Readonly<Record<string, FeedClassResult>>;
  /**
   * Set when the subscribers read the target's feed with a layout file (target option `md-layout=`,
   * docs/FEED_LAYOUT.md) instead of matchbench's protocol; absent otherwise (so older version 1 files still read).
   */
  readonly feedLayout?: RunFeedLayout;
  readonly invariants: InvariantResult;
  readonly thresholds: readonly ThresholdResult[];
  /** Rate sweeps: the rate-versus-percentiles table and the knee; null otherwise. */
  readonly knee: KneeResult | null;
  /**
   * CPU this process used from time 0 to the end of draining (all its threads): the harness's
   * cost, plus the engine's when the engine ran in this process (`engineInProcess`).
   */
  readonly processCpu: { readonly userMs: number; readonly systemMs: number; readonly coresUsed: number; readonly engineInProcess: boolean };
  /** Problems that did not stop the run (a client that could not connect, a worker error). */
  readonly errors: readonly string[];
  /**
   * Set when this run is one shard of a sharded run (`run --shard i/N`), or a merge of N shards
   * (`matchbench merge`, index null); absent for an ordinary run. Optional, so version 1 files
   * written before sharding still read.
   */
  readonly shard?: ShardRecord;
  /**
   * What the scenario's fuzz clients (`clients.fuzz`) played alongside the load and how each case
   * was judged; absent when the scenario has none (so version 1 files without it still read). A
   * failed case makes the verdict `invariant-failed`.
   */
  readonly fuzz?: RunFuzzResult;
}

/** The fuzz clients' outcome (the shape of `matchbench fuzz`'s report, docs/FUZZ.md). */
export interface RunFuzzResult {
  readonly sessions: number;
  /** Case starts per second asked for, over all fuzz sessions. */
  readonly rateHz: number;
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
  readonly classes: readonly { readonly class: string; readonly cases: number; readonly passed: number; readonly failed: number }[];
  /** Each failed case: its id (`matchbench fuzz --case <id>` replays it), what was expected and observed, its bytes in hex. */
  readonly failures: readonly {
    readonly id: string;
    readonly class: string;
    readonly description: string;
    readonly expected: string;
    readonly observed: string;
    readonly hex: string;
    /** The runner logged in first (LOGIN sequence 1), before these bytes. */
    readonly login: boolean;
  }[];
}

/** Which part of a sharded run a result is, and what `matchbench merge` needs to put the parts back together. */
export interface ShardRecord {
  /** This shard's index, 0 … count − 1; null for a merged result. */
  readonly index: number | null;
  readonly count: number;
  /** The shared time 0 (`--start-at`), epoch ms: shards merge only when it is the same. */
  readonly timeZeroEpochMs: number;
  /** Stream hash of each order-entry client this shard ran, by global client index (the merge recombines them). */
  readonly clientStreamHashes: Readonly<Record<string, string>>;
}

export interface RunIdentity {
  readonly matchbenchVersion: string;
  /** `git rev-parse HEAD` of the working directory, or 'unknown'. */
  readonly gitCommit: string;
  readonly nodeVersion: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly platform: string;
  readonly totalMemoryBytes: number;
  readonly command: string;
}

export interface PhaseResult {
  readonly name: string;
  readonly startMs: number;
  readonly durationMs: number;
  /** Orders the scenario asked for in this phase (generated), and per second. */
  readonly offered: number;
  readonly offeredRate: number;
  /** Orders actually sent, and per second. */
  readonly sent: number;
  readonly achievedRate: number;
  /** Per-phase latency summaries of the corrected order round trip and service time. */
  readonly latency: Readonly<Record<string, LatencySummary>>;
}

export interface OrderCounts {
  readonly generated: number;
  readonly sent: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly acked: number;
  readonly fills: number;
  readonly canceled: number;
  readonly replaced: number;
  readonly rejected: number;
  readonly rejectsByReason: Readonly<Record<string, number>>;
  /** Requests with no answer when the run ended (after the drain timeout). */
  readonly unanswered: number;
  /** Sends skipped because the target was not reading (its connection's outbound bytes over the cap). */
  readonly backpressured: number;
}

/** The KS test of send times against the scenario's Poisson rate (harness/stats/arrivalKsTest.ts). */
export interface ArrivalCheck {
  readonly samples: number;
  readonly ksStatistic: number;
  readonly pValue: number;
  /** p ≥ 0.01, or too few samples to tell (then `note` says so). */
  readonly passed: boolean;
  readonly note: string;
  /**
   * The same test on the same requests' intended times, the ones the generator drew: it tells a
   * generator or rate fault (this fails too) from a sender that did not keep to the times (only the
   * test of the actual sends fails; send_lag shows by how much). Absent in results written before it.
   */
  readonly intended?: ArrivalTest;
}

/** One KS test of arrival times. */
export interface ArrivalTest {
  readonly samples: number;
  readonly ksStatistic: number;
  readonly pValue: number;
  /** p ≥ 0.01, or too few samples to tell. */
  readonly passed: boolean;
}

export interface FeedClassResult {
  readonly subscribers: number;
  readonly frames: number;
  readonly bytes: number;
  readonly gaps: number;
  readonly gapFrames: number;
  readonly drops: number;
  readonly disconnects: number;
  readonly reconnects: number;
  readonly snapshots: number;
  readonly protocolErrors: number;
  /** Layout feeds only (`feedLayout`): frames whose checksum failed (dropped, so the next frame shows a gap). */
  readonly checksumFailures?: number;
  /** Layout feeds only: heartbeat frames seen, and silences (no frame for the layout's heartbeat `missingAfterIntervals`). */
  readonly heartbeats?: number;
  readonly heartbeatSilences?: number;
  /** Layout feeds only: sequence numbers that repeated or went back. */
  readonly sequenceRegressions?: number;
}

/** How a run read a feed described by a layout file (target `md-layout=`), and what it could not check on it. */
export interface RunFeedLayout {
  /** The layout file, as the target named it. */
  readonly file: string;
  /** The layout's `name`. */
  readonly name: string;
  /** Frames per message type, over every reader. */
  readonly framesByType: Readonly<Record<string, number>>;
  /** How the reads ended: verdict (LayoutFeedReader's) → readers; `stopped` is the harness ending them at the end of the run. */
  readonly verdicts: Readonly<Record<string, number>>;
  /** Every check or measurement the run makes on matchbench's own feed that it could not make on this one, a sentence each. */
  readonly notChecked: readonly string[];
  /** MoldUDP64 feeds (`moldudp64` framing): what the reader counted of the packets and the session's sequence. */
  readonly mold?: RunMoldFigures;
}

/** A MoldUDP64 reader's counts (harness/feeds/mold/MoldFeedReader.ts), summed over the run's readers. */
export interface RunMoldFigures {
  readonly packets: number;
  readonly bytes: number;
  /** Heartbeat packets, and stretches without any packet for the heartbeat silence. */
  readonly heartbeats: number;
  readonly heartbeatSilences: number;
  readonly malformedPackets: number;
  readonly otherSessionPackets: number;
  /** Sequence jumps, and the messages they skipped. */
  readonly gaps: number;
  readonly gapMessages: number;
  /** Of the skipped: recovered (re-requested or reordered), lost (given up on), still missing when the run ended. */
  readonly recoveredMessages: number;
  readonly lostMessages: number;
  readonly missingMessages: number;
  readonly duplicateMessages: number;
  /** Re-request packets sent, and how many were retries. */
  readonly requestsSent: number;
  readonly requestRetries: number;
}

export interface InvariantResult {
  /** What was checked, e.g. 'every event (inproc)' or 'final books from the engine'. */
  readonly checked: string;
  readonly violations: readonly string[];
}

export interface ThresholdResult {
  readonly source: string;
  /** The measured value in the threshold's unit, or null when the metric was not measured. */
  readonly actual: number | null;
  readonly passed: boolean;
}

export interface KneeResult {
  readonly metric: string;
  readonly p99LimitMs: number;
  /** Name of the first phase over the limit, or null if none was. */
  readonly kneePhase: string | null;
  readonly rows: readonly { readonly phase: string; readonly offeredRate: number; readonly achievedRate: number;
    readonly p50Ms: number; readonly p99Ms: number; readonly p999Ms: number }[];
}
