import { afterEach, describe, expect, it } from 'vitest';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import { LyingEngine, type Misbehaviour } from '../check/LyingEngine.testkit.js';
import { OrderEntryDriver } from './OrderEntryDriver.js';
import { driverTestScenario } from '../targets/driverTestScenario.testkit.js';

// 6 s of load: a run that ends on a verdict ends well before it.
const scenario = driverTestScenario({ name: 'misbehaving-tcp', seed: 3, mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 },
  offsets: { mean: 1, sd: 4 }, cancelAfter: '300ms', duration: '6s' });
/** The same in 2 s, for runs that go to the end. */
const short = { ...scenario, phases: scenario.phases.map((p) => ({ ...p, durationMs: 2_000 })) };
// The scenario's symbols, as runScenario's scenarioSymbols makes them (not imported: this file tests the driver alone).
const symbols = [1, 2].map((symbolId) => symbolConfig({ symbolId, name: `S${symbolId}`, tickSize: 1, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }));

const engines: LyingEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

async function engine(misbehaviour: Misbehaviour): Promise<LyingEngine> {
  const e = await LyingEngine.listen(symbols, 'none', { misbehaviour, slowAnswerMs: 500, crashAfterOrders: 100 });
  engines.push(e);
  return e;
}

/** Drives both clients on this thread, unanswered after 1 s; the result and how long run() took. */
async function drive(port: number, s = scenario) {
  const driver = await OrderEntryDriver.connect({ scenario: s, seed: 3, clientIndexes: [0, 1], host: '127.0.0.1', port, unresponsiveAfterMs: 1_000 });
  const startedMs = performance.now();
  const result = await driver.run(monotonicNowNs() + 50e6);
  return { result, tookMs: performance.now() - startedMs };
}

describe('OrderEntryDriver against an engine that misbehaves', () => {
  it('passes a well-behaved engine: no target failure, every request answered', async () => {
    const e = await engine('none');
    const { result } = await drive(e.port, short);
    expect(result.targetFailure).toBeUndefined();
    expect(result.errors).toEqual([]);
    expect(result.acked).toBeGreaterThan(200);
    expect(result.unanswered).toBe(0);
  }, 20_000);

  it.each([
    ['heartbeats-only', /^tcp: engine unresponsive after 1\.\d s: client \d's oldest request has waited 1\.\d s \(\d+ requests waiting; 0 reports and [1-9]\d* heartbeats/],
    ['silent', /^tcp: engine unresponsive after 1\.\d s: client \d's oldest request has waited 1\.\d s \(\d+ requests waiting; 0 reports and 0 heartbeats/],
    ['slow', /^tcp: engine unresponsive after 1\.\d s: client \d's oldest request has waited 1\.\d s \(\d+ requests waiting; [1-9]\d* reports/],
    ['crash', /^tcp: connection lost at \d+\.\d{3} s \(client \d: 127\.0\.0\.1:\d+ closed the connection\)/],
    ['flood', /^tcp: flood: \d+\.\d MB\/s unsolicited from the engine \([\d.]+ MB received in 1\.\d s for \d+ requests sent; 2 sessions\)/],
    ['reject-all', /^tcp: rejected everything: all \d+ requests answered were rejected \(EngineBusy \d+\)$/],
  ] as const)('ends a run against an engine in mode %s with its reason, in bounded time', async (mode, reason) => {
    const e = await engine(mode);
    const { result, tookMs } = await drive(e.port, mode === 'reject-all' ? short : scenario);
    expect(result.targetFailure).toMatch(reason);
    expect(result.errors[0]).toBe(result.targetFailure);
    if (mode === 'reject-all') {
      expect(result.rejected).toBe(result.sent);
    } else {
      // 6 s of load: the engine's failure ended it early (1 s limit plus a watchdog tick; generous for a loaded machine).
      expect(tookMs).toBeLessThan(4_500);
      expect(result.sent).toBeLessThan(result.generated);
    }
  }, 20_000);
});
