import { CommandKind } from '../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { PoissonArrivals } from '../executors/PoissonArrivals.js';
import { RateSchedule } from '../executors/RateSchedule.js';
import type { Scenario } from '../scenario/Scenario.js';
import { emptyFlowOrder, OrderKind, type FlowOrder } from './FlowOrder.js';
import { LiveOrders } from './LiveOrders.js';
import { MID_PATH_DEFAULTS, MidPath } from './MidPath.js';
import { Rng } from './Rng.js';
import { StreamHasher } from './StreamHasher.js';
import { streamIndex } from './streamIndex.js';
import { WeightedChoice } from './WeightedChoice.js';

/** The parts of a scenario the order flow reads. */
export type FlowScenario = Pick<Scenario, 'symbols' | 'phases' | 'clients'>;

/**
 * What all clients of one process share: the per-client rate schedule and the symbols' mid paths
 * (built once, read by every client; the paths fill in lazily as the clients' times advance).
 */
export interface FlowShared {
  /** One client's schedule: the phases' rates / clients.orderEntry. */
  readonly schedule: RateSchedule;
  /** Indexed by symbolId − 1. */
  readonly mids: readonly MidPath[];
}

export interface ClientFlowOptions {
  /** Built with {@link ClientFlow.shared} for the same scenario and seed; null: build a private one. Default null. */
  readonly shared: FlowShared | null;
  /** Most live GTC orders a client keeps on record (see LiveOrders). Default 1,000,000. */
  readonly liveCapacity: number;
  /** Mid-path grid, ms (used when `shared` is null). Default 10. */
  readonly gridMs: number;
}

export const CLIENT_FLOW_DEFAULTS: ClientFlowOptions = { shared: null, liveCapacity: 1_000_000, gridMs: MID_PATH_DEFAULTS.gridMs };

/**
 * One order-entry client's order stream: {@link next} returns its orders in intended-time order,
 * then null at the end of the last phase. Deterministic from (scenario, seed, client index): the
 * arrival times come from the client's arrival stream, everything else from its order stream (see
 * streamIndex), and the mids from the shared paths. It never looks at engine answers.
 *
 * Per arrival, with the parameters of the phase it falls in:
 * - kind by the phase's mix (one uniform draw);
 * - a cancel or replace targets the client's own live GTC order with the earliest due time (its own
 *   record, see LiveOrders); a cancel forgets it, a replace gives it a new price (around the mid
 *   now, on the order's side), a new quantity and a new due time. With no live order on record
 *   the arrival becomes a GTC limit instead (`arrivalKind` keeps what was drawn): the mix's cancel share then goes to
 *   new orders, which is what a client with nothing to cancel would do;
 * - a new order: symbol by popularity; side Buy with probability buyFraction; limit price
 *   mid ∓ round(Normal(offsets)) ticks (buy −, sell +) × tickSize clamped into the band; market
 *   orders price 0, IOC; quantity round(exp(Normal(ln median, sigma))) clamped to [min, max];
 *   client order ids 1, 2, …; a GTC gets due time = intended time + Exponential(mean cancelAfter.meanMs).
 */
export class ClientFlow {
  readonly clientIndex: number;
  private readonly order: FlowOrder = emptyFlowOrder();
  private readonly arrivals: PoissonArrivals;
  private readonly rng: Rng;
  private readonly mids: readonly MidPath[];
  private readonly symbolChoice: WeightedChoice;
  private readonly live: LiveOrders;
  private readonly hasher = new StreamHasher();
  private readonly tickSize: number;
  private readonly minPrice: number;
  private readonly maxPrice: number;
  // Per phase, parallel arrays (read per order; no object lookups on the hot path).
  private readonly cutGtc: Float64Array;
  private readonly cutIoc: Float64Array;
  private readonly cutFok: Float64Array;
  private readonly cutMarket: Float64Array;
  private readonly cutCancel: Float64Array;
  private readonly buyFraction: Float64Array;
  private readonly offsetMean: Float64Array;
  private readonly offsetSd: Float64Array;
  private readonly logMedian: Float64Array;
  private readonly quantitySigma: Float64Array;
  private readonly quantityMin: Float64Array;
  private readonly quantityMax: Float64Array;
  private readonly cancelRatePerMs: Float64Array;
  private nextClientOrderId = 1;
  private ended = false;

