import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderType, Side, TimeInForce } from '../protocol/codes.js';
import type { RestingOrder } from './Book.js';
import { checkBookInvariants, EventStreamChecker } from './invariants.js';
import { Matcher } from './Matcher.js';
import { OrderBook } from './OrderBook.js';
import { OrderBookReference } from './OrderBookReference.js';
import { symbolConfig, type SymbolConfig } from './SymbolConfig.js';

/**
 * Model-based test: random command sequences go to the fast book (the system under test) and to
 * the oracle (the model). After every command both must have emitted the same events and hold the
 * same books, and every invariant must hold on both.
 *
 * The seed is fixed so a failure reproduces; set MATCHBENCH_SEED to explore others. fast-check
 * prints the seed and the shrunk command list of any failure.
 */
const SEED = Number(process.env.MATCHBENCH_SEED ?? 20261122);
const RUNS = 1000;

const SYMBOLS: SymbolConfig[] = [
  symbolConfig({ symbolId: 1, name: 'AAA', tickSize: 1, minPrice: 75, maxPrice: 125, maxQuantity: 50 }),
  // Tick 5 with a band that starts off a word boundary exercises the ladder's index arithmetic.
  symbolConfig({ symbolId: 2, name: 'BBB', tickSize: 5, minPrice: 35, maxPrice: 400, maxQuantity: 50 }),
];

interface Model {
  readonly reference: Matcher;
  readonly checker: EventStreamChecker;
}
interface Real {
  readonly fast: Matcher;
  ts: number;
}

/** Runs one command on both matchers and compares everything observable. */
function step(model: Model, real: Real, apply: (m: Matcher, ts: number) => void): void {
  real.ts += 1;
  apply(model.reference, real.ts);
  apply(real.fast, real.ts);
  const expected = model.reference.events.events();
  const actual = real.fast.events.events();
  expect(actual).toEqual(expected);
  for (const event of actual) expect(model.checker.check(event)).toEqual([]);
  model.reference.events.clear();
  real.fast.events.clear();
  for (const config of SYMBOLS) {
    const want = model.reference.book(config.symbolId)!.state();
    const got = real.fast.book(config.symbolId)!.state();
    expect(checkBookInvariants(got)).toEqual([]);
    expect(checkBookInvariants(want)).toEqual([]);
    expect(got).toEqual(want);
    expect(real.fast.book(config.symbolId)!.depth(3)).toEqual(model.reference.book(config.symbolId)!.depth(3));
  }
  const { bid, ask, bidFromBitmap, askFromBitmap } = (real.fast.book(1) as OrderBook).bestTicks();
  expect([bidFromBitmap, askFromBitmap]).toEqual([bid, ask]);
}

class NewOrderCommand implements fc.Command<Model, Real> {
  constructor(readonly symbolId: number, readonly owner: number, readonly clientOrderId: number, readonly side: number,
    readonly orderType: number, readonly timeInForce: number, readonly price: number, readonly quantity: number) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    step(model, real, (m, ts) => m.newOrder(this.symbolId, this.owner, this.clientOrderId, this.side, this.orderType,
      this.timeInForce, this.price, this.quantity, ts));
  }
  toString(): string {
    return `new(sym=${this.symbolId} owner=${this.owner} id=${this.clientOrderId} side=${this.side} type=${this.orderType} ` +
      `tif=${this.timeInForce} px=${this.price} qty=${this.quantity})`;
  }
}

/**
 * Which order a cancel or replace names. `pick` null: the raw (owner, id), often unknown. Otherwise the
 * pick-th live order of the symbol in the model at run time, so most of them hit a resting order.
 */
interface Target {
  readonly symbolId: number;
  readonly owner: number;
  readonly clientOrderId: number;
  readonly pick: number | null;
}

function resolve(model: Model, target: Target): RestingOrder | undefined {
  if (target.pick === null) return undefined;
  const live = model.reference.book(target.symbolId)?.state().indexed ?? [];
  return live.length === 0 ? undefined : live[target.pick % live.length];
}

