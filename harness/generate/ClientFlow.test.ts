import { median } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import type { Phase, Scenario } from '../scenario/Scenario.js';
import { chiSquareTest } from '../stats/chiSquareTest.js';
import { exponentialCdf, kolmogorovSmirnovTest } from '../stats/kolmogorovSmirnovTest.js';
import { ClientFlow, type FlowShared } from './ClientFlow.js';
import { exampleFlowScenario } from './exampleFlowScenario.js';
import { OrderKind, type FlowOrder } from './FlowOrder.js';

const SEED = 31337;
console.log(`ClientFlow tests: seed ${SEED}`);

/** One steady phase of `durationMs` at `perSecond` over `clients` clients, with `phase` overrides. */
function scenario(phase: Partial<Phase> = {}, clients = 2, perSecond = 8_000, durationMs = 10_000): Scenario {
  const base = exampleFlowScenario();
  return { ...base, clients: { ...base.clients, orderEntry: clients },
    phases: [{ ...(base.phases[0] as Phase), durationMs, rate: { kind: 'constant', perSecond }, ...phase }] };
}

/** Every order of client `index`, copied. */
function drain(s: Scenario, seed: number, index = 0, shared: FlowShared | null = null): { orders: FlowOrder[]; flow: ClientFlow } {
  const flow = new ClientFlow(s, seed, index, { shared });
  const orders: FlowOrder[] = [];
  for (let o = flow.next(); o !== null; o = flow.next()) orders.push({ ...o });
  return { orders, flow };
}

const isNew = (o: FlowOrder) => o.kind === CommandKind.NewOrder;
const isLimitNew = (o: FlowOrder) => isNew(o) && o.orderType === OrderType.Limit;
const within = (x: number, expected: number, sd: number, k = 4) => Math.abs(x - expected) <= k * sd;

