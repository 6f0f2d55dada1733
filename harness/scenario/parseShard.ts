import type { Parsed } from './parseTarget.js';

/** One shard of a sharded run: shard `index` of `count` (0 ≤ index < count). */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** Most shards a run may be split into (far more load generators than any engine test needs). */
export const MAX_SHARDS = 1_024;

/**
 * Parses `--shard i/N`: shard i (0-based) of N. Returns every problem at once; messages do not
 * name the flag (the caller prefixes them).
 */
export function parseShard(text: string): Parsed<ShardSpec> {
  const match = /^\s*([^/\s]*)\s*\/\s*([^/\s]*)\s*$/.exec(text);
  if (match === null) return { ok: false, problems: [`"${text}" is not i/N (shard i of N, i from 0 to N-1, e.g. 0/4)`] };
  const [, indexText = '', countText = ''] = match;
  const problems: string[] = [];
  const isInt = (t: string): boolean => /^\d+$/.test(t);
  if (!isInt(indexText)) problems.push(`"${text}": the shard index "${indexText}" is not a whole number from 0 to N-1`);
  if (!isInt(countText)) problems.push(`"${text}": the shard count "${countText}" is not a whole number from 1 to ${MAX_SHARDS}`);
  if (problems.length > 0) return { ok: false, problems };
  const index = Number(indexText);
  const count = Number(countText);
  if (count < 1 || count > MAX_SHARDS) problems.push(`"${text}": the shard count must be from 1 to ${MAX_SHARDS}, got ${count}`);
  else if (index >= count) problems.push(`"${text}": the shard index must be from 0 to ${count - 1} (shards count from 0), got ${index}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { index, count } };
}

/** How far in the past `--start-at` may be, ms: later than that the shards would not share a phase clock. */
export const START_AT_LATE_LIMIT_MS = 1_000;

/**
 * Parses `--start-at`: epoch ms (digits) or an ISO 8601 time with a zone (`2026-12-07T03:00:00Z`),
 * the wall-clock instant of the run's time 0. Refuses a time more than a second before `nowMs`.
 */
export function parseStartAt(text: string, nowMs: number): Parsed<number> {
  const trimmed = text.trim();
  let epochMs: number;
  if (/^\d+$/.test(trimmed)) {
    epochMs = Number(trimmed);
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) {
    epochMs = Date.parse(trimmed);
  } else {
    return { ok: false, problems: [`"${text}" is neither epoch ms (e.g. ${Math.round(nowMs) + 10_000}) nor an ISO time with a zone ` +
      '(e.g. 2026-12-07T03:00:00Z)'] };
  }
  if (!Number.isSafeInteger(Math.round(epochMs)) || Number.isNaN(epochMs)) return { ok: false, problems: [`"${text}" is not a valid time`] };
  if (epochMs < nowMs - START_AT_LATE_LIMIT_MS) {
    return { ok: false, problems: [`"${text}" (${new Date(epochMs).toISOString()}) is ${((nowMs - epochMs) / 1000).toFixed(1)} s in the past; ` +
      'give a time a few seconds ahead, the same for every shard'] };
  }
  return { ok: true, value: epochMs };
}
