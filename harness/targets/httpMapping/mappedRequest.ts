import { CommandKind } from '../../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import type { HttpMapping, MappingSource, RequestTemplate } from './HttpMapping.js';

/** A request ready for autocannon: method, path below the base URL, JSON body ('' for none). */
export interface MappedHttpRequest {
  readonly method: RequestTemplate['method'];
  readonly path: string;
  readonly body: string;
}

/** What a request is built from besides the order: who sends it and how its symbol is known. */
export interface MappedRequestContext {
  readonly clientId: number;
  /** The symbol's name (the scenario's `namePrefix` + id). */
  readonly symbolName: string;
  /** Price units per tick, for the ticks encoding when the mapping does not set its own. */
  readonly tickSize: number;
  /** The engine's id of the order a cancel or replace is about (from its new order's answer); undefined when unknown. */
  readonly orderId?: string | number | undefined;
}

/** Writes a price in the harness's integer units as the mapping's encoding says. */
export function encodePrice(mapping: HttpMapping, priceUnits: number, tickSize: number): number | string {
  const { encoding, decimals } = mapping.price;
  switch (encoding) {
    case 'integer': return priceUnits;
    case 'ticks': return Math.round(priceUnits / (mapping.price.tickSize ?? tickSize));
    case 'decimal-number': return Number(decimalText(priceUnits, decimals));
    case 'decimal-string': return decimalText(priceUnits, decimals);
  }
}

/** Integer units as a fixed-point decimal, exactly (no float division): 12345, 2 → "123.45". */
function decimalText(units: number, decimals: number): string {
  const digits = String(Math.abs(Math.round(units))).padStart(decimals + 1, '0');
  const sign = units < 0 ? '-' : '';
  return decimals === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/**
 * Writes a quantity in the harness's integer units as the mapping's encoding says: as is (a number
 * or a string), in lots (units ÷ lotSize), or as a decimal. Call it with whole lots only
 * (MappedHttpSession does not send the others, {@link isWholeLots}).
 */
export function encodeQuantity(mapping: HttpMapping, units: number): number | string {
  const { encoding, decimals, lotSize } = mapping.quantity;
  switch (encoding) {
    case 'number': return units;
    case 'string': return String(units);
    case 'lots': return units / lotSize;
    case 'decimal-number': return Number(decimalText(units, decimals));
    case 'decimal-string': return decimalText(units, decimals);
  }
}

/** Whether `units` is a whole number of the mapping's lots, i.e. whether the engine can take it. */
export function isWholeLots(mapping: HttpMapping, units: number): boolean {
  return Number.isInteger(units / mapping.quantity.lotSize);
}

/**
 * Reads a quantity of an answer back into integer units: a number or a string holding one, in the
 * mapping's encoding (lots times the lot size; a decimal times 10^decimals). NaN when there is no
 * number in it.
 */
export function decodeQuantity(mapping: HttpMapping, value: unknown): number {
  const n = looseNumber(value);
  switch (mapping.quantity.encoding) {
    case 'number':
    case 'string': return n;
    case 'lots': return n * mapping.quantity.lotSize;
    default: return Math.round(n * 10 ** mapping.quantity.decimals);
  }
}

/**
 * Reads a price back into integer units: a number in the mapping's encoding, or a string that may
 * carry a currency sign, code or thousands separators (`"$1,101.25"`, `"101.25 USD"`). NaN when
 * there is no number in it.
 */
export function decodePrice(mapping: HttpMapping, value: unknown, tickSize: number): number {
  const n = looseNumber(value);
  switch (mapping.price.encoding) {
    case 'integer': return n;
    case 'ticks': return n * (mapping.price.tickSize ?? tickSize);
    default: return Math.round(n * 10 ** mapping.price.decimals);
  }
}

/** A number, or the first number written in a string (currency signs, codes and `,` separators dropped); else NaN. */
export function looseNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const match = /[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+/.exec(value);
  return match === null ? Number.NaN : Number(match[0].replace(/,/g, ''));
}

/** The values of the request's sources for one order. */
function sources(mapping: HttpMapping, order: FlowOrder, ctx: MappedRequestContext): (s: MappingSource) => unknown {
  const market = order.kind === CommandKind.NewOrder && order.orderType === OrderType.Market;
  return (s) => {
    switch (s) {
      case 'clientId': return ctx.clientId;
      case 'symbol': return mapping.symbol === 'id' ? order.symbolId : ctx.symbolName;
      case 'symbolId': return order.symbolId;
      case 'symbolName': return ctx.symbolName;
      case 'clientOrderId': return order.clientOrderId;
      case 'orderId': return ctx.orderId;
      case 'side': return order.side === Side.Buy ? mapping.side.buy : mapping.side.sell;
      case 'type': return market ? mapping.type.market : mapping.type.limit;
      case 'timeInForce': return order.timeInForce === TimeInForce.IOC ? mapping.timeInForce.IOC
        : order.timeInForce === TimeInForce.FOK ? mapping.timeInForce.FOK : mapping.timeInForce.GTC;
      case 'price':
        if (market) return mapping.omitMarketPrice ? undefined : encodePrice(mapping, 0, ctx.tickSize);
        return encodePrice(mapping, order.price, ctx.tickSize);
      case 'quantity': return encodeQuantity(mapping, order.quantity);
      case 'levels': return undefined;
    }
  };
}

/** Fills a template: path values URL-encoded, the body as JSON (fields whose value is undefined left out). */
export function fillTemplate(t: RequestTemplate, value: (s: MappingSource) => unknown): MappedHttpRequest {
  let path = '';
  for (const part of t.path) path += 'text' in part ? part.text : encodeURIComponent(String(value(part.source) ?? ''));
  if (t.body.length === 0) return { method: t.method, path, body: '' };
  const body: Record<string, unknown> = {};
  for (const field of t.body) {
    const v = 'constant' in field.value ? field.value.constant : value(field.value.source);
    if (v === undefined) continue;
    let node = body;
    field.at.forEach((key, i) => {
      if (i === field.at.length - 1) node[key] = v;
      else node = (node[key] ??= {}) as Record<string, unknown>;
    });
  }
  return { method: t.method, path, body: JSON.stringify(body) };
}

/**
 * The request that carries a generated order through `mapping`, or null when the mapping has no
 * operation for its kind (an engine without cancel or replace).
 */
export function mappedRequest(mapping: HttpMapping, order: FlowOrder, ctx: MappedRequestContext): (MappedHttpRequest) | null {
  const t = order.kind === CommandKind.NewOrder ? mapping.operations.new
    : order.kind === CommandKind.Cancel ? mapping.operations.cancel : mapping.operations.replace;
  return t === null ? null : fillTemplate(t, sources(mapping, order, ctx));
}
