/**
 * The scenario file's form (docs/SCENARIOS.md), as zod schemas: every key, its type and its range.
 * These check one value or one object at a time; rules that tie fields together (prices against
 * the tick size, the mix summing to 1, phases inheriting `defaults:`) are applied afterwards by
 * resolveScenario.ts. Objects are closed: an unknown key is an error naming the closest known key.
 */
import * as z from 'zod';
import { closestKey } from './closestKey.js';
import type { ScenarioPath, ScenarioProblem } from './scenarioProblem.js';
import { describeValue } from './describeValue.js';
import { parseDuration, type DurationUnit } from './parseDuration.js';
import { THRESHOLD_DURATION_UNITS } from './parseThreshold.js';
import { FUZZ_CLASSES } from '../fuzz/FuzzCase.js';

/** Upper bounds on what a scenario may ask for, each with the reason it is there. */
export const SCENARIO_LIMITS = {
  /** Symbols in one scenario: each is a book with its own price ladder in the engine. */
  symbols: 1_000,
  /** Order-entry sessions: the reference engine's default connection limit. */
  orderEntrySessions: 1_000,
  /** Market-data subscribers over all groups. */
  subscribers: 100_000,
  /** Load-generator worker threads. */
  workers: 64,
  /** Arrival rate of a phase over all sessions, orders per second. */
  ratePerSecond: 1_000_000,
  /** Phases in one scenario. */
  phases: 1_000,
  /** Thresholds in one scenario. */
  thresholds: 1_000,
  /** Length of one phase, in ms (24 h). */
  phaseDurationMs: 24 * 3_600_000,
  /** Length of the whole run, in ms (7 days). */
  runDurationMs: 7 * 24 * 3_600_000,
  /** A slow subscriber's read allowance, bytes per second (1 GB/s: beyond that it is not slow). */
  slowBytesPerSecond: 1_000_000_000,
  /** Fuzz sessions (connections playing cases at once). */
  fuzzSessions: 64,
  /** Fuzz case starts per second over all fuzz sessions. */
  fuzzRatePerSecond: 10_000,
  /** Price-ladder ticks over all symbols' bands: about 40 bytes each in the reference engine, so ~670 MB. */
  totalBandTicks: 2 ** 24,
} as const;

/** Names of the phase-level blocks that a phase inherits from `defaults:`. */
export const PHASE_FIELD_KEYS = ['price', 'mix', 'offsets', 'quantity', 'cancelAfter'] as const;

/** Fractions of the order mix (they sum to 1); `buyFraction` is the other key of a mix. */
export const MIX_FRACTION_KEYS = ['limitGtc', 'limitIoc', 'limitFok', 'market', 'cancel', 'replace'] as const;

/**
 * Messages for values that break a key's type or range, in the words the docs use. Passed to every
 * parse; messages set on a schema itself take precedence.
 */
export const scenarioErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      if (issue.expected === 'int') return `must be an integer, got ${describeValue(issue.input)}`;
      if (issue.expected === 'number' && typeof issue.input === 'number') return `must be a finite number, got ${issue.input}`;
      return `expected ${issue.expected === 'object' ? 'a map' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}, got ${describeValue(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}, got ${describeValue(issue.input)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} entries`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return `must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.join(', ')}`}, got ${describeValue(issue.input)}`;
    case 'invalid_format':
      return `must match ${issue.pattern ?? issue.format}, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
};

/**
 * Checks `input` against `schema` with the scenario error map; each problem is added under `path`
 * (an unknown-keys message holds one line per key, and each line is its own problem). Every file
 * format validated like scenarios (feed layouts, HTTP mappings, message sets) uses this.
 */
export function parseInto<T>(schema: z.ZodType<T, unknown>, input: unknown, path: ScenarioPath, problems: ScenarioProblem[]): T | undefined {
  const result = schema.safeParse(input, { error: scenarioErrorMap });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = [...path, ...issue.path.map((part) => (typeof part === 'number' ? part : String(part)))];
    for (const line of issue.message.split('\n')) problems.push({ path: at, message: line });
  }
  return undefined;
}

/**
 * Message for unknown keys, one line per key (each becomes its own problem): the closest known key
 * when one is near, else the list of known keys.
 */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[], context = ''): string {
  return keys.map((key) => {
    const guess = closestKey(key, known);
    return guess === undefined
      ? `unknown key "${key}"${context}; valid keys: ${known.join(', ')}`
      : `unknown key "${key}"${context} (did you mean "${guess}"?)`;
  }).join('\n');
}