  constructor(scenario: FlowScenario, seed: number, clientIndex: number, options: Partial<ClientFlowOptions> = {}) {
    const o: ClientFlowOptions = { ...CLIENT_FLOW_DEFAULTS, ...options };
    const problems = clientFlowProblems(scenario, clientIndex, o);
    if (problems.length > 0) throw new RangeError(`bad client flow: ${problems.join('; ')}`);
    const shared = o.shared ?? ClientFlow.shared(scenario, seed, { gridMs: o.gridMs });
    this.clientIndex = clientIndex;
    this.mids = shared.mids;
    this.arrivals = new PoissonArrivals(shared.schedule, Rng.stream(seed, streamIndex.clientArrivals(clientIndex)));
    this.rng = Rng.stream(seed, streamIndex.clientOrders(clientIndex));
    this.symbolChoice = WeightedChoice.forPopularity(scenario.symbols.popularity, scenario.symbols.count);
    this.live = new LiveOrders(o.liveCapacity);
    this.tickSize = scenario.symbols.tickSize;
    this.minPrice = scenario.symbols.minPrice;
    this.maxPrice = scenario.symbols.maxPrice;
    const per = (f: (p: FlowScenario['phases'][number]) => number): Float64Array => Float64Array.from(scenario.phases.map(f));
    this.cutGtc = per((p) => p.mix.limitGtc);
    this.cutIoc = per((p) => p.mix.limitGtc + p.mix.limitIoc);
    this.cutFok = per((p) => p.mix.limitGtc + p.mix.limitIoc + p.mix.limitFok);
    this.cutMarket = per((p) => p.mix.limitGtc + p.mix.limitIoc + p.mix.limitFok + p.mix.market);
    this.cutCancel = per((p) => p.mix.limitGtc + p.mix.limitIoc + p.mix.limitFok + p.mix.market + p.mix.cancel);
    this.buyFraction = per((p) => p.mix.buyFraction);
    this.offsetMean = per((p) => p.offsets.mean);
    this.offsetSd = per((p) => p.offsets.sd);
    this.logMedian = per((p) => Math.log(p.quantity.median));
    this.quantitySigma = per((p) => p.quantity.sigma);
    this.quantityMin = per((p) => p.quantity.min);
    this.quantityMax = per((p) => p.quantity.max);
    this.cancelRatePerMs = per((p) => 1 / p.cancelAfter.meanMs);
  }

  /** The schedule and mid paths every client of `scenario` and `seed` in this process can share. */
  static shared(scenario: FlowScenario, seed: number, options: { readonly gridMs?: number } = {}): FlowShared {
    return {
      schedule: new RateSchedule(scenario.phases, scenario.clients.orderEntry),
      mids: MidPath.forScenario(scenario, seed, { gridMs: options.gridMs ?? MID_PATH_DEFAULTS.gridMs }),
    };
  }

  /** Orders generated so far. */
  get count(): number {
    return this.hasher.count;
  }

  /** Live GTC orders on this client's record now. */
  get liveCount(): number {
    return this.live.size;
  }

  /** Live orders forgotten because the record was full (see ClientFlowOptions.liveCapacity). */
  get forgottenCount(): number {
    return this.live.forgotten;
  }

  /** SHA-256 (hex) of the orders generated so far (see StreamHasher). */
  streamHash(): string {
    return this.hasher.digestHex();
  }

  /**
   * The next order, or null once the last phase has ended. The same object is returned every time
   * (see FlowOrder): it is only valid until the next call.
   */
  next(): FlowOrder | null {
    if (this.ended) return null;
    const t = this.arrivals.next();
    if (Number.isNaN(t)) {
      this.ended = true;
      return null;
    }
    const p = this.arrivals.phaseIndex;
    const rng = this.rng;
    const o = this.order;
    o.intendedMs = t;
    o.phaseIndex = p;
    o.dueMs = Number.NaN;

    const u = rng.next();
    let kind: OrderKind = u < (this.cutGtc[p] as number) ? OrderKind.LimitGtc
      : u < (this.cutIoc[p] as number) ? OrderKind.LimitIoc
        : u < (this.cutFok[p] as number) ? OrderKind.LimitFok
          : u < (this.cutMarket[p] as number) ? OrderKind.Market
            : u < (this.cutCancel[p] as number) ? OrderKind.Cancel : OrderKind.Replace;
    o.arrivalKind = kind;
    if ((kind === OrderKind.Cancel || kind === OrderKind.Replace) && this.live.size === 0) kind = OrderKind.LimitGtc;
    o.orderKind = kind;

    if (kind === OrderKind.Cancel) {
      o.kind = CommandKind.Cancel;
      o.symbolId = this.live.minSymbolId;
      o.clientOrderId = this.live.minId;
      o.side = 0;
      o.orderType = 0;
      o.timeInForce = 0;
      o.price = 0;
      o.quantity = 0;
      this.live.popMin();
    } else if (kind === OrderKind.Replace) {
      const symbolId = this.live.minSymbolId;
      o.kind = CommandKind.Replace;
      o.symbolId = symbolId;
      o.clientOrderId = this.live.minId;
      o.side = 0;
      o.orderType = 0;
      o.timeInForce = 0;
      o.price = this.limitPrice(symbolId, this.live.minSide, t, p);
      o.quantity = this.quantity(p);
      o.dueMs = t + rng.exponential(this.cancelRatePerMs[p] as number);
      this.live.rekeyMin(o.dueMs);
    } else {
      const symbolId = this.symbolChoice.pick(rng) + 1;
      const side = rng.next() < (this.buyFraction[p] as number) ? Side.Buy : Side.Sell;
      o.kind = CommandKind.NewOrder;
      o.symbolId = symbolId;
      o.clientOrderId = this.nextClientOrderId++;
      o.side = side;
      if (kind === OrderKind.Market) {
        o.orderType = OrderType.Market;
        o.timeInForce = TimeInForce.IOC;
        o.price = 0;
      } else {
        o.orderType = OrderType.Limit;
        o.timeInForce = kind === OrderKind.LimitGtc ? TimeInForce.GTC : kind === OrderKind.LimitIoc ? TimeInForce.IOC : TimeInForce.FOK;
        o.price = this.limitPrice(symbolId, side, t, p);
      }
      o.quantity = this.quantity(p);
      if (kind === OrderKind.LimitGtc) {
        o.dueMs = t + rng.exponential(this.cancelRatePerMs[p] as number);
        this.live.push(o.dueMs, o.clientOrderId, symbolId, side);
      }
    }
    this.hasher.add(o);
    return o;
  }

