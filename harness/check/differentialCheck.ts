import { CommandKind, applyCommand, type Command } from '../../engine/book/Command.js';
import { Matcher } from '../../engine/book/Matcher.js';
import { OrderBookReference } from '../../engine/book/OrderBookReference.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import type { MarketDataSink } from '../../engine/EngineCore.js';
import { EventPublisher } from '../../engine/EventPublisher.js';
import type { FinalState } from '../../engine/matcherWorkerProtocol.js';
import { CancelReason, codeName, Liquidity, RejectReason, Side } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { depthDigest } from '../clients/FeedBook.js';
import { COMMAND_FIELDS, REPORT_ECHO, REPORT_ENGINE_TS, REPORT_FIELDS, reportRecord, type SessionTranscriptData } from './SessionTranscript.js';

/** Stable names of the differential invariants (result.json lines and violation.json). */
export type DifferentialInvariant =
  /** The engine's execution reports (fills: price, quantity, maker/taker; acks, cancels, replaces, rejects) equal the oracle's. */
  | 'differential-executions'
  /** The engine's final book (its own state, or the book a fast subscriber rebuilt from its feed) equals the oracle's. */
  | 'differential-final-book';

/** The first differential violation: where, and the replayed commands up to it. */
export interface DifferentialViolation {
  readonly invariant: DifferentialInvariant;
  /** Client id of the session whose reports differ (0 for the final book). */
  readonly clientId: number;
  readonly symbolId: number;
  /** Position of the command that caused the first differing report in the reconstructed order; the command count for the final book. */
  readonly commandIndex: number;
  /** Index of the first differing report in its session's report stream; −1 for the final book. */
  readonly reportIndex: number;
  readonly description: string;
  /** The replayed commands, in the reconstructed order, up to and including the failing one. */
  readonly commands: readonly Command[];
}

/** What the differential check found and, in one clause, what it checked (or why it could not). */
export interface DifferentialResult {
  /** For result.invariants.checked. Always says what was and was not compared. */
  readonly checked: string;
  /** Lines for result.invariants.violations. */
  readonly violations: string[];
  readonly first?: DifferentialViolation;
}

/** What {@link differentialCheck} compares against. */
export interface DifferentialInput {
  readonly transcripts: readonly SessionTranscriptData[];
  /** The symbols the engine trades (the oracle's books). */
  readonly symbols: readonly SymbolConfig[];
  /** The engine's own final books (embedded target). */
  readonly engineBooks?: FinalState;
  /** Fast subscribers' feed-rebuilt book digests (symbol id → digest → subscribers), when there are any. */
  readonly feedBooks?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** When set, the check does not run and says this (e.g. the session checks already failed). */
  readonly skipReason?: string;
  /**
   * Longest the replay may take, ms. OrderBookReference is slow by design (linear scans), so a long
   * run's replay stops at the budget: the prefix replayed is compared, the final books are not, and
   * the result says so. Default {@link DIFFERENTIAL_BUDGET_MS}.
   */
  readonly budgetMs?: number;
}

/** Default {@link DifferentialInput.budgetMs}: 20 s (about 80,000 requests of scenarios/steady.yaml, whose books grow, at load average 9 on 2 cores). */
export const DIFFERENTIAL_BUDGET_MS = 20_000;

/** One answered command and where the engine placed it. */
interface Entry {
  readonly command: Command;
  readonly clientId: number;
  /** Index in its session's send order. */
  readonly sessionIndex: number;
  /** Engine timestamp of the report that answered it. */
  readonly answerTs: number;
  /** The engine's order id from the ACK; 0 when not an accepted NEW_ORDER. */
  readonly orderId: number;
}

const IGNORE_MARKET_DATA: MarketDataSink = { trade: () => {}, levelUpdate: () => {}, quote: () => {}, flush: () => {} };
const MAX_LINES = 20;

function notChecked(why: string): DifferentialResult {
  return { checked: `differential replay through OrderBookReference: not checked (${why})`, violations: [] };
}

