import { describe, expect, it } from 'vitest';
import { SessionErrorReason } from '../../engine/protocol/codes.js';
import { fuzzCatalogue } from './fuzzCatalogue.js';
import { caseBytes, FUZZ_CLASSES, toHex } from './FuzzCase.js';

describe('fuzzCatalogue', () => {
  const catalogue = fuzzCatalogue();

  it('has at least 5,000 cases with unique ids, covering every deterministic class', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(5_000);
    expect(new Set(catalogue.map((c) => c.id)).size).toBe(catalogue.length);
    const classes = new Set(catalogue.map((c) => c.class));
    expect([...classes].sort()).toEqual(FUZZ_CLASSES.filter((c) => c !== 'havoc').sort());
  });

  it('is the same, byte for byte and outcome for outcome, every time it is built', () => {
    const again = fuzzCatalogue();
    expect(again.map((c) => `${c.id} ${toHex(caseBytes(c))} ${JSON.stringify(c.expected)}`))
      .toEqual(catalogue.map((c) => `${c.id} ${toHex(caseBytes(c))} ${JSON.stringify(c.expected)}`));
  });

  it('cuts every client frame at every byte, each expected to leave the engine waiting', () => {
    const cuts = catalogue.filter((c) => c.class === 'truncation');
    // LOGIN 36, HEARTBEAT 28, LOGOUT 32, SESSION_ERROR 40, NEW_ORDER 56, CANCEL 36, REPLACE 52 bytes.
    expect(cuts).toHaveLength(35 + 27 + 31 + 39 + 55 + 35 + 51);
    expect(cuts.every((c) => c.expected.end.kind === 'silent')).toBe(true);
  });

  it('flips every bit of the CRC of every client frame, each a ChecksumMismatch', () => {
    const crcBits = catalogue.filter((c) => c.class === 'crc' && c.description.includes('(crc)'));
    expect(crcBits).toHaveLength(7 * 32);
    expect(crcBits.every((c) => c.expected.end.kind === 'sessionError' && c.expected.end.reason === SessionErrorReason.ChecksumMismatch)).toBe(true);
  });

  it('sweeps side, order type and time in force through all 256 values', () => {
    for (const field of ['side', 'orderType', 'timeInForce']) {
      expect(catalogue.filter((c) => c.id.startsWith(`enum/${field}/`))).toHaveLength(256);
    }
  });

  it('sends every non-client type byte, before and after login', () => {
    const types = new Set(catalogue.filter((c) => c.class === 'unknownType').map((c) => c.id.split('/')[1]));
    expect(types.size).toBe(256 - 7);
  });
});
