/**
 * From a parsed YAML value to a {@link Scenario}: checks each section against its schema
 * (scenarioSchema.ts), fills in defaults, lets phases inherit `defaults:`, normalises units, and
 * applies the rules that tie fields together. Each section is checked on its own, so that a
 * problem in one does not hide the problems of another; every problem is returned, none thrown.
 */
import * as z from 'zod';
import { MAX_BAND_TICKS } from '../../engine/book/SymbolConfig.js';
import { describeValue } from './describeValue.js';
import { parseThreshold } from './parseThreshold.js';
import { resolveTarget } from './resolveTarget.js';
import type {
  ClientsSpec, FuzzClientsSpec, KneeSpec, OrderMix, Phase, PriceProcess, QuantitySpec, RateShape, Scenario, SubscriberGroup, SymbolsSpec,
  TargetSpec, Threshold,
} from './Scenario.js';
import { SCENARIO_VERSION } from './Scenario.js';
import { FUZZ_RULES_DEFAULTS } from '../fuzz/fuzzRules.js';
import { CHURNING_DEFAULTS, FUZZ_CLIENT_DEFAULTS, JUMP_DEFAULTS, PHASE_DEFAULTS, REGIME_SWITCH_DEFAULTS, SCENARIO_DEFAULTS } from './scenarioDefaults.js';
import type { ScenarioPath, ScenarioProblem } from './scenarioProblem.js';
import {
  clientsSchema, defaultsSchema, formatMs, fuzzClientsSchema, kneeSchema, MIX_FRACTION_KEYS, PHASE_FIELD_KEYS, PHASE_FIELD_SCHEMAS, phaseSchema,
  SCENARIO_LIMITS, parseInto,
  subscriberGroupSchema, symbolsSchema, topLevelSchema, type PhaseFieldsFile, type PhaseFile, type SymbolsFile,
} from './scenarioSchema.js';
import { metricDefinition, THRESHOLD_METRICS } from './thresholdMetrics.js';

/** Result of {@link resolveScenario}. */
export type ResolvedScenario =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

/** Fractions of the mix may miss 1 by this much (decimal fractions do not add up exactly in binary). */
export const MIX_SUM_TOLERANCE = 1e-9;

/** The blocks a phase inherits, resolved. */
type PhaseFields = Pick<Phase, 'price' | 'mix' | 'offsets' | 'quantity' | 'cancelAfter'>;

/**
 * Validates `input` (a scenario file's YAML, parsed) and builds the Scenario.
 *
 * @param sourceName the file's name; `name:` defaults to it without directory and extension.
 */
