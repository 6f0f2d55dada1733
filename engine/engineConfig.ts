import fs from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { symbolConfigProblems, SYMBOL_DEFAULTS, type SymbolConfig } from './book/SymbolConfig.js';
import type { EngineOptions } from './Engine.js';
import { WAIT_STRATEGY_NAMES } from './matcherWorkerProtocol.js';

/**
 * The engine configuration file (`matchbench engine --config engine.yaml`; see
 * engine.example.yaml): everything the command's flags set, in YAML (or JSON, which YAML reads).
 * Every field is optional; what the file leaves out comes from the flags or their defaults, and a
 * flag given on the command line overrides the file.
 */
export type EngineFileOptions = Partial<Omit<EngineOptions, 'log' | 'startPaused'>>;

/** The file's options, or every problem with it, each with its path (`symbols[1].tickSize: …`). */
export interface LoadedEngineConfig {
  readonly options: EngineFileOptions;
  readonly problems: readonly string[];
}

/** zod's error option: "required" for a missing field, `message` otherwise. */
function says(message: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => (issue.input === undefined ? 'required' : message) };
}

const int = (message: string): z.ZodNumber => z.number(says(message)).int(says(message));
const port = int('must be a port number, 0 to 65535').min(0, 'must be a port number, 0 to 65535').max(65_535, 'must be a port number, 0 to 65535');
const positive = (what = 'a positive integer'): z.ZodNumber => int(`must be ${what}`).min(1, `must be ${what}`);

const symbolSchema = z.strictObject({
  symbolId: z.number(says('must be an integer from 0 to 2^32-1')),
  name: z.string(says('must be a string')).optional(),
  tickSize: z.number(says('must be a positive integer')).optional(),
  minPrice: z.number(says('must be a positive integer')).optional(),
  maxPrice: z.number(says('must be a positive integer')).optional(),
  maxQuantity: z.number(says('must be a positive integer')).optional(),
  priceDecimals: z.number(says('must be an integer from 0 to 12')).optional(),
}, says('must be a mapping of symbol fields'));

const configSchema = z.strictObject({
  host: z.string(says('must be an address')).min(1, 'must be an address').optional(),
  ports: z.strictObject({ orderEntry: port.optional(), marketData: port.optional(), http: port.optional() },
    says('must be a mapping with orderEntry, marketData, http')).optional(),
  symbols: z.array(z.unknown(), says('must be a list of symbols')).min(1, 'must be a non-empty list').optional(),
  maxConnections: positive().optional(),
  ring: z.strictObject({
    size: int('must be a power of two from 2 to 4194304').refine((n) => n >= 2 && n <= 2 ** 22 && (n & (n - 1)) === 0,
      'must be a power of two from 2 to 4194304').optional(),
    waitStrategy: z.enum(WAIT_STRATEGY_NAMES, says(`must be one of ${WAIT_STRATEGY_NAMES.join(', ')}`)).optional(),
  }, says('must be a mapping with size, waitStrategy')).optional(),
  marketData: z.strictObject({
    capBytes: int('must be an integer of at least 1024').min(1024, 'must be an integer of at least 1024').optional(),
    policy: z.enum(['drop', 'disconnect'], says('must be drop or disconnect')).optional(),
    disconnectAfterDrops: positive().optional(),
    disconnectAfterMs: int('must be an integer ≥ 0').min(0, 'must be an integer ≥ 0').optional(),
  }, says('must be a mapping with capBytes, policy, disconnectAfterDrops, disconnectAfterMs')).optional(),
  journal: z.strictObject({
    path: z.string(says('must be a file path')).min(1, 'must be a file path').optional(),
    durability: z.enum(['none', 'batch', 'sync'], says('must be none, batch or sync')).optional(),
  }, says('must be a mapping with path, durability')).optional(),
  http: z.strictObject({
    maxBodyBytes: positive().optional(),
    answerTimeoutMs: positive().optional(),
    retryAfterS: positive().optional(),
    maxBookLevels: positive().optional(),
    keepAliveTimeoutMs: positive().optional(),
  }, says('must be a mapping of HTTP limits')).optional(),
}, says('must be a mapping of engine settings'));

/** `a.b[2].c` for a zod path. */
function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  return text;
}

