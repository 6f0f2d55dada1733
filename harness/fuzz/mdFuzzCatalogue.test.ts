import { describe, expect, it } from 'vitest';
import { SessionErrorReason } from '../../engine/protocol/codes.js';
import { fuzzCatalogue } from './fuzzCatalogue.js';
import { caseBytes, MD_FUZZ_CLASSES, toHex } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS as rules } from './fuzzRules.js';
import { mdFuzzCatalogue } from './mdFuzzCatalogue.js';

describe('mdFuzzCatalogue', () => {
  const catalogue = mdFuzzCatalogue(rules);

  it('has unique md/ ids, each starting with its class, none shared with order entry, all on the market-data port', () => {
    expect(new Set(catalogue.map((c) => c.id)).size).toBe(catalogue.length);
    expect(catalogue.every((c) => c.id.startsWith(`${c.class}/`) && c.channel === 'marketData')).toBe(true);
    const orderEntryIds = new Set(fuzzCatalogue(rules).map((c) => c.id));
    expect(catalogue.filter((c) => orderEntryIds.has(c.id))).toEqual([]);
    // The limit case appears only when the limit is known.
    expect([...new Set(catalogue.map((c) => c.class))].sort()).toEqual([...MD_FUZZ_CLASSES].sort());
    expect(catalogue.some((c) => c.id === 'md/churn/beyond-limit')).toBe(false);
    expect(mdFuzzCatalogue({ ...rules, maxConnections: 10 }).some((c) => c.id === 'md/churn/beyond-limit')).toBe(true);
  });

  it('is the same, byte for byte and outcome for outcome, every time it is built', () => {
    const key = (c: (typeof catalogue)[number]): string => `${c.id} ${toHex(caseBytes(c))} ${JSON.stringify(c.expected)}`;
    expect(mdFuzzCatalogue(rules).map(key)).toEqual(catalogue.map(key));
  });

  it('flips every CRC bit of every subscriber frame, each a ChecksumMismatch', () => {
    const crcBits = catalogue.filter((c) => c.class === 'md/crc' && c.description.includes('(crc)'));
    expect(crcBits).toHaveLength(5 * 32);
    expect(crcBits.every((c) => c.expected.end.kind === 'sessionError' && c.expected.end.reason === SessionErrorReason.ChecksumMismatch)).toBe(true);
  });

  it('refuses order-entry and engine types on market data with UnexpectedMessage, even before LOGIN', () => {
    for (const id of ['md/unexpected/NEW_ORDER/beforeLogin', 'md/unexpected/TRADE/loggedIn', 'md/unexpected/FEED_HEARTBEAT/beforeLogin',
      'md/unexpected/CANCEL/wellFormed']) {
      expect(catalogue.find((c) => c.id === id)?.expected.end, id).toMatchObject({ kind: 'sessionError', reason: SessionErrorReason.UnexpectedMessage });
    }
    expect(catalogue.find((c) => c.id === 'md/unknownType/0x99/beforeLogin')?.expected.end)
      .toMatchObject({ kind: 'sessionError', reason: SessionErrorReason.UnknownMessageType });
  });

  it('expects a BOOK_SNAPSHOT of the symbol asked for, at most the levels asked for (or what fits), and the session alive', () => {
    expect(catalogue.find((c) => c.id === 'md/snapshot/symbol-99/levels-2')?.expected).toEqual({
      answers: [{ type: 'BOOK_SNAPSHOT', symbolId: 99, maxLevelsPerSide: 2 }], end: { kind: 'alive', nextSequence: 3 } });
    expect(catalogue.find((c) => c.id === 'md/snapshot/symbol-71/levels-0')?.expected.answers).toEqual([
      { type: 'BOOK_SNAPSHOT', symbolId: 71, maxLevelsPerSide: 169 }]);
    expect(catalogue.find((c) => c.id === 'md/snapshot/reserved-1')?.expected.end)
      .toMatchObject({ kind: 'sessionError', reason: SessionErrorReason.ValueOutOfRange, refSequence: 2 });
    expect(catalogue.find((c) => c.id === 'md/snapshot/fifty-in-one-write')?.expected.answers).toHaveLength(50);
    expect(catalogue.find((c) => c.id === 'md/sequence/snapshot-before-login')?.expected.end)
      .toMatchObject({ kind: 'sessionError', reason: SessionErrorReason.NotLoggedIn });
  });
});
