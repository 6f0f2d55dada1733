import { describe, expect, it } from 'vitest';
import { caseBytes, toHex } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS as rules } from './fuzzRules.js';
import { havocCase, parseHavocCaseId } from './havocCase.js';

describe('havocCase', () => {
  it('rebuilds the same bytes from seed and index, and different bytes for another index or seed', () => {
    const bytes = (seed: number, index: number): string => toHex(caseBytes(havocCase(seed, index, rules)));
    expect(bytes(7, 3)).toBe(bytes(7, 3));
    expect(bytes(7, 3)).not.toBe(bytes(7, 4));
    expect(bytes(7, 3)).not.toBe(bytes(8, 3));
  });

  it('has an id that names its seed and index', () => {
    const c = havocCase(42, 17, rules);
    expect(c.id).toBe('havoc/42/17');
    expect(parseHavocCaseId(c.id)).toEqual({ seed: 42, index: 17 });
    expect(parseHavocCaseId('crc/LOGIN/bit-3')).toBeUndefined();
  });

  it('sends the asked number of frames after the login, in one to four writes', () => {
    const c = havocCase(1, 0, rules, 5);
    expect(c.login).toBe(true);
    expect(c.description).toMatch(/^5 frames after LOGIN/);
    expect(c.chunks.length).toBeGreaterThanOrEqual(1);
    expect(c.chunks.length).toBeLessThanOrEqual(4);
  });
});
