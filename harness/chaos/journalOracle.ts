import { applyCommand, CommandKind } from '../../engine/book/Command.js';
import { Matcher } from '../../engine/book/Matcher.js';
import { OrderBookReference } from '../../engine/book/OrderBookReference.js';
import type { MarketDataSink } from '../../engine/EngineCore.js';
import { EventPublisher } from '../../engine/EventPublisher.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { readJournal } from '../../engine/journal/readJournal.js';
import { journalConfig } from '../../engine/journal/replayJournal.js';

/** One execution report the oracle derived, with the journal record (1-based) that caused it. */
export interface OracleReport {
  readonly record: number;
  readonly report: Unstamped<ExecutionReport>;
}

/** What the oracle made of a journal. */
export interface JournalOracle {
  readonly records: number;
  /** The reference books' {@link Matcher.stateHash} after the last record. */
  readonly stateHash: string;
  /** The state hash after each requested number of records (0: before any). */
  readonly hashAfter: ReadonlyMap<number, string>;
  /** Every execution report, per owner (client id), in the engine's order. */
  readonly reportsByOwner: ReadonlyMap<number, readonly OracleReport[]>;
  /** NEW_ORDER records per `owner:clientOrderId`. */
  readonly newOrderRecords: ReadonlyMap<string, number>;
  /** The matcher holding the reference books after the last record. */
  readonly matcher: Matcher;
}

/** `owner:clientOrderId`, the key of an order across the run. */
export function orderKey(owner: number, clientOrderId: number): string {
  return `${owner}:${clientOrderId}`;
}

const IGNORE_MARKET_DATA: MarketDataSink = { trade: () => {}, levelUpdate: () => {}, quote: () => {}, flush: () => {} };

/**
 * Replays a journal through the oracle ({@link OrderBookReference} books, not the engine's fast
 * ones) and turns its events into execution reports with the engine's own translation
 * ({@link EventPublisher}): what every client should have been told, record by record.
 *
 * @param hashesAfter record counts after which to take the state hash.
 * @throws JournalError for a journal corrupt in the middle.
 */
export function replayWithOracle(path: string, hashesAfter: Iterable<number> = []): JournalOracle {
  const wanted = new Set(hashesAfter);
  const hashAfter = new Map<number, string>();
  const reportsByOwner = new Map<number, OracleReport[]>();
  const newOrderRecords = new Map<string, number>();
  let matcher: Matcher | undefined;
  let record = 0;
  const publisher = new EventPublisher({
    report: (owner, report) => {
      let list = reportsByOwner.get(owner);
      if (list === undefined) reportsByOwner.set(owner, list = []);
      list.push({ record, report });
    },
  }, IGNORE_MARKET_DATA);
  const contents = readJournal(path, {
    header: (config) => {
      matcher = new Matcher(journalConfig(config).symbols, (c, x) => new OrderBookReference(c, x));
      if (wanted.has(0)) hashAfter.set(0, matcher.stateHash());
    },
    record: (command, sequence) => {
      const m = matcher as Matcher;
      record = sequence;
      if (command.kind === CommandKind.NewOrder) {
        const key = orderKey(command.owner, command.clientOrderId);
        newOrderRecords.set(key, (newOrderRecords.get(key) ?? 0) + 1);
      }
      applyCommand(m, command);
      publisher.publish(m.events);
      m.events.clear();
      if (wanted.has(sequence)) hashAfter.set(sequence, m.stateHash());
    },
  });
  const final = matcher as Matcher;
  return { records: contents.records, stateHash: final.stateHash(), hashAfter, reportsByOwner, newOrderRecords, matcher: final };
}