export function resolveScenario(input: unknown, sourceName: string): ResolvedScenario {
  const problems: ScenarioProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail([{ path: [], message: `a scenario file is a map of keys (version, phases, ...), got ${describeValue(input)}` }]);
  }
  const raw = input as Record<string, unknown>;
  if (raw['version'] === undefined) {
    problems.push({ path: ['version'], message: `required: this build reads scenario format version ${SCENARIO_VERSION} (write "version: ${SCENARIO_VERSION}")` });
  } else if (raw['version'] !== SCENARIO_VERSION) {
    // Another version's keys may mean other things: checking them against this one's would mislead.
    return fail([{ path: ['version'], message: `this build reads scenario format version ${SCENARIO_VERSION} only, the file is version ${String(raw['version'])}` }]);
  }
  const top = parseInto(topLevelSchema, raw, [], problems);
  const symbols = resolveSymbols(raw['symbols'], problems);
  const base = resolveDefaults(raw['defaults'], symbols, problems);
  const phases = resolvePhases(raw['phases'], base, symbols, problems);
  const clients = resolveClients(raw['clients'], problems);
  const target = resolveTarget(raw['target'], sourceName, problems);
  const thresholds = resolveThresholds(raw['thresholds'], clients, problems);
  const knee = resolveKnee(raw['knee'], phases, problems);
  if (clients !== undefined && target !== undefined) {
    problems.push(...scenarioTargetProblems(clients, target).map((message) => ({ path: ['target'], message })));
  }
  if (clients?.fuzz !== undefined && symbols !== undefined) {
    // The fuzz cases trade the fuzzer's own symbols and count on one id nobody trades (docs/FUZZ.md).
    const fuzzIds = [FUZZ_RULES_DEFAULTS.sweepSymbol.symbolId, FUZZ_RULES_DEFAULTS.semanticSymbol.symbolId, FUZZ_RULES_DEFAULTS.unknownSymbolId];
    const lowest = Math.min(...fuzzIds);
    if (symbols.count >= lowest) {
      problems.push({ path: ['symbols', 'count'], message: `must be below ${lowest} with clients.fuzz: the fuzz cases use symbol ids ` +
        `${fuzzIds.join(', ')}, got ${symbols.count}` });
    }
  }
  if (problems.length > 0 || top === undefined || symbols === undefined || phases === undefined || clients === undefined ||
    target === undefined || thresholds === undefined || knee === undefined) {
    return fail(problems);
  }
  return {
    ok: true,
    scenario: {
      version: SCENARIO_VERSION,
      name: top.name ?? defaultName(sourceName),
      description: top.description ?? SCENARIO_DEFAULTS.description,
      seed: top.seed ?? SCENARIO_DEFAULTS.seed,
      symbols, phases, clients, thresholds, target, knee,
    },
  };
}

/**
 * What makes `target` unable to run `clients`: subscribers with no market-data feed to connect to.
 * The CLI calls this again when `--target` replaces the file's target.
 */
export function scenarioTargetProblems(clients: ClientsSpec, target: TargetSpec): string[] {
  return [...subscriberTargetProblems(clients, target), ...fuzzTargetProblems(clients, target)];
}

function subscriberTargetProblems(clients: ClientsSpec, target: TargetSpec): string[] {
  const subscribers = clients.marketData.reduce((sum, group) => sum + group.count, 0);
  if (subscribers === 0) return [];
  if (target.kind === 'inproc') {
    return [`target inproc has no market-data feed, but clients.marketData has ${subscribers} subscribers; remove them or use another target`];
  }
  if ((target.kind === 'tcp' || target.kind === 'http') && target.marketData === null) {
    return [`clients.marketData has ${subscribers} subscribers, but the ${target.kind} target names no marketData host:port`];
  }
  return [];
}

/** What makes `target` unable to run fuzz clients: they need the binary protocol's wire (tcp or embedded). */
export function fuzzTargetProblems(clients: ClientsSpec, target: TargetSpec): string[] {
  if (clients.fuzz === undefined || target.kind === 'embedded' || target.kind === 'tcp') return [];
  return [`clients.fuzz sends raw frames over TCP, so it needs target embedded or tcp; target ${target.kind} has ` +
    `${target.kind === 'inproc' ? 'no wire at all' : 'no binary order-entry port'}: remove clients.fuzz or use another target`];
}

function fail(problems: readonly ScenarioProblem[]): ResolvedScenario {
  return { ok: false, problems };
}


/** `scenarios/flash-crash.yaml` → `flash-crash`. */
function defaultName(sourceName: string): string {
  const base = sourceName.split(/[\\/]/).pop() ?? '';
  const name = base.replace(/\.ya?ml$/i, '');
  return name.length > 0 ? name : 'scenario';
}

// ---- symbols ---------------------------------------------------------------------------------

function resolveSymbols(input: unknown, problems: ScenarioProblem[]): SymbolsSpec | undefined {
  const file = parseInto(symbolsSchema, input ?? {}, ['symbols'], problems);
  if (file === undefined) {
    // Still apply the rules between prices when the keys they need are valid on their own.
    const prices = isMap(input) ? symbolsSchema.pick({ count: true, tickSize: true, startMid: true, minPrice: true, maxPrice: true, maxQuantity: true })
      .safeParse({ count: input['count'], tickSize: input['tickSize'], startMid: input['startMid'], minPrice: input['minPrice'],
        maxPrice: input['maxPrice'], maxQuantity: input['maxQuantity'] }) : undefined;
    if (prices?.success === true) symbolsFromFile(prices.data, problems);
    return undefined;
  }
  return symbolsFromFile(file, problems);
}

