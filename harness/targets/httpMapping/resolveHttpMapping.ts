/**
 * From a parsed mapping file (YAML, docs/HTTP_MAPPING.md) to an {@link HttpMapping}: the file is
 * checked against its zod schema, then the request lines, body sources and answer paths are
 * compiled; every problem is returned with its path, none is thrown.
 */
import * as z from 'zod';
import { RejectReason } from '../../../engine/protocol/codes.js';
import type { ScenarioPath, ScenarioProblem } from '../../scenario/scenarioProblem.js';
import { closed, parseInto, unknownKeysMessage } from '../../scenario/scenarioSchema.js';
import {
  MAPPING_SOURCES, type AnswerPath, type BodyField, type HttpMapping, type MappedStatus, type MappingSource, type RequestTemplate,
  type StatusClass, type TemplatePart,
} from './HttpMapping.js';
import { resolveMappingHeaders, type MappingEnv } from './resolveMappingHeaders.js';

export const HTTP_MAPPING_VERSION = 1;

const text = z.string().min(1);
const spelling = z.union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? 'required' : 'must be a string or a number') })
  .transform(String);
const bodySchema = z.record(z.string().min(1), z.union([text, closed({ value: z.unknown() })]));
const operationSchema = closed({ request: text, body: bodySchema.optional() });
const statusList = z.array(z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]xx$/, 'a code (e.g. 422) or a class (4xx)')]));

const SPELLINGS_DEFAULT = { side: { buy: 'buy', sell: 'sell' }, type: { limit: 'limit', market: 'market' },
  timeInForce: { GTC: 'GTC', IOC: 'IOC', FOK: 'FOK' } };
const STATUSES_DEFAULT = { resting: [], partiallyFilled: [], filled: [], cancelled: [], rejected: [] };

const mappingSchema = closed({
  version: z.literal(HTTP_MAPPING_VERSION),
  name: text,
  description: z.string().optional(),
  symbol: z.enum(['id', 'name']).default('id'),
  price: closed({
    encoding: z.enum(['integer', 'ticks', 'decimal-number', 'decimal-string']),
    decimals: z.number().int().min(0).max(12).optional(),
    tickSize: z.number().int().min(1).optional(),
  }),
  quantity: closed({
    encoding: z.enum(['number', 'string', 'lots', 'decimal-number', 'decimal-string']),
    decimals: z.number().int().min(0).max(12).optional(),
    lotSize: z.number().int().min(1).optional(),
  }).default({ encoding: 'number' }),
  headers: z.record(z.string(), z.union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
    .transform(String)).default({}),
  spellings: closed({
    side: closed({ buy: spelling, sell: spelling }).default(SPELLINGS_DEFAULT.side),
    type: closed({ limit: spelling, market: spelling }).default(SPELLINGS_DEFAULT.type),
    timeInForce: closed({ GTC: spelling, IOC: spelling, FOK: spelling }).default(SPELLINGS_DEFAULT.timeInForce),
  }).default(SPELLINGS_DEFAULT),
  omitMarketPrice: z.boolean().default(true),
  operations: closed({
    health: operationSchema,
    new: operationSchema,
    cancel: operationSchema.optional(),
    replace: operationSchema.optional(),
    book: closed({ request: text, levels: z.number().int().min(1).max(1000).default(10), bids: text, asks: text, price: text, quantity: text }).optional(),
  }),
  answer: closed({
    orderId: text.optional(), status: text.optional(), filledQuantity: text.optional(), remainingQuantity: text.optional(),
    cancelledQuantity: text.optional(), fills: text.optional(), fillPrice: text.default('price'), fillQuantity: text.default('quantity'),
    fillTradeId: text.optional(), reason: text.optional(), cancelReason: text.optional(), error: text.optional(),
  }),
  statuses: closed({
    resting: z.array(spelling).default([]), partiallyFilled: z.array(spelling).default([]), filled: z.array(spelling).default([]),
    cancelled: z.array(spelling).default([]), rejected: z.array(spelling).default([]),
  }).default(STATUSES_DEFAULT),
  reasons: z.record(z.string(), text).default({}),
  http: closed({
    accepted: statusList.default(['2xx']), rejected: statusList.default([]), busy: statusList.default([]),
  }).default({ accepted: ['2xx'], rejected: [], busy: [] }),
});

