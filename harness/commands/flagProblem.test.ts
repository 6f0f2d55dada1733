import { describe, expect, it } from 'vitest';
import { flagProblem } from './flagProblem.js';

describe('flagProblem', () => {
  it('names a problem by the flag the user typed, only for the options listed', () => {
    const names = new Set(['perPacket', 'ratesHz', 'drop']);
    expect(flagProblem('perPacket must be an integer from 1 to 1000, got 0', names)).toBe('--per-packet must be an integer from 1 to 1000, got 0');
    expect(flagProblem('drop must be in [0, 1), got 2', names)).toBe('--drop must be in [0, 1), got 2');
    expect(flagProblem('ratesHz[1] must be above 0', names, { ratesHz: 'rates' })).toBe('--rates[1] must be above 0');
    expect(flagProblem('layout itch-like is not framed moldudp64', names)).toBe('layout itch-like is not framed moldudp64');
  });
});