class CancelCommand implements fc.Command<Model, Real> {
  constructor(readonly target: Target) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const order = resolve(model, this.target);
    const owner = order?.owner ?? this.target.owner;
    const id = order?.clientOrderId ?? this.target.clientOrderId;
    step(model, real, (m, ts) => m.cancel(this.target.symbolId, owner, id, ts));
  }
  toString(): string { return `cancel(${JSON.stringify(this.target)})`; }
}

/** How a replace changes its target: the cases the priority rule tells apart, plus arbitrary values. */
type ReplaceMode = 'less' | 'same' | 'more' | 'move' | 'raw';

class ReplaceCommand implements fc.Command<Model, Real> {
  constructor(readonly target: Target, readonly mode: ReplaceMode, readonly price: number, readonly quantity: number) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const order = resolve(model, this.target);
    const owner = order?.owner ?? this.target.owner;
    const id = order?.clientOrderId ?? this.target.clientOrderId;
    let price = this.price;
    let quantity = this.quantity;
    if (order !== undefined && this.mode !== 'raw') {
      const leaves = order.leavesQuantity;
      price = this.mode === 'move' ? this.price : order.price;
      quantity = this.mode === 'less' ? Math.max(1, leaves - this.quantity) : this.mode === 'same' ? leaves
        : this.mode === 'more' ? leaves + this.quantity : this.quantity;
    }
    step(model, real, (m, ts) => m.replace(this.target.symbolId, owner, id, price, quantity, ts));
  }
  toString(): string {
    return `replace(${JSON.stringify(this.target)} ${this.mode} px=${this.price} qty=${this.quantity})`;
  }
}

// Small id spaces so cancels and replaces often hit live orders and duplicates happen.
const symbolId = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(1, 2) }, { weight: 1, arbitrary: fc.constant(3) });
const owner = fc.integer({ min: 1, max: 3 });
const clientOrderId = fc.integer({ min: 1, max: 4 });
/**
 * Prices: mostly on tick near 100, buys a little below and sells a little above so books build
 * depth while still crossing often; sometimes off tick (symbol 2), outside a band, or not positive.
 */
const offset = fc.integer({ min: -1, max: 4 });
const invalidPrice = fc.constantFrom(0, -5, 30, 405, 1_000, 101);
const priceFor = (sd: number, k: number): number => 100 + (sd === Side.Buy ? -k : k) * 5;
const price = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 17, max: 23 }).map((t) => t * 5) },
  { weight: 2, arbitrary: fc.integer({ min: 88, max: 112 }) }, { weight: 1, arbitrary: invalidPrice });
const limitPrice = fc.tuple(fc.integer({ min: 0, max: 14 }), offset, invalidPrice)
  .map(([pick, k, bad]) => (pick === 0 ? bad : (sd: number) => priceFor(sd, k)));
const quantity = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 50, 51) });
const side = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(Side.Buy, Side.Sell) }, { weight: 1, arbitrary: fc.constant(0) });
const tif = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK) },
  { weight: 1, arbitrary: fc.constant(9) });

const target = fc.record({ symbolId, owner, clientOrderId,
  pick: fc.oneof({ weight: 4, arbitrary: fc.nat(1000) }, { weight: 1, arbitrary: fc.constant(null) }) });

const commands = fc.commands([
  fc.tuple(symbolId, owner, clientOrderId, side, tif, limitPrice, quantity)
    .map(([s, o, c, sd, t, p, q]) => new NewOrderCommand(s, o, c, sd, OrderType.Limit, t, typeof p === 'number' ? p : p(sd), q)),
  fc.tuple(symbolId, owner, clientOrderId, side, tif, quantity, fc.integer({ min: 0, max: 19 }))
    .map(([s, o, c, sd, t, q, bad]) => new NewOrderCommand(s, o, c, sd, bad === 0 ? 7 : OrderType.Market, t, 0, q)),
  target.map((t) => new CancelCommand(t)),
  fc.tuple(target, fc.constantFrom<ReplaceMode>('less', 'same', 'more', 'move', 'move', 'raw'), price, quantity)
    .map(([t, mode, p, q]) => new ReplaceCommand(t, mode, p, q)),
], { maxCommands: 60, size: 'max' });

