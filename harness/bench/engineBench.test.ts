/**
 * The engine benchmark, run very briefly (its load thread runs from dist/: `npm run build` first,
 * as `npm test` does). Figures are not checked here, only the result's shape and that its
 * correctness checks pass on a correct run and catch a planted fault.
 */
import { describe, expect, it } from 'vitest';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { Side } from '../../engine/protocol/codes.js';
import { checkFinalState, engineBenchOptionProblems, ENGINE_BENCH_DEFAULTS, runEngineBench } from './engineBench.js';
import { formatEngineBench } from './formatEngineBench.js';

const brief = {
  connections: 3,
  window: 8,
  throughputDurationMs: 400,
  warmupMs: 100,
  latencyDurationMs: 300,
  drainTimeoutMs: 3_000,
  seed: 7,
} as const;

describe('runEngineBench', () => {
  it('measures both phases on a correct engine and finds nothing wrong', async () => {
    const result = await runEngineBench(brief);
    expect(result.problems).toEqual([]);
    expect(result.throughput.requestsPerSecond).toBeGreaterThan(0);
    expect(result.throughput.completed).toBe(result.throughput.newOrdersSent + result.throughput.cancelsSent);
    expect(result.throughput.cancelsSent).toBeGreaterThan(0);
    const latency = result.latency;
    expect(latency).toBeDefined();
    expect(latency?.targetRateHz).toBeCloseTo(result.throughput.requestsPerSecond * 0.5);
    expect(latency?.completed).toBe((latency?.newOrdersSent ?? 0) + (latency?.cancelsSent ?? 0));
    // One round trip per answered request in each histogram; corrected ≥ service time at every percentile.
    expect(latency?.intendedNs.count).toBe(latency?.completed);
    expect(latency?.serviceNs.count).toBe(latency?.completed);
    expect(latency?.intendedNs.p99Ns).toBeGreaterThanOrEqual(latency?.serviceNs.p99Ns ?? Infinity);
    expect(Object.keys(latency?.histograms ?? {})).toEqual(['rtt.intended', 'rtt.service']);
    expect(result.engine.processed).toBe(result.throughput.completed + (latency?.completed ?? 0));
    expect(result.engine.stateHash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.engine.invariantViolations).toBe(0);
    expect(result.targets).toMatchObject({ requestsPerSecond: 300_000, latencyP99Ns: 1_000_000 });

    // The echo peer ran the same latency phase at the same offered rate, and its figures reach the JSON and the text.
    const json = JSON.parse(JSON.stringify(result)) as typeof result;
    const peer = json.peer;
    expect(peer?.targetRateHz).toBe(latency?.targetRateHz);
    expect(peer?.completed).toBe((peer?.newOrdersSent ?? 0) + (peer?.cancelsSent ?? 0));
    expect(peer?.completed).toBeGreaterThan(0);
    expect(peer?.answered).toBe(peer?.completed);
    expect(peer?.cancelsSent).toBeGreaterThan(0);
    expect(peer?.intendedNs.count).toBe(peer?.completed);
    expect(peer?.serviceNs.count).toBe(peer?.completed);
    expect(peer?.intendedNs.p99Ns).toBeGreaterThan(0);
    expect(peer?.intendedNs.p999Ns).toBeGreaterThanOrEqual(peer?.intendedNs.p99Ns ?? Infinity);
    expect(peer?.engineP99Ratio.intended).toBeCloseTo((latency?.intendedNs.p99Ns ?? 0) / (peer?.intendedNs.p99Ns ?? 1));
    expect(peer?.engineP99Ratio.service).toBeCloseTo((latency?.serviceNs.p99Ns ?? 0) / (peer?.serviceNs.p99Ns ?? 1));
    expect(peer?.notChecked).toMatch(/book/);
    // The engine's figures are the engine's alone: the peer's requests never reached it.
    expect(result.engine.processed).toBe(result.throughput.completed + (latency?.completed ?? 0));
    const text = formatEngineBench(result, 'test machine');
    const us = (ns: number): string => `${(ns / 1_000).toFixed(1)} µs`;
    expect(text).toContain('trivial echo peer at the same offered rate');
    expect(text).toContain(`p99 ${us(peer?.intendedNs.p99Ns ?? 0).padStart(11)}`);
    expect(text).toContain(`engine p99 / peer p99: ${(peer?.engineP99Ratio.intended ?? 0).toFixed(1)}x from the intended send time`);
    expect(text).toContain('not checked against the peer: book invariants');
  });

  it('leaves the echo peer out with peer: false', async () => {
    const result = await runEngineBench({ ...brief, peer: false });
    expect(result.problems).toEqual([]);
    expect(result.latency).toBeDefined();
    expect(result.peer).toBeUndefined();
    expect(formatEngineBench(result, 'test machine')).toContain('echo peer: not run');
  });

  it('catches a client that drops reports', async () => {
    const result = await runEngineBench({ ...brief, latencyDurationMs: 100, drainTimeoutMs: 300, dropEveryNthReport: 50 });
    expect(result.problems.length).toBeGreaterThan(0);
    // A dropped ACK leaves a request unanswered; a dropped FILL or CANCELED leaves the client's view of its order wrong.
    expect(result.problems.join('\n')).toMatch(/never answered|believes|has no live order/);
  });

  it('refuses bad options, naming every problem at once', async () => {
    await expect(runEngineBench({ connections: 0, latencyLoadFraction: 2, warmupMs: 9_000 })).rejects.toThrow(
      'invalid engine benchmark options: connections must be an integer in 1..1000, got 0; latencyLoadFraction must be in (0, 1], ' +
        'got 2; warmupMs (9000) must be below throughputDurationMs (8000); clientThreads (1) must not exceed connections (0)');
    expect(engineBenchOptionProblems(ENGINE_BENCH_DEFAULTS)).toEqual([]);
  });
});

describe('checkFinalState', () => {
  const config = symbolConfig({ symbolId: 1, name: 'ONE' });
  const order = { orderId: 1, owner: 4, clientOrderId: 9, side: Side.Buy, price: 100, quantity: 10, filledQuantity: 0, leavesQuantity: 10 };
  const book = {
    symbolId: config.symbolId,
    bids: [{ price: 100, quantity: 10, orderCount: 1, orders: [order] }],
    asks: [],
    indexed: [order],
    counters: { submittedQuantity: 10, buyFilledQuantity: 0, sellFilledQuantity: 0, canceledQuantity: 0 },
  };

  it('passes a book that matches what its clients believe', () => {
    expect(checkFinalState({ stateHash: 'x', books: [book] }, [{ owner: 4, symbolId: 1, clientOrderId: 9, leavesQuantity: 10 }]))
      .toEqual({ problems: [], restingOrders: 1, invariantViolations: 0 });
  });

  it('names each difference and each broken invariant', () => {
    const broken = { ...book, bids: [{ ...book.bids[0]!, quantity: 11 }] };
    const { problems, invariantViolations } = checkFinalState({ stateHash: 'x', books: [broken] }, [
      { owner: 4, symbolId: 1, clientOrderId: 9, leavesQuantity: 7 },
      { owner: 5, symbolId: 1, clientOrderId: 1, leavesQuantity: 3 },
    ]);
    expect(invariantViolations).toBe(1);
    expect(problems).toEqual([
      'book invariant level-totals broken on symbol 1: bid level 100 says 11 in 1 orders, its orders hold 10 in 1',
      "client 4 believes clientOrderId 9 has 7 open, the engine's book has 10",
      "client/symbol/clientOrderId 5/1/1 believes 3 rest, the engine's book has no such order",
    ]);
  });
});
