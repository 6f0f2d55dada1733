import { describe, expect, it } from 'vitest';
import { parseShard, parseStartAt } from './parseShard.js';

describe('parseShard', () => {
  it('reads i/N with i from 0 to N-1', () => {
    expect(parseShard('0/1')).toEqual({ ok: true, value: { index: 0, count: 1 } });
    expect(parseShard(' 3 / 4 ')).toEqual({ ok: true, value: { index: 3, count: 4 } });
  });

  it.each([
    ['0/0', /shard count must be from 1 to 1024, got 0/],
    ['3/2', /shard index must be from 0 to 1 \(shards count from 0\), got 3/],
    ['2/2', /shard index must be from 0 to 1/],
    ['-1/2', /shard index "-1" is not a whole number from 0 to N-1/],
    ['1.5/2', /shard index "1.5" is not a whole number/],
    ['3', /"3" is not i\/N/],
    ['1/2/3', /is not i\/N/],
    ['0/5000', /shard count must be from 1 to 1024, got 5000/],
  ])('refuses %s, saying why', (text, message) => {
    const parsed = parseShard(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problems.join('\n')).toMatch(message);
  });

  it('names both halves of a/b', () => {
    const parsed = parseShard('a/b');
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      '"a/b": the shard index "a" is not a whole number from 0 to N-1',
      '"a/b": the shard count "b" is not a whole number from 1 to 1024',
    ]);
  });
});

describe('parseStartAt', () => {
  const now = Date.parse('2026-12-07T03:00:00Z');

  it('reads epoch ms and ISO times with a zone', () => {
    expect(parseStartAt(String(now + 5_000), now)).toEqual({ ok: true, value: now + 5_000 });
    expect(parseStartAt('2026-12-07T03:00:10Z', now)).toEqual({ ok: true, value: now + 10_000 });
    expect(parseStartAt('2026-12-07T04:00:10.5+01:00', now)).toEqual({ ok: true, value: now + 10_500 });
  });

  it('accepts a time up to a second past, and refuses one further past', () => {
    expect(parseStartAt(String(now - 900), now).ok).toBe(true);
    const late = parseStartAt(String(now - 5_000), now);
    expect(late.ok ? '' : late.problems.join()).toMatch(/is 5\.0 s in the past; give a time a few seconds ahead, the same for every shard/);
  });

  it('refuses what is neither, and a time without a zone (each machine would read its own)', () => {
    for (const text of ['soon', '2026-12-07 03:00', '2026-12-07T03:00:10', '']) {
      const parsed = parseStartAt(text, now);
      expect(parsed.ok ? '' : parsed.problems.join()).toMatch(/is neither epoch ms .* nor an ISO time with a zone/);
    }
  });
});