/** A report record as one readable phrase. */
export function describeReport(r: ArrayLike<number>): string {
  const n = (i: number): number => r[i] as number;
  switch (n(0)) {
    case MessageType.Ack: return `ACK order ${n(2)} → id ${n(3)}`;
    case MessageType.Reject: return `REJECT order ${n(2)} ${codeName(RejectReason, n(10))}`;
    case MessageType.Fill:
      return `FILL order ${n(2)} (id ${n(3)}) trade ${n(4)} ${n(6)}@${n(5)} leaves ${n(7)} ${n(8) === Side.Buy ? 'buy' : 'sell'} ` +
        `${n(9) === Liquidity.Maker ? 'maker' : 'taker'}`;
    case MessageType.Canceled: return `CANCELED order ${n(2)} (id ${n(3)}) ${n(6)} ${codeName(CancelReason, n(10))}`;
    case MessageType.Replaced: return `REPLACED order ${n(2)} (id ${n(3)}) to ${n(5)} leaves ${n(7)}`;
    default: return `report type ${n(0)}`;
  }
}

function sameReport(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  // Every field but the engine's frame timestamp (REPORT_ENGINE_TS, the last).
  for (let i = 0; i < REPORT_ENGINE_TS; i++) if (a[i] !== b[i]) return false;
  return true;
}

function commandAt(t: SessionTranscriptData, i: number): Command {
  const c = t.commands;
  const f = i * COMMAND_FIELDS;
  return { kind: c[f] as CommandKind, symbolId: c[f + 1]!, owner: t.clientId, clientOrderId: c[f + 2]!, side: c[f + 3]!,
    orderType: c[f + 4]!, timeInForce: c[f + 5]!, price: c[f + 6]!, quantity: c[f + 7]!, timestampNs: c[f + 8]! };
}

function isBusy(reports: Float64Array, at: number): boolean {
  return reports[at] === MessageType.Reject && reports[at + 10] === RejectReason.EngineBusy;
}

/**
 * The differential check of a network run: the commands the engine acknowledged, put back into the
 * engine's processing order, replayed through {@link OrderBookReference} with the engine's own
 * report translation ({@link EventPublisher}, as harness/chaos/journalOracle.ts does for a
 * journal); every session's execution reports and the final books must equal the oracle's.
 *
 * Reconstructing the order. A client never sees the engine's global order directly; what it does see:
 * - ACK order ids rise by one per accepted NEW_ORDER across all symbols (docs/PROTOCOL.md, "Ids"):
 *   exact positions for accepted orders, and proof (no gaps from 1) that no one else traded;
 * - each session's requests are matched in the order it sent them (one connection, FIFO);
 * - CANCEL, REPLACE and REJECT carry no engine sequence. Their place between other sessions'
 *   requests is taken from the engine's frame timestamp (`timestampNs`) of the report answering
 *   them. This assumes the engine stamps reports on one monotonic clock as it publishes them in
 *   processing order (the reference engine does). The assumption is tested, not trusted: the
 *   order must put every ACK's order id in rising order, else the check says the order was not
 *   determinable and compares nothing. Equal timestamps of two sessions on one symbol, where one
 *   command has no order id, are taken in client order; when the replay then differs, the result
 *   is reported as inconclusive, not as a violation.
 * Not determinable, and said so: requests without an answer (their effect is unknown), order ids
 * that other clients used (fuzz clients, other shards, other traders), truncated transcripts.
 * REJECT EngineBusy answers are left out of both sides (the request never reached the matcher).
 * Maker FILLs the oracle owes a session after its last report are counted as unseen, not as
 * violations: a session that logged out while others still traded cannot receive them.
 */