describe('ClientFlow', () => {
  it('draws kinds by the mix, sides by buyFraction and symbols by Zipf popularity (chi-square / binomial, n ≈ 40,000)', () => {
    const mix = { limitGtc: 0.4, limitIoc: 0.1, limitFok: 0.05, market: 0.1, cancel: 0.25, replace: 0.1, buyFraction: 0.3 };
    const { orders } = drain(scenario({ mix }), SEED);
    const kinds = [0, 0, 0, 0, 0, 0];
    for (const o of orders) kinds[o.arrivalKind - 1] = (kinds[o.arrivalKind - 1] as number) + 1;
    expect(chiSquareTest(kinds, [mix.limitGtc, mix.limitIoc, mix.limitFok, mix.market, mix.cancel, mix.replace]).rejected).toBe(false);

    const fresh = orders.filter(isNew);
    const buys = fresh.filter((o) => o.side === Side.Buy).length;
    expect(within(buys, 0.3 * fresh.length, Math.sqrt(fresh.length * 0.3 * 0.7))).toBe(true);

    const harmonic = [1, 2, 3, 4, 5, 6, 7, 8].reduce((a, k) => a + 1 / k, 0);
    const bySymbol = [0, 0, 0, 0, 0, 0, 0, 0];
    for (const o of fresh) bySymbol[o.symbolId - 1] = (bySymbol[o.symbolId - 1] as number) + 1;
    expect(chiSquareTest(bySymbol, [1, 2, 3, 4, 5, 6, 7, 8].map((k) => 1 / k / harmonic)).rejected).toBe(false);
    // And the test has power: the same counts are not uniform.
    expect(chiSquareTest(bySymbol, Array.from({ length: 8 }, () => 1 / 8)).rejected).toBe(true);
  });

  it('uses each phase’s own parameters (buy fraction 0.2, then 0.8)', () => {
    const base = scenario();
    const p0 = base.phases[0] as Phase;
    const s = { ...base, phases: [{ ...p0, durationMs: 3_000, mix: { ...p0.mix, buyFraction: 0.2 } },
      { ...p0, durationMs: 3_000, mix: { ...p0.mix, buyFraction: 0.8 } }] };
    const { orders } = drain(s, SEED);
    for (const [phase, fraction] of [[0, 0.2], [1, 0.8]] as const) {
      const fresh = orders.filter((o) => isNew(o) && o.phaseIndex === phase);
      const buys = fresh.filter((o) => o.side === Side.Buy).length;
      expect(within(buys, fraction * fresh.length, Math.sqrt(fresh.length * fraction * (1 - fraction)))).toBe(true);
    }
  });

  it('draws log-normal quantities with the asked-for median, clamped to the bounds', () => {
    const { orders } = drain(scenario(), SEED);
    const quantities = orders.filter((o) => o.kind !== CommandKind.Cancel).map((o) => o.quantity);
    // Standard error of a log-normal median at sigma 1: 1.25 / √n in log terms, < 1% here.
    expect(median(quantities)).toBeGreaterThanOrEqual(39);
    expect(median(quantities)).toBeLessThanOrEqual(41);
    expect(quantities.every((q) => Number.isInteger(q) && q >= 1 && q <= 1_000)).toBe(true);

    const { orders: bounded } = drain(scenario({ quantity: { median: 40, sigma: 1, min: 20, max: 80 } }), SEED);
    const qs = bounded.filter((o) => o.kind !== CommandKind.Cancel).map((o) => o.quantity);
    const n = qs.length;
    // P(round(X) ≤ 20) = Φ(ln(20.5/40)) ≈ 0.2524; P(round(X) ≥ 80) = 1 − Φ(ln(79.5/40)) ≈ 0.2457.
    const atMin = qs.filter((q) => q === 20).length;
    const atMax = qs.filter((q) => q === 80).length;
    expect(within(atMin, 0.2524 * n, Math.sqrt(n * 0.25 * 0.75))).toBe(true);
    expect(within(atMax, 0.2457 * n, Math.sqrt(n * 0.25 * 0.75))).toBe(true);
    expect(Math.min(...qs)).toBe(20);
    expect(Math.max(...qs)).toBe(80);
  });

  it('prices limit orders at mid ∓ Normal(offsets) ticks on the order’s side, and market orders at 0 IOC', () => {
    const s = scenario({ offsets: { mean: 3, sd: 5 } });
    const shared = ClientFlow.shared(s, SEED);
    const { orders } = drain(s, SEED, 0, shared);
    const offsets: number[] = [];
    for (const o of orders.filter(isLimitNew)) {
      const mid = (shared.mids[o.symbolId - 1])!.midTicksAt(o.intendedMs);
      offsets.push(o.side === Side.Buy ? mid - o.price / 5 : o.price / 5 - mid);
    }
    const n = offsets.length;
    const mean = offsets.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(offsets.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(within(mean, 3, 5 / Math.sqrt(n))).toBe(true);
    expect(Math.abs(sd / Math.sqrt(25 + 1 / 12) - 1)).toBeLessThan(0.03);
    const market = orders.filter((o) => o.orderType === OrderType.Market);
    expect(market.length).toBeGreaterThan(0);
    expect(market.every((o) => o.price === 0 && o.timeInForce === TimeInForce.IOC && o.quantity > 0)).toBe(true);
  });

  it('keeps every price on tick and inside the band, even when the mid crashes into it', () => {
    const crash = scenario({ price: { volatility: 50, drift: -20_000, jumps: null, regimeSwitch: null }, offsets: { mean: 0, sd: 400 } },
      2, 8_000, 5_000);
    // Band 5..52,000: the mid starts 400 ticks (one offset sd) below the top and crashes to the bottom in 0.5 s.
    const s = { ...crash, symbols: { ...crash.symbols, maxPrice: 52_000 } };
    const { orders } = drain(s, SEED);
    const priced = orders.filter((o) => o.kind === CommandKind.Replace || isLimitNew(o));
    expect(priced.every((o) => o.price % 5 === 0 && o.price >= 5 && o.price <= 52_000)).toBe(true);
    expect(priced.filter((o) => o.price === 5).length).toBeGreaterThan(100);
    expect(priced.filter((o) => o.price === 52_000).length).toBeGreaterThan(0);
  });

  it('gives each GTC a cancel delay ~ Exponential(meanMs) (KS)', () => {
    const { orders } = drain(scenario({ cancelAfter: { meanMs: 250 } }), SEED);
    const delays = orders.filter((o) => o.orderKind === OrderKind.LimitGtc).map((o) => o.dueMs - o.intendedMs);
    expect(delays.length).toBeGreaterThan(10_000);
    expect(kolmogorovSmirnovTest(delays, exponentialCdf(1 / 250)).pValue).toBeGreaterThan(0.001);
    expect(kolmogorovSmirnovTest(delays, exponentialCdf(1 / 300)).pValue).toBeLessThan(1e-6);
  });

  it('cancels and replaces only its own live orders, earliest due first, never a canceled id; falls back to GTC with none live', () => {
    const base = scenario();
    const mix = { limitGtc: 0.3, limitIoc: 0.05, limitFok: 0.05, market: 0.05, cancel: 0.4, replace: 0.15, buyFraction: 0.5 };
    const { orders } = drain({ ...base, phases: [{ ...(base.phases[0] as Phase), mix }] }, SEED);
    const live = new Map<number, { due: number; symbolId: number; side: number }>();
    const canceled = new Set<number>();
    let cancels = 0;
    let replaces = 0;
    let fallbacks = 0;
    let problems = 0;
    const earliest = (): number => {
      let best = -1;
      let bestDue = Infinity;
      for (const [id, e] of live) if (e.due < bestDue || (e.due === bestDue && id < best)) [best, bestDue] = [id, e.due];
      return best;
    };
    for (const o of orders) {
      if (o.arrivalKind !== o.orderKind) {
        fallbacks++;
        if (live.size !== 0 || o.orderKind !== OrderKind.LimitGtc) problems++;
      }
      if (o.kind === CommandKind.Cancel || o.kind === CommandKind.Replace) {
        const target = live.get(o.clientOrderId);
        if (target === undefined || canceled.has(o.clientOrderId) || o.clientOrderId !== earliest() || target.symbolId !== o.symbolId) problems++;
        if (o.kind === CommandKind.Cancel) {
          cancels++;
          live.delete(o.clientOrderId);
          canceled.add(o.clientOrderId);
        } else {
          replaces++;
          if (target !== undefined) target.due = o.dueMs;
          if (!(o.price > 0 && o.quantity > 0 && o.side === 0)) problems++;
        }
      } else if (o.orderKind === OrderKind.LimitGtc) {
        live.set(o.clientOrderId, { due: o.dueMs, symbolId: o.symbolId, side: o.side });
      }
    }
    expect(problems).toBe(0);
    expect(cancels).toBeGreaterThan(5_000);
    expect(replaces).toBeGreaterThan(2_000);
    // The mix cancels more than it places, so the record often runs dry.
    expect(fallbacks).toBeGreaterThan(100);
  });

  it('numbers new orders 1, 2, 3, … in time order and then ends for good', () => {
    const { orders, flow } = drain(scenario(), SEED);
    const ids = orders.filter(isNew).map((o) => o.clientOrderId);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
    expect(orders.every((o, i) => i === 0 || o.intendedMs >= (orders[i - 1] as FlowOrder).intendedMs)).toBe(true);
    expect(orders.every((o) => o.intendedMs >= 0 && o.intendedMs < 10_000 && o.phaseIndex === 0)).toBe(true);
    expect(flow.next()).toBeNull();
    expect(flow.next()).toBeNull();
    expect(flow.count).toBe(orders.length);
  });

  it('hashes the stream: same seed byte for byte, another seed or another mix differs', () => {
    const s = scenario({}, 2, 8_000, 2_000);
    const a = drain(s, SEED).flow.streamHash();
    expect(drain(s, SEED).flow.streamHash()).toBe(a);
    expect(drain(s, SEED, 0, ClientFlow.shared(s, SEED)).flow.streamHash()).toBe(a);
    expect(drain(s, SEED + 1).flow.streamHash()).not.toBe(a);
    expect(drain(s, SEED, 1).flow.streamHash()).not.toBe(a);
    const p0 = s.phases[0] as Phase;
    expect(drain({ ...s, phases: [{ ...p0, mix: { ...p0.mix, buyFraction: 0.6 } }] }, SEED).flow.streamHash()).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves the other clients’ streams unchanged when a client is added (same rate per client)', () => {
    const three = scenario({}, 3, 3 * 2_000, 2_000);
    const four = scenario({}, 4, 4 * 2_000, 2_000);
    for (let c = 0; c < 3; c++) expect(drain(four, SEED, c).flow.streamHash()).toBe(drain(three, SEED, c).flow.streamHash());
  });

  it('refuses a bad client index, mix or quantity bound, naming every problem at once', () => {
    const s = scenario();
    const p0 = s.phases[0] as Phase;
    const bad = { ...s, phases: [{ ...p0, mix: { ...p0.mix, cancel: 0.5 }, quantity: { ...p0.quantity, max: 20_000 } }] };
    expect(() => new ClientFlow(bad, SEED, 2)).toThrow(
      /clientIndex: must be an integer in 0\.\.1, got 2.*phases\[0\]\.mix: fractions must sum to 1, got 1\.3.*phases\[0\]\.quantity\.max: 20000 is above symbols\.maxQuantity 10000/);
  });
});
