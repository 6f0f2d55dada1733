import { z } from 'zod';
import { CommandKind, type Command } from '../book/Command.js';
import type { SymbolConfig } from '../book/SymbolConfig.js';
import { OrderType, Side, TimeInForce } from '../protocol/codes.js';

/**
 * The HTTP order-entry requests (docs/HTTP.md) checked and turned into matcher commands.
 *
 * HTTP checks what the binary protocol's decoder would refuse (types, names, the range of each
 * wire field: clientId u32, clientOrderId u64, price i64, quantity u64, all safe integers) and
 * answers 400 with every problem at once. The business rules (tick, band, quantity limits,
 * duplicate or unknown orders) stay the matcher's: they come back as REJECT with its reason.
 */

/** A request that could be turned into a command, or every problem with it (each "field: problem"). */
export type ParsedRequest = { readonly command: Command; readonly errors?: undefined } | { readonly errors: readonly string[] };

/** Finds a symbol by id (number or decimal string) or name. */
export type SymbolLookup = (key: string | number) => SymbolConfig | undefined;

/** A {@link SymbolLookup} over `symbols`: by name first, then by id. */
export function symbolLookup(symbols: readonly SymbolConfig[]): SymbolLookup {
  const byName = new Map(symbols.map((s) => [s.name, s]));
  const byId = new Map(symbols.map((s) => [s.symbolId, s]));
  return (key) => {
    if (typeof key === 'number') return byId.get(key);
    return byName.get(key) ?? (/^\d{1,10}$/.test(key) ? byId.get(Number(key)) : undefined);
  };
}

const U32_MAX = 0xffff_ffff;

/** zod's error option: "required" for a missing field, `message` otherwise. */
function says(message: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => (issue.input === undefined ? 'required' : message) };
}

const clientIdField = z.number(says('must be an integer from 0 to 4294967295'))
  .int(says('must be an integer from 0 to 4294967295')).min(0, 'must be an integer from 0 to 4294967295')
  .max(U32_MAX, 'must be an integer from 0 to 4294967295');
const clientOrderIdField = z.number(says('must be an integer from 0 to 2^53-1'))
  .int(says('must be an integer from 0 to 2^53-1')).min(0, 'must be an integer from 0 to 2^53-1');
const priceField = z.number(says('must be an integer number of price units'))
  .int(says('must be an integer number of price units (a safe integer)'));
const quantityField = z.number(says('must be a non-negative integer'))
  .int(says('must be a non-negative integer (a safe integer)')).min(0, 'must be a non-negative integer');
const symbolField = z.union([z.number().int().min(0), z.string().min(1)], says('must be a symbol id or name'));

const newOrderSchema = z.strictObject({
  clientId: clientIdField,
  symbol: symbolField,
  clientOrderId: clientOrderIdField,
  side: z.enum(['buy', 'sell'], says('must be buy or sell')),
  type: z.enum(['limit', 'market'], says('must be limit or market')),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK'], says('must be GTC, IOC or FOK')),
  price: priceField.optional(),
  quantity: quantityField,
}, says('must be a JSON object'));

const replaceSchema = z.strictObject({
  symbol: symbolField,
  price: priceField,
  quantity: quantityField,
}, says('must be a JSON object'));

const SIDES = { buy: Side.Buy, sell: Side.Sell } as const;
const TYPES = { limit: OrderType.Limit, market: OrderType.Market } as const;
const TIME_IN_FORCE = { GTC: TimeInForce.GTC, IOC: TimeInForce.IOC, FOK: TimeInForce.FOK } as const;

