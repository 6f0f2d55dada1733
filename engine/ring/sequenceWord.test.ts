import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPOCH_SPAN, epochOf, expandFromEpoch, expandWord, toWord, wordDistance } from './sequenceWord.js';

// Fixed seed, printed in the test names, so a failure replays exactly.
const SEED = 20_240_611;
const sequence = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 2 ** 32 });
const offset = fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 });

describe(`sequence words (fast-check seed ${SEED})`, () => {
  it('store any safe sequence as a signed Int32 that an Int32Array holds unchanged', () => {
    const cell = new Int32Array(1);
    fc.assert(fc.property(sequence, (s) => {
      const w = toWord(s);
      cell[0] = w;
      expect(cell[0]).toBe(w);
      expect(((w % 2 ** 32) + 2 ** 32) % 2 ** 32).toBe(s % 2 ** 32);
    }), { seed: SEED });
  });

  it('give the true difference of two sequences less than 2^31 apart, across the 2^31 and 2^32 wraps', () => {
    fc.assert(fc.property(sequence, offset, (s, d) => {
      fc.pre(s + d >= 0);
      expect(wordDistance(toWord(s + d), toWord(s))).toBe(d);
    }), { seed: SEED });
    expect(wordDistance(toWord(2 ** 31), toWord(2 ** 31 - 1))).toBe(1);
    expect(wordDistance(toWord(2 ** 32), toWord(2 ** 32 - 1))).toBe(1);
  });

  it('expand back to the exact sequence from any exact sequence less than 2^31 away', () => {
    fc.assert(fc.property(sequence, offset, (s, d) => {
      fc.pre(s + d >= 0);
      expect(expandWord(toWord(s + d), s)).toBe(s + d);
    }), { seed: SEED });
  });

  it('expand from an epoch for any sequence in the 2^32 after the epoch start', () => {
    fc.assert(fc.property(sequence, fc.integer({ min: 0, max: 2 ** 32 - 1 }), (s, ahead) => {
      const epoch = epochOf(s);
      const value = epoch * EPOCH_SPAN + ahead;
      expect(expandFromEpoch(toWord(value), epoch)).toBe(value);
    }), { seed: SEED });
    expect(epochOf(-1)).toBe(-1);
    expect(expandFromEpoch(toWord(-1), epochOf(-1))).toBe(-1);
  });
});
