import { afterEach, describe, expect, it } from 'vitest';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';
import { MisbehavingHttpServer, type HttpMisbehaviour } from './MisbehavingHttpServer.testkit.js';
import { runHttp } from './runHttp.js';
import { driverTestScenario } from './driverTestScenario.testkit.js';

// 6 s of load: a run that ends on a verdict ends well before it.
const scenario = driverTestScenario({ name: 'misbehaving-http', seed: 4, mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 },
  offsets: { mean: 1, sd: 4 }, cancelAfter: '300ms', duration: '6s', rate: 150 });
/** The same in 2 s, for runs that go to the end. */
const short = { ...scenario, phases: scenario.phases.map((p) => ({ ...p, durationMs: 2_000 })) };

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** Runs the scenario against `url`, unanswered after 1 s; the result and how long the run took from time 0. */
async function drive(url: string, s = scenario) {
  let startMs = 0;
  const result = await runHttp({ scenario: s, seed: 4, url, unresponsiveAfterMs: 1_000,
    onStart: (epochMs) => { startMs = epochMs - performance.timeOrigin; } });
  return { result, tookMs: performance.now() - startMs };
}

describe('HttpOrderDriver against an engine that misbehaves', () => {
  it('passes the reference engine: no target failure, every request answered', async () => {
    const symbols = [1, 2].map((symbolId) => symbolConfig({ symbolId, name: `S${symbolId}`, tickSize: 1, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }));
    const engine = await Engine.start({ symbols, httpPort: 0 });
    stops.push(() => engine.stop());
    const { result } = await drive(`http://127.0.0.1:${engine.http?.port ?? 0}`, short);
    expect(result.targetFailure).toBeUndefined();
    expect(result.errors).toEqual([]);
    expect(result.acked).toBeGreaterThan(150);
    expect(result.unanswered).toBe(0);
  }, 20_000);

  it.each([
    ['silent', /^http: engine unresponsive after 1\.\d s: client \d's (POST|DELETE|PATCH) \/orders\S* has waited 1\.\d s for its answer \(the connection stayed open\)$/],
    ['slow', /^http: engine unresponsive after 1\.\d s: client \d's (POST|DELETE|PATCH) \/orders\S* has waited 1\.\d s/],
    ['crash', /^http: connection lost at \d+\.\d{3} s \(client \d: ((POST|DELETE|PATCH) \/orders\S* was in flight when the connection closed|ECONNREFUSED on reconnecting to http:\/\/127\.0\.0\.1:\d+)\)$/],
    ['flood', /^http: flood: \d+\.\d MB\/s unsolicited from the engine \([\d.]+ MB received in 1\.\d s for \d+ requests sent; 2 connections; bytes outside whole answers\)$/],
    ['reject-all', /^http: rejected everything: all \d+ requests answered were rejected \(EngineBusy \d+\)$/],
  ] as const)('ends a run against a server in mode %s with its reason, in bounded time', async (mode: HttpMisbehaviour, reason) => {
    const server = await MisbehavingHttpServer.listen({ misbehaviour: mode, crashAfterOrders: 60 });
    stops.push(() => server.close());
    const { result, tookMs } = await drive(server.url, mode === 'reject-all' ? short : scenario);
    expect(result.targetFailure).toMatch(reason);
    expect(result.errors[0]).toBe(result.targetFailure);
    if (mode === 'reject-all') {
      expect(result.rejected).toBe(result.sent);
    } else {
      // 6 s of load: the server's failure ended it early (1 s limit plus a watchdog tick and autocannon's stop; generous for a loaded machine).
      expect(tookMs).toBeLessThan(4_500);
      // One request in flight per connection: the ~600 orders of the scenario never went out.
      expect(result.sent).toBeLessThan(100);
    }
  }, 20_000);
});
