import { CommandKind } from '../../engine/book/Command.js';
import type { SessionCheckSummary } from '../check/SessionReportChecker.js';
import type { SessionTranscriptData } from '../check/SessionTranscript.js';
import { HistogramSet } from '../record/HistogramSet.js';
import { IntervalSeries } from '../record/IntervalSeries.js';

/** Names of the latency histograms every target records (see docs/SCENARIOS.md, metrics). */
export const DRIVER_METRICS = {
  [CommandKind.NewOrder]: { rtt: 'order_rtt', service: 'order_service_time' },
  [CommandKind.Cancel]: { rtt: 'cancel_rtt', service: 'cancel_service_time' },
  [CommandKind.Replace]: { rtt: 'replace_rtt', service: 'replace_service_time' },
  fill: { rtt: 'fill_rtt', service: 'fill_service_time' },
  /** How late the harness sent each request after its intended time: the harness's own lag. */
  sendLag: 'send_lag',
} as const;

/** What a target measured; plain data (crosses threads as is). */
export interface DriverResult {
  readonly histograms: Record<string, string>;
  readonly intervals: Record<string, string>[];
  /** Per client index: sha256 of its generated stream. */
  readonly streamHashes: Record<number, string>;
  readonly generated: number;
  readonly generatedByPhase: number[];
  readonly sent: number;
  readonly sentByKind: Record<string, number>;
  /** Actual send times, ms since run start, ascending per driver (the first maxSendSamples). */
  readonly sendTimesMs: Float64Array;
  /** The same requests' intended times (what the generator drew), in the same order as `sendTimesMs`. */
  readonly intendedTimesMs: Float64Array;
  readonly acked: number;
  readonly fills: number;
  readonly canceled: number;
  readonly replaced: number;
  readonly rejected: number;
  readonly rejectsByReason: Record<string, number>;
  readonly unanswered: number;
  readonly backpressured: number;
  readonly errors: string[];
  /** Execution reports checked per session (harness/check/SessionReportChecker); absent where a target does not check them. */
  readonly sessionCheck?: SessionCheckSummary;
  /** Each session's requests and reports (harness/check/SessionTranscript.ts), for the differential check; absent where a target keeps none. */
  readonly transcripts?: SessionTranscriptData[];
  /** Why the target ended the run early (engine unresponsive, connection lost, rejected everything): the run's verdict is `error`. */
  readonly targetFailure?: string;
}

/** Progress of a running target: counts so far and the order_rtt of the last second (encoded). */
export interface DriverProgress {
  readonly sent: number;
  readonly answered: number;
  readonly errors: number;
  readonly lastSecond: Record<string, string>;
}

const KIND_NAMES: Record<number, string> = { [CommandKind.NewOrder]: 'new', [CommandKind.Cancel]: 'cancel', [CommandKind.Replace]: 'replace' };

/**
 * The counts and histograms one target (TCP driver, HTTP driver, inproc) keeps while it drives its
 * clients, and the {@link DriverResult} they make: one place for what every target measures the
 * same way. Times are ms since the run's time 0; latencies ns. The outcome counters (acked, fills,
 * canceled, replaced) are plain fields the target raises as it reads its engine's answers.
 */
export class RequestTally {
  private readonly total = new HistogramSet();
  private readonly intervals = new IntervalSeries();
  private readonly lastSecond = new HistogramSet();
  private readonly sendTimes: Float64Array;
  private readonly intendedTimes: Float64Array;
  private sendSamples = 0;
  private readonly generatedByPhase: number[];
  private readonly sentByKind: Record<string, number> = { new: 0, cancel: 0, replace: 0 };
  private readonly rejectsByReason: Record<string, number> = {};
  generated = 0;
  sent = 0;
  answered = 0;
  acked = 0;
  fills = 0;
  canceled = 0;
  replaced = 0;
  rejected = 0;
  backpressured = 0;

  /** @param maxSendSamples most send (and intended) times kept for the arrival check (the first ones; capped at 2^24). */
  constructor(phaseCount: number, maxSendSamples: number) {
    this.generatedByPhase = Array.from({ length: phaseCount }, () => 0);
    this.sendTimes = new Float64Array(Math.min(maxSendSamples, 1 << 24));
    this.intendedTimes = new Float64Array(this.sendTimes.length);
  }

  /** An order was drawn from a client's stream. */
  generatedIn(phaseIndex: number): void {
    this.generated++;
    this.generatedByPhase[phaseIndex] = (this.generatedByPhase[phaseIndex] ?? 0) + 1;
  }

  /** A request went out at `sentMs`, `lagNs` after its intended time. */
  sentAt(kind: CommandKind, sentMs: number, lagNs: number): void {
    this.sent++;
    const name = KIND_NAMES[kind] as string;
    this.sentByKind[name] = (this.sentByKind[name] ?? 0) + 1;
    if (this.sendSamples < this.sendTimes.length) {
      this.sendTimes[this.sendSamples] = sentMs;
      this.intendedTimes[this.sendSamples++] = sentMs - lagNs / 1e6;
    }
    this.record(sentMs, DRIVER_METRICS.sendLag, lagNs);
  }

  /** Records one latency in the run's histogram and in its second's. */
  record(atMs: number, name: string, valueNs: number): void {
    this.total.record(name, valueNs);
    this.intervals.record(atMs, name, valueNs);
  }

  /** A request's answer arrived at `atMs`: its round trip from the intended time (corrected) and from the send (service time). */
  answeredAt(kind: CommandKind, atMs: number, rttNs: number, serviceNs: number): void {
    this.answered++;
    const names = DRIVER_METRICS[kind];
    this.record(atMs, names.rtt, rttNs);
    this.record(atMs, names.service, serviceNs);
    if (kind === CommandKind.NewOrder) this.lastSecond.record(names.rtt, rttNs);
  }

  /** The first fill of an order that traded on arrival reached its client at `atMs`. */
  filledAt(atMs: number, rttNs: number, serviceNs: number): void {
    this.record(atMs, DRIVER_METRICS.fill.rtt, rttNs);
    this.record(atMs, DRIVER_METRICS.fill.service, serviceNs);
  }

  /** A REJECT (or the HTTP equivalent) with the reason's name. */
  rejectedFor(reason: string): void {
    this.rejected++;
    this.rejectsByReason[reason] = (this.rejectsByReason[reason] ?? 0) + 1;
  }

  /** Counts so far, and the order round trips since the last call (encoded). */
  progress(errors: number): DriverProgress {
    const lastSecond = this.lastSecond.encode();
    this.lastSecond.reset();
    return { sent: this.sent, answered: this.answered, errors, lastSecond };
  }

  /** The whole tally as the runner takes it. */
  result(rest: Pick<DriverResult, 'streamHashes' | 'unanswered' | 'errors'>): DriverResult {
    return {
      histograms: this.total.encode(), intervals: this.intervals.encode(), streamHashes: rest.streamHashes,
      generated: this.generated, generatedByPhase: [...this.generatedByPhase], sent: this.sent, sentByKind: { ...this.sentByKind },
      sendTimesMs: this.sendTimes.slice(0, this.sendSamples), intendedTimesMs: this.intendedTimes.slice(0, this.sendSamples),
      acked: this.acked, fills: this.fills, canceled: this.canceled, replaced: this.replaced, rejected: this.rejected, rejectsByReason: { ...this.rejectsByReason }, unanswered: rest.unanswered,
      backpressured: this.backpressured, errors: rest.errors,
    };
  }
}
