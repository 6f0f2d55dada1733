import { closestKey } from './closestKey.js';
import { DURATION_UNITS_MS, type DurationUnit } from './parseDuration.js';
import type { Threshold } from './Scenario.js';
import { KIND_STATS, METRIC_CLASSES, metricDefinition, statNames, THRESHOLD_METRICS, type MetricDefinition } from './thresholdMetrics.js';

/** Units a latency threshold may be written in; the value is normalised to ms. */
export const THRESHOLD_DURATION_UNITS: readonly DurationUnit[] = ['ns', 'us', 'µs', 'ms', 's'];

/** The comparison operators, longest first (so `<=` is found before `<`). */
const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const satisfies readonly Threshold['op'][];

/** Result of {@link parseThreshold}. */
export type ParsedThreshold =
  | { readonly ok: true; readonly threshold: Threshold }
  | { readonly ok: false; readonly problems: readonly string[] };

const VALUE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(\S*)$/i;
const PERCENTILE = /^p\(?(\d+(?:\.\d+)?)\)?$/;

/**
 * Parses a k6-style rule `metric[.class][.stat] op value[unit]`, such as `order_rtt.p99 < 2ms`,
 * `fill_rtt.p99.9 <= 5ms`, `feed_gaps.fast == 0`, `achieved_rate.ratio >= 0.95` or `errors.count == 0`.
 * The metrics, classes and stats are those of thresholdMetrics.ts; latencies take a unit (ns, us,
 * µs, ms, s) and are normalised to ms; ratios may be written as percentages (`95%`). Returns every
 * problem of the rule at once, never throws.
 */
export function parseThreshold(source: string): ParsedThreshold {
  const text = source.trim();
  if (text.length === 0) return fail([`empty rule; write e.g. "order_rtt.p99 < 2ms"`]);
  const opIndex = text.search(/[<>=!]/);
  if (opIndex < 0) return fail([`no comparison: write "<metric>.<stat> <op> <value>" with op one of ${OPERATORS.join(' ')}`]);
  const opText = /^[<>=!]+/.exec(text.slice(opIndex))![0];
  const problems: string[] = [];
  const op = OPERATORS.find((candidate) => candidate === opText);
  if (op === undefined) {
    problems.push(`unknown operator "${opText}"${opText === '=' ? ' (write "==")' : ''}; operators: ${OPERATORS.join(' ')}`);
  }
  const left = text.slice(0, opIndex).trim();
  const right = text.slice(opIndex + opText.length).trim();

  const subject = parseSubject(left, problems);
  const value = parseValue(right, subject?.unit, problems);
  if (problems.length > 0 || subject === undefined || value === undefined || op === undefined) return fail(problems);
  return { ok: true, threshold: { source: text, metric: subject.metric, stat: subject.stat, op, value, unit: subject.unit } };
}

function fail(problems: readonly string[]): ParsedThreshold {
  return { ok: false, problems };
}

interface Subject {
  readonly metric: string;
  readonly stat: string;
  readonly unit: Threshold['unit'];
}

/** `order_rtt.p99`, `feed_gaps.fast`, `feed_latency.slow.p99.9` → metric, stat and the stat's unit. */
function parseSubject(left: string, problems: string[]): Subject | undefined {
  if (left.length === 0) {
    problems.push('no metric before the operator');
    return undefined;
  }
  const [name = '', ...rest] = left.split('.');
  const definition = metricDefinition(name);
  if (definition === undefined) {
    const names = THRESHOLD_METRICS.map((metric) => metric.name);
    const guess = closestKey(name, names);
    problems.push(`unknown metric "${name}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; metrics: ${names.join(', ')}`);
    return undefined;
  }
  let metric = name;
  if (definition.classes !== null) {
    const className = rest.shift();
    if (className === undefined || className.length === 0) {
      problems.push(`${name} is kept per subscriber class: write ${name}.<class> with class one of ${definition.classes.join(', ')}`);
      return undefined;
    }
    if (!definition.classes.includes(className as never)) {
      problems.push(METRIC_CLASSES.includes(className as never)
        ? `${name}.${className}: ${className} subscribers read nothing after login, so they have no ${name}; classes: ${definition.classes.join(', ')}`
        : `${name}: unknown subscriber class "${className}"; classes: ${definition.classes.join(', ')}`);
      return undefined;
    }
    metric = `${name}.${className}`;
  }
  const statText = rest.join('.');
  const stat = statText.length === 0 ? definition.defaultStat : statText;
  if (stat === null) {
    problems.push(`${metric}: name a stat, e.g. ${metric}.${definition.kind === 'latency' ? 'p99' : Object.keys(KIND_STATS[definition.kind])[0]}; stats: ${statNames(definition.kind).join(', ')}`);
    return undefined;
  }
  return parseStat(metric, definition, stat, problems);
}

function parseStat(metric: string, definition: MetricDefinition, stat: string, problems: string[]): Subject | undefined {
  const fixed = KIND_STATS[definition.kind][stat];
  if (fixed !== undefined) return { metric, stat, unit: fixed };
  const percentile = PERCENTILE.exec(stat);
  if (definition.kind === 'latency' && percentile !== null) {
    const p = Number(percentile[1]);
    if (p > 0 && p <= 100) return { metric, stat: `p${p}`, unit: 'ms' };
    problems.push(`${metric}.${stat}: a percentile must be above 0 and at most 100`);
    return undefined;
  }
  const names = statNames(definition.kind);
  const guess = closestKey(stat, names);
  problems.push(`${metric}: unknown stat "${stat}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; stats of ${definition.name}: ${names.join(', ')}`);
  return undefined;
}

/** `2ms`, `0`, `0.95`, `95%`, `1000/s`, checked against the unit the stat's value has. */
function parseValue(right: string, unit: Threshold['unit'] | undefined, problems: string[]): number | undefined {
  if (right.length === 0) {
    problems.push('no value after the operator');
    return undefined;
  }
  const match = VALUE.exec(right);
  if (match === null) {
    problems.push(`"${right}" is not a number with an optional unit`);
    return undefined;
  }
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  switch (unit) {
    case undefined:
      return undefined;
    case 'ms': {
      if (suffix === '') {
        problems.push(`${right}: a latency needs a unit, one of ${THRESHOLD_DURATION_UNITS.join(', ')} (e.g. 2ms)`);
        return undefined;
      }
      if (!THRESHOLD_DURATION_UNITS.includes(suffix as DurationUnit)) {
        problems.push(`${right}: unknown duration unit "${suffix}"; units: ${THRESHOLD_DURATION_UNITS.join(', ')}`);
        return undefined;
      }
      return number * DURATION_UNITS_MS[suffix as DurationUnit];
    }
    case 'count':
      if (suffix !== '') {
        problems.push(`${right}: a count takes no unit`);
        return undefined;
      }
      return number;
    case 'per_second':
      if (suffix !== '' && suffix !== '/s') {
        problems.push(`${right}: a rate is per second, written without a unit or with "/s"`);
        return undefined;
      }
      return number;
    case 'ratio':
      if (suffix !== '' && suffix !== '%') {
        problems.push(`${right}: a ratio is a plain number (0.95) or a percentage (95%)`);
        return undefined;
      }
      return suffix === '%' ? number / 100 : number;
  }
}
