import autocannon from 'autocannon';
import type net from 'node:net';
import { CommandKind } from '../../engine/book/Command.js';
import { monotonicNowNs, type NsClock } from '../../engine/gateway/monotonicNowNs.js';
import { checkHttpAnswer } from '../check/checkHttpAnswer.js';
import { SessionReportChecker, SessionViolationLog } from '../check/SessionReportChecker.js';
import { TargetError } from '../clients/TargetError.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import { RequestTally, type DriverProgress, type DriverResult } from '../run/RequestTally.js';
import { TargetWatch, WATCH_INTERVAL_MS, type TargetWatchOptions } from '../run/TargetWatch.js';
import type { Scenario } from '../scenario/Scenario.js';
import { httpOrderRequest } from './httpOrderRequest.js';
import type { HttpMapping } from './httpMapping/HttpMapping.js';
import { MappedHttpSession, mappedSymbols, type MappedSkip } from './httpMapping/MappedHttpSession.js';
import { fillTemplate } from './httpMapping/mappedRequest.js';
import { probeMappedTarget } from './httpMapping/probeMappedTarget.js';
import { probeHttpTarget } from './probeHttpTarget.js';

/**
 * Options of {@link HttpOrderDriver.connect}; each documents its default (the TargetWatch ones: a
 * request unanswered 5 s ends its client's load, unasked-for bytes above 1 MiB/s end the run).
 */
export interface HttpOrderDriverOptions extends TargetWatchOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Base URL of the engine's HTTP order API (docs/HTTP.md), e.g. `http://127.0.0.1:9003`. */
  readonly url: string;
  /** Client i sends as clientId firstClientId + i (as TCP clients log in). Default 1. */
  readonly firstClientId?: number;
  /** Global client indexes to drive (a shard's share, `run --shard`); default all, 0 … clients.orderEntry − 1. */
  readonly clientIndexes?: readonly number[];
  /** How long to wait for answers after the last send, ms. Default 2,000. */
  readonly drainTimeoutMs?: number;
  /** A request (or a held order) with no answer for this long is given up, s (autocannon's timeout). Default 10. */
  readonly requestTimeoutS?: number;
  /** How long the connections may take to open and answer their warm-up request, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Most send times kept for the arrival check (the first ones). Default 2,000,000. */
  readonly maxSendSamples?: number;
  /** The engine's API as a mapping file describes it (docs/HTTP_MAPPING.md); default the built-in docs/HTTP.md requests. */
  readonly mapping?: HttpMapping;
}

export const HTTP_ORDER_DRIVER_DEFAULTS = {
  firstClientId: 1, drainTimeoutMs: 2_000, requestTimeoutS: 10, connectTimeoutMs: 5_000, maxSendSamples: 2_000_000,
} as const;

/** A request on the wire (or held, corked, until its intended time). */
interface Request {
  readonly kind: CommandKind;
  readonly symbolId: number;
  readonly clientOrderId: number;
  /** Intended send time, ms since time 0. */
  readonly intendedMs: number;
  /** 0 while held. */
  sentNs: number;
  readonly method: autocannon.Request['method'];
  readonly path: string;
  readonly body: string;
  /** As generated (a mapped answer is read against them). */
  readonly price: number;
  readonly quantity: number;
}

/** One order-entry client: its flow, on its own autocannon connection. */
interface Slot {
  readonly index: number;
  readonly clientId: number;
  readonly flow: ClientFlow;
  client: autocannon.Client | undefined;
  /** The warm-up GET /health is out and not answered yet. */
  warming: boolean;
  /** The order this connection is holding or waiting on; null when none. */
  current: Request | null;
  /** The flow has ended and its last answer came: the connection is parked. */
  done: boolean;
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** The client's answers checked against what it sent (maker fills never reach HTTP clients). */
  readonly checker: SessionReportChecker;
  /** With a mapping: builds its requests and reads its answers. */
  readonly mapped: MappedHttpSession | undefined;
  /** The engine failed this client (unresponsive, connection lost, flood): its connection is closed, it sends no more. */
  dead: boolean;
  /** Bytes read by this client's earlier sockets (autocannon opens a new one on each reconnect), and the socket they were last read from. */
  bytesBefore: number;
  socket: net.Socket | undefined;
}