function symbolsFromFile(file: SymbolsFile, problems: ScenarioProblem[]): SymbolsSpec | undefined {
  const defaults = SCENARIO_DEFAULTS.symbols;
  const tickSize = file.tickSize ?? defaults.tickSize;
  const startMid = file.startMid ?? defaults.startMidTicks * tickSize;
  const symbols: SymbolsSpec = {
    count: file.count ?? defaults.count,
    namePrefix: file.namePrefix ?? defaults.namePrefix,
    tickSize,
    startMid,
    minPrice: file.minPrice ?? tickSize,
    maxPrice: file.maxPrice ?? 2 * startMid,
    maxQuantity: file.maxQuantity ?? defaults.maxQuantity,
    popularity: file.popularity === undefined || file.popularity === 'uniform' ? { kind: 'uniform' }
      : { kind: 'zipf', exponent: file.popularity.zipf },
  };
  const before = problems.length;
  const at = (key: string, message: string): void => void problems.push({ path: ['symbols', key], message });
  for (const key of ['startMid', 'minPrice', 'maxPrice'] as const) {
    if (symbols[key] % tickSize !== 0) at(key, `${symbols[key]} is not a multiple of tickSize ${tickSize}`);
  }
  if (!(symbols.minPrice < symbols.startMid && symbols.startMid < symbols.maxPrice)) {
    at('startMid', `must lie strictly between minPrice ${symbols.minPrice} and maxPrice ${symbols.maxPrice}, got ${symbols.startMid}`);
  }
  if (problems.length > before) return undefined;
  const bandTicks = (symbols.maxPrice - symbols.minPrice) / tickSize + 1;
  if (bandTicks > MAX_BAND_TICKS) {
    at('maxPrice', `the band minPrice..maxPrice holds ${bandTicks} ticks, more than the ${MAX_BAND_TICKS} one book accepts ` +
      '(MAX_BAND_TICKS, engine/book/SymbolConfig.ts)');
  } else if (bandTicks * symbols.count > SCENARIO_LIMITS.totalBandTicks) {
    at('count', `${symbols.count} symbols × ${bandTicks} ticks of band = ${bandTicks * symbols.count} ticks of price ladder ` +
      `(about ${Math.round(bandTicks * symbols.count * 40 / 2 ** 20)} MB in the engine), more than ${SCENARIO_LIMITS.totalBandTicks}; ` +
      'narrow the band or use fewer symbols');
  }
  if (symbols.maxPrice * symbols.maxQuantity > Number.MAX_SAFE_INTEGER) {
    at('maxQuantity', `maxPrice × maxQuantity = ${symbols.maxPrice * symbols.maxQuantity} is above 2^53-1: ` +
      'large orders near maxPrice would be rejected as NotionalOverflow');
  }
  return problems.length > before ? undefined : symbols;
}

// ---- defaults and phases ---------------------------------------------------------------------

/** The inherited blocks, and the names of those `defaults:` states wrongly (phases cannot be checked against them). */
interface PhaseBase {
  readonly fields: PhaseFields;
  readonly broken: ReadonlySet<string>;
  /** The built-in quantity does not fit symbols.maxQuantity: a problem for the phases that inherit it. */
  readonly builtInQuantityProblem: ScenarioProblem | null;
}

