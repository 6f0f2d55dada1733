import { createHash } from 'node:crypto';
import type { Scenario } from './Scenario.js';

/**
 * The scenario's identity for run records and comparisons: sha256 (hex) of the canonical JSON of
 * the validated Scenario. Taken after validation, so comments, key order, layout and spelled-out
 * defaults do not change it; any value that changes the run does.
 */
export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(canonicalJson(scenario)).digest('hex');
}

/** JSON with every object's keys sorted, no whitespace; `undefined` members left out as JSON does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} has no JSON form`);
  return JSON.stringify(value);
}