type MappingFile = z.output<typeof mappingSchema>;

/** Result of {@link resolveHttpMapping}. */
export type ResolvedHttpMapping =
  | { readonly ok: true; readonly value: HttpMapping }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Validates `input` (a mapping file's YAML, parsed) and compiles it.
 *
 * @param env where `${env:NAME}` in `headers` is read from; default none (a mapping that names a variable fails to load).
 */
export function resolveHttpMapping(input: unknown, env: MappingEnv = {}): ResolvedHttpMapping {
  const problems: ScenarioProblem[] = [];
  const add = (path: ScenarioPath, message: string): void => { problems.push({ path, message }); };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: [], message: 'a mapping file is a map of keys (version, name, price, operations, answer, ...)' }] };
  }
  const raw = input as Record<string, unknown>;
  if (raw['version'] !== undefined && raw['version'] !== HTTP_MAPPING_VERSION) {
    return { ok: false, problems: [{ path: ['version'], message: `this build reads mapping format version ${HTTP_MAPPING_VERSION} only, the file is version ${String(raw['version'])}` }] };
  }
  // Each section on its own (operations: each operation), so that one bad section does not hide another's problems.
  const shape = mappingSchema.shape;
  const known = Object.keys(shape);
  for (const key of Object.keys(raw)) if (!known.includes(key)) add([], unknownKeysMessage([key], known));
  const section = <K extends keyof typeof shape>(key: K, value: unknown = raw[key], path: ScenarioPath = [key]): z.output<(typeof shape)[K]> | undefined =>
    parseInto(shape[key] as unknown as z.ZodType<z.output<(typeof shape)[K]>, unknown>, value, path, problems);
  const rawOps = raw['operations'];
  let operations: MappingFile['operations'] | undefined;
  if (typeof rawOps === 'object' && rawOps !== null && !Array.isArray(rawOps)) {
    const opShape = shape.operations.shape;
    const ops = rawOps as Record<string, unknown>;
    const opKnown = Object.keys(opShape);
    for (const key of Object.keys(ops)) if (!opKnown.includes(key)) add(['operations'], unknownKeysMessage([key], opKnown));
    const one = <K extends keyof typeof opShape>(key: K): z.output<(typeof opShape)[K]> | undefined =>
      parseInto(opShape[key] as unknown as z.ZodType<z.output<(typeof opShape)[K]>, unknown>, ops[key], ['operations', key], problems);
    const health = one('health');
    const newOp = one('new');
    const cancelOp = one('cancel');
    const replaceOp = one('replace');
    const bookOp = one('book');
    operations = health === undefined || newOp === undefined ? undefined : { health, new: newOp,
      ...(cancelOp === undefined ? {} : { cancel: cancelOp }), ...(replaceOp === undefined ? {} : { replace: replaceOp }),
      ...(bookOp === undefined ? {} : { book: bookOp }) };
  } else section('operations');
  const parts = { version: section('version'), name: section('name'), description: section('description'), symbol: section('symbol'),
    price: section('price'), quantity: section('quantity'), spellings: section('spellings'), omitMarketPrice: section('omitMarketPrice'),
    answer: section('answer'), statuses: section('statuses'), reasons: section('reasons'), http: section('http'), headers: section('headers') };
  const { name, symbol, price, quantity, spellings, omitMarketPrice, answer, statuses: statusFile, reasons, http: httpFile } = parts;
  // A section that failed has a problem already; the checks below still run on the rest, with stand-ins.
  const f: MappingFile = {
    version: HTTP_MAPPING_VERSION, name: name ?? '', symbol: symbol ?? 'id', price: price ?? { encoding: 'integer' },
    quantity: quantity ?? { encoding: 'number' }, spellings: spellings ?? SPELLINGS_DEFAULT, omitMarketPrice: omitMarketPrice ?? true,
    operations: operations ?? { health: { request: 'GET /' }, new: { request: 'POST /' } },
    answer: answer ?? { fillPrice: 'price', fillQuantity: 'quantity' }, statuses: statusFile ?? STATUSES_DEFAULT, reasons: reasons ?? {},
    http: httpFile ?? { accepted: ['2xx'], rejected: [], busy: [] }, headers: parts.headers ?? {},
    ...(parts.description === undefined ? {} : { description: parts.description }),
  };
  const failedEarly = problems.length > 0;
  if ((f.price.encoding === 'decimal-number' || f.price.encoding === 'decimal-string') && f.price.decimals === undefined) {
    add(['price', 'decimals'], `required for the ${f.price.encoding} encoding (digits after the point: 2 writes 12345 as 123.45)`);
  }
  if (f.price.encoding !== 'ticks' && f.price.tickSize !== undefined) add(['price', 'tickSize'], 'only the ticks encoding uses a tick size');
  if ((f.quantity.encoding === 'decimal-number' || f.quantity.encoding === 'decimal-string') && f.quantity.decimals === undefined) {
    add(['quantity', 'decimals'], `required for the ${f.quantity.encoding} encoding (digits after the point: 3 writes 1500 as 1.5)`);
  }
  if (f.quantity.encoding !== 'decimal-number' && f.quantity.encoding !== 'decimal-string' && f.quantity.decimals !== undefined) {
    add(['quantity', 'decimals'], 'only the decimal-number and decimal-string encodings use decimals');
  }
  if (f.quantity.encoding === 'lots' && f.quantity.lotSize === undefined) add(['quantity', 'lotSize'], 'required for the lots encoding (quantity units per lot)');
  const { headers, secrets } = resolveMappingHeaders(f.headers, env, add);
  const op = (name: 'health' | 'new' | 'cancel' | 'replace', allowed: readonly MappingSource[]): RequestTemplate | null => {
    const o = f.operations[name];
    return o === undefined ? null : template(o.request, o.body ?? {}, allowed, ['operations', name], add);
  };
  const orderSources = MAPPING_SOURCES.filter((s) => s !== 'levels' && s !== 'orderId');
  const health = op('health', []);
  const newOrder = op('new', orderSources);
  const cancel = op('cancel', [...orderSources, 'orderId']);
  const replace = op('replace', [...orderSources, 'orderId']);
  const b = f.operations.book;
  const book = b === undefined ? null : template(b.request, {}, ['symbol', 'symbolId', 'symbolName', 'levels'], ['operations', 'book'], add);
  if ((cancel?.path.some((p) => 'source' in p && p.source === 'orderId') === true ||
    replace?.path.some((p) => 'source' in p && p.source === 'orderId') === true) && f.answer.orderId === undefined) {
    add(['answer', 'orderId'], 'required: the cancel or replace request uses {orderId}, which comes from the new order\'s answer');
  }
  for (const [engineReason, ours] of Object.entries(f.reasons)) {
    if (!(ours in RejectReason)) add(['reasons', engineReason], `"${ours}" is not a matchbench reject reason; one of ${Object.keys(RejectReason).join(', ')}`);
  }
  const statuses = new Map<string, MappedStatus>();
  for (const state of ['resting', 'partiallyFilled', 'filled', 'cancelled', 'rejected'] as const) {
    f.statuses[state].forEach((s, i) => {
      const before = statuses.get(s);
      if (before !== undefined) add(['statuses', state, i], `"${s}" is already a spelling of ${before}`);
      statuses.set(s, state);
    });
  }
  const http = statusClasses(f.http, add);
  if (failedEarly || problems.length > 0 || health === null || newOrder === null) return { ok: false, problems };
  const p = (x: string | undefined): AnswerPath | undefined => (x === undefined ? undefined : answerPath(x));
  const a = f.answer;
  return {
    ok: true,
    value: {
      name: f.name, description: f.description ?? '', symbol: f.symbol,
      price: { encoding: f.price.encoding, decimals: f.price.decimals ?? 0, tickSize: f.price.tickSize ?? null },
      quantity: { encoding: f.quantity.encoding, decimals: f.quantity.decimals ?? 0, lotSize: f.quantity.lotSize ?? 1 }, headers, secrets,
      side: f.spellings.side, type: f.spellings.type, timeInForce: f.spellings.timeInForce,
      omitMarketPrice: f.omitMarketPrice,
      operations: { health, new: newOrder, cancel, replace,
        book: b === undefined || book === null ? null : { ...book, levels: b.levels,
          answer: { bids: answerPath(b.bids), asks: answerPath(b.asks), price: answerPath(b.price), quantity: answerPath(b.quantity) } } },
      answer: {
        ...optional('orderId', p(a.orderId)), ...optional('status', p(a.status)), ...optional('filledQuantity', p(a.filledQuantity)),
        ...optional('remainingQuantity', p(a.remainingQuantity)), ...optional('cancelledQuantity', p(a.cancelledQuantity)),
        ...optional('fills', p(a.fills)), fillPrice: answerPath(a.fillPrice), fillQuantity: answerPath(a.fillQuantity),
        ...optional('fillTradeId', p(a.fillTradeId)), ...optional('reason', p(a.reason)), ...optional('cancelReason', p(a.cancelReason)),
        ...optional('error', p(a.error)),
      },
      statuses, reasons: new Map(Object.entries(f.reasons)), http,
    },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/** `a.b.0.c` or a JSON pointer `/a/b/0/c` (with ~1 for / and ~0 for ~). */
export function answerPath(text: string): AnswerPath {
  if (text.startsWith('/')) return text.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  return text.split('.');
}

/** Parses `METHOD /path?x={source}` and the body's sources, naming each problem. */
function template(line: string, body: Record<string, string | { value: unknown }>, allowed: readonly MappingSource[], at: ScenarioPath,
  add: (path: ScenarioPath, message: string) => void): RequestTemplate | null {
  const match = /^([A-Z]+)\s+(\/\S*)$/.exec(line.trim());
  if (match === null) {
    add([...at, 'request'], `"${line}" is not a request line such as "POST /orders" or "DELETE /cancel?symbol={symbol}&order_id={orderId}"`);
    return null;
  }
  const method = METHODS.find((m) => m === match[1]);
  if (method === undefined) add([...at, 'request'], `method ${match[1] ?? ''} is not one of ${METHODS.join(', ')}`);
  const path: TemplatePart[] = [];
  let ok = method !== undefined;
  for (const piece of (match[2] ?? '').split(/(\{[^}]*\})/)) {
    if (piece === '') continue;
    if (!piece.startsWith('{')) {
      if (piece.includes('}')) { add([...at, 'request'], `unbalanced "}" in "${line}"`); ok = false; }
      path.push({ text: piece });
      continue;
    }
    const name = piece.slice(1, -1);
    const source = allowed.find((s) => s === name);
    if (source === undefined) {
      add([...at, 'request'], `{${name}} is not a value this request can carry; it can use ${allowed.length === 0 ? 'none' : allowed.map((s) => `{${s}}`).join(', ')}`);
      ok = false;
    } else path.push({ source });
  }
  const fields: BodyField[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') { fields.push({ at: key.split('.'), value: { constant: value.value } }); continue; }
    const source = allowed.find((s) => s === value);
    if (source === undefined) {
      add([...at, 'body', key], `"${value}" is not a value this request can carry (${allowed.join(', ')}); a fixed value is written { value: … }`);
      ok = false;
    } else fields.push({ at: key.split('.'), value: { source } });
  }
  if (fields.length > 0 && method === 'GET') { add([...at, 'body'], 'a GET request has no body'); ok = false; }
  return ok && method !== undefined ? { method, path, body: fields } : null;
}

/** Lists of codes and classes → a lookup; a code listed twice is a problem. */
function statusClasses(h: Record<'accepted' | 'rejected' | 'busy', readonly (number | string)[]>,
  add: (path: ScenarioPath, message: string) => void): (status: number) => StatusClass {
  const exact = new Map<number, StatusClass>();
  const classes = new Map<number, StatusClass>();
  for (const kind of ['accepted', 'rejected', 'busy'] as const) {
    h[kind].forEach((code, i) => {
      const table = typeof code === 'number' ? exact : classes;
      const key = typeof code === 'number' ? code : Number(code[0]);
      const before = table.get(key);
      if (before !== undefined) add(['http', kind, i], `${String(code)} is already listed under ${before}`);
      table.set(key, kind);
    });
  }
  return (status) => exact.get(status) ?? classes.get(Math.floor(status / 100)) ?? 'error';
}

