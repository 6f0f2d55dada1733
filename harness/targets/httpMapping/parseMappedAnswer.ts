import { CommandKind } from '../../../engine/book/Command.js';
import type { AnswerPath, HttpMapping, MappedStatus } from './HttpMapping.js';
import { decodePrice, decodeQuantity, looseNumber } from './mappedRequest.js';
import { redactSecrets } from './redactSecrets.js';

/** One trade of the order, as the answer lists it; price in the harness's integer units. */
export interface MappedFill {
  readonly priceUnits: number;
  readonly quantity: number;
  /** NaN when the engine gives none. */
  readonly tradeId: number;
}

/**
 * An engine's answer to one order request, in matchbench's terms. Quantities and ids are
 * undefined when the mapping does not say where the answer keeps them.
 */
export type MappedAnswer =
  | {
    readonly outcome: 'accepted' | 'replaced' | 'cancelled';
    /** The order's state after the request. */
    readonly state: Exclude<MappedStatus, 'rejected'>;
    readonly orderId: string | number | undefined;
    readonly filledQuantity: number | undefined;
    readonly remainingQuantity: number | undefined;
    readonly cancelledQuantity: number | undefined;
    /** Undefined when the mapping has no fills list. */
    readonly fills: readonly MappedFill[] | undefined;
    readonly cancelReason: string | undefined;
  }
  /** A business reject (the request had no effect); busy: the engine shed it (reason EngineBusy unless it names one). */
  | { readonly outcome: 'rejected'; readonly reason: string }
  | { readonly outcome: 'busy'; readonly reason: string }
  /** Neither: a status code the mapping calls an error, a body that cannot be read. `message` is one line. */
  | { readonly outcome: 'error'; readonly message: string };

/** The value at `path` in `json`, or undefined. */
export function valueAt(json: unknown, path: AnswerPath): unknown {
  let node = json;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Reads the answer to a request of `kind` through `mapping`: the HTTP status first (the mapping's
 * `http` lists: accepted, rejected, busy; anything else is an error), then the body (JSON), its
 * status spelling (a 2xx whose status is a reject spelling is a reject), quantities, fills (prices
 * decoded, currency signs allowed) and reason (through the mapping's `reasons`).
 */
export function parseMappedAnswer(mapping: HttpMapping, kind: CommandKind, status: number, body: string, tickSize: number): MappedAnswer {
  const cls = mapping.http(status);
  // Whatever of the answer goes into a message (an error's text, a reason, a status) is quoted without
  // the mapping's secrets: an engine may echo the token it was sent.
  const shown = (t: string): string => {
    const clean = redactSecrets(t, mapping.secrets);
    return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 80)}…` : clean);
  };
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  const a = mapping.answer;
  const text = (path: AnswerPath | undefined): string | undefined => {
    const v = path === undefined ? undefined : valueAt(json, path);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const reason = (fallback: string): string => {
    const r = text(a.reason);
    return r === undefined ? fallback : mapping.reasons.get(r) ?? redactSecrets(r, mapping.secrets);
  };
  if (cls === 'busy') return { outcome: 'busy', reason: reason('EngineBusy') };
  if (cls === 'rejected') return { outcome: 'rejected', reason: reason(`HTTP ${status}`) };
  if (cls === 'error') {
    const why = text(a.error);
    return { outcome: 'error', message: `answers with HTTP ${status}${why === undefined ? '' : ` (e.g. ${redactSecrets(why, mapping.secrets).slice(0, 120)})`}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { outcome: 'error', message: `answers with HTTP ${status} and a body that is not a JSON object (e.g. ${shown(body)})` };
  }
  const num = (path: AnswerPath | undefined): number | undefined => {
    if (path === undefined) return undefined;
    const v = valueAt(json, path);
    return v === undefined || v === null ? undefined : decodeQuantity(mapping, v);
  };
  const spelled = text(a.status);
  let state: MappedStatus | undefined;
  if (spelled !== undefined) {
    state = mapping.statuses.get(spelled);
    if (state === undefined) return { outcome: 'error', message: `answers with HTTP ${status} and a status the mapping does not list (e.g. ${shown(spelled)})` };
    if (state === 'rejected') return { outcome: 'rejected', reason: reason('rejected') };
  }
  const filledQuantity = num(a.filledQuantity);
  const remainingQuantity = num(a.remainingQuantity);
  let fills: MappedFill[] | undefined;
  if (a.fills !== undefined) {
    const list = valueAt(json, a.fills) ?? [];
    if (!Array.isArray(list)) return { outcome: 'error', message: `answers with HTTP ${status} and fills that are not a list (e.g. ${shown(JSON.stringify(list))})` };
    fills = list.map((f: unknown) => ({ priceUnits: decodePrice(mapping, valueAt(f, a.fillPrice), tickSize),
      quantity: decodeQuantity(mapping, valueAt(f, a.fillQuantity)), tradeId: a.fillTradeId === undefined ? Number.NaN : looseNumber(valueAt(f, a.fillTradeId)) }));
  }
  if (state === undefined) {
    // No status in the answer: what the request and the quantities imply.
    state = kind === CommandKind.Cancel ? 'cancelled' : remainingQuantity === 0 ? 'filled' : 'resting';
  }
  const outcome = kind === CommandKind.NewOrder ? 'accepted' : kind === CommandKind.Cancel ? 'cancelled' : 'replaced';
  return { outcome, state: state as Exclude<MappedStatus, 'rejected'>, orderId: a.orderId === undefined ? undefined : (valueAt(json, a.orderId) as string | number | undefined),
    filledQuantity, remainingQuantity, cancelledQuantity: num(a.cancelledQuantity), fills, cancelReason: text(a.cancelReason) };
}
