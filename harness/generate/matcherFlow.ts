import { EventKind } from '../../engine/book/EventBuffer.js';
import { Matcher } from '../../engine/book/Matcher.js';
import { symbolConfig, type SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { Rng } from './Rng.js';

/** One operation of a matcher flow. */
export const FlowOp = { Limit: 1, Ioc: 2, Market: 3, Cancel: 4 } as const;
export type FlowOp = (typeof FlowOp)[keyof typeof FlowOp];

/** Shape of a single-symbol Monte Carlo order flow for the matcher benchmark. */
export interface MatcherFlowOptions {
  /** Operations to generate. Default 1,000,000. */
  readonly operations: number;
  /** Seed of every random choice. Default 1. */
  readonly seed: number;
  /** Centre of the limit-price distribution, in ticks. Default 10,000. */
  readonly midPrice: number;
  /** Standard deviation of limit prices around the mid, in ticks. Default 20. */
  readonly priceSigmaTicks: number;
  /** Median order quantity (log-normal). Default 40. */
  readonly quantityMedian: number;
  /** Sigma of log(quantity). Default 1.2. */
  readonly quantityLogSigma: number;
  /** Quantities are clamped to [quantityMin, quantityMax]. Defaults 1 and 1,000. */
  readonly quantityMin: number;
  readonly quantityMax: number;
  /** Fractions of the operations (the rest are GTC limits). Defaults 0.05, 0.05, 0.2. */
  readonly iocFraction: number;
  readonly marketFraction: number;
  readonly cancelFraction: number;
}

export const MATCHER_FLOW_DEFAULTS: MatcherFlowOptions = {
  operations: 1_000_000,
  seed: 1,
  midPrice: 10_000,
  priceSigmaTicks: 20,
  quantityMedian: 40,
  quantityLogSigma: 1.2,
  quantityMin: 1,
  quantityMax: 1_000,
  iocFraction: 0.05,
  marketFraction: 0.05,
  cancelFraction: 0.2,
};

/**
 * A generated flow, struct-of-arrays so replaying it allocates nothing. Operation i is a new order
 * with client order id `clientOrderId[i]` (= i + 1), or a cancel of the order with that id.
 */
export interface MatcherFlow {
  readonly options: MatcherFlowOptions;
  readonly symbol: SymbolConfig;
  readonly length: number;
  readonly op: Uint8Array;
  readonly side: Uint8Array;
  /** Limit price in ticks; 0 for market orders and cancels. */
  readonly price: Float64Array;
  readonly quantity: Float64Array;
  readonly clientOrderId: Float64Array;
  /** Operations of each kind, by FlowOp. */
  readonly counts: Readonly<Record<'limit' | 'ioc' | 'market' | 'cancel', number>>;
  /** Most orders resting at once while the flow was generated (sizes the books' pools). */
  readonly peakResting: number;
}

/**
 * Generates the flow before any timing starts. Cancels name a random order that is resting at that
 * moment: the generator plays the flow through the fast matcher as it goes to know which orders
 * rest (the benchmark then checks that every implementation ends in the same state).
 */
export function generateMatcherFlow(overrides: Partial<MatcherFlowOptions> = {}): MatcherFlow {
  const options: MatcherFlowOptions = { ...MATCHER_FLOW_DEFAULTS, ...overrides };
  const n = options.operations;
  const rng = Rng.stream(options.seed, 0);
  const symbol = symbolConfig({ symbolId: 1, name: 'BENCH', minPrice: 1, maxPrice: options.midPrice * 2,
    maxQuantity: options.quantityMax });
  const matcher = new Matcher([symbol]);
  const events = matcher.events;

  const op = new Uint8Array(n);
  const side = new Uint8Array(n);
  const price = new Float64Array(n);
  const quantity = new Float64Array(n);
  const clientOrderId = new Float64Array(n);
  const counts = { limit: 0, ioc: 0, market: 0, cancel: 0 };

  // Resting orders: ids in `live`, and where each id sits in it (swap-remove keeps it dense).
  const live = new Float64Array(n);
  const position = new Int32Array(n + 1).fill(-1);
  let liveCount = 0;
  let peakResting = 0;
  const add = (id: number): void => {
    position[id] = liveCount;
    live[liveCount++] = id;
  };
  const remove = (id: number): void => {
    const at = position[id] as number;
    if (at < 0) return;
    const last = live[--liveCount] as number;
    live[at] = last;
    position[last] = at;
    position[id] = -1;
  };

  const logMedian = Math.log(options.quantityMedian);
  const marketCut = options.iocFraction + options.marketFraction;
  const cancelCut = marketCut + options.cancelFraction;
  for (let i = 0; i < n; i++) {
    const draw = rng.next();
    let kind: FlowOp = draw < options.iocFraction ? FlowOp.Ioc : draw < marketCut ? FlowOp.Market
      : draw < cancelCut ? FlowOp.Cancel : FlowOp.Limit;
    if (kind === FlowOp.Cancel && liveCount === 0) kind = FlowOp.Limit;
    op[i] = kind;
    if (kind === FlowOp.Cancel) {
      const id = live[rng.int(0, liveCount - 1)] as number;
      clientOrderId[i] = id;
      matcher.cancel(symbol.symbolId, 1, id, 0);
      counts.cancel++;
    } else {
      const id = i + 1;
      const s = rng.chance(0.5) ? Side.Buy : Side.Sell;
      const q = Math.min(options.quantityMax, Math.max(options.quantityMin,
        Math.round(rng.logNormal(logMedian, options.quantityLogSigma))));
      const p = kind === FlowOp.Market ? 0
        : Math.min(symbol.maxPrice, Math.max(symbol.minPrice, Math.round(rng.normal(options.midPrice, options.priceSigmaTicks))));
      side[i] = s;
      price[i] = p;
      quantity[i] = q;
      clientOrderId[i] = id;
      if (kind === FlowOp.Market) {
        matcher.newOrder(symbol.symbolId, 1, id, s, OrderType.Market, TimeInForce.IOC, 0, q, 0);
        counts.market++;
      } else {
        matcher.newOrder(symbol.symbolId, 1, id, s, OrderType.Limit, kind === FlowOp.Ioc ? TimeInForce.IOC : TimeInForce.GTC,
          p, q, 0);
        if (kind === FlowOp.Ioc) counts.ioc++;
        else counts.limit++;
      }
    }
    for (let e = 0; e < events.length; e++) {
      const kindAt = events.kindAt(e);
      if (kindAt === EventKind.Accepted) {
        const accepted = events.event(e);
        if (accepted.kind === EventKind.Accepted && accepted.timeInForce === TimeInForce.GTC &&
          accepted.orderType === OrderType.Limit) add(accepted.clientOrderId);
      } else if (kindAt === EventKind.Fill) {
        const fill = events.event(e);
        if (fill.kind === EventKind.Fill && fill.leavesQuantity === 0) remove(fill.clientOrderId);
      } else if (kindAt === EventKind.Canceled) {
        const canceled = events.event(e);
        if (canceled.kind === EventKind.Canceled) remove(canceled.clientOrderId);
      }
    }
    events.clear();
    if (liveCount > peakResting) peakResting = liveCount;
  }
  return { options, symbol, length: n, op, side, price, quantity, clientOrderId, counts, peakResting };
}
