import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../engine/book/OrderBook.js';
import { generateMatcherFlow } from '../generate/matcherFlow.js';
import { formatMatcherBench } from './formatMatcherBench.js';
import { runMatcherBench, verifyAgainstOracle } from './matcherBench.js';

describe('matcher benchmark', () => {
  it('runs all three implementations on one flow and finds them in agreement', () => {
    const result = runMatcherBench({ operations: 20_000, repetitions: 2, warmups: 0, seed: 7 });
    expect(result.problems).toEqual([]);
    expect(result.implementations.map((i) => i.name)).toEqual(['matchbench OrderBook', 'OrderBookReference (oracle)', 'nodejs-order-book']);
    const traded = new Set(result.implementations.map((i) => i.tradedQuantity));
    expect(traded.size).toBe(1);
    expect([...traded][0]).toBeGreaterThan(0);
    for (const impl of result.implementations) {
      expect(impl.opsPerSecond).toBeGreaterThan(0);
      expect(impl.latencyNs.p99).toBeGreaterThanOrEqual(impl.latencyNs.p50);
    }
    expect(result.implementations.at(-1)?.ratioToPeer).toBe(1);
    const text = formatMatcherBench(result, 'test machine');
    expect(text).toContain('check: all agree');
    expect(text).toContain('nodejs-order-book');
  });

  it('generates the same flow for the same seed and a different one for another seed', () => {
    const a = generateMatcherFlow({ operations: 5_000, seed: 3 });
    const b = generateMatcherFlow({ operations: 5_000, seed: 3 });
    const c = generateMatcherFlow({ operations: 5_000, seed: 4 });
    expect(Buffer.from(a.price.buffer).equals(Buffer.from(b.price.buffer))).toBe(true);
    expect(Buffer.from(a.clientOrderId.buffer).equals(Buffer.from(b.clientOrderId.buffer))).toBe(true);
    expect(Buffer.from(a.price.buffer).equals(Buffer.from(c.price.buffer))).toBe(false);
    // The mix the issue asks for: ~70% GTC, ~10% IOC or market, ~20% cancels.
    expect(a.counts.limit / a.length).toBeGreaterThan(0.66);
    expect(a.counts.cancel / a.length).toBeGreaterThan(0.17);
    expect((a.counts.ioc + a.counts.market) / a.length).toBeGreaterThan(0.08);
  });

  it('reports a book that disagrees with the oracle', () => {
    /** Books one lot more than asked whenever an order is for 7 lots: a quiet corruption. */
    class ExtraLotBook extends OrderBook {
      override newOrder(owner: number, id: number, side: number, type: number, tif: number, price: number, qty: number,
        ts: number): void {
        super.newOrder(owner, id, side, type, tif, price, qty === 7 ? 8 : qty, ts);
      }
    }
    const flow = generateMatcherFlow({ operations: 5_000, seed: 1 });
    const problems = verifyAgainstOracle(flow, flow.length, (c, x) => new ExtraLotBook(c, x));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/operation \d+: the fast book's events differ from the oracle's/);
  });
});