export function differentialCheck(input: DifferentialInput): DifferentialResult {
  if (input.skipReason !== undefined) return notChecked(input.skipReason);
  const { transcripts } = input;
  if (transcripts.length === 0) return notChecked('this target\u2019s driver keeps no transcript of requests and reports');
  const truncated = transcripts.filter((t) => t.truncated).length;
  if (truncated > 0) return notChecked(`${truncated} session transcript(s) exceeded the recorder's cap`);

  const entries: Entry[] = [];
  /** Per session: engine reports to compare (EngineBusy rejects left out), and echo → merged entry. */
  const engineReports = new Map<number, Float64Array[]>();
  let unanswered = 0;
  let busy = 0;
  for (const t of transcripts) {
    const firstByEcho = new Map<number, number>();
    const reports: Float64Array[] = [];
    for (let at = 0; at < t.reports.length; at += REPORT_FIELDS) {
      const echo = t.reports[at + REPORT_ECHO] as number;
      if (echo !== 0 && !firstByEcho.has(echo)) firstByEcho.set(echo, at);
      if (isBusy(t.reports, at)) continue;
      reports.push(t.reports.subarray(at, at + REPORT_FIELDS));
    }
    engineReports.set(t.clientId, reports);
    for (let i = 0; i < t.commands.length / COMMAND_FIELDS; i++) {
      const command = commandAt(t, i);
      const at = firstByEcho.get(command.timestampNs);
      if (at === undefined) { unanswered++; continue; }
      if (isBusy(t.reports, at)) { busy++; continue; }
      const orderId = t.reports[at] === MessageType.Ack ? t.reports[at + 3] as number : 0;
      entries.push({ command, clientId: t.clientId, sessionIndex: i, answerTs: t.reports[at + REPORT_ENGINE_TS] as number, orderId });
    }
  }
  if (unanswered > 0) return notChecked(`${unanswered} request(s) got no answer, so their effect on the books is unknown`);

  entries.sort((a, b) => a.answerTs - b.answerTs || a.clientId - b.clientId || a.sessionIndex - b.sessionIndex);
  const ids = entries.filter((e) => e.orderId !== 0).map((e) => e.orderId);
  const late = ids.findIndex((id, k) => k > 0 && id <= (ids[k - 1] as number));
  if (late > 0) {
    return notChecked(`the engine's report timestamps do not follow its order ids (order id ${ids[late] as number} was answered ` +
      `after order id ${ids[late - 1] as number}), so the order of cancels and replaces between sessions cannot be told`);
  }
  const gap = ids.findIndex((id, k) => id !== k + 1);
  if (gap >= 0) {
    return notChecked(`order ids ${gap + 1}\u2013${(ids[gap] as number) - 1} went to requests this run did not send (other clients: ` +
      'fuzz clients, other shards or traders), so the engine\u2019s full input is unknown');
  }
  const accepted = ids.length;
  let ties = 0;
  for (let k = 1; k < entries.length; k++) {
    const e = entries[k] as Entry;
    const prev = entries[k - 1];
    if (prev !== undefined && prev.answerTs === e.answerTs && prev.clientId !== e.clientId &&
      prev.command.symbolId === e.command.symbolId && (prev.orderId === 0 || e.orderId === 0)) ties++;
  }

  // Replay through the oracle; reports per owner, each with the entry that caused it.
  const oracle = new Map<number, { records: number[][]; causes: number[] }>();
  let current = 0;
  const matcher = new Matcher(input.symbols, (c, x) => new OrderBookReference(c, x));
  const publisher = new EventPublisher({
    report: (owner, report) => {
      let o = oracle.get(owner);
      if (o === undefined) oracle.set(owner, o = { records: [], causes: [] });
      o.records.push(reportRecord(report, 0));
      o.causes.push(current);
    },
  }, IGNORE_MARKET_DATA);
  const deadline = performance.now() + (input.budgetMs ?? DIFFERENTIAL_BUDGET_MS);
  for (current = 0; current < entries.length; current++) {
    if ((current & 1023) === 1023 && performance.now() > deadline) break;
    applyCommand(matcher, (entries[current] as Entry).command);
    publisher.publish(matcher.events);
    matcher.events.clear();
  }
  const replayed = current;
  const complete = replayed === entries.length;

  const lines: string[] = [];
  let first: DifferentialViolation | undefined;
  const consider = (v: DifferentialViolation): void => {
    if (first === undefined || v.commandIndex < first.commandIndex) first = v;
  };
  let reportCount = 0;
  let unseenMakerFills = 0;
  const entryIndexByEcho = new Map<string, number>();
  entries.forEach((e, k) => entryIndexByEcho.set(`${e.clientId}/${e.command.timestampNs}`, k));
  for (const t of transcripts) {
    const ours = engineReports.get(t.clientId) ?? [];
    const theirs = oracle.get(t.clientId) ?? { records: [], causes: [] };
    // Cut short by the budget, the oracle's reports are a prefix of what each session is due: compare that much.
    const n = complete ? Math.max(ours.length, theirs.records.length) : Math.min(ours.length, theirs.records.length);
    reportCount += complete ? ours.length : n;
    for (let j = 0; j < n; j++) {
      const got = ours[j];
      const due = theirs.records[j];
      if (got !== undefined && due !== undefined && sameReport(got, due)) continue;
      // A session that logged out before others stopped trading cannot see the maker FILLs of its resting orders (they stay on the book).
      if (got === undefined && theirs.records.slice(j).every((r) => r[0] === MessageType.Fill && r[9] === Liquidity.Maker)) {
        unseenMakerFills += theirs.records.length - j;
        break;
      }
      const commandIndex = due !== undefined ? theirs.causes[j] as number
        : entryIndexByEcho.get(`${t.clientId}/${got?.[REPORT_ECHO] ?? 0}`) ?? entries.length;
      const description = `differential: client ${t.clientId - 1} report ${j} (command ${commandIndex} of the reconstructed order): ` +
        `engine sent ${got === undefined ? 'nothing' : describeReport(got)}, OrderBookReference gives ` +
        `${due === undefined ? 'nothing' : describeReport(due)}`;
      lines.push(description);
      consider({ invariant: 'differential-executions', clientId: t.clientId, symbolId: (got ?? due)?.[1] ?? 0, commandIndex,
        reportIndex: j, description, commands: entries.slice(0, commandIndex + 1).map((e) => e.command) });
      break;
    }
  }

  // Final books: the oracle's against the engine's own, and against fast subscribers' rebuilt ones.
  const compared: string[] = [];
  if (complete && input.engineBooks !== undefined) {
    compared.push('the engine\u2019s final books');
    for (const book of input.engineBooks.books) {
      const mine = matcher.book(book.symbolId)?.state();
      if (mine === undefined) continue; // a symbol no session traded here (the fuzzer's)
      const theirs = depthDigest(book);
      const due = depthDigest(mine);
      if (theirs !== due) {
        const description = `differential: symbol ${book.symbolId}'s final book is ${theirs} in the engine, ${due} in OrderBookReference`;
        lines.push(description);
        consider({ invariant: 'differential-final-book', clientId: 0, symbolId: book.symbolId, commandIndex: entries.length, reportIndex: -1,
          description, commands: entries.map((e) => e.command) });
      }
    }
    const sameSymbols = input.engineBooks.books.map((b) => b.symbolId).join() === input.symbols.map((s) => s.symbolId).join();
    if (sameSymbols && lines.length === 0 && input.engineBooks.stateHash !== matcher.stateHash()) {
      const description = `differential: the engine's state hash ${input.engineBooks.stateHash.slice(0, 12)} differs from ` +
        `OrderBookReference's ${matcher.stateHash().slice(0, 12)} (same depth: resting orders, counters or id counters differ)`;
      lines.push(description);
      consider({ invariant: 'differential-final-book', clientId: 0, symbolId: 0, commandIndex: entries.length, reportIndex: -1,
        description, commands: entries.map((e) => e.command) });
    }
  }
  if (complete && input.feedBooks !== undefined) {
    compared.push('fast subscribers\u2019 feed-rebuilt books');
    for (const s of input.symbols) {
      const state = matcher.book(s.symbolId)?.state();
      if (state === undefined) continue;
      const due = depthDigest(state);
      for (const [digest, count] of Object.entries(input.feedBooks[String(s.symbolId)] ?? {})) {
        if (digest === due) continue;
        const description = `differential: ${count} fast subscriber(s) rebuilt symbol ${s.symbolId}'s book from the feed as ${digest}; ` +
          `OrderBookReference holds ${due}`;
        lines.push(description);
        consider({ invariant: 'differential-final-book', clientId: 0, symbolId: s.symbolId, commandIndex: entries.length, reportIndex: -1,
          description, commands: entries.map((e) => e.command) });
      }
    }
  }

  const order = `${entries.length} answered requests of ${transcripts.length} session(s) (${accepted} accepted orders at their ` +
    `order ids; cancels, replaces and rejects placed by the engine's report timestamps${ties > 0 ? `, ${ties} equal-timestamp pair(s) ` +
    'on one symbol taken in client order' : ''}${busy > 0 ? `; ${busy} EngineBusy rejects left out` : ''})`;
  const books = !complete ? `stopped at the ${((input.budgetMs ?? DIFFERENTIAL_BUDGET_MS) / 1000).toFixed(0)} s budget after the first ` +
    `${replayed} requests: reports compared up to there, final books not compared`
    : compared.length === 0 ? 'final books not compared (no engine state and no fast subscriber)' : `final books against ${compared.join(' and ')}`;
  if (ties > 0 && lines.length > 0) {
    return { checked: `differential replay through OrderBookReference: inconclusive — ${order} replayed, ${lines.length} difference(s) ` +
      `(first: ${first?.description ?? ''}), but equal timestamps left the order open`, violations: [] };
  }
  return {
    checked: `differential replay through OrderBookReference of ${order}: ${reportCount} execution reports compared` +
      `${unseenMakerFills > 0 ? ` (${unseenMakerFills} maker FILLs due after a session's last report not seen: it had logged out)` : ''}, ${books}`,
    violations: lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `differential: … and ${lines.length - MAX_LINES} more`] : lines,
    ...(first === undefined ? {} : { first }),
  };
}
