import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../engine/book/Command.js';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import type { FlowOrder } from '../generate/FlowOrder.js';
import type { Scenario } from '../scenario/Scenario.js';
import { MainThreadOrderDriver, type MainThreadSession, type SentRequest } from './MainThreadOrderDriver.js';
import { driverTestScenario } from './driverTestScenario.testkit.js';

function scenario(): Scenario {
  return driverTestScenario({ name: 'skeleton-tiny', seed: 3, mix: { limitGtc: 0.7, limitFok: 0, market: 0, replace: 0 }, cancelAfter: '100ms' });
}

/** How the in-memory engine answers each request. */
type Mode = 'accept' | 'reject' | 'silent';

interface MemSession extends MainThreadSession {
  readonly waitingRequests: SentRequest[];
}

/** The skeleton over an engine that lives in memory: answers come on the next turn of the event loop. */
class MemDriver extends MainThreadOrderDriver<MemSession> {
  /** Intended and actual send time of every request, ns. */
  readonly sends: Array<{ intendedNs: number; sentNs: number }> = [];

  constructor(private readonly mode: Mode, s: Scenario, unresponsiveAfterMs = 5_000) {
    super({ label: 'mem', phaseCount: s.phases.length, maxSendSamples: 10_000, drainTimeoutMs: 1_000, unresponsiveAfterMs, clock: monotonicNowNs });
    const shared = ClientFlow.shared(s, 1);
    for (let index = 0; index < s.clients.orderEntry; index++) {
      this.sessions.push({ index, flow: new ClientFlow(s, 1, index, { shared }), timer: undefined, next: null, waitingSinceNs: 0, heartbeatsAtWait: 0,
        lastAckedKey: '', lastAckedIntendedNs: 0, lastAckedSentNs: 0, done: false, checker: null, waitingRequests: [] });
    }
  }

  protected override send(s: MemSession, o: FlowOrder): void {
    const sentNs = this.clock();
    const request: SentRequest = { kind: o.kind, intendedNs: this.intendedNs(o), sentNs };
    this.sends.push({ intendedNs: request.intendedNs, sentNs });
    s.waitingRequests.push(request);
    this.sent(s, o, sentNs);
    if (this.mode !== 'silent') setImmediate(() => this.answer(s, request));
  }

  private answer(s: MemSession, request: SentRequest): void {
    s.waitingRequests.splice(s.waitingRequests.indexOf(request), 1);
    this.answered(s, request, this.clock());
    if (this.mode === 'reject') this.rejectedFor(request.kind, 'closed');
    else if (request.kind === CommandKind.NewOrder) this.accepted(s, request, 'k', this.clock());
    else this.tally.canceled++;
  }

  protected override isActive(): boolean {
    return true;
  }
  protected override waiting(s: MemSession): number {
    return s.waitingRequests.length;
  }
  protected override heartbeats(): number {
    return 0;
  }
  protected override sessionName(s: MemSession): string {
    return `m${s.index}`;
  }
  protected override stayedUp(): string {
    return '';
  }
  protected override endSessions(): Promise<void> {
    return Promise.resolve();
  }
  protected override destroy(): void {}
  protected override endedCleanly(): boolean {
    return true;
  }
}

describe('MainThreadOrderDriver', () => {
  it('sends every order no earlier than its intended time and records every answer', async () => {
    const driver = new MemDriver('accept', scenario());
    const r = await driver.run(Date.now() + 50);
    expect(r.generated).toBeGreaterThan(150);
    expect(r.sent).toBe(r.generated);
    expect(r.acked + r.canceled).toBe(r.sent);
    expect(r.unanswered).toBe(0);
    expect(r.targetFailure).toBeUndefined();
    expect(driver.sends.every((x) => x.sentNs >= x.intendedNs)).toBe(true);
    expect(Object.keys(r.streamHashes)).toEqual(['0', '1']);
  }, 20_000);

  it('ends a run whose engine never answers with "engine unresponsive", in bounded time', async () => {
    const driver = new MemDriver('silent', scenario(), 200);
    const started = performance.now();
    const r = await driver.run(Date.now());
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(r.targetFailure).toMatch(/^mem: engine unresponsive after 0\.\d s: session m[01] has \d+ requests unanswered/);
    expect(r.errors[0]).toBe(r.targetFailure);
    expect(r.unanswered).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(r.generated + 1);
  }, 20_000);

  it('fails a run in which every new order was rejected, naming the reasons', async () => {
    const r = await new MemDriver('reject', scenario()).run(Date.now());
    expect(r.acked).toBe(0);
    expect(r.targetFailure).toMatch(/^mem: rejected everything: all \d+ orders answered were rejected \(closed \d+\)$/);
  }, 20_000);

  it('stops sending on stop() and still returns what was measured', async () => {
    const driver = new MemDriver('accept', scenario());
    const running = driver.run(Date.now());
    setTimeout(() => driver.stop(), 100);
    const r = await running;
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(150);
    expect(r.targetFailure).toBeUndefined();
  }, 20_000);
});
