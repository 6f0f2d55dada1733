import { EVENT_STRIDE, type EventBuffer } from '../../engine/book/EventBuffer.js';
import type { MarketDataSink, ReportSink } from '../../engine/EngineCore.js';
import { EventPublisher } from '../../engine/EventPublisher.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { SessionReportChecker, type SentCommand, type SessionViolationLog } from './SessionReportChecker.js';

/**
 * One {@link SessionReportChecker} per session of an in-process matcher (the `inproc` target, and
 * the replays that shrink its reproductions): the matcher's event records become execution reports
 * through the engine's own {@link EventPublisher}, as a TCP session would receive them, and each
 * goes to its owner's checker with the event's sequence as its global index.
 *
 * ```
 *  command ─► sent(owner, command) ─► checker[owner − 1]
 *  matcher ─► EventBuffer ─► afterCommand ─► EventPublisher.record ─► report(owner, r) ─► checker[owner − 1]
 * ```
 * Session i is owner i + 1 (the inproc target's and the engine's client ids).
 */
export class InprocSessionChecks implements ReportSink, MarketDataSink {
  private readonly checkers: SessionReportChecker[];
  private readonly publisher: EventPublisher;
  private sequence = 0;

  constructor(sessions: number, readonly log: SessionViolationLog) {
    this.checkers = Array.from({ length: sessions }, (_, i) => new SessionReportChecker(i, log));
    this.publisher = new EventPublisher(this, this);
  }

  /** Owner `owner` sends `command`, the `streamIndex`-th of its stream. */
  sent(owner: number, command: SentCommand, streamIndex: number): void {
    this.checkers[owner - 1]?.sent(command, streamIndex);
  }

  /** Checks the execution reports among the held events of `events` (the caller clears the buffer). */
  afterCommand(events: EventBuffer): void {
    const d = events.data;
    for (let at = 0, end = events.length * EVENT_STRIDE; at < end; at += EVENT_STRIDE) {
      this.sequence = d[at] as number;
      this.publisher.record(d, at);
    }
  }

  /** The run ended normally: IOC, FOK and market orders must all have ended (see SessionReportChecker.finish). */
  finish(): void {
    for (const c of this.checkers) c.finish();
  }

  report(owner: number, report: Unstamped<ExecutionReport>): void {
    this.checkers[owner - 1]?.report(report, this.sequence);
  }

  trade(): void {}
  levelUpdate(): void {}
  quote(): void {}
  flush(): void {}
}