/** Result lines for generated orders a mapped engine could not take. */
const SKIP_TEXT: Record<MappedSkip, (mapping: HttpMapping) => string> = {
  'cancel-not-offered': () => 'cancels not sent: the mapping has no cancel operation',
  'replace-not-offered': () => 'replaces not sent: the mapping has no replace operation',
  'order-id-unknown': () => 'cancels/replaces not sent: the engine gave no order id for their order (rejected, or not in its answer)',
  'quantity-off-lot': (m) => `orders/replaces not sent: their quantity is not a whole number of lots (quantity.lotSize ${m.quantity.lotSize})`,
};

/** What a connection sends before the run, and what a parked one holds corked for good. */
const WARM_UP = { method: 'GET', path: '/health', body: '' } as const;

/** What autocannon 9's Client does beyond its typed API: reports a failed (re)connect, and stops for good. */
interface RunningClient {
  on(event: 'connError', listener: (error: NodeJS.ErrnoException) => void): void;
  on(event: 'response', listener: (status: number, resBytes: number) => void): void;
  destroy(): void;
}

/** The connection's socket: autocannon 9 keeps it as `client.conn` (not in its typed API, see {@link HttpOrderDriver}). */
function socketOf(client: autocannon.Client | undefined): net.Socket | undefined {
  return (client as unknown as { conn?: net.Socket } | undefined)?.conn;
}

/**
 * Drives the scenario's order-entry clients against an engine's HTTP JSON order API
 * (docs/HTTP.md) with autocannon, in the open workload model, and records what DRIVER_METRICS
 * names, like the TCP {@link OrderEntryDriver}.
 *
 * ```
 *  ClientFlow i ─► slot i ─► autocannon connection i (keep-alive, pipelining 1) ─► POST/PATCH/DELETE /orders
 *                   │ setupRequest: next order; not due yet → cork the socket, uncork at the intended time
 *                   └ onResponse: order_rtt from the intended time, order_service_time from the uncork; outcome counts
 * ```
 *
 * Pacing, and its limits. autocannon sends a connection's next request the moment the previous
 * answer arrives (its `overallRate`/`connectionRate` only cap requests per whole second, sending them
 * in a burst at the start of each second), and `setupRequest` is synchronous, so it cannot wait.
 * To send each order at its intended time anyway, `setupRequest` corks the connection's socket
 * when the order is not due yet and a timer uncorks it at the intended time: the request bytes
 * leave then (timer resolution, about 1 ms: send_lag shows it). This reads autocannon 9's
 * `client.conn` (the one use of an untyped field; checked by the tests). Each client has one
 * connection and HTTP/1.1 answers in order, so a client's next order cannot leave before its
 * previous one is answered: when the engine is slower than a client's inter-arrival times, the
 * order goes late; its latency still counts from the intended time (corrected for coordinated
 * omission) and send_lag grows, so a target that falls behind shows it. With one connection per
 * client the engine sees each client's requests in order, as over TCP.
 *
 * Fills: the answer carries the order's own fills as taker during the request; maker fills of
 * resting orders reach no HTTP client (docs/HTTP.md), so `fills` counts taker fills only.
 */
export class HttpOrderDriver {
  private readonly slots: Slot[] = [];
  private instance: autocannon.Instance | undefined;
  private instanceDone: Promise<void> = Promise.resolve();
  private readonly tally: RequestTally;
  /** Time 0 on this thread's monotonic clock; NaN until {@link run}. */
  private runStartNs = Number.NaN;
  private stopped = false;
  private warmed: (() => void) | undefined;
  private finished: (() => void) | undefined;
  private readonly basePath: string;
  private lost = 0;
  /** Problems by kind, with counts (one line each in the result, not one per request). */
  private readonly problems = new Map<string, number>();
  private readonly sessionLog = new SessionViolationLog(() => (this.clock() - this.runStartNs) / 1e6);
  /** The warm-up request: GET /health, or the mapping's health operation. */
  private readonly warmUp: { readonly method: autocannon.Request['method']; readonly path: string; readonly body: string };
  /** Generated orders not sent, by why (a mapping without cancel or replace, an unknown engine order id). */
  private readonly skipped = new Map<MappedSkip, number>();
  private readonly watch: TargetWatch;
  private watchdog: NodeJS.Timeout | undefined;
  /** Bytes of the answers that completed (an answer is asked for, however long). */
  private answeredBytes = 0;

