import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { RejectReason } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import type { ChaosSession } from './ChaosSession.js';
import { orderKey, type JournalOracle, type OracleReport } from './journalOracle.js';

/** What the clients were told, checked against what the journal says happened. */
export interface OrderChecks {
  readonly newOrdersSent: number;
  /** ACKs received. */
  readonly acknowledged: number;
  /** ACKed orders the journal does not have (the oracle never accepted them): must be 0. */
  readonly acknowledgedLost: number;
  /** REJECTs of NEW_ORDER by the matcher, and REJECT EngineBusy (never reaches the journal). */
  readonly rejected: number;
  readonly busy: number;
  /** NEW_ORDERs sent and unanswered when their engine was killed, and how many of them are in the journal. */
  readonly inDoubt: number;
  readonly inDoubtLanded: number;
  /** NEW_ORDERs of one client order id journaled more than once: must be 0. */
  readonly duplicates: number;
  /**
   * Session-epochs whose reports are not what the journal says they were told: each epoch's
   * reports must be the start of the oracle's reports from that epoch's records (all of them after
   * the clean final stop). Must be 0.
   */
  readonly outcomeMismatches: number;
  /** Reports the oracle has that never arrived because a kill cut them off (allowed). */
  readonly reportsCutByKills: number;
  /** Where the ACKed orders ended up, per the journal: resting, filled, canceled. */
  readonly acknowledgedOutcome: { readonly resting: number; readonly filled: number; readonly canceled: number };
  /** The first few problems, one line each. */
  readonly examples: readonly string[];
}

const MAX_EXAMPLES = 8;

/** The report's fields, without the per-connection sequence and send time. */
function reportText(r: ExecutionReport | OracleReport['report']): string {
  const entries = Object.entries(r).filter(([k]) => k !== 'sequence' && k !== 'timestampNs').sort(([a], [b]) => a.localeCompare(b));
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/**
 * Checks every session's reports and NEW_ORDERs against the oracle's replay of the final journal.
 *
 * @param epochEnds records in the journal at the end of each epoch: what each restart recovered,
 *   then the final count (epoch k's records are (epochEnds[k−1], epochEnds[k]]).
 * @param finalStopClean the last epoch ended with a clean stop, so all its reports must have arrived.
 */
export function checkOrders(sessions: readonly ChaosSession[], oracle: JournalOracle, epochEnds: readonly number[],
  finalStopClean: boolean): OrderChecks {
  const examples: string[] = [];
  const note = (line: string): void => {
    if (examples.length < MAX_EXAMPLES) examples.push(line);
  };
  let acknowledged = 0;
  let acknowledgedLost = 0;
  let rejected = 0;
  let busy = 0;
  let inDoubt = 0;
  let inDoubtLanded = 0;
  let outcomeMismatches = 0;
  let reportsCutByKills = 0;
  let newOrdersSent = 0;
  const outcome = { resting: 0, filled: 0, canceled: 0 };
  const epochOf = (record: number): number => {
    const k = epochEnds.findIndex((end) => record <= end);
    return k < 0 ? epochEnds.length : k;
  };

  for (const session of sessions) {
    const owner = session.clientId;
    const expected = oracle.reportsByOwner.get(owner) ?? [];
    // The oracle's ACK per client order id, and each order's last report (its outcome).
    const oracleAcks = new Map<number, number>();
    const last = new Map<number, OracleReport['report']>();
    for (const { report } of expected) {
      if (report.type === MessageType.Ack) oracleAcks.set(report.clientOrderId, report.orderId);
      if (report.type !== MessageType.Reject) last.set(report.clientOrderId, report);
    }
    const byEpoch: OracleReport['report'][][] = epochEnds.map(() => []);
    for (const r of expected) byEpoch[Math.min(epochOf(r.record), epochEnds.length - 1)]?.push(r.report);

    session.reports.forEach((received, epoch) => {
      const told = received.filter((r) => !(r.type === MessageType.Reject && r.reason === RejectReason.EngineBusy));
      for (const r of told) {
        if (r.type !== MessageType.Ack) continue;
        acknowledged++;
        if (!oracleAcks.has(r.clientOrderId)) {
          acknowledgedLost++;
          note(`client ${owner} order ${r.clientOrderId}: ACKed (engine order id ${r.orderId}) in epoch ${epoch}, but not in the journal`);
          continue;
        }
        const end = last.get(r.clientOrderId);
        if (end?.type === MessageType.Fill && end.leavesQuantity === 0) outcome.filled++;
        else if (end?.type === MessageType.Canceled) outcome.canceled++;
        else outcome.resting++;
      }
      const due = byEpoch[epoch] ?? [];
      const lastEpoch = epoch === epochEnds.length - 1;
      let same = 0;
      while (same < told.length && same < due.length && reportText(told[same] as ExecutionReport) === reportText(due[same] as OracleReport['report'])) same++;
      if (same < told.length || (lastEpoch && finalStopClean && same < due.length)) {
        outcomeMismatches++;
        const got = told[same];
        const want = due[same];
        note(`client ${owner}, epoch ${epoch}: report ${same + 1} was ${got === undefined ? 'never received' : reportText(got)}; ` +
          `the journal says ${want === undefined ? 'nothing more' : reportText(want)}`);
      } else {
        reportsCutByKills += due.length - same;
      }
    });

    for (const [clientOrderId, order] of session.newOrders) {
      newOrdersSent++;
      if (order.fate === 'rejected') rejected++;
      else if (order.fate === 'busy') busy++;
      else if (order.fate === 'sent') {
        inDoubt++;
        if (oracle.newOrderRecords.has(orderKey(owner, clientOrderId))) inDoubtLanded++;
      }
    }
  }
  let duplicates = 0;
  for (const [key, n] of oracle.newOrderRecords) {
    if (n < 2) continue;
    duplicates += n - 1;
    note(`order ${key} (client:client order id) is in the journal ${n} times`);
  }
  return { newOrdersSent, acknowledged, acknowledgedLost, rejected, busy, inDoubt, inDoubtLanded, duplicates,
    outcomeMismatches, reportsCutByKills, acknowledgedOutcome: outcome, examples };
}