/** Built-in defaults overlaid with the file's `defaults:`, checked under `defaults.*`. */
function resolveDefaults(input: unknown, symbols: SymbolsSpec | undefined, problems: ScenarioProblem[]): PhaseBase {
  parseInto(defaultsSchema, input ?? {}, ['defaults'], problems);
  const { blocks, broken } = parseBlocks(input, ['defaults'], problems);
  const fields = overlay(PHASE_DEFAULTS, blocks);
  // The built-in blocks are valid, so check only what the file states.
  checkPhaseFields(fields, blocks, ['defaults'], symbols, problems, broken);
  const tooLarge = blocks.quantity === undefined && symbols !== undefined && fields.quantity.max > symbols.maxQuantity;
  const builtInQuantityProblem = tooLarge ? { path: ['defaults', 'quantity', 'max'], message: `the built-in default ` +
    `${fields.quantity.max} is above symbols.maxQuantity ${symbols.maxQuantity}; set defaults.quantity.max (and min, median) within it` } : null;
  return { fields, broken, builtInQuantityProblem };
}

/** The phase-level blocks `input` states, each checked by its own schema; `broken` names those that failed. */
function parseBlocks(input: unknown, path: ScenarioPath, problems: ScenarioProblem[]): { blocks: PhaseFieldsFile; broken: Set<string> } {
  const blocks: PhaseFieldsFile = {};
  const broken = new Set<string>();
  if (!isMap(input)) return { blocks, broken };
  for (const key of PHASE_FIELD_KEYS) {
    if (input[key] === undefined) continue;
    const block: unknown = parseInto(PHASE_FIELD_SCHEMAS[key] as z.ZodType<unknown, unknown>, input[key], [...path, key], problems);
    if (block === undefined) broken.add(key);
    else (blocks as Record<string, unknown>)[key] = block;
  }
  return { blocks, broken };
}

function resolvePhases(input: unknown, base: PhaseBase, symbols: SymbolsSpec | undefined,
  problems: ScenarioProblem[]): Phase[] | undefined {
  if (!Array.isArray(input)) return undefined; // the top-level schema reported it
  const phases: Phase[] = [];
  const firstIndexByName = new Map<string, number>();
  let totalMs = 0;
  let valid = base.broken.size === 0;
  input.forEach((element, index) => {
    const path = ['phases', index];
    const file = parseInto(phaseSchema, element, path, problems);
    const { blocks, broken } = parseBlocks(element, path, problems);
    // Blocks this phase inherits from a broken defaults block cannot be checked.
    const unchecked = new Set([...broken, ...[...base.broken].filter((key) => !(key in blocks))]);
    const fields = overlay(base.fields, blocks);
    let fieldsValid = checkPhaseFields(fields, blocks, path, symbols, problems, unchecked) && broken.size === 0;
    if (blocks.quantity === undefined && base.builtInQuantityProblem !== null) {
      if (!problems.includes(base.builtInQuantityProblem)) problems.push(base.builtInQuantityProblem);
      fieldsValid = false;
    }
    const name = isMap(element) && typeof element['name'] === 'string' ? element['name'] : undefined;
    const earlier = name === undefined ? undefined : firstIndexByName.get(name);
    if (earlier !== undefined) {
      problems.push({ path: [...path, 'name'], message: `"${String(name)}" is already the name of phases[${earlier}]; names must be unique` });
      valid = false;
    } else if (name !== undefined) {
      firstIndexByName.set(name, index);
    }
    if (file === undefined) {
      valid = false;
      return;
    }
    totalMs += file.duration;
    const rate = resolveRate(file, path, problems);
    if (!fieldsValid || rate === undefined) {
      valid = false;
      return;
    }
    phases.push({ name: file.name, durationMs: file.duration, rate, ...fields });
  });
  if (totalMs > SCENARIO_LIMITS.runDurationMs) {
    problems.push({ path: ['phases'], message: `the phases last ${formatMs(totalMs)} in all, more than ${formatMs(SCENARIO_LIMITS.runDurationMs)}` });
    valid = false;
  }
  return valid ? phases : undefined;
}