  private constructor(private readonly options: HttpOrderDriverOptions, private readonly clock: NsClock) {
    this.tally = new RequestTally(options.scenario.phases.length, options.maxSendSamples ?? HTTP_ORDER_DRIVER_DEFAULTS.maxSendSamples);
    this.basePath = new URL(options.url).pathname.replace(/\/+$/, '');
    this.warmUp = options.mapping === undefined ? WARM_UP : fillTemplate(options.mapping.operations.health, () => undefined);
    this.watch = new TargetWatch('http', options);
  }

  /**
   * Probes the target (a TargetError when it cannot be reached or does not speak the API), then
   * opens one autocannon connection per order-entry client and resolves once each has answered
   * its warm-up `GET /health`.
   */
  static async connect(options: HttpOrderDriverOptions): Promise<HttpOrderDriver> {
    if (options.mapping === undefined) await probeHttpTarget(options.url);
    else await probeMappedTarget(options.url, options.mapping);
    const driver = new HttpOrderDriver(options, monotonicNowNs);
    const { scenario, seed } = options;
    const shared = ClientFlow.shared(scenario, seed);
    const firstClientId = options.firstClientId ?? HTTP_ORDER_DRIVER_DEFAULTS.firstClientId;
    const symbols = mappedSymbols(scenario);
    for (const i of options.clientIndexes ?? Array.from({ length: scenario.clients.orderEntry }, (_, k) => k)) {
      driver.slots.push({ index: i, clientId: firstClientId + i, flow: new ClientFlow(scenario, seed, i, { shared }), client: undefined,
        warming: true, current: null, done: false, timer: undefined,
        checker: new SessionReportChecker(i, driver.sessionLog, { hiddenMakerFills: true }),
        mapped: options.mapping === undefined ? undefined : new MappedHttpSession(options.mapping, firstClientId + i, symbols),
        dead: false, bytesBefore: 0, socket: undefined });
    }
    if (driver.slots.length === 0) return driver;
    try {
      await driver.start();
    } catch (error) {
      await driver.terminate();
      throw new TargetError('unreachable', options.url, (error as Error).message);
    }
    return driver;
  }

  /**
   * Sends every client's stream from `runStartEpochMs` (the run's time 0, epoch ms) to its end,
   * waits up to drainTimeoutMs for the last answers, and returns what was measured.
   *
   * A client whose engine fails it (a request unanswered for unresponsiveAfterMs, its connection
   * lost or refused, a flood) sends no more; once no client is left the run ends early. The first
   * failure is the result's {@link DriverResult.targetFailure} (the run's verdict is `error`).
   */
  async run(runStartEpochMs: number): Promise<DriverResult> {
    this.runStartNs = (runStartEpochMs - performance.timeOrigin) * 1e6;
    const done = new Promise<void>((resolve) => { this.finished = resolve; });
    this.watchdog = setInterval(this.look, WATCH_INTERVAL_MS);
    this.watch.floodCheck(this.clock(), this.bytesReceived() - this.answeredBytes, 0, () => '');
    for (const slot of this.slots) {
      const socket = socketOf(slot.client);
      if (slot.current !== null && slot.current.sentNs === 0 && socket !== undefined) this.hold(slot, slot.current, socket);
    }
    this.checkFinished();
    await done;
    await this.drain();
    clearInterval(this.watchdog);
    // A run that was not stopped early: its IOC, FOK and market orders must all have ended.
    if (!this.stopped) for (const slot of this.slots) slot.checker.finish();
    await this.terminate();
    return this.result();
  }

