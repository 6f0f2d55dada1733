import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TargetError } from '../../clients/TargetError.js';
import { runScenario, scenarioSymbols } from '../../run/runScenario.js';
import type { Scenario } from '../../scenario/Scenario.js';
import { loadSoupMessageSet } from './loadSoupMessageSet.js';
import { encodeLoginAccepted } from './soupBinTcp.js';
import { SoupClient, type SoupCloseReason } from './SoupClient.js';
import { SoupMessageCodec, type SoupValues } from './SoupMessageCodec.js';
import type { SoupMessageSet } from './SoupMessageSet.js';
import { SoupOrderDriver, type SoupOrderDriverOptions } from './SoupOrderDriver.js';
import { SoupTestPeer, type SoupPeerMode } from './SoupTestPeer.testkit.js';
import { parseDriverTestScenario } from '../driverTestScenario.testkit.js';

const MESSAGES = 'targets/soup/ouch42.yaml';

// FOK orders are in their own test (OUCH 4.2 sends them as IOC with a minimum quantity); everything else (IOC, market, cancel, replace) is in.
let set: SoupMessageSet;
let scenario: Scenario;
let scenarioHash: string;
beforeAll(async () => {
  const loaded = await loadSoupMessageSet(MESSAGES);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  set = loaded.messageSet;
  ({ scenario, hash: scenarioHash } = parseDriverTestScenario({ name: 'soup-tiny', seed: 5, mix: { limitGtc: 0.6, limitFok: 0 }, cancelAfter: '200ms',
    rate: 300 }));
});

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function peer(mode: SoupPeerMode = 'normal', extra: { password?: string; closeAfterOrders?: number; heartbeatIntervalMs?: number } = {}): Promise<SoupTestPeer> {
  const p = await SoupTestPeer.start({ messageSet: set, symbols: scenarioSymbols(scenario), mode, ...extra });
  cleanups.push(() => p.stop());
  return p;
}