function resolveRate(file: PhaseFile, path: ScenarioPath, problems: ScenarioProblem[]): RateShape | undefined {
  const rate = file.rate;
  switch (rate.kind) {
    case 'constant':
      return { kind: 'constant', perSecond: rate.perSecond };
    case 'ramp':
      if (rate.from === 0 && rate.to === 0) {
        problems.push({ path: [...path, 'rate'], message: 'a ramp from 0 to 0 sends nothing; give from or to a rate above 0' });
        return undefined;
      }
      return { kind: 'ramp', from: rate.from, to: rate.to };
    case 'spike':
      if (rate.at + rate.width > file.duration) {
        problems.push({ path: [...path, 'rate', 'width'], message: `the spike (at ${formatMs(rate.at)}, width ${formatMs(rate.width)}) ` +
          `ends after the phase does (duration ${formatMs(file.duration)})` });
        return undefined;
      }
      if (rate.base === 0 && rate.peak === 0) {
        problems.push({ path: [...path, 'rate'], message: 'a spike with base 0 and peak 0 sends nothing; give base or peak a rate above 0' });
        return undefined;
      }
      return { kind: 'spike', base: rate.base, peak: rate.peak, atMs: rate.at, widthMs: rate.width };
  }
}

/**
 * `file`'s blocks over `base`. price, offsets and quantity merge key by key (jumps and
 * regimeSwitch are taken whole); a mix that states any fraction states them all (the unstated
 * ones are 0), while its buyFraction merges on its own; cancelAfter is taken whole.
 */
function overlay(base: PhaseFields, file: PhaseFieldsFile): PhaseFields {
  return {
    price: overlayPrice(base.price, file.price),
    mix: overlayMix(base.mix, file.mix),
    offsets: { mean: file.offsets?.mean ?? base.offsets.mean, sd: file.offsets?.sd ?? base.offsets.sd },
    quantity: {
      median: file.quantity?.median ?? base.quantity.median,
      sigma: file.quantity?.sigma ?? base.quantity.sigma,
      min: file.quantity?.min ?? base.quantity.min,
      max: file.quantity?.max ?? base.quantity.max,
    },
    cancelAfter: file.cancelAfter === undefined ? base.cancelAfter : { meanMs: file.cancelAfter.mean },
  };
}

function overlayPrice(base: PriceProcess, file: PhaseFieldsFile['price']): PriceProcess {
  if (file === undefined) return base;
  const jumps = file.jumps === undefined ? base.jumps
    : file.jumps === null ? null
    : { perSecond: file.jumps.perSecond, mean: file.jumps.mean ?? JUMP_DEFAULTS.mean, sd: file.jumps.sd ?? JUMP_DEFAULTS.sd };
  const regime = file.regimeSwitch;
  const regimeSwitch = regime === undefined ? base.regimeSwitch
    : regime === null ? null
    : {
      enterPerSecond: regime.enterPerSecond,
      exitPerSecond: regime.exitPerSecond,
      volatilityMultiplier: regime.volatilityMultiplier ?? REGIME_SWITCH_DEFAULTS.volatilityMultiplier,
      extraDrift: regime.extraDrift ?? REGIME_SWITCH_DEFAULTS.extraDrift,
    };
  return { volatility: file.volatility ?? base.volatility, drift: file.drift ?? base.drift, jumps, regimeSwitch };
}

function overlayMix(base: OrderMix, file: PhaseFieldsFile['mix']): OrderMix {
  if (file === undefined) return base;
  const statesFractions = MIX_FRACTION_KEYS.some((key) => file[key] !== undefined);
  const fraction = (key: (typeof MIX_FRACTION_KEYS)[number]): number => (statesFractions ? file[key] ?? 0 : base[key]);
  return {
    limitGtc: fraction('limitGtc'), limitIoc: fraction('limitIoc'), limitFok: fraction('limitFok'),
    market: fraction('market'), cancel: fraction('cancel'), replace: fraction('replace'),
    buyFraction: file.buyFraction ?? base.buyFraction,
  };
}

/**
 * Rules across the keys of the blocks `file` states (a block it inherits was checked where it was
 * stated), except those named in `unchecked`. Returns false when one is broken.
 */
