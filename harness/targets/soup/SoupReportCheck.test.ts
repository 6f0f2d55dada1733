import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeSessionViolation } from '../../check/SessionReportChecker.js';
import { scenarioSymbols } from '../../run/runScenario.js';
import { driverTestScenario } from '../driverTestScenario.testkit.js';
import type { Scenario } from '../../scenario/Scenario.js';
import { loadSoupMessageSet } from './loadSoupMessageSet.js';
import type { SoupMessageSet } from './SoupMessageSet.js';
import { SoupOrderDriver } from './SoupOrderDriver.js';
import { SoupTestPeer, type SoupPeerMode } from './SoupTestPeer.testkit.js';


let set: SoupMessageSet;
let scenario: Scenario;
beforeAll(async () => {
  const loaded = await loadSoupMessageSet('targets/soup/ouch42.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  set = loaded.messageSet;
  scenario = driverTestScenario({ name: 'soup-checks', seed: 7 });
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function drive(mode: SoupPeerMode) {
  const p = await SoupTestPeer.start({ messageSet: set, symbols: scenarioSymbols(scenario), mode });
  cleanups.push(() => p.stop());
  const driver = await SoupOrderDriver.connect({ scenario, seed: 7, host: '127.0.0.1', port: p.port, messageSet: set, drainTimeoutMs: 1_000 });
  cleanups.push(() => driver.terminate());
  return { peer: p, result: await driver.run(performance.timeOrigin + performance.now() + 50) };
}

describe('SoupBinTCP answers go through the per-session checks', () => {
  it('an honest session passes them, every answer checked (FOK, IOC and market orders included)', async () => {
    const { result } = await drive('normal');
    expect(result.targetFailure).toBeUndefined();
    expect(result.fills).toBeGreaterThan(0);
    expect(result.canceled).toBeGreaterThan(0);
    expect(result.sessionCheck?.sessions).toBe(2);
    expect(result.sessionCheck?.reports).toBeGreaterThanOrEqual(result.acked + result.fills);
    expect(result.sessionCheck?.violations.map(describeSessionViolation)).toEqual([]);
  }, 30_000);

  it('an engine that executes more than the order had open is caught, naming the token', async () => {
    const { peer, result } = await drive('overfill');
    expect(peer.counts.liedAbout).not.toBe('');
    expect(result.sessionCheck?.count).toBe(1);
    const v = result.sessionCheck?.violations[0];
    expect(v?.invariant).toBe('leaves-consistent');
    expect(describeSessionViolation(v!)).toMatch(new RegExp(`token ${peer.counts.liedAbout}, Executed \\(executed\\): quantity \\d+, price \\d+.*` +
      'leaves-consistent: FILL of \\d+ leaves -5: negative'));
  }, 30_000);

  it('an engine that executes after Canceled is caught, naming the token', async () => {
    const { peer, result } = await drive('fill-after-cancel');
    expect(peer.counts.liedAbout).not.toBe('');
    expect(result.sessionCheck?.count).toBe(1);
    const v = result.sessionCheck?.violations[0];
    expect(v?.invariant).toBe('no-fill-after-terminal');
    expect(describeSessionViolation(v!)).toMatch(new RegExp(`token ${peer.counts.liedAbout}, Executed .*no-fill-after-terminal: FILL of 1 at \\d+ after it was CANCELED User`));
  }, 30_000);
});