/** A scripted session: what it received, decoded, in order. */
async function scripted(port: number, options: { heartbeatIntervalMs?: number } = {}) {
  const codec = new SoupMessageCodec(set, 'fromEngine');
  const got: SoupValues[] = [];
  const names: string[] = [];
  let closed: SoupCloseReason | undefined;
  const client = await SoupClient.connect({ host: '127.0.0.1', port, username: 'mb', password: 'pw', heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
    onMessage: (payload) => {
      const d = codec.decode(payload);
      if (d.ok) {
        got.push(d.values);
        names.push(d.message.name);
      }
    },
    onClose: (reason) => { closed = reason; } });
  cleanups.push(() => client.destroy());
  const send = (role: 'enterOrder' | 'cancelOrder' | 'replaceOrder', values: SoupValues): void => {
    const m = role === 'enterOrder' ? set.enterOrder : role === 'cancelOrder' ? set.cancelOrder : set.replaceOrder!;
    client.send(codec.encode(m, values));
  };
  return { client, got, names, send, closed: () => closed };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function driverOptions(port: number, extra: Partial<SoupOrderDriverOptions> = {}): SoupOrderDriverOptions {
  return { scenario, seed: 5, host: '127.0.0.1', port, messageSet: set, username: 'mb', password: 'pw', drainTimeoutMs: 1_000, ...extra };
}

/** Connects, runs from 100 ms from now, and returns the result and how long the run took. */
async function drive(port: number, extra: Partial<SoupOrderDriverOptions> = {}) {
  const driver = await SoupOrderDriver.connect(driverOptions(port, extra));
  cleanups.push(() => driver.terminate());
  const started = Date.now();
  const result = await driver.run(performance.timeOrigin + performance.now() + 100);
  return { result, tookMs: Date.now() - started };
}

describe('a scripted SoupBinTCP session against the test peer', () => {
  it('logs on, trades, cancels, replaces, is rejected, heartbeats and logs out', async () => {
    const p = await peer('normal', { password: 'pw', heartbeatIntervalMs: 100 });
    const a = await scripted(p.port, { heartbeatIntervalMs: 100 });
    const b = await scripted(p.port);
    expect(a.client.session).toBe('MBPEER');
    expect(p.counts.logins).toBe(2);

    a.send('enterOrder', { token: 'A1', side: 'buy', quantity: 10, price: 10_000, symbol: 'SYM1', timeInForce: 'gtc' });
    await until(() => a.got.length === 1);
    expect(a.names[0]).toBe('Accepted');
    expect(a.got[0]).toMatchObject({ token: 'A1', side: 'buy', quantity: 10, price: 10_000, symbol: 'SYM1' });

    // B sells 4 into A's bid: both get an Executed with the same match number.
    b.send('enterOrder', { token: 'B1', side: 'sell', quantity: 4, price: 10_000, symbol: 'SYM1', timeInForce: 'ioc' });
    await until(() => b.got.length >= 2 && a.got.length >= 2);
    expect(b.names.slice(0, 2)).toEqual(['Accepted', 'Executed']);
    expect(b.got[1]).toMatchObject({ token: 'B1', quantity: 4, price: 10_000 });
    expect(a.got[1]).toMatchObject({ token: 'A1', quantity: 4, price: 10_000, matchNumber: b.got[1]!.matchNumber });

    a.send('replaceOrder', { token: 'A1', newToken: 'A2', quantity: 8, price: 9_999 });
    await until(() => a.got.length >= 3);
    expect(a.names[2]).toBe('Replaced');
    expect(a.got[2]).toMatchObject({ token: 'A2', previousToken: 'A1', price: 9_999 });

    a.send('cancelOrder', { token: 'A2' });
    a.send('cancelOrder', { token: 'NOPE' });
    a.send('enterOrder', { token: 'A3', side: 'buy', quantity: 1, price: 99_999, symbol: 'SYM1', timeInForce: 'gtc' });
    await until(() => a.got.length >= 6);
    expect(a.names.slice(3, 6)).toEqual(['Canceled', 'Rejected', 'Rejected']);
    expect(a.got[3]).toMatchObject({ token: 'A2', reason: 'userRequested' });
    expect(a.got[5]).toMatchObject({ token: 'A3', reason: 'invalidPrice' });

    // Quiet for a while: both sides send heartbeats at the 100 ms interval.
    const beats = a.client.heartbeats;
    await new Promise((r) => setTimeout(r, 600));
    expect(a.client.heartbeats - beats).toBeGreaterThanOrEqual(2);
    expect(p.counts.clientHeartbeats).toBeGreaterThanOrEqual(2);

    await a.client.logout();
    expect(a.client.closeReason?.kind).toBe('logged-out');
    await until(() => p.counts.logouts === 1);
  });

  it('sends fill-or-kill as OUCH 4.2 does (IOC with a minimum quantity of the whole order): all of it or nothing', async () => {
    const p = await peer();
    const a = await scripted(p.port);
    const b = await scripted(p.port);
    a.send('enterOrder', { token: 'A1', side: 'buy', quantity: 10, price: 10_000, symbol: 'SYM1', timeInForce: 'gtc' });
    await until(() => a.got.length === 1);
    // 20 against a bid of 10: not fillable, so nothing trades and all 20 come back cancelled.
    b.send('enterOrder', { token: 'B1', side: 'sell', quantity: 20, price: 10_000, symbol: 'SYM1', timeInForce: 'fok', minimumQuantity: 20 });
    await until(() => b.names.includes('Canceled'));
    expect(b.names).not.toContain('Executed');
    expect(b.got[b.names.indexOf('Canceled')]).toMatchObject({ token: 'B1', quantity: 20, reason: 'immediateOrCancel' });
    // 10 against the same bid: filled whole.
    b.send('enterOrder', { token: 'B2', side: 'sell', quantity: 10, price: 10_000, symbol: 'SYM1', timeInForce: 'fok', minimumQuantity: 10 });
    await until(() => b.names.includes('Executed'));
    expect(b.got[b.names.indexOf('Executed')]).toMatchObject({ token: 'B2', quantity: 10, price: 10_000 });
    expect(p.counts.fokOrders).toBe(2);
  });

  it('sees End of Session and a dropped connection as the end of the session, with the reason', async () => {
    const p = await peer();
    const a = await scripted(p.port);
    p.endSessions();
    await until(() => a.closed() !== undefined);
    expect(a.closed()?.kind).toBe('end-of-session');
  });

  it('declares a server that sends nothing dead after the silence limit', async () => {
    const p = await peer('silent');
    let closed: SoupCloseReason | undefined;
    const c = await SoupClient.connect({ host: '127.0.0.1', port: p.port, username: 'mb', password: '', peerTimeoutMs: 500,
      onMessage: () => undefined, onClose: (r) => { closed = r; } });
    cleanups.push(() => c.destroy());
    await until(() => closed !== undefined, 3_000);
    expect(closed).toMatchObject({ kind: 'peer-silent', detail: expect.stringMatching(/sent nothing, not even a heartbeat, for 0\.\d s/) });
  });

  it('fails to log in with a clear TargetError when the password is wrong', async () => {
    const p = await peer('normal', { password: 'right' });
    const error = await SoupClient.connect({ host: '127.0.0.1', port: p.port, username: 'mb', password: 'wrong', onMessage: () => undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({ code: 'login-refused', message: expect.stringMatching(/rejected the SoupBinTCP login: 'A' not authorized/) });
  });
});

describe('SoupOrderDriver', () => {
  it('sends the seeded flow and counts accepts, fills, cancels and replaces from real matching', async () => {
    const p = await peer('normal', { password: 'pw' });
    const { result } = await drive(p.port);
    expect(result.targetFailure).toBeUndefined();
    expect(result.sent).toBeGreaterThan(150);
    expect(result.acked).toBeGreaterThan(100);
    expect(result.fills).toBeGreaterThan(0);
    expect(result.canceled).toBeGreaterThan(0);
    expect(result.replaced).toBeGreaterThan(0);
    expect(result.unanswered).toBe(0);
    expect(p.counts.orders + p.counts.cancels + p.counts.replaces).toBe(result.sent);
    expect(Object.keys(result.histograms)).toEqual(expect.arrayContaining(['order_rtt', 'order_service_time', 'cancel_rtt', 'send_lag']));
  });

  it('sends a scenario\'s FOK orders through OUCH 4.2 (none left unsent) and the peer reads them as fill-or-kill', async () => {
    const fok = parseDriverTestScenario({ name: 'soup-tiny', seed: 5, mix: { limitGtc: 0.45, limitFok: 0.15 }, cancelAfter: '200ms', rate: 300 }).scenario;
    const p = await peer('normal', { password: 'pw' });
    const { result } = await drive(p.port, { scenario: fok });
    expect(result.targetFailure).toBeUndefined();
    expect(result.errors).toEqual([]);
    expect(p.counts.fokOrders).toBeGreaterThan(10);
    expect(p.counts.orders + p.counts.cancels + p.counts.replaces).toBe(result.sent);
    expect(result.unanswered).toBe(0);
  });

  it('refuses, before connecting, a scenario whose prices, quantities or symbols do not fit the message set', async () => {
    const wide = { ...scenario, name: 'wide', symbols: { ...scenario.symbols, namePrefix: 'LONGNAME', count: 12, maxPrice: 2 ** 33 } };
    await expect(SoupOrderDriver.connect(driverOptions(1, { scenario: wide }))).rejects.toThrow(
      'message set ouch42 cannot carry scenario wide: symbol "LONGNAME12" does not fit stock\'s 8 bytes; maxPrice 8589934592 does not fit EnterOrder.price\'s 4 bytes; ' +
      'maxPrice 8589934592 does not fit ReplaceOrder.price\'s 4 bytes');
  });

  it('refuses a rejected login before any load, as a TargetError', async () => {
    const p = await peer('reject-login');
    await expect(SoupOrderDriver.connect(driverOptions(p.port))).rejects.toMatchObject({ code: 'login-refused' });
  });

  it.each([
    ['silent', {}, /^soup: engine unresponsive after 1\.\d s: session \d has \d+ requests unanswered and received no answer/],
    ['flood-heartbeats', {}, /^soup: engine unresponsive after 1\.\d s: .* while the connection stayed up \(\d+ server heartbeats in that time\)/],
    ['close-mid-session', { closeAfterOrders: 20 }, /^soup: connection lost at 0\.\d+ s \(session \d: 127\.0\.0\.1:\d+ closed the connection\); \d+ requests unanswered/],
    ['reject-orders', {}, /^soup: rejected everything: all \d+ orders answered were rejected \(halted \d+\)/],
  ] as const)('ends a run against a peer in mode %s with its verdict, in bounded time', async (mode, extra, verdict) => {
    const p = await peer(mode, extra);
    const { result, tookMs } = await drive(p.port, { unresponsiveAfterMs: 1_000 });
    expect(result.targetFailure).toMatch(verdict);
    expect(result.errors[0]).toBe(result.targetFailure);
    // The scenario is 1 s long; a verdict comes within the 1 s limit plus the drain, never a hang.
    expect(tookMs).toBeLessThan(8_000);
  });

  it('ends the run at a packet SoupBinTCP does not allow, naming it', async () => {
    // A server that logs the client in, then answers the first order with a packet type no server sends.
    const server = net.createServer((socket) => {
      let loggedIn = false;
      socket.on('data', () => {
        if (!loggedIn) socket.write(encodeLoginAccepted('RAW', 1));
        else socket.write(Uint8Array.from([0, 1, 0x51]));
        loggedIn = true;
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { result, tookMs } = await drive((server.address() as net.AddressInfo).port, { clientIndexes: [0] });
    expect(result.targetFailure).toMatch(/^soup: protocol error at 0\.\d+ s \(session 0: packet type 'Q' is not one a SoupBinTCP 3\.00 server sends\)/);
    expect(tookMs).toBeLessThan(5_000);
  });

  it('says so when the server goes silent, heartbeats included, before the answer limit', async () => {
    const p = await peer('silent');
    const { result } = await drive(p.port, { unresponsiveAfterMs: 60_000, peerTimeoutMs: 700 });
    expect(result.targetFailure).toMatch(/^soup: engine unresponsive after 0\.7 s \(session \d: .* sent nothing, not even a heartbeat/);
  });
});

describe('runScenario with a soup:// target', () => {
  it('runs the scenario against the test peer and passes, fills counted', async () => {
    const p = await peer('normal', { password: 'pw' });
    const { result } = await runScenario({ scenario, scenarioHash, scenarioFile: 'soup-tiny.yaml', seed: 5,
      target: { kind: 'soup', orderEntry: { host: '127.0.0.1', port: p.port }, messages: MESSAGES, username: 'mb', password: 'pw', marketData: null } });
    expect(result.verdict).toBe('passed');
    expect(result.target.description).toMatch(/^soup:\/\/127\.0\.0\.1:\d+ \(SoupBinTCP 3\.00, messages targets\/soup\/ouch42\.yaml\)/);
    expect(result.orders.fills).toBeGreaterThan(0);
    expect(result.orders.acked).toBeGreaterThan(0);
    expect(result.latency.order_rtt?.count ?? 0).toBeGreaterThan(0);
  });

  it('ends with verdict error and the reason when the engine rejects every order', async () => {
    const p = await peer('reject-orders');
    const { result } = await runScenario({ scenario, scenarioHash, scenarioFile: 'soup-tiny.yaml', seed: 5,
      target: { kind: 'soup', orderEntry: { host: '127.0.0.1', port: p.port }, messages: MESSAGES, marketData: null } });
    expect(result.verdict).toBe('error');
    expect(result.errors[0]).toMatch(/rejected everything/);
  });
});
