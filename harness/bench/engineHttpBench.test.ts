import { describe, expect, it } from 'vitest';
import { engineHttpBenchBodies, runEngineHttpBench } from './engineHttpBench.js';

// The targets run on worker threads from dist/ (npm test builds first).

describe('engine HTTP benchmark', () => {
  it('drives the engine and the trivial server for 1 s each and finds every answer right', async () => {
    const result = await runEngineHttpBench({ durationS: 1, connections: 4, bodies: 200 });
    expect(result.problems).toEqual([]);
    for (const r of [result.ceiling, result.engine]) {
      expect(r.requestsPerS).toBeGreaterThan(0);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.non2xx).toBe(0);
      expect(r.errors).toBe(0);
      expect(r.latencyMs.p50).toBeGreaterThanOrEqual(0);
      expect(r.latencyMs.p999).toBeGreaterThanOrEqual(r.latencyMs.p99);
    }
    expect(result.processedCommands).toBeGreaterThanOrEqual(result.engine.requests);
    expect(result.ratio).toBeCloseTo(result.engine.requestsPerS / result.ceiling.requestsPerS, 9);
  }, 30_000);

  it('builds a seeded, balanced flow: each resting order paired with an IOC of the other side and the same quantity', () => {
    const bodies = engineHttpBenchBodies(7, 400, 10_000).map((t) => JSON.parse(`${t.prefix}1${t.suffix}`) as
      { side: string; timeInForce: string; price: number; quantity: number });
    expect(engineHttpBenchBodies(7, 400, 10_000)).toEqual(engineHttpBenchBodies(7, 400, 10_000));
    expect(bodies).toHaveLength(400);
    const sum = (side: string, tif: string): number =>
      bodies.filter((b) => b.side === side && b.timeInForce === tif).reduce((s, b) => s + b.quantity, 0);
    expect(sum('buy', 'GTC')).toBe(sum('sell', 'IOC'));
    expect(sum('sell', 'GTC')).toBe(sum('buy', 'IOC'));
    for (const b of bodies.filter((x) => x.timeInForce === 'GTC')) {
      expect(b.side === 'buy' ? b.price < 10_000 : b.price > 10_000).toBe(true);
    }
  });
});
