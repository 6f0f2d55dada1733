import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandKind } from '../../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { describeSessionViolation, SessionViolationLog } from '../../check/SessionReportChecker.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import { runScenario, scenarioSymbols } from '../../run/runScenario.js';
import { driverTestScenario } from '../driverTestScenario.testkit.js';
import type { Scenario } from '../../scenario/Scenario.js';
import { FixOrderDriver } from './FixOrderDriver.js';
import { FixReportCheck, type FixReportFields } from './FixReportCheck.js';
import type { FixVersion } from './fixRuntime.js';
import { FixTestPeer, type FixPeerMode } from './FixTestPeer.testkit.js';
import { parseFixTarget } from './parseFixTarget.js';


let scenario: Scenario;
beforeAll(() => {
  scenario = driverTestScenario({ name: 'fix-checks', seed: 7 });
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function peer(version: FixVersion, mode: FixPeerMode): Promise<FixTestPeer> {
  const p = await FixTestPeer.start({ version, symbols: scenarioSymbols(scenario), mode });
  cleanups.push(() => p.stop());
  return p;
}

function target(version: FixVersion, port: number) {
  const parsed = parseFixTarget(`fix://127.0.0.1:${port},version=${version}`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.value;
}

async function drive(version: FixVersion, p: FixTestPeer) {
  const driver = await FixOrderDriver.connect({ scenario, seed: 7, target: target(version, p.port), drainTimeoutMs: 1_000, unresponsiveAfterMs: 1_500 });
  cleanups.push(() => driver.terminate());
  return driver.run(Date.now() + 50);
}

describe('FIX execution reports go through the per-session checks', () => {
  it.each(['4.2', '4.4'] as const)('an honest FIX %s session passes them, every report checked', async (version) => {
    const p = await peer(version, 'normal');
    const result = await drive(version, p);
    expect(result.targetFailure).toBeUndefined();
    expect(result.fills).toBeGreaterThan(0);
    expect(result.canceled).toBeGreaterThan(0);
    expect(result.sessionCheck?.sessions).toBe(2);
    expect(result.sessionCheck?.reports).toBeGreaterThanOrEqual(result.acked + result.fills);
    expect(result.sessionCheck?.violations.map(describeSessionViolation)).toEqual([]);
  }, 30_000);

  it('an engine that fills more than the order had open is caught, naming the ClOrdID', async () => {
    const p = await peer('4.4', 'overfill');
    const result = await drive('4.4', p);
    expect(p.counts.liedAbout).not.toBe('');
    expect(result.sessionCheck?.count).toBe(1);
    const v = result.sessionCheck?.violations[0];
    expect(v?.invariant).toBe('leaves-consistent');
    expect(describeSessionViolation(v!)).toMatch(new RegExp(`ClOrdID ${p.counts.liedAbout}, ExecutionReport Trade: OrdStatus 2, LastQty \\d+ at \\d+, ` +
      'LeavesQty 0, .*leaves-consistent: FILL of \\d+ leaves 0; the order had \\d+ open, so -5 was due'));
  }, 30_000);

  it('an engine that fills after Canceled is caught, naming the ClOrdID', async () => {
    const p = await peer('4.2', 'fill-after-cancel');
    const result = await drive('4.2', p);
    expect(p.counts.liedAbout).not.toBe('');
    expect(result.sessionCheck?.count).toBe(1);
    const v = result.sessionCheck?.violations[0];
    expect(v?.invariant).toBe('no-fill-after-terminal');
    expect(describeSessionViolation(v!)).toMatch(new RegExp(`ClOrdID ${p.counts.liedAbout}, ExecutionReport Fill: OrdStatus 2, LastQty 1 .*` +
      'no-fill-after-terminal: FILL of 1 at \\d+ after it was CANCELED User'));
  }, 30_000);

  it('a run against the lying engine ends with verdict invariant-failed and a violation.json naming the FIX target', async () => {
    const p = await peer('4.4', 'fill-after-cancel');
    const output = await runScenario({ scenario, scenarioHash: 'fix-checks', scenarioFile: 'fix-checks.yaml', seed: 7, target: target('4.4', p.port) });
    expect(output.result.verdict).toBe('invariant-failed');
    expect(output.result.invariants.violations).toEqual([expect.stringContaining(`ClOrdID ${p.counts.liedAbout}`)]);
    expect(output.violation).toMatchObject({ invariant: 'no-fill-after-terminal', firstFailingEventIndexOf: 'session report stream' });
    expect(output.violation?.repro.command).toMatch(/--target fix:\/\/127\.0\.0\.1:\d+,version=4\.4/);
  }, 60_000);
});

/** What FixReportCheck makes of single reports (no network): the FIX-only rules of docs/FIX.md. */
describe('FixReportCheck', () => {
  const order = (over: Partial<FlowOrder> = {}): FlowOrder => ({ kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: 1, side: Side.Buy,
    orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 100, quantity: 30, intendedMs: 0, phaseIndex: 0, ...over }) as FlowOrder;
  const report = (over: Partial<FixReportFields>): FixReportFields => ({ clOrdId: '1', origClOrdId: null, execType: '0', ordStatus: '0', lastQty: null,
    lastPx: null, leavesQty: 30, cumQty: 0, orderQty: null, price: null, ...over });
  function session(): { check: FixReportCheck; log: SessionViolationLog; send: (clOrdId: string, o: FlowOrder) => void } {
    const log = new SessionViolationLog();
    const check = new FixReportCheck(0, log);
    return { check, log, send: (clOrdId, o) => { check.sent(clOrdId, o); check.checker.sent(o, 0); } };
  }

  it('skips pending states, takes a fill as the ACK of an order that traded on arrival, and checks CumQty against the fills', () => {
    const { check, log, send } = session();
    send('1', order());
    check.execution(report({ execType: 'A', ordStatus: 'A' }), null);
    check.execution(report({ execType: 'F', ordStatus: '1', lastQty: 10, lastPx: 100, leavesQty: 20, cumQty: 10 }), CommandKind.NewOrder);
    expect(log.violations).toEqual([]);
    check.execution(report({ execType: 'F', ordStatus: '1', lastQty: 5, lastPx: 99, leavesQty: 15, cumQty: 16, orderQty: 30 }), null);
    expect(log.violations.map((v) => v.message)).toEqual(['CumQty 16; the fills reported add up to 15', 'OrderQty 30 is not CumQty 16 + LeavesQty 15']);
  });

  it('accepts a replace that sets the open quantity or the total, and flags a Canceled with LeavesQty left', () => {
    const { check, log, send } = session();
    send('1', order());
    check.execution(report({}), CommandKind.NewOrder);
    check.execution(report({ execType: 'F', ordStatus: '1', lastQty: 10, lastPx: 100, leavesQty: 20, cumQty: 10 }), null);
    send('2', order({ kind: CommandKind.Replace, quantity: 25, price: 101 }));
    // FIX's reading: OrderQty 25 is the new total, 10 of it filled.
    check.execution(report({ clOrdId: '2', origClOrdId: '1', execType: '5', ordStatus: '5', leavesQty: 15, cumQty: 10 }), CommandKind.Replace);
    expect(log.violations).toEqual([]);
    send('3', order({ kind: CommandKind.Cancel }));
    check.execution(report({ clOrdId: '3', origClOrdId: '2', execType: '4', ordStatus: '4', leavesQty: 15, cumQty: 10 }), CommandKind.Cancel);
    expect(log.violations.map(describeSessionViolation)).toEqual([expect.stringMatching(
      /ClOrdID 3 \(OrigClOrdID 2\), ExecutionReport Canceled: .*leaves-consistent: Canceled with LeavesQty 15 \(0 once it has ended\)$/)]);
  });
});