function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${pathText([...prefix, ...issue.path, key])}: unknown setting`);
    const path = pathText([...prefix, ...issue.path]);
    return [`${path === '' ? '(top level)' : path}: ${issue.message}`];
  });
}

/** The symbols, defaults filled in, with every problem named by its path. */
function symbolsOf(list: readonly unknown[], problems: string[]): SymbolConfig[] {
  const symbols = list.map((raw, i) => {
    const parsed = symbolSchema.safeParse(raw);
    // Fields zod refused (wrong type, missing) are reported once, by zod; the rest get the value
    // checks of symbolConfigProblems, so one bad symbol shows all of its problems.
    const refused = new Set(parsed.success ? [] : parsed.error.issues.map((issue) => String(issue.path[0] ?? '')));
    if (!parsed.success) problems.push(...problemsOf(parsed.error, ['symbols', i]));
    const given = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const fields = Object.fromEntries(Object.entries(given).filter(([key]) => !refused.has(key))) as Partial<SymbolConfig>;
    const tickSize = fields.tickSize ?? SYMBOL_DEFAULTS.tickSize;
    const config = { ...SYMBOL_DEFAULTS, symbolId: 0, minPrice: tickSize, name: `SYM${String(fields.symbolId ?? i + 1)}`, ...fields } as SymbolConfig;
    for (const problem of symbolConfigProblems(config)) {
      if (!refused.has(problem.slice(0, problem.indexOf(':')))) problems.push(`symbols[${i}].${problem}`);
    }
    return config;
  });
  symbols.forEach((symbol, i) => {
    if (!Object.hasOwn((list[i] ?? {}) as object, 'symbolId')) return;
    if (symbols.findIndex((s) => s.symbolId === symbol.symbolId) !== i) problems.push(`symbols[${i}].symbolId: ${symbol.symbolId} is used twice`);
    if (symbols.findIndex((s) => s.name === symbol.name) !== i) problems.push(`symbols[${i}].name: ${JSON.stringify(symbol.name)} is used twice`);
  });
  return symbols;
}

/** Parses and checks a configuration file's text; `source` names it in YAML syntax errors. */
export function parseEngineConfig(text: string, source: string): LoadedEngineConfig {
  const document = YAML.parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    return { options: {}, problems: document.errors.map((e) => `${source}: ${e.message.split('\n')[0] ?? e.message}`) };
  }
  const raw = (document.toJS() ?? {}) as unknown;
  const parsed = configSchema.safeParse(raw);
  const problems = parsed.success ? [] : problemsOf(parsed.error);
  const list = (raw as { symbols?: unknown } | null)?.symbols;
  const symbols = Array.isArray(list) && list.length > 0 ? symbolsOf(list, problems) : undefined;
  if (!parsed.success || problems.length > 0) return { options: {}, problems };
  const c = parsed.data;
  const options: EngineFileOptions = {
    ...(symbols === undefined ? {} : { symbols }),
    ...(c.host === undefined ? {} : { host: c.host }),
    ...(c.ports?.orderEntry === undefined ? {} : { orderEntryPort: c.ports.orderEntry }),
    ...(c.ports?.marketData === undefined ? {} : { marketDataPort: c.ports.marketData }),
    ...(c.ports?.http === undefined ? {} : { httpPort: c.ports.http }),
    ...(c.maxConnections === undefined ? {} : { maxConnections: c.maxConnections }),
    ...(c.ring?.size === undefined ? {} : { ringSize: c.ring.size }),
    ...(c.ring?.waitStrategy === undefined ? {} : { waitStrategy: c.ring.waitStrategy }),
    ...(c.marketData === undefined ? {} : { marketData: withoutUndefined(c.marketData) }),
    ...(c.journal?.path === undefined ? {} : { journalPath: c.journal.path }),
    ...(c.journal?.durability === undefined ? {} : { durability: c.journal.durability }),
    ...(c.http === undefined ? {} : { http: withoutUndefined(c.http) }),
  };
  return { options, problems: [] };
}

/** Reads and checks a configuration file; an unreadable file is one problem. */
export function loadEngineConfig(path: string): LoadedEngineConfig {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    return { options: {}, problems: [`${path}: ${(error as Error).message}`] };
  }
  return parseEngineConfig(text, path);
}

/** A copy without the keys whose value is undefined (exactOptionalPropertyTypes). */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