/** A closed object: unknown keys are errors (typos must not be silently ignored). */
export function closed<T extends z.core.$ZodLooseShape>(shape: T, context = ''): z.ZodObject<T, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known, context) : undefined),
  });
}

/** Options of {@link duration}. */
interface DurationRange {
  /** Accepted units; default ms, s, m, h. */
  readonly units?: readonly DurationUnit[];
  /** Allow 0 (e.g. a spike at the phase start). Default false. */
  readonly zero?: boolean;
  /** Largest value, in ms. */
  readonly maxMs?: number;
  /** Whole milliseconds only. Default true. */
  readonly wholeMs?: boolean;
}

/** A duration string (`30s`, `500ms`, `2m`), parsed to ms. */
export function duration(range: DurationRange = {}): z.ZodType<number, unknown> {
  return z.unknown().transform((input, ctx) => {
    if (input === undefined) {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    const parsed = parseDuration(input, range.units);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    const problem = parsed.ms === 0 && range.zero !== true ? 'must be longer than 0'
      : range.maxMs !== undefined && parsed.ms > range.maxMs ? `must be at most ${formatMs(range.maxMs)}, got ${String(input)}`
      : range.wholeMs !== false && !Number.isInteger(parsed.ms) ? `must be a whole number of milliseconds, got ${String(input)}`
      : undefined;
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return parsed.ms;
  });
}

/** 86400000 → "24h", 1500 → "1500ms": for messages. */
export function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

const finite = (): z.ZodNumber => z.number();
const nonNegative = (): z.ZodNumber => z.number().min(0);
const fraction = (): z.ZodNumber => z.number().min(0).max(1);
const positiveInt = (): z.ZodNumber => z.number().int().min(1);
const rate = (): z.ZodNumber => z.number().min(0).max(SCENARIO_LIMITS.ratePerSecond);

// ---- symbols ---------------------------------------------------------------------------------

/** `uniform`, or `{zipf: exponent}`. */
const popularitySchema = z.union([
  z.literal('uniform'),
  closed({ zipf: z.number().gt(0).max(10) }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'must be "uniform" or {zipf: <exponent>}' : undefined) });

export const symbolsSchema = closed({
  count: positiveInt().max(SCENARIO_LIMITS.symbols).optional(),
  namePrefix: z.string().min(1).max(32).regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be letters, digits, "_", "." or "-"' }).optional(),
  tickSize: positiveInt().optional(),
  startMid: positiveInt().optional(),
  minPrice: positiveInt().optional(),
  maxPrice: positiveInt().optional(),
  maxQuantity: positiveInt().optional(),
  popularity: popularitySchema.optional(),
});
export type SymbolsFile = z.output<typeof symbolsSchema>;

// ---- phase-level blocks ----------------------------------------------------------------------

const jumpsSchema = closed({
  perSecond: z.number().gt(0).max(1_000),
  mean: finite().optional(),
  sd: nonNegative().optional(),
});

const regimeSwitchSchema = closed({
  enterPerSecond: nonNegative(),
  exitPerSecond: z.number().gt(0),
  volatilityMultiplier: nonNegative().optional(),
  extraDrift: finite().optional(),
});

export const priceSchema = closed({
  volatility: nonNegative().optional(),
  drift: finite().optional(),
  jumps: jumpsSchema.nullable().optional(),
  regimeSwitch: regimeSwitchSchema.nullable().optional(),
});

export const mixSchema = closed({
  limitGtc: fraction().optional(),
  limitIoc: fraction().optional(),
  limitFok: fraction().optional(),
  market: fraction().optional(),
  cancel: fraction().optional(),
  replace: fraction().optional(),
  buyFraction: fraction().optional(),
});

export const offsetsSchema = closed({
  mean: finite().optional(),
  sd: nonNegative().optional(),
});

export const quantitySchema = closed({
  median: z.number().gt(0).optional(),
  sigma: nonNegative().max(10).optional(),
  min: positiveInt().optional(),
  max: positiveInt().optional(),
});

/** `cancelAfter: 2s` is short for `cancelAfter: {mean: 2s}`. */
export const cancelAfterSchema = z.preprocess(
  (input) => (typeof input === 'string' || typeof input === 'number' ? { mean: input } : input),
  closed({ mean: duration({ maxMs: SCENARIO_LIMITS.phaseDurationMs }) }),
);

/** The schema of each block a phase may state and otherwise inherits from `defaults:`. */
export const PHASE_FIELD_SCHEMAS = {
  price: priceSchema,
  mix: mixSchema,
  offsets: offsetsSchema,
  quantity: quantitySchema,
  cancelAfter: cancelAfterSchema,
} as const;

/** The phase-level blocks as stated in `defaults:` or a phase, each optional. */
export type PhaseFieldsFile = { -readonly [K in keyof typeof PHASE_FIELD_SCHEMAS]?: z.output<(typeof PHASE_FIELD_SCHEMAS)[K]> };

/** Blocks are checked one by one by their own schemas, so here only their presence. */
const phaseFieldKeysShape = {
  price: z.unknown().optional(),
  mix: z.unknown().optional(),
  offsets: z.unknown().optional(),
  quantity: z.unknown().optional(),
  cancelAfter: z.unknown().optional(),
};

/** `defaults:`: which blocks it states (each block is checked by {@link PHASE_FIELD_SCHEMAS}). */
export const defaultsSchema = closed(phaseFieldKeysShape);

// ---- phases ----------------------------------------------------------------------------------

/** `rate: 500` is short for `rate: {perSecond: 500}`; an object without `kind` is constant. */
export const rateSchema = z.preprocess(
  (input) => (typeof input === 'number' ? { kind: 'constant', perSecond: input }
    : typeof input === 'object' && input !== null && !Array.isArray(input) && !('kind' in input) ? { kind: 'constant', ...input }
    : input),
  z.discriminatedUnion('kind', [
    closed({ kind: z.literal('constant'), perSecond: z.number().gt(0).max(SCENARIO_LIMITS.ratePerSecond) }, ' (for a ramp or a spike, set kind)'),
    closed({ kind: z.literal('ramp'), from: rate(), to: rate() }),
    closed({
      kind: z.literal('spike'),
      base: rate(),
      peak: rate(),
      at: duration({ zero: true, maxMs: SCENARIO_LIMITS.phaseDurationMs }),
      width: duration({ maxMs: SCENARIO_LIMITS.phaseDurationMs }),
    }),
  ], {
    error: (issue) => (issue.code === 'invalid_union' ? 'must be one of constant, ramp, spike'
      : issue.code === 'invalid_type' && issue.input !== undefined
        ? `expected a number (orders per second) or a map {kind: constant | ramp | spike, ...}, got ${describeValue(issue.input)}`
        : undefined),
  }),
);
export type RateFile = z.output<typeof rateSchema>;

/** A phase's own keys; its blocks are checked by {@link PHASE_FIELD_SCHEMAS}. */
export const phaseSchema = closed({
  name: z.string().min(1).max(64),
  duration: duration({ maxMs: SCENARIO_LIMITS.phaseDurationMs }),
  rate: rateSchema,
  ...phaseFieldKeysShape,
});
export type PhaseFile = z.output<typeof phaseSchema>;

// ---- clients ---------------------------------------------------------------------------------

const requiredFor = (className: string) => (issue: { readonly input?: unknown }): string | undefined =>
  (issue.input === undefined ? `required for class ${className}` : undefined);

export const subscriberGroupSchema = z.discriminatedUnion('class', [
  closed({ class: z.literal('fast'), count: positiveInt() }, ' (class fast takes only class and count)'),
  closed({
    class: z.literal('slow'),
    count: positiveInt(),
    bytesPerSecond: z.number({ error: requiredFor('slow') }).int().min(1).max(SCENARIO_LIMITS.slowBytesPerSecond),
  }),
  closed({ class: z.literal('stalled'), count: positiveInt() }, ' (class stalled takes only class and count)'),
  closed({
    class: z.literal('churning'),
    count: positiveInt(),
    meanConnected: duration({ maxMs: SCENARIO_LIMITS.phaseDurationMs }).optional(),
    minBackoff: duration({ maxMs: 3_600_000 }).optional(),
    maxBackoff: duration({ maxMs: 3_600_000 }).optional(),
  }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'must be one of fast, slow, stalled, churning' : undefined) });
export type SubscriberGroupFile = z.output<typeof subscriberGroupSchema>;

export const clientsSchema = closed({
  orderEntry: positiveInt().max(SCENARIO_LIMITS.orderEntrySessions, {
    error: `must be at most ${SCENARIO_LIMITS.orderEntrySessions} (the reference engine's connection limit)`,
  }).optional(),
  workers: z.number().int().min(0).max(SCENARIO_LIMITS.workers).optional(),
  marketData: z.array(z.unknown()).optional(),
  fuzz: z.unknown().optional(),
});

export const fuzzClientsSchema = closed({
  sessions: positiveInt().max(SCENARIO_LIMITS.fuzzSessions).optional(),
  rate: z.number().gt(0).max(SCENARIO_LIMITS.fuzzRatePerSecond),
  classes: z.array(z.enum(FUZZ_CLASSES)).min(1).optional(),
  seedOffset: z.number().int().min(0).optional(),
});
export type FuzzClientsFile = z.output<typeof fuzzClientsSchema>;

// ---- target ----------------------------------------------------------------------------------

/** A target option's value: text, or a number or boolean read as the string form writes it (`4.4`, `true`). */
const targetOption = z.union([z.string().min(1), z.number(), z.boolean()], {
  error: (issue) => (issue.code !== 'invalid_union' ? undefined : issue.input === '' ? 'must not be empty' : `expected a string, got ${describeValue(issue.input)}`),
}).transform(String).optional();

/**
 * The map form of `target:` (resolveTarget.ts): one of tcp, http, soup, fix names the engine, the
 * other keys are its options, as in the `--target` string form. Which option goes with which kind,
 * and each value, is checked there.
 */
export const targetMapSchema = closed({
  tcp: targetOption, http: targetOption, soup: targetOption, fix: targetOption,
  marketData: targetOption, mdLayout: targetOption, mapping: targetOption,
  messages: targetOption, user: targetOption, password: targetOption,
  version: targetOption, sender: targetOption, target: targetOption, reset: targetOption, heartbeat: targetOption,
});
export type TargetMapFile = z.output<typeof targetMapSchema>;

// ---- knee, top level -------------------------------------------------------------------------

export const kneeSchema = closed({
  metric: z.string().min(1),
  p99Limit: duration({ units: THRESHOLD_DURATION_UNITS, wholeMs: false, maxMs: 60_000 }),
});

/**
 * The top level. Sections are checked by their own schemas (so that a problem in one does not
 * hide the problems of another); here only their presence and kind.
 */
export const topLevelSchema = closed({
  version: z.unknown().optional(),
  name: z.string().min(1).max(128).optional(),
  description: z.string().optional(),
  seed: z.number().int().min(0).optional(),
  symbols: z.unknown().optional(),
  defaults: z.unknown().optional(),
  phases: z.array(z.unknown()).min(1).max(SCENARIO_LIMITS.phases),
  clients: z.unknown().optional(),
  thresholds: z.array(z.unknown()).max(SCENARIO_LIMITS.thresholds).optional(),
  target: z.unknown().optional(),
  knee: z.unknown().optional(),
});
export type TopLevelFile = z.output<typeof topLevelSchema>;

/** The keys of every closed object of the format, by where it appears; docs/SCENARIOS.md must name each. */
export const SCHEMA_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(topLevelSchema.shape),
  symbols: Object.keys(symbolsSchema.shape),
  'symbols.popularity': ['zipf'],
  defaults: Object.keys(defaultsSchema.shape),
  price: Object.keys(priceSchema.shape),
  'price.jumps': Object.keys(jumpsSchema.shape),
  'price.regimeSwitch': Object.keys(regimeSwitchSchema.shape),
  mix: Object.keys(mixSchema.shape),
  offsets: Object.keys(offsetsSchema.shape),
  quantity: Object.keys(quantitySchema.shape),
  cancelAfter: ['mean'],
  phases: Object.keys(phaseSchema.shape),
  rate: ['kind', 'perSecond', 'from', 'to', 'base', 'peak', 'at', 'width'],
  clients: Object.keys(clientsSchema.shape),
  'clients.marketData': ['class', 'count', 'bytesPerSecond', 'meanConnected', 'minBackoff', 'maxBackoff'],
  'clients.fuzz': Object.keys(fuzzClientsSchema.shape),
  target: Object.keys(targetMapSchema.shape),
  knee: Object.keys(kneeSchema.shape),
};
