import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TargetError } from '../../clients/TargetError.js';
import { runScenario, scenarioSymbols } from '../../run/runScenario.js';
import { driverTestScenario } from '../driverTestScenario.testkit.js';
import type { Scenario, TargetSpec } from '../../scenario/Scenario.js';
import { FixOrderDriver, type FixOrderDriverOptions } from './FixOrderDriver.js';
import type { FixVersion } from './fixRuntime.js';
import { FixTestPeer, type FixPeerMode } from './FixTestPeer.testkit.js';
import { parseFixTarget } from './parseFixTarget.js';


let scenario: Scenario;
beforeAll(() => {
  scenario = driverTestScenario({ name: 'fix-tiny', seed: 5, cancelAfter: '200ms' });
});

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function peer(version: FixVersion, mode: FixPeerMode = 'normal', closeAfterOrders?: number): Promise<FixTestPeer> {
  const p = await FixTestPeer.start({ version, symbols: scenarioSymbols(scenario), mode, ...(closeAfterOrders === undefined ? {} : { closeAfterOrders }) });
  cleanups.push(() => p.stop());
  return p;
}

function target(version: FixVersion, port: number, extra = ''): Extract<TargetSpec, { kind: 'fix' }> {
  const parsed = parseFixTarget(`fix://127.0.0.1:${port},version=${version}${extra}`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.value;
}

async function drive(version: FixVersion, p: FixTestPeer, extra: Partial<FixOrderDriverOptions> = {}, options = '', idleMs = 0) {
  const driver = await FixOrderDriver.connect({ scenario, seed: 5, target: target(version, p.port, options), drainTimeoutMs: 1_000, unresponsiveAfterMs: 1_500, ...extra });
  cleanups.push(() => driver.terminate());
  // Logged on and idle: only heartbeats go either way.
  if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
  const startedMs = Date.now();
  const result = await driver.run(Date.now() + 50);
  return { result, tookMs: Date.now() - startedMs };
}

describe('parseFixTarget', () => {
  it('reads the version, CompIDs, reset and heartbeat, with defaults', () => {
    expect(parseFixTarget('fix://127.0.0.1:9878,version=4.4,sender=MB,target=EXCH,reset=false,heartbeat=5')).toEqual({ ok: true, value: {
      kind: 'fix', orderEntry: { host: '127.0.0.1', port: 9878 }, version: '4.4', senderCompId: 'MB', targetCompId: 'EXCH', resetSeqNum: false,
      heartbeatSeconds: 5, marketData: null } });
    const d = parseFixTarget('fix://localhost:1,version=4.2');
    expect(d.ok && d.value).toMatchObject({ senderCompId: 'MB', targetCompId: 'ENGINE', resetSeqNum: true, heartbeatSeconds: 30 });
  });

  it('names every problem at once', () => {
    const r = parseFixTarget('fix://nowhere,version=5.0,reset=maybe,colour=red');
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.problems.join('\n');
    expect(text).toMatch(/version "5.0"/);
    expect(text).toMatch(/reset "maybe"/);
    expect(text).toMatch(/unknown option "colour=red"/);
    const noVersion = parseFixTarget('fix://127.0.0.1:1');
    expect(noVersion.ok ? '' : noVersion.problems.join()).toMatch(/names no FIX version/);
  });
});

describe.each(['4.2', '4.4'] as const)('FIX %s against the jspurefix test peer', (version) => {
  it('logs on per client, sends orders, cancels and replaces, maps acks, fills, cancels and rejects, and logs out', async () => {
    const p = await peer(version);
    const { result } = await drive(version, p);
    expect(p.counts.logons).toBe(2);
    expect(new Set(p.counts.senders)).toEqual(new Set(['MB1', 'MB2']));
    expect(result.targetFailure).toBeUndefined();
    expect(result.sent).toBeGreaterThan(100);
    expect(result.unanswered).toBe(0);
    expect(p.counts.orders).toBe(result.sentByKind.new);
    expect(p.counts.cancels).toBe(result.sentByKind.cancel);
    expect(result.acked).toBeGreaterThan(50);
    expect(result.fills).toBeGreaterThan(0);
    expect(result.canceled).toBeGreaterThan(0);
    expect(result.acked + result.canceled + result.replaced + result.rejected).toBe(result.sent);
    expect(Object.keys(result.histograms)).toEqual(expect.arrayContaining(['order_rtt', 'cancel_rtt', 'fill_rtt', 'send_lag']));
    // Logout answered by the peer's Logout.
    expect(p.counts.logouts).toBe(2);
  }, 30_000);

  it('sends a replace\'s OrderQty as the new total: the fills so far plus the open quantity asked for', async () => {
    const p = await peer(version);
    const replaces = driverTestScenario({ name: 'fix-replaces', seed: 5, cancelAfter: '200ms', mix: { cancel: 0.05, replace: 0.2 }, duration: '2s' });
    const driver = await FixOrderDriver.connect({ scenario: replaces, seed: 5, target: target(version, p.port), drainTimeoutMs: 1_000,
      unresponsiveAfterMs: 1_500 });
    cleanups.push(() => driver.terminate());
    const result = await driver.run(Date.now() + 100);
    expect(result.replaced).toBeGreaterThan(5);
    // Orders that had filled in part were replaced, and every such OrderQty was above what had filled:
    // read as the new total, it left the open quantity the flow asked for. (Sent as the open quantity,
    // a replace asking for less than had filled would be refused.)
    expect(p.counts.replacesOfPartlyFilled).toBeGreaterThan(0);
    expect(p.counts.replacesAtOrBelowFilled).toBe(0);
    expect(result.sessionCheck?.violations ?? []).toEqual([]);
    // Only live GTC orders are kept for later cancels and replaces: not IOC, FOK or market orders, not canceled ones.
    expect(driver.ordersKept()).toBeLessThan((result.sentByKind.new ?? 0) - (result.sentByKind.cancel ?? 0));
  }, 30_000);

  it('keeps an idle session up with heartbeats (heartbeat=1) and runs without a sequence reset (reset=false)', async () => {
    const p = await peer(version);
    const { result } = await drive(version, p, {}, ',heartbeat=1,reset=false,sender=DESK,target=ENGINE', 2_600);
    expect(p.counts.heartbeatsReceived).toBeGreaterThanOrEqual(2);
    expect(new Set(p.counts.senders)).toEqual(new Set(['DESK1', 'DESK2']));
    expect(result.targetFailure).toBeUndefined();
    expect(result.unanswered).toBe(0);
    expect(result.acked).toBeGreaterThan(50);
  }, 30_000);

  it('counts a business reject of every order as rejects with the reason, and ends with "rejected everything"', async () => {
    const p = await peer(version, 'business-reject');
    const { result } = await drive(version, p);
    expect(result.rejected).toBe(result.sent);
    expect(Object.keys(result.rejectsByReason)[0]).toMatch(/BusinessMessageReject \(380=3: not authorized\)/);
    expect(result.targetFailure).toMatch(/rejected everything/);
  }, 30_000);
});

describe('FIX misbehaving engines end the run with a verdict', () => {
  it('maps session-level Rejects onto their requests by RefSeqNum', async () => {
    const p = await peer('4.4', 'session-reject');
    const { result } = await drive('4.4', p);
    expect(result.rejected).toBe(result.sent);
    expect(Object.keys(result.rejectsByReason)[0]).toMatch(/session Reject \(373=99/);
  }, 30_000);

  it('an engine flooding heartbeats and answering nothing: "engine unresponsive" while the session stayed up', async () => {
    const p = await peer('4.4', 'flood-heartbeats');
    const { result, tookMs } = await drive('4.4', p);
    expect(result.targetFailure).toMatch(/fix: engine unresponsive after 1\.\d s: .* while the session stayed up \(\d+ engine heartbeats in that time\)/);
    expect(p.counts.heartbeatsSent).toBeGreaterThan(1_000);
    expect(tookMs).toBeLessThan(15_000);
  }, 30_000);

  it('a silent engine: "engine unresponsive", bounded in time', async () => {
    const p = await peer('4.4', 'silent');
    const { result, tookMs } = await drive('4.4', p);
    expect(result.targetFailure).toMatch(/fix: engine unresponsive after 1\.\d s/);
    expect(result.unanswered).toBeGreaterThan(0);
    expect(tookMs).toBeLessThan(10_000);
  }, 30_000);

  it('an engine closing mid-session: "connection lost"', async () => {
    const p = await peer('4.2', 'close-mid-session', 10);
    const { result, tookMs } = await drive('4.2', p);
    expect(result.targetFailure).toMatch(/fix: connection lost at \d+\.\d+ s \(session MB\d/);
    expect(tookMs).toBeLessThan(10_000);
  }, 30_000);

  it('a refused Logon is a login-refused TargetError; nothing listening is unreachable', async () => {
    const p = await peer('4.4', 'reject-logon');
    const refused = await FixOrderDriver.connect({ scenario, seed: 5, target: target('4.4', p.port), connectTimeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TargetError);
    expect((refused as TargetError).code).toBe('login-refused');
    const port = p.port;
    await p.stop();
    cleanups.length = 0;
    const none = await FixOrderDriver.connect({ scenario, seed: 5, target: target('4.4', port), connectTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect((none as TargetError).code).toBe('unreachable');
  }, 30_000);
});

describe('runScenario with a fix target', () => {
  it('passes with fills against the FIX 4.4 peer', async () => {
    const p = await peer('4.4');
    const { result } = await runScenario({ scenario, scenarioHash: 'fix-tiny', scenarioFile: 'fix-tiny.yaml', seed: 5, target: target('4.4', p.port) });
    expect(result.verdict).toBe('passed');
    expect(result.target.description).toMatch(/^fix:\/\/127\.0\.0\.1:\d+ \(FIX 4\.4, MB → ENGINE\)/);
    expect(result.orders.fills).toBeGreaterThan(0);
    expect(result.orders.acked).toBeGreaterThan(0);
    expect(result.latency.order_rtt?.count ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