describe('OrderBook against OrderBookReference (model-based)', () => {
  it(`gives identical events and books for ${RUNS} random command sequences (seed ${SEED})`, () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const model: Model = {
          reference: new Matcher(SYMBOLS, (config, context) => new OrderBookReference(config, context)),
          checker: new EventStreamChecker(),
        };
        const real: Real = { fast: new Matcher(SYMBOLS, (config, context) => new OrderBook(config, context, { initialOrderCapacity: 16 })), ts: 0 };
        fc.modelRun(() => ({ model, real }), cmds);
        expect(real.fast.stateHash()).toBe(model.reference.stateHash());
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('agrees on a long sequence with deep books and slot reuse past the initial pool', () => {
    fc.assert(
      fc.property(fc.commands([
        fc.tuple(owner, fc.integer({ min: 1, max: 200 }), side, price, quantity)
          .map(([o, c, sd, p, q]) => new NewOrderCommand(1, o, c, sd, OrderType.Limit, TimeInForce.GTC, p, q)),
        fc.tuple(owner, fc.integer({ min: 1, max: 200 }), fc.nat(1000))
          .map(([o, c, pick]) => new CancelCommand({ symbolId: 1, owner: o, clientOrderId: c, pick })),
      ], { maxCommands: 2000, size: 'max' }), (cmds) => {
        const model: Model = { reference: new Matcher(SYMBOLS, (c, x) => new OrderBookReference(c, x)), checker: new EventStreamChecker() };
        const real: Real = { fast: new Matcher(SYMBOLS, (c, x) => new OrderBook(c, x, { initialOrderCapacity: 16 })), ts: 0 };
        fc.modelRun(() => ({ model, real }), cmds);
      }),
      { seed: SEED, numRuns: 10 },
    );
  });

  it('agrees with the oracle on every edge value of a NEW_ORDER, whichever way the fast check goes', () => {
    // The book checks a common order inline before the full rules; each value here sits on one side
    // of an edge of that check (codes, band, tick, whole numbers, 2^32, the maximum, the notional).
    const configs = [
      symbolConfig({ symbolId: 1, name: 'ONE', tickSize: 1, minPrice: 75, maxPrice: 125, maxQuantity: 50 }),
      symbolConfig({ symbolId: 1, name: 'FIVE', tickSize: 5, minPrice: 35, maxPrice: 400, maxQuantity: 50 }),
      symbolConfig({ symbolId: 1, name: 'BIG', tickSize: 1, minPrice: 1, maxPrice: 100, maxQuantity: 2 ** 40 }),
      symbolConfig({ symbolId: 1, name: 'WIDE', tickSize: 1, minPrice: 2 ** 40, maxPrice: 2 ** 40 + 10, maxQuantity: 2 ** 20 }),
    ];
    const edges = (c: SymbolConfig): number[] => [0, -1, 0.5, NaN, Infinity, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53,
      c.minPrice - c.tickSize, c.minPrice - 1, c.minPrice, c.minPrice + 1, c.minPrice + c.tickSize, c.minPrice + 0.5,
      c.maxPrice, c.maxPrice + 1, c.maxPrice + c.tickSize, 1, 2, c.maxQuantity, c.maxQuantity + 1, 2 ** 13];
    let compared = 0;
    for (const config of configs) {
      const values = edges(config);
      const fast = new Matcher([config], (c, x) => new OrderBook(c, x));
      const reference = new Matcher([config], (c, x) => new OrderBookReference(c, x));
      let id = 0;
      for (const side of [0, Side.Buy, Side.Sell, 3]) {
        for (const orderType of [0, OrderType.Limit, OrderType.Market, 3]) {
          for (const tif of [0, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, 4]) {
            for (const price of values) {
              for (const quantity of values) {
                id++;
                fast.newOrder(1, 1, id, side, orderType, tif, price, quantity, id);
                reference.newOrder(1, 1, id, side, orderType, tif, price, quantity, id);
                expect(fast.events.events(), `${config.name} side ${side} type ${orderType} tif ${tif} price ${price} quantity ${quantity}`)
                  .toEqual(reference.events.events());
                fast.events.clear();
                reference.events.clear();
                compared++;
              }
            }
          }
        }
      }
      expect(fast.stateHash()).toBe(reference.stateHash());
    }
    expect(compared).toBe(4 * 4 * 4 * 5 * 23 * 23);
  });
});