  /** mid ∓ round(Normal(offsets)) ticks, in price units, clamped into the band (so always on tick). */
  private limitPrice(symbolId: number, side: number, t: number, p: number): number {
    const mid = (this.mids[symbolId - 1] as MidPath).midTicksAt(t);
    const offset = Math.round(this.rng.normal(this.offsetMean[p] as number, this.offsetSd[p] as number));
    const price = (side === Side.Buy ? mid - offset : mid + offset) * this.tickSize;
    return price < this.minPrice ? this.minPrice : price > this.maxPrice ? this.maxPrice : price;
  }

  /** round(exp(Normal(ln median, sigma))) clamped to the phase's [min, max]. */
  private quantity(p: number): number {
    const q = Math.round(this.rng.logNormal(this.logMedian[p] as number, this.quantitySigma[p] as number));
    const min = this.quantityMin[p] as number;
    const max = this.quantityMax[p] as number;
    return q < min ? min : q > max ? max : q;
  }
}

/** Every problem that would make a client's flow wrong (the scenario validator should already have caught most). */
function clientFlowProblems(scenario: FlowScenario, clientIndex: number, o: ClientFlowOptions): string[] {
  const problems: string[] = [];
  const n = scenario.clients.orderEntry;
  if (!Number.isSafeInteger(n) || n < 1) problems.push(`clients.orderEntry: must be a positive integer, got ${n}`);
  else if (!Number.isSafeInteger(clientIndex) || clientIndex < 0 || clientIndex >= n) {
    problems.push(`clientIndex: must be an integer in 0..${n - 1}, got ${clientIndex}`);
  }
  if (!Number.isSafeInteger(o.liveCapacity) || o.liveCapacity < 1) problems.push(`liveCapacity: must be a positive integer, got ${o.liveCapacity}`);
  if (o.shared !== null && o.shared.mids.length !== scenario.symbols.count) {
    problems.push(`shared.mids: ${o.shared.mids.length} paths for ${scenario.symbols.count} symbols (built for another scenario?)`);
  }
  if (o.shared !== null && o.shared.schedule.clients !== n) {
    problems.push(`shared.schedule: built for ${o.shared.schedule.clients} clients, the scenario has ${n}`);
  }
  scenario.phases.forEach((p, i) => {
    const at = `phases[${i}]`;
    const m = p.mix;
    const fractions = [m.limitGtc, m.limitIoc, m.limitFok, m.market, m.cancel, m.replace];
    if (fractions.some((f) => !(f >= 0 && f <= 1))) problems.push(`${at}.mix: every fraction must be in [0, 1]`);
    const sum = fractions.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) problems.push(`${at}.mix: fractions must sum to 1, got ${sum}`);
    if (!(m.buyFraction >= 0 && m.buyFraction <= 1)) problems.push(`${at}.mix.buyFraction: must be in [0, 1], got ${m.buyFraction}`);
    if (!(p.offsets.sd >= 0) || !Number.isFinite(p.offsets.mean)) problems.push(`${at}.offsets: mean must be finite and sd >= 0`);
    const q = p.quantity;
    if (!(q.median > 0) || !(q.sigma >= 0)) problems.push(`${at}.quantity: median must be > 0 and sigma >= 0`);
    if (!Number.isSafeInteger(q.min) || !Number.isSafeInteger(q.max) || q.min < 1 || q.min > q.max) {
      problems.push(`${at}.quantity: min and max must be integers with 1 <= min <= max, got ${q.min}..${q.max}`);
    }
    if (q.max > scenario.symbols.maxQuantity) problems.push(`${at}.quantity.max: ${q.max} is above symbols.maxQuantity ${scenario.symbols.maxQuantity}`);
    if (!(p.cancelAfter.meanMs > 0)) problems.push(`${at}.cancelAfter.meanMs: must be > 0, got ${p.cancelAfter.meanMs}`);
  });
  return problems;
}
