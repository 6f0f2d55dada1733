import { describeValue } from './describeValue.js';

/** Milliseconds per unit of every duration unit a scenario file may use. */
export const DURATION_UNITS_MS = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
} as const;

/** A duration unit: ns, us (or µs), ms, s, m, h. */
export type DurationUnit = keyof typeof DURATION_UNITS_MS;

/** Units of the file's times (phase lengths, spike positions, cancel delays, backoffs). */
export const SCENARIO_DURATION_UNITS: readonly DurationUnit[] = ['ms', 's', 'm', 'h'];

/** Result of {@link parseDuration}: the duration in ms, or why the text is not one. */
export type ParsedDuration = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zµ]+)$/;

/**
 * Parses a duration written as a number and a unit, such as `30s`, `500ms`, `2m`, `1.5h`.
 * Bare numbers are refused: a file that says `duration: 30` could mean seconds or milliseconds, and
 * a silent guess would make a run ten times longer or shorter than meant.
 *
 * @param units the units accepted here (default {@link SCENARIO_DURATION_UNITS}).
 */
export function parseDuration(input: unknown, units: readonly DurationUnit[] = SCENARIO_DURATION_UNITS): ParsedDuration {
  const examples = `e.g. "30s" or "500ms"; units: ${units.join(', ')}`;
  if (typeof input === 'number') {
    return { ok: false, problem: `a duration needs a unit (${examples}), got the bare number ${input}` };
  }
  if (typeof input !== 'string') return { ok: false, problem: `expected a duration (${examples}), got ${describeValue(input)}` };
  const match = DURATION.exec(input.trim());
  if (match === null) return { ok: false, problem: `"${input}" is not a duration (${examples})` };
  const unit = match[2] as DurationUnit;
  if (!units.includes(unit)) return { ok: false, problem: `"${input}": unknown duration unit "${unit}" (${examples})` };
  return { ok: true, ms: Number(match[1]) * DURATION_UNITS_MS[unit] };
}