/** "path: message" for each zod issue; unknown keys one line each. */
function problemsOf(error: z.ZodError): string[] {
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${key}: unknown field`);
      continue;
    }
    const path = issue.path.length === 0 ? 'body' : issue.path.join('.');
    problems.push(`${path}: ${issue.message}`);
  }
  return problems;
}

function symbolProblem(lookup: SymbolLookup, key: string | number | undefined): { symbol?: SymbolConfig; problem?: string } {
  if (key === undefined) return {};
  const symbol = lookup(key);
  return symbol === undefined ? { problem: `symbol: unknown symbol ${JSON.stringify(key)}` } : { symbol };
}

/** A path segment that must be a decimal integer in 0..max (no sign, no exponent, no leading '+'). */
function pathInteger(name: string, text: string, max: number, problems: string[]): number {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value <= max)) {
    problems.push(`${name}: must be an integer from 0 to ${max === U32_MAX ? '4294967295' : '2^53-1'}, got ${JSON.stringify(text)}`);
    return 0;
  }
  return value;
}

/** `POST /orders`: a new order. `timestampNs` tags the command (its reports echo it). */
export function parseNewOrder(body: unknown, lookup: SymbolLookup, timestampNs: number): ParsedRequest {
  const parsed = newOrderSchema.safeParse(body);
  const problems = parsed.success ? [] : problemsOf(parsed.error);
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const symbolKey = typeof raw.symbol === 'number' || (typeof raw.symbol === 'string' && raw.symbol !== '') ? raw.symbol : undefined;
  const { symbol, problem } = symbolProblem(lookup, parsed.success ? parsed.data.symbol : symbolKey);
  if (problem !== undefined) problems.push(problem);
  if (parsed.success && parsed.data.type === 'limit' && parsed.data.price === undefined) {
    problems.push('price: required for a limit order');
  }
  if (!parsed.success || symbol === undefined || problems.length > 0) return { errors: problems };
  const d = parsed.data;
  return {
    command: {
      kind: CommandKind.NewOrder, symbolId: symbol.symbolId, owner: d.clientId, clientOrderId: d.clientOrderId,
      side: SIDES[d.side], orderType: TYPES[d.type], timeInForce: TIME_IN_FORCE[d.timeInForce], price: d.price ?? 0,
      quantity: d.quantity, timestampNs,
    },
  };
}

/** `PATCH /orders/{clientId}/{clientOrderId}`: a replace (new price and new open quantity). */
export function parseReplace(clientId: string, clientOrderId: string, body: unknown, lookup: SymbolLookup,
  timestampNs: number): ParsedRequest {
  const problems: string[] = [];
  const owner = pathInteger('clientId', clientId, U32_MAX, problems);
  const id = pathInteger('clientOrderId', clientOrderId, Number.MAX_SAFE_INTEGER, problems);
  const parsed = replaceSchema.safeParse(body);
  if (!parsed.success) problems.push(...problemsOf(parsed.error));
  const { symbol, problem } = symbolProblem(lookup, parsed.success ? parsed.data.symbol : undefined);
  if (problem !== undefined) problems.push(problem);
  if (!parsed.success || symbol === undefined || problems.length > 0) return { errors: problems };
  return {
    command: {
      kind: CommandKind.Replace, symbolId: symbol.symbolId, owner, clientOrderId: id, side: 0, orderType: 0,
      timeInForce: 0, price: parsed.data.price, quantity: parsed.data.quantity, timestampNs,
    },
  };
}

/** `DELETE /orders/{clientId}/{clientOrderId}?symbol=…`: a cancel. */
export function parseCancel(clientId: string, clientOrderId: string, symbolKey: string | null, lookup: SymbolLookup,
  timestampNs: number): ParsedRequest {
  const problems: string[] = [];
  const owner = pathInteger('clientId', clientId, U32_MAX, problems);
  const id = pathInteger('clientOrderId', clientOrderId, Number.MAX_SAFE_INTEGER, problems);
  let symbol: SymbolConfig | undefined;
  if (symbolKey === null || symbolKey === '') problems.push('symbol: required (query parameter ?symbol=)');
  else {
    const found = symbolProblem(lookup, symbolKey);
    if (found.problem !== undefined) problems.push(found.problem);
    symbol = found.symbol;
  }
  if (symbol === undefined || problems.length > 0) return { errors: problems };
  return {
    command: {
      kind: CommandKind.Cancel, symbolId: symbol.symbolId, owner, clientOrderId: id, side: 0, orderType: 0,
      timeInForce: 0, price: 0, quantity: 0, timestampNs,
    },
  };
}