  /** Stops sending at once (Ctrl-C); {@link run} then drains briefly and resolves. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const slot of this.slots) this.clearTimer(slot);
    this.finished?.();
  }

  /** Counts so far, and the order round trips since the last call (encoded). */
  progress(): Promise<DriverProgress> {
    let errors = this.lost;
    for (const n of this.problems.values()) errors += n;
    return Promise.resolve(this.tally.progress(errors));
  }

  /** Closes every connection; resolves once autocannon has. */
  async terminate(): Promise<number> {
    this.stop();
    clearInterval(this.watchdog);
    this.instance?.stop();
    await this.instanceDone;
    return 0;
  }

  private start(): Promise<void> {
    const { url, scenario } = this.options;
    const totalS = scenario.phases.reduce((s, p) => s + p.durationMs, 0) / 1_000;
    const drainS = (this.options.drainTimeoutMs ?? HTTP_ORDER_DRIVER_DEFAULTS.drainTimeoutMs) / 1_000;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? HTTP_ORDER_DRIVER_DEFAULTS.connectTimeoutMs;
    let nextSlot = 0;
    const warmed = new Promise<void>((resolve, reject) => {
      this.warmed = resolve;
      setTimeout(() => {
        const cold = this.slots.filter((s) => s.warming).length;
        if (cold > 0) reject(new Error(`${cold} of ${this.slots.length} HTTP connections to ${url} did not answer ${this.warmUp.method} ${this.warmUp.path} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs).unref();
    });
    this.instanceDone = new Promise<void>((resolve) => {
      this.instance = autocannon({
        url: new URL(url).origin, connections: this.slots.length, pipelining: 1,
        // A bound only: the driver stops the instance itself when the streams end.
        duration: Math.ceil(totalS + drainS + connectTimeoutMs / 1_000 + 60),
        timeout: this.options.requestTimeoutS ?? HTTP_ORDER_DRIVER_DEFAULTS.requestTimeoutS,
        // How often autocannon looks for a stop (and samples its own counters): keeps stop() prompt.
        sampleInt: 50,
        requests: [{ method: this.warmUp.method, path: `${this.basePath}${this.warmUp.path}` }],
        setupClient: (client) => {
          const slot = this.slots[nextSlot++];
          if (slot === undefined) return;
          slot.client = client;
          // Refused or reset reconnects: autocannon would retry at once, for ever.
          (client as unknown as RunningClient).on('connError', (error: NodeJS.ErrnoException) => this.onConnError(slot, error));
          // Bytes of whole answers: what the flood check does not count.
          (client as unknown as RunningClient).on('response', (_status: number, resBytes: number) => { this.answeredBytes += resBytes; });
          // Rebuilds the connection's first request at once: the warm-up (see setup).
          client.setRequests([{
            setupRequest: (request) => this.setup(slot, request),
            onResponse: (status, body) => this.onResponse(slot, status, body),
          }]);
        },
      }, () => resolve());
    });
    return warmed;
  }

  /**
   * autocannon asks for the connection's next request: the warm-up (its first, built before the
   * socket exists), the order this slot holds (again, after a reconnect), or the client's next
   * order, corked until due; once the stream has ended, a parked request that never leaves.
   */
  private setup(slot: Slot, request: autocannon.Request): autocannon.Request {
    const socket = socketOf(slot.client);
    if (socket === undefined) return this.fill(request, this.warmUp);
    const previous = slot.current;
    if (slot.dead) {
      socket.cork();
      return this.fill(request, this.warmUp);
    }
    if (previous !== null && previous.sentNs !== 0) {
      // Sent and asked for again: the connection failed or timed out before the answer.
      this.lost++;
      slot.current = null;
      // It may or may not have taken effect: its order's reports cannot be judged any more.
      slot.checker.forget(previous.symbolId, previous.clientOrderId);
      this.problem(`requests lost to a connection error or no answer within ${this.options.requestTimeoutS ?? HTTP_ORDER_DRIVER_DEFAULTS.requestTimeoutS} s`);
      this.lostInFlight(slot, previous);
      if (slot.dead) {
        socket.cork();
        return this.fill(request, this.warmUp);
      }
    }
    if (slot.warming) return this.fill(request, this.warmUp);
    this.clearTimer(slot);
    if (slot.current === null && !this.stopped) this.take(slot);
    const order = slot.current;
    if (order === null) {
      socket.cork();
      slot.done = true;
      this.checkFinished();
      return this.fill(request, this.warmUp);
    }
    if (this.started() && this.clock() >= this.intendedNs(order)) {
      this.sentNow(order);
    } else {
      socket.cork();
      // Before time 0 the order waits corked; run() starts its timer.
      if (this.started()) this.hold(slot, order, socket);
    }
    return this.fill(request, order);
  }

  private fill(request: autocannon.Request, r: { readonly method: autocannon.Request['method']; readonly path: string; readonly body: string }): autocannon.Request {
    request.method = r.method;
    request.path = `${this.basePath}${r.path}`;
    request.body = r.body;
    // Fresh headers every time: autocannon 9 writes Content-Length into the headers object it is
    // given and carries it into the next build, which would give a DELETE the previous POST's length.
    // A mapping's own headers (docs/HTTP_MAPPING.md) go on every request, and may set the content type.
    const own = this.options.mapping?.headers ?? {};
    const typed = r.body !== '' && !Object.keys(own).some((name) => name.toLowerCase() === 'content-type');
    request.headers = { ...(typed ? { 'content-type': 'application/json' } : {}), ...own };
    return request;
  }

  private started(): boolean {
    return !Number.isNaN(this.runStartNs);
  }

  private intendedNs(order: Request): number {
    return this.runStartNs + order.intendedMs * 1e6;
  }

  /** Takes the client's next order as its current request (the flow reuses its object: copied here). */
  private take(slot: Slot): void {
    const o = slot.flow.next();
    if (o === null) return;
    this.tally.generatedIn(o.phaseIndex);
    const r = slot.mapped === undefined ? httpOrderRequest(o, slot.clientId) : slot.mapped.request(o);
    if (typeof r === 'string') {
      // The engine cannot take it (docs/HTTP_MAPPING.md): counted in the result, and the next one taken.
      this.skipped.set(r, (this.skipped.get(r) ?? 0) + 1);
      this.take(slot);
      return;
    }
    slot.checker.sent(o, slot.flow.count - 1);
    slot.current = { kind: o.kind, symbolId: o.symbolId, clientOrderId: o.clientOrderId, intendedMs: o.intendedMs, sentNs: 0,
      method: r.method, path: r.path, body: r.body, price: o.price, quantity: o.quantity };
  }

  /** Uncorks at the intended time: a timer to about 1 ms before, then setImmediate until due (never early). */
  private hold(slot: Slot, order: Request, socket: net.Socket): void {
    const check = (): void => {
      slot.timer = undefined;
      if (this.stopped || slot.current !== order || socket.destroyed) return;
      const waitMs = (this.intendedNs(order) - this.clock()) / 1e6;
      if (waitMs > 1.5) slot.timer = setTimeout(check, waitMs - 1);
      else if (waitMs > 0) slot.timer = setImmediate(check);
      else {
        socket.uncork();
        this.sentNow(order);
      }
    };
    check();
  }

  private sentNow(order: Request): void {
    const sentNs = this.clock();
    order.sentNs = sentNs;
    this.tally.sentAt(order.kind, (sentNs - this.runStartNs) / 1e6, sentNs - this.intendedNs(order));
  }

  private clearTimer(slot: Slot): void {
    if (slot.timer === undefined) return;
    clearTimeout(slot.timer as NodeJS.Timeout);
    clearImmediate(slot.timer as NodeJS.Immediate);
    slot.timer = undefined;
  }

  private onResponse(slot: Slot, status: number, body: string): void {
    if (slot.warming) {
      slot.warming = false;
      if (this.slots.every((s) => !s.warming)) this.warmed?.();
      return;
    }
    const request = slot.current;
    if (request === null || request.sentNs === 0) return; // a parked request's answer (not an order)
    slot.current = null;
    const receivedNs = this.clock();
    const atMs = (receivedNs - this.runStartNs) / 1e6;
    this.tally.answeredAt(request.kind, atMs, receivedNs - this.intendedNs(request), receivedNs - request.sentNs);
    if (slot.mapped !== undefined) this.countMapped(slot.mapped, request, status, body, atMs, receivedNs, slot.checker);
    else this.count(request, status, body, atMs, receivedNs, slot.checker);
  }

  /** Counts a mapped engine's answer (docs/HTTP_MAPPING.md): accepted/replaced/cancelled, a reject or busy (a reject with its reason), or a problem. */
  private countMapped(mapped: MappedHttpSession, request: Request, status: number, body: string, atMs: number, receivedNs: number,
    checker: SessionReportChecker): void {
    const a = mapped.answer(request, status, body, checker);
    if (a.outcome === 'error') { this.problem(a.message); return; }
    if (a.outcome === 'rejected' || a.outcome === 'busy') { this.tally.rejectedFor(a.reason); return; }
    // Without a fills list, an answer that says something traded counts as one fill.
    const fills = a.fills?.length ?? ((a.filledQuantity ?? 0) > 0 ? 1 : 0);
    this.tally.fills += fills;
    if (fills > 0) this.tally.filledAt(atMs, receivedNs - this.intendedNs(request), receivedNs - request.sentNs);
    if (a.outcome === 'accepted') this.tally.acked++;
    else if (a.outcome === 'replaced') this.tally.replaced++;
    else this.tally.canceled++;
  }

  /** Counts the answer's outcome (docs/HTTP.md): 200 accepted/replaced/cancelled, 422 reject, 503 busy; else a problem. */
  private count(request: Request, status: number, body: string, atMs: number, receivedNs: number, checker: SessionReportChecker): void {
    let answer: { outcome?: unknown; reason?: unknown; fills?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) answer = parsed as typeof answer;
    } catch {
      answer = undefined;
    }
    if (answer === undefined) {
      this.problem(`answers with HTTP ${status} and a body that is not a JSON object`);
      checker.forget(request.symbolId, request.clientOrderId);
      return;
    }
    checkHttpAnswer(checker, request, status, answer);
    if (status === 200) {
      const fills = Array.isArray(answer.fills) ? answer.fills.length : 0;
      this.tally.fills += fills;
      if (fills > 0) {
        // The answer shows the order traded on arrival: its first fill reached the client with it.
        this.tally.filledAt(atMs, receivedNs - this.intendedNs(request), receivedNs - request.sentNs);
      }
      switch (answer.outcome) {
        case 'accepted': this.tally.acked++; return;
        case 'replaced': this.tally.replaced++; return;
        case 'cancelled': this.tally.canceled++; return;
        default: this.problem(`HTTP 200 answers with an unknown outcome ${JSON.stringify(answer.outcome)}`); return;
      }
    }
    if (status === 422 || (status === 503 && answer.reason === 'EngineBusy')) {
      this.tally.rejectedFor(typeof answer.reason === 'string' ? answer.reason : `HTTP ${status}`);
      return;
    }
    const errors = Array.isArray((answer as { errors?: unknown }).errors) ? (answer as { errors: unknown[] }).errors : [];
    this.problem(`answers with HTTP ${status}${errors.length > 0 ? ` (e.g. ${String(errors[0]).slice(0, 120)})` : ''}`);
  }

  private problem(kind: string): void {
    this.problems.set(kind, (this.problems.get(kind) ?? 0) + 1);
  }

  private checkFinished(): void {
    if (this.finished === undefined) return;
    if (this.slots.every((s) => s.done || s.dead || s.client === undefined)) this.finished();
  }

  /** The request in flight on `slot` was lost (its connection closed or timed out): the engine failed the client. */
  private lostInFlight(slot: Slot, request: Request): void {
    if (!this.started() || this.stopped) return;
    const waitedMs = (this.clock() - request.sentNs) / 1e6;
    const timeoutS = this.options.requestTimeoutS ?? HTTP_ORDER_DRIVER_DEFAULTS.requestTimeoutS;
    const what = `client ${slot.index}: ${request.method} ${request.path}`;
    // autocannon reconnects and asks again both after a close and after its request timeout.
    if (waitedMs >= timeoutS * 1000 * 0.9) {
      this.watch.unresponsive(waitedMs, `${what} got no answer within the ${timeoutS} s request timeout`);
      this.kill(slot, 'a request unanswered too long');
    } else {
      this.watch.connectionLost(this.atMs(), `${what} was in flight when the connection closed`);
      this.kill(slot, 'the connection closed with a request in flight');
    }
  }

  private onConnError(slot: Slot, error: NodeJS.ErrnoException): void {
    if (!this.started() || this.stopped || slot.dead) return;
    this.watch.connectionLost(this.atMs(), `client ${slot.index}: ${error.code ?? error.message} on reconnecting to ${this.options.url}`);
    this.kill(slot, `the connection failed (${error.code ?? error.message})`);
  }

  /** The watchdog: a request unanswered too long ends its client's load; bytes nobody asked for end the run. */
  private readonly look = (): void => {
    const nowNs = this.clock();
    if (this.watch.floodCheck(nowNs, this.bytesReceived() - this.answeredBytes, this.tally.sent,
      () => `${this.slots.length} connections; bytes outside whole answers`)) {
      for (const slot of this.slots) this.kill(slot, 'a flood from the engine');
    }
    for (const slot of this.slots) {
      const r = slot.current;
      if (slot.dead || r === null || r.sentNs === 0) continue;
      const waitedMs = (nowNs - r.sentNs) / 1e6;
      if (!this.watch.overdue(waitedMs)) continue;
      this.watch.unresponsive(waitedMs, `client ${slot.index}'s ${r.method} ${r.path} has waited ${(waitedMs / 1000).toFixed(1)} s for its answer ` +
        '(the connection stayed open)');
      this.kill(slot, 'a request unanswered too long');
    }
  };

  /** Every byte the engine sent to the clients so far, answers included. */
  private bytesReceived(): number {
    let sum = 0;
    for (const slot of this.slots) {
      const socket = socketOf(slot.client);
      if (socket !== slot.socket) {
        slot.bytesBefore += slot.socket?.bytesRead ?? 0;
        slot.socket = socket;
      }
      sum += slot.bytesBefore + (socket?.bytesRead ?? 0);
    }
    return sum;
  }

  /** The client sends no more: its connection closes (after the current autocannon call returns) and the run may end. */
  private kill(slot: Slot, why: string): void {
    if (slot.dead) return;
    slot.dead = true;
    this.problem(`clients stopped by the engine's failure: ${why}`);
    this.clearTimer(slot);
    const client = slot.client;
    setImmediate(() => (client as unknown as RunningClient | undefined)?.destroy());
    this.checkFinished();
  }

  private atMs(): number {
    return (this.clock() - this.runStartNs) / 1e6;
  }

  private async drain(): Promise<void> {
    const limitMs = this.stopped ? 500 : (this.options.drainTimeoutMs ?? HTTP_ORDER_DRIVER_DEFAULTS.drainTimeoutMs);
    const until = performance.now() + limitMs;
    while (performance.now() < until && this.slots.some((s) => !s.dead && s.current !== null && s.current.sentNs !== 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private result(): DriverResult {
    const streamHashes: Record<number, string> = {};
    for (const s of this.slots) streamHashes[s.index] = s.flow.streamHash();
    const unanswered = this.lost + this.slots.filter((s) => s.current !== null && s.current.sentNs !== 0).length;
    const errors = [...this.problems].map(([kind, n]) => `http: ${n} ${kind}`);
    const open = unanswered - this.lost;
    if (open > 0) errors.push(`http: ${open} requests unanswered when the run ended`);
    const mapping = this.options.mapping;
    if (mapping !== undefined) for (const [why, n] of this.skipped) errors.push(`http mapping ${mapping.name}: ${n} generated ${SKIP_TEXT[why](mapping)}`);
    const measured = this.tally.result({ streamHashes, unanswered, errors });
    const rejectedAll = TargetWatch.rejectedEverything(this.tally.answered, measured.rejected, measured.rejectsByReason);
    if (rejectedAll !== undefined) this.watch.fail(rejectedAll);
    const failure = this.watch.failure;
    return { ...measured, sessionCheck: this.sessionLog.summary(),
      ...(failure === undefined ? {} : { errors: [failure, ...errors], targetFailure: failure }) };
  }
}