function checkPhaseFields(fields: PhaseFields, file: PhaseFieldsFile, path: ScenarioPath, symbols: SymbolsSpec | undefined,
  problems: ScenarioProblem[], unchecked: ReadonlySet<string>): boolean {
  const before = problems.length;
  const jumps = file.price?.jumps;
  if (jumps !== undefined && jumps !== null && fields.price.jumps?.mean === 0 && fields.price.jumps.sd === 0) {
    problems.push({ path: [...path, 'price', 'jumps'], message: 'jumps of mean 0 and sd 0 do not move the price; give mean or sd' });
  }
  if (file.mix !== undefined && !unchecked.has('mix')) {
    const sum = MIX_FRACTION_KEYS.reduce((total, key) => total + fields.mix[key], 0);
    if (Math.abs(sum - 1) > MIX_SUM_TOLERANCE) {
      const terms = MIX_FRACTION_KEYS.filter((key) => fields.mix[key] !== 0).map((key) => `${key} ${fields.mix[key]}`);
      problems.push({ path: [...path, 'mix'], message: `the fractions must sum to 1, they sum to ${Number(sum.toPrecision(12))}` +
        ` (${terms.length > 0 ? terms.join(' + ') : 'all 0'}; a mix that states any fraction states them all, the unstated ones are 0)` });
    }
  }
  if (file.quantity !== undefined && !unchecked.has('quantity')) problems.push(...quantityProblems(fields.quantity, [...path, 'quantity'], symbols));
  return problems.length === before;
}

function quantityProblems(quantity: QuantitySpec, path: ScenarioPath, symbols: SymbolsSpec | undefined): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  if (quantity.min > quantity.max) {
    problems.push({ path: [...path, 'min'], message: `min ${quantity.min} is above max ${quantity.max}` });
  } else if (quantity.median < quantity.min || quantity.median > quantity.max) {
    problems.push({ path: [...path, 'median'], message: `must lie within min ${quantity.min} and max ${quantity.max}, got ${quantity.median}` });
  }
  if (symbols !== undefined && quantity.max > symbols.maxQuantity) {
    problems.push({ path: [...path, 'max'], message: `${quantity.max} is above symbols.maxQuantity ${symbols.maxQuantity}: such orders would be rejected` });
  }
  return problems;
}

// ---- clients, thresholds, target, knee -------------------------------------------------------

function resolveClients(input: unknown, problems: ScenarioProblem[]): ClientsSpec | undefined {
  const file = parseInto(clientsSchema, input ?? {}, ['clients'], problems);
  const groups: SubscriberGroup[] = [];
  let valid = file !== undefined;
  const marketData = isMap(input) && Array.isArray(input['marketData']) ? input['marketData'] as unknown[] : [];
  marketData.forEach((element, index) => {
    const path = ['clients', 'marketData', index];
    const group = parseInto(subscriberGroupSchema, element, path, problems);
    if (group === undefined) {
      valid = false;
      return;
    }
    if (group.class !== 'churning') {
      groups.push(group);
      return;
    }
    const minBackoffMs = group.minBackoff ?? CHURNING_DEFAULTS.minBackoffMs;
    const maxBackoffMs = group.maxBackoff ?? CHURNING_DEFAULTS.maxBackoffMs;
    if (minBackoffMs > maxBackoffMs) {
      problems.push({ path: [...path, 'maxBackoff'], message: `${formatMs(maxBackoffMs)} is below minBackoff ${formatMs(minBackoffMs)}` });
      valid = false;
    }
    groups.push({ class: 'churning', count: group.count, meanConnectedMs: group.meanConnected ?? CHURNING_DEFAULTS.meanConnectedMs,
      minBackoffMs, maxBackoffMs });
  });
  const subscribers = groups.reduce((sum, group) => sum + group.count, 0);
  if (subscribers > SCENARIO_LIMITS.subscribers) {
    problems.push({ path: ['clients', 'marketData'], message: `${subscribers} subscribers in all, more than ${SCENARIO_LIMITS.subscribers}` });
    valid = false;
  }
  const fuzzInput = isMap(input) ? input['fuzz'] : undefined;
  let fuzz: FuzzClientsSpec | undefined;
  if (fuzzInput !== undefined && fuzzInput !== null) {
    const fuzzFile = parseInto(fuzzClientsSchema, fuzzInput, ['clients', 'fuzz'], problems);
    if (fuzzFile === undefined) valid = false;
    else {
      fuzz = { sessions: fuzzFile.sessions ?? FUZZ_CLIENT_DEFAULTS.sessions, rateHz: fuzzFile.rate,
        classes: [...new Set(fuzzFile.classes ?? FUZZ_CLIENT_DEFAULTS.classes)], seedOffset: fuzzFile.seedOffset ?? FUZZ_CLIENT_DEFAULTS.seedOffset };
    }
  }
  if (!valid || file === undefined) return undefined;
  return {
    orderEntry: file.orderEntry ?? SCENARIO_DEFAULTS.clients.orderEntry,
    marketData: groups,
    workers: file.workers ?? SCENARIO_DEFAULTS.clients.workers,
    ...(fuzz === undefined ? {} : { fuzz }),
  };
}

