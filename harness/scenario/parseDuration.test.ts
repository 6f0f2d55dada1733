import { describe, expect, it } from 'vitest';
import { parseDuration } from './parseDuration.js';

describe('parseDuration', () => {
  it('reads ms, s, m and h, with decimals', () => {
    expect(parseDuration('500ms')).toEqual({ ok: true, ms: 500 });
    expect(parseDuration('30s')).toEqual({ ok: true, ms: 30_000 });
    expect(parseDuration('1.5s')).toEqual({ ok: true, ms: 1_500 });
    expect(parseDuration('2m')).toEqual({ ok: true, ms: 120_000 });
    expect(parseDuration(' 1h ')).toEqual({ ok: true, ms: 3_600_000 });
    expect(parseDuration('250us', ['us', 'ms'])).toEqual({ ok: true, ms: 0.25 });
  });

  it('refuses bare numbers, unknown units and other values, saying why', () => {
    expect(parseDuration(30)).toEqual({ ok: false, problem: 'a duration needs a unit (e.g. "30s" or "500ms"; units: ms, s, m, h), got the bare number 30' });
    expect(parseDuration('30')).toEqual({ ok: false, problem: '"30" is not a duration (e.g. "30s" or "500ms"; units: ms, s, m, h)' });
    expect(parseDuration('5us')).toEqual({ ok: false, problem: '"5us": unknown duration unit "us" (e.g. "30s" or "500ms"; units: ms, s, m, h)' });
    expect(parseDuration('-1s')).toMatchObject({ ok: false });
    expect(parseDuration(['1s'])).toEqual({ ok: false, problem: 'expected a duration (e.g. "30s" or "500ms"; units: ms, s, m, h), got a list' });
  });
});
