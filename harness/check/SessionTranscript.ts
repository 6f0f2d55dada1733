import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { MessageType } from '../../engine/protocol/messages.js';
import type { SentCommand } from './SessionReportChecker.js';

/** Doubles per command in {@link SessionTranscriptData.commands}: kind, symbolId, clientOrderId, side, orderType, timeInForce, price, quantity, sentNs. */
export const COMMAND_FIELDS = 9;
/**
 * Doubles per report in {@link SessionTranscriptData.reports}: type, symbolId, clientOrderId, orderId, tradeId, price,
 * quantity, leavesQuantity, side, liquidity, reason, refMessageType, echoTimestampNs, engine timestampNs (the frame header's).
 * Fields a type does not have are 0 (CANCELED's canceledQuantity goes into quantity).
 */
export const REPORT_FIELDS = 14;
/** Offset of the engine's frame timestamp in a report record. */
export const REPORT_ENGINE_TS = 13;
/** Offset of echoTimestampNs in a report record. */
export const REPORT_ECHO = 12;

/** One session's requests and the engine's reports, as sent and received: plain data (crosses threads). */
export interface SessionTranscriptData {
  /** Client id the session logged in with (the owner of its orders). */
  readonly clientId: number;
  /** Requests in send order, {@link COMMAND_FIELDS} doubles each. */
  readonly commands: Float64Array;
  /** Reports in arrival order, {@link REPORT_FIELDS} doubles each. */
  readonly reports: Float64Array;
  /** More than the recorder's cap was sent or received: the transcript is incomplete. */
  readonly truncated: boolean;
}

/** Encodes a report (the engine's, or the oracle's unstamped one with `engineTs` 0) as a {@link REPORT_FIELDS} record. */
export function reportRecord(r: Unstamped<ExecutionReport>, engineTs: number): number[] {
  switch (r.type) {
    case MessageType.Ack:
      return [r.type, r.symbolId, r.clientOrderId, r.orderId, 0, 0, 0, 0, 0, 0, 0, 0, r.echoTimestampNs, engineTs];
    case MessageType.Reject:
      return [r.type, r.symbolId, r.clientOrderId, 0, 0, 0, 0, 0, 0, 0, r.reason, r.refMessageType, r.echoTimestampNs, engineTs];
    case MessageType.Fill:
      return [r.type, r.symbolId, r.clientOrderId, r.orderId, r.tradeId, r.price, r.quantity, r.leavesQuantity, r.side, r.liquidity,
        0, 0, r.echoTimestampNs, engineTs];
    case MessageType.Canceled:
      return [r.type, r.symbolId, r.clientOrderId, r.orderId, 0, 0, r.canceledQuantity, 0, 0, 0, r.reason, 0, r.echoTimestampNs, engineTs];
    case MessageType.Replaced:
      return [r.type, r.symbolId, r.clientOrderId, r.orderId, 0, r.price, 0, r.leavesQuantity, 0, 0, 0, 0, r.echoTimestampNs, engineTs];
  }
}

/**
 * Records what each session of a driver sent and what the engine answered, for the differential
 * check after the run (harness/check/differentialCheck.ts). Grows plain arrays; beyond `maxRecords`
 * per session it stops and marks the transcript truncated (the check then says it could not run).
 */
export class SessionTranscripts {
  private readonly sessions = new Map<number, { commands: number[]; reports: number[]; truncated: boolean }>();

  /** @param maxRecords most commands plus reports kept per session. Default 2,000,000. */
  constructor(private readonly maxRecords = 2_000_000) {}

  private session(clientId: number): { commands: number[]; reports: number[]; truncated: boolean } {
    let s = this.sessions.get(clientId);
    if (s === undefined) this.sessions.set(clientId, s = { commands: [], reports: [], truncated: false });
    return s;
  }

  private full(s: { commands: number[]; reports: number[]; truncated: boolean }): boolean {
    if ((s.commands.length / COMMAND_FIELDS) + (s.reports.length / REPORT_FIELDS) < this.maxRecords) return false;
    s.truncated = true;
    return true;
  }

  /** Session `clientId` sent `c` with timestamp `sentNs` (the one the engine echoes). */
  sent(clientId: number, c: SentCommand, sentNs: number): void {
    const s = this.session(clientId);
    if (this.full(s)) return;
    s.commands.push(c.kind, c.symbolId, c.clientOrderId, c.side, c.orderType, c.timeInForce, c.price, c.quantity, sentNs);
  }

  /** Session `clientId` received `report`. */
  report(clientId: number, report: ExecutionReport): void {
    const s = this.session(clientId);
    if (this.full(s)) return;
    s.reports.push(...reportRecord(report, report.timestampNs));
  }

  /** Every session's transcript. */
  data(): SessionTranscriptData[] {
    return [...this.sessions].map(([clientId, s]) => ({ clientId, commands: Float64Array.from(s.commands),
      reports: Float64Array.from(s.reports), truncated: s.truncated }));
  }
}