function resolveThresholds(input: unknown, clients: ClientsSpec | undefined, problems: ScenarioProblem[]): Threshold[] | undefined {
  const thresholds: Threshold[] = [];
  const before = problems.length;
  if (!Array.isArray(input)) return input === undefined || input === null ? thresholds : undefined; // reported by the top level
  input.forEach((rule: unknown, index) => {
    if (typeof rule !== 'string') {
      problems.push({ path: ['thresholds', index], message: `a threshold is a string such as "order_rtt.p99 < 2ms", got ${describeValue(rule)}` });
      return;
    }
    const parsed = parseThreshold(rule);
    if (!parsed.ok) {
      for (const problem of parsed.problems) problems.push({ path: ['thresholds', index], message: `"${rule}": ${problem}` });
      return;
    }
    const className = parsed.threshold.metric.split('.')[1];
    if (clients !== undefined && className !== undefined) {
      const present = clients.marketData.some((group) => className === 'all' || group.class === className);
      if (!present) {
        problems.push({ path: ['thresholds', index], message: `"${rule}": the scenario has no ${className === 'all' ? '' : `${className} `}` +
          'subscribers (clients.marketData), so the rule could never be measured' });
        return;
      }
    }
    thresholds.push(parsed.threshold);
  });
  return problems.length === before ? thresholds : undefined;
}

function resolveKnee(input: unknown, phases: readonly Phase[] | undefined, problems: ScenarioProblem[]): KneeSpec | null | undefined {
  if (input === undefined || input === null) return null;
  const file = parseInto(kneeSchema, input, ['knee'], problems);
  const metric = isMap(input) && typeof input['metric'] === 'string' ? input['metric'] : undefined;
  if (metric === undefined) return undefined; // reported by the schema
  const before = problems.length;
  const [name = '', className, ...extra] = metric.split('.');
  const definition = metricDefinition(name);
  const latencyNames = THRESHOLD_METRICS.filter((metric) => metric.kind === 'latency')
    .map((metric) => (metric.classes === null ? metric.name : `${metric.name}.<class>`));
  if (definition === undefined || definition.kind !== 'latency' || extra.length > 0 ||
    (definition.classes === null ? className !== undefined : !definition.classes.includes(className as never))) {
    problems.push({ path: ['knee', 'metric'], message: `"${metric}" is not a latency metric; the knee is found on one of ` +
      `${latencyNames.join(', ')} (class: ${metricDefinition('feed_latency')?.classes?.join(', ') ?? ''})` });
  }
  if (phases !== undefined && phases.length < 2) {
    problems.push({ path: ['knee'], message: `a knee is found across phases stepping the rate up; the scenario has ${phases.length} phase` });
  }
  return problems.length === before && file !== undefined ? { metric, p99LimitMs: file.p99Limit } : undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
