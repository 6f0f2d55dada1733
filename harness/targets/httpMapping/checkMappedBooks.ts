import type { HttpMapping } from './HttpMapping.js';
import { decodePrice, decodeQuantity, fillTemplate } from './mappedRequest.js';
import { redactSecrets } from './redactSecrets.js';
import type { MappedSymbol } from './MappedHttpSession.js';
import { valueAt } from './parseMappedAnswer.js';

/** What {@link checkMappedBooks} checked, for the run's `invariants.checked`, and what it found broken. */
export interface MappedBookCheck {
  readonly checked: string;
  readonly violations: string[];
}

/** One side's levels as the book answer lists them, in price units. */
interface DepthLevel {
  readonly price: number;
  readonly quantity: number;
}

/**
 * Reads each symbol's book at the end of a run through the mapping's book operation and checks
 * what a depth snapshot can show: not crossed (best bid below best ask), bids strictly descending
 * and asks strictly ascending, every level's price a number and its quantity above 0. A mapping
 * without a book operation says so in `checked` instead: nothing is silently skipped.
 */
export async function checkMappedBooks(baseUrl: string, mapping: HttpMapping, symbols: ReadonlyMap<number, MappedSymbol>,
  timeoutMs = 3_000): Promise<MappedBookCheck> {
  const book = mapping.operations.book;
  if (book === null) {
    return { checked: `no book invariants: the HTTP mapping ${mapping.name} has no book operation`, violations: [] };
  }
  const violations: string[] = [];
  for (const [symbolId, symbol] of symbols) {
    const r = fillTemplate(book, (s) => (s === 'levels' ? book.levels : s === 'symbolId' ? symbolId
      : s === 'symbolName' || mapping.symbol === 'name' ? symbol.name : symbolId));
    const what = `${r.method} ${r.path}`;
    let json: unknown;
    try {
      const response = await fetch(`${baseUrl}${r.path}`, { method: r.method, headers: mapping.headers, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      if (mapping.http(response.status) !== 'accepted') { violations.push(`book of symbol ${symbolId}: ${what} answered HTTP ${response.status}`); continue; }
      json = JSON.parse(text);
    } catch (error) {
      violations.push(`book of symbol ${symbolId}: ${what} failed (${redactSecrets((error as Error).message, mapping.secrets)})`);
      continue;
    }
    const side = (path: readonly string[], name: string): DepthLevel[] | undefined => {
      const list = valueAt(json, path);
      if (!Array.isArray(list)) { violations.push(`book of symbol ${symbolId}: ${what} has no ${name} list at ${path.join('.')}`); return undefined; }
      return list.map((l: unknown) => ({ price: decodePrice(mapping, valueAt(l, book.answer.price), symbol.tickSize),
        quantity: decodeQuantity(mapping, valueAt(l, book.answer.quantity)) }));
    };
    const bids = side(book.answer.bids, 'bids');
    const asks = side(book.answer.asks, 'asks');
    if (bids === undefined || asks === undefined) continue;
    violations.push(...depthViolations(bids, asks).map((v) => `book invariant ${v} on symbol ${symbolId} (${what})`));
  }
  return { checked: `final books read through the HTTP mapping ${mapping.name}'s book operation (not crossed, levels in order, quantities > 0)`,
    violations };
}

/** The broken invariants of one depth snapshot (bids and asks best first). */
export function depthViolations(bids: readonly DepthLevel[], asks: readonly DepthLevel[]): string[] {
  const out: string[] = [];
  const best = { bid: bids[0], ask: asks[0] };
  if (best.bid !== undefined && best.ask !== undefined && best.bid.price >= best.ask.price) {
    out.push(`not-crossed broken: best bid ${best.bid.price} is not below best ask ${best.ask.price}`);
  }
  for (const [name, levels, descending] of [['bid', bids, true], ['ask', asks, false]] as const) {
    levels.forEach((l, i) => {
      const previous = levels[i - 1];
      if (!Number.isFinite(l.price) || !(l.quantity > 0)) out.push(`level-totals broken: ${name} level ${l.price} holds ${l.quantity}`);
      if (previous !== undefined && (descending ? l.price >= previous.price : l.price <= previous.price)) {
        out.push(`level-order broken: ${name} level ${l.price} follows ${previous.price}`);
      }
    });
  }
  return out;
}
