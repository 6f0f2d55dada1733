import { CommandKind } from '../../../engine/book/Command.js';
import { monotonicNowNs, type NsClock } from '../../../engine/gateway/monotonicNowNs.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { fieldTypeRange } from '../../feeds/layoutBytes.js';
import { ClientFlow } from '../../generate/ClientFlow.js';
import type { FlowOrder } from '../../generate/FlowOrder.js';
import type { DriverResult } from '../../run/RequestTally.js';
import type { Scenario } from '../../scenario/Scenario.js';
import { MainThreadOrderDriver, type MainThreadSession, type SentRequest } from '../MainThreadOrderDriver.js';
import { SoupClient, type SoupCloseReason } from './SoupClient.js';
import { SoupMessageCodec, type SoupValues } from './SoupMessageCodec.js';
import { SoupReportCheck } from './SoupReportCheck.js';
import type { SoupMessage, SoupMessageSet } from './SoupMessageSet.js';

/** Why the message set cannot carry every order of the scenario: symbol names, prices or quantities too wide for their fields. */
export function scenarioMisfits(set: SoupMessageSet, scenario: Scenario): string[] {
  const out: string[] = [];
  const symbol = set.enterOrder.byRole.symbol;
  const longest = `${scenario.symbols.namePrefix}${scenario.symbols.count}`;
  if (symbol?.type === 'alpha' && longest.length > symbol.sizeBytes) out.push(`symbol "${longest}" does not fit ${symbol.name}'s ${symbol.sizeBytes} bytes`);
  if (symbol?.binary !== undefined && symbol.binary !== null && scenario.symbols.count > fieldTypeRange(symbol.binary.type).max) {
    out.push(`symbol id ${scenario.symbols.count} does not fit ${symbol.name}'s ${symbol.sizeBytes} bytes`);
  }
  for (const m of [set.enterOrder, set.replaceOrder]) {
    const price = m?.byRole.price;
    const quantity = m?.byRole.quantity;
    if (price?.binary != null && scenario.symbols.maxPrice > fieldTypeRange(price.binary.type).max) {
      out.push(`maxPrice ${scenario.symbols.maxPrice} does not fit ${m?.name}.${price.name}'s ${price.sizeBytes} bytes`);
    }
    if (quantity?.binary != null && scenario.symbols.maxQuantity > fieldTypeRange(quantity.binary.type).max) {
      out.push(`maxQuantity ${scenario.symbols.maxQuantity} does not fit ${m?.name}.${quantity.name}'s ${quantity.sizeBytes} bytes`);
    }
  }
  return out;
}

/** Options of {@link SoupOrderDriver.connect}; each documents its default. */
export interface SoupOrderDriverOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly host: string;
  readonly port: number;
  readonly messageSet: SoupMessageSet;
  /** SoupBinTCP username (≤ 6 characters), the same for every session. Default 'mb'. */
  readonly username?: string;
  /** SoupBinTCP password (≤ 10 characters). Default ''. */
  readonly password?: string;
  /** Global client indexes to drive; default all, 0 … clients.orderEntry − 1. */
  readonly clientIndexes?: readonly number[];
  /** How long to wait for answers after the last send, ms. Default 2,000. */
  readonly drainTimeoutMs?: number;
  /** Requests waiting this long with no answer to any of them end the run: the engine is unresponsive, ms. Default 5,000. */
  readonly unresponsiveAfterMs?: number;
  /** SoupBinTCP heartbeat interval and dead-peer silence, ms. Defaults 1,000 and 15,000 (SoupBinTCP 3.00). */
  readonly heartbeatIntervalMs?: number;
  readonly peerTimeoutMs?: number;
  /** Longest wait for each session's connection and login, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Most send times kept for the arrival check (the first ones). Default 2,000,000. */
  readonly maxSendSamples?: number;
}

export const SOUP_ORDER_DRIVER_DEFAULTS = {
  username: 'mb', password: '', drainTimeoutMs: 2_000, unresponsiveAfterMs: 5_000, connectTimeoutMs: 5_000, maxSendSamples: 2_000_000,
} as const;

/** A request on the wire, waiting for its answer. */
interface Pending extends SentRequest {
  readonly clientOrderId: number;
  /** A replace: the token the order had before (restored if the replace is rejected). */
  readonly previousToken: string;
}

interface Session extends MainThreadSession {
  connection: SoupClient;
  /** Unique per session: the next token is its decimal text. */
  nextToken: number;
  /**
   * The flow's order id → the token the engine knows it by now. Kept when the order ends (its later
   * cancel goes out and is rejected, as over the binary protocol); one entry per order of the run.
   */
  readonly tokens: Map<number, string>;
  /** Requests waiting per token, oldest first (an enter and then its cancel may both wait on one token). */
  readonly pending: Map<string, Pending[]>;
  pendingCount: number;
  /** Feeds the session's answers to its checker (`checker` is its SessionReportChecker). */
  readonly check: SoupReportCheck;
}

/** Which answers end which request. */
const ANSWERS: Readonly<Record<CommandKind, readonly string[]>> = {
  [CommandKind.NewOrder]: ['accepted', 'rejected'],
  [CommandKind.Cancel]: ['canceled', 'rejected'],
  [CommandKind.Replace]: ['replaced', 'rejected'],
};

const TIF_NAMES: Readonly<Record<number, string>> = { [TimeInForce.GTC]: 'gtc', [TimeInForce.IOC]: 'ioc', [TimeInForce.FOK]: 'fok' };

/**
 * Drives the scenario's order-entry clients over SoupBinTCP 3.00 with an OUCH-style message set
 * (docs/SOUP.md), one session per client, in the open workload model like the TCP
 * OrderEntryDriver: each order leaves at its intended time whether or not earlier ones were
 * answered, and its answer is recorded from the intended time (corrected) and from the send.
 * Runs on the calling thread (one timer per session, see MainThreadOrderDriver): SoupBinTCP targets
 * are external engines driven at rates one event loop sustains; send_lag shows when it does not.
 *
 * ```
 *  ClientFlow i ─► session i timer ─► SoupMessageCodec.encode (token = session counter) ─► SoupClient ─ 'U' ─► engine
 *  RequestTally ◄── answer matched by token (accepted/rejected/canceled/replaced; executed → fills) ◄─ 'S' ──┘
 *  watchdog: requests waiting with no answer for unresponsiveAfterMs ─► the run ends, "engine unresponsive"
 *  session closed (peer closed, End of Session, silent, protocol) ─► the run ends, "connection lost at t"
 * ```
 *
 * A run that ends early this way still returns what was measured, with {@link DriverResult.targetFailure}
 * saying why; unanswered requests count as `unanswered`. No request waits longer than the drain
 * timeout after the last send, so a target that never answers cannot hang the harness.
 */
export class SoupOrderDriver extends MainThreadOrderDriver<Session> {
  private readonly codec: SoupMessageCodec;

  private constructor(private readonly options: SoupOrderDriverOptions, clock: NsClock) {
    super({ label: 'soup', phaseCount: options.scenario.phases.length, clock,
      maxSendSamples: options.maxSendSamples ?? SOUP_ORDER_DRIVER_DEFAULTS.maxSendSamples,
      drainTimeoutMs: options.drainTimeoutMs ?? SOUP_ORDER_DRIVER_DEFAULTS.drainTimeoutMs,
      unresponsiveAfterMs: options.unresponsiveAfterMs ?? SOUP_ORDER_DRIVER_DEFAULTS.unresponsiveAfterMs });
    this.codec = new SoupMessageCodec(options.messageSet, 'fromEngine');
  }

  /**
   * Logs every session in. Rejects with a TargetError when the engine cannot be reached, rejects
   * the login or does not speak SoupBinTCP; a RangeError when the message set cannot carry the
   * scenario (a symbol name longer than the symbol field).
   */
  static async connect(options: SoupOrderDriverOptions): Promise<SoupOrderDriver> {
    const driver = new SoupOrderDriver(options, monotonicNowNs);
    const { scenario, seed } = options;
    const misfits = scenarioMisfits(options.messageSet, scenario);
    if (misfits.length > 0) throw new RangeError(`message set ${options.messageSet.name} cannot carry scenario ${scenario.name}: ${misfits.join('; ')}`);
    const shared = ClientFlow.shared(scenario, seed);
    try {
      for (const index of options.clientIndexes ?? Array.from({ length: scenario.clients.orderEntry }, (_, i) => i)) {
        let session: Session | undefined;
        const connection = await SoupClient.connect({
          host: options.host, port: options.port, username: options.username ?? SOUP_ORDER_DRIVER_DEFAULTS.username,
          password: options.password ?? SOUP_ORDER_DRIVER_DEFAULTS.password, clock: driver.clock,
          connectTimeoutMs: options.connectTimeoutMs ?? SOUP_ORDER_DRIVER_DEFAULTS.connectTimeoutMs,
          maxPayloadBytes: options.messageSet.maxFromEngineBytes,
          ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
          ...(options.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: options.peerTimeoutMs }),
          onMessage: (payload, receivedNs) => { if (session !== undefined) driver.onMessage(session, payload, receivedNs); },
          onClose: (reason) => { if (session !== undefined) driver.onClose(session, reason); },
        });
        const check = new SoupReportCheck(index, driver.sessionLog);
        session = { index, flow: new ClientFlow(scenario, seed, index, { shared }), connection, timer: undefined, next: null, nextToken: 1,
          tokens: new Map(), pending: new Map(), pendingCount: 0, waitingSinceNs: 0, heartbeatsAtWait: 0, lastAckedKey: '',
          lastAckedIntendedNs: 0, lastAckedSentNs: 0, done: false, check, checker: check.checker };
        driver.sessions.push(session);
      }
    } catch (error) {
      for (const s of driver.sessions) s.connection.destroy();
      throw error;
    }
    return driver;
  }

  protected override isActive(s: Session): boolean {
    return s.connection.active;
  }

  protected override waiting(s: Session): number {
    return s.pendingCount;
  }

  protected override heartbeats(s: Session): number {
    return s.connection.heartbeats;
  }

  protected override sessionName(s: Session): string {
    return String(s.index);
  }

  protected override stayedUp(beats: number): string {
    return ` while the connection stayed up (${beats} server heartbeats in that time)`;
  }

  protected override async endSessions(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.connection.logout().catch(() => undefined)));
  }

  protected override destroy(s: Session): void {
    s.connection.destroy();
  }

  protected override endedCleanly(s: Session): boolean {
    return s.connection.closeReason?.kind === 'logged-out';
  }

  protected override send(s: Session, o: FlowOrder): void {
    const c = s.connection;
    if (!c.active) return;
    if (c.backpressured) {
      this.tally.backpressured++;
      return;
    }
    const set = this.options.messageSet;
    let packet: Uint8Array;
    let key: string;
    let previousToken = '';
    if (o.kind === CommandKind.NewOrder) {
      const timeInForce = TIF_NAMES[o.timeInForce] ?? 'gtc';
      const tifField = set.enterOrder.byRole.timeInForce;
      if (tifField !== undefined && !tifField.codes.has(timeInForce)) {
        this.problem(`${timeInForce.toUpperCase()} orders not sent: message set ${set.name} has no timeInForce code for ${timeInForce}`);
        return;
      }
      key = String(s.nextToken++);
      const market = o.orderType === OrderType.Market;
      const values: SoupValues = { token: key, side: o.side === Side.Buy ? 'buy' : 'sell', quantity: o.quantity,
        price: market ? set.enterOrder.byRole.price?.marketValue ?? 0 : o.price, timeInForce,
        // FOK: all of it at once or nothing (OUCH 4.2 has no FOK code: IOC with this minimum).
        minimumQuantity: timeInForce === 'fok' ? o.quantity : 0,
        symbol: set.enterOrder.byRole.symbol?.type === 'alpha' ? `${this.options.scenario.symbols.namePrefix}${o.symbolId}` : o.symbolId };
      const encoded = this.encode(set.enterOrder, values);
      if (encoded === undefined) return;
      packet = encoded;
      // Only a GTC limit order can be canceled or replaced later (ClientFlow's cancels and replaces
      // target its own live GTC orders), so only those are kept, and only until their cancel.
      if (!market && o.timeInForce === TimeInForce.GTC) s.tokens.set(o.clientOrderId, key);
    } else {
      const token = s.tokens.get(o.clientOrderId);
      if (token === undefined) {
        this.problem('cancels or replaces not sent: their order was never sent');
        return;
      }
      if (o.kind === CommandKind.Cancel) {
        key = token;
        const encoded = this.encode(set.cancelOrder, { token, quantity: 0 });
        if (encoded === undefined) return;
        packet = encoded;
        // The flow forgets an order it cancels: nothing will name it again (a long run would keep every order otherwise).
        s.tokens.delete(o.clientOrderId);
      } else {
        if (set.replaceOrder === null) {
          this.problem(`replaces not sent: message set ${set.name} has no replaceOrder message`);
          return;
        }
        key = String(s.nextToken++);
        previousToken = token;
        const encoded = this.encode(set.replaceOrder, { token, newToken: key, quantity: o.quantity, price: o.price });
        if (encoded === undefined) return;
        packet = encoded;
        // The engine takes requests in order: once it has replaced, the order goes by the new token (restored on a reject).
        s.tokens.set(o.clientOrderId, key);
      }
    }
    const sentNs = c.send(packet);
    const queue = s.pending.get(key);
    const p: Pending = { kind: o.kind, clientOrderId: o.clientOrderId, intendedNs: this.intendedNs(o), sentNs, previousToken };
    if (queue === undefined) s.pending.set(key, [p]);
    else queue.push(p);
    s.pendingCount++;
    s.check.sent(key, o);
    this.sent(s, o, sentNs);
  }

  private onMessage(s: Session, payload: Uint8Array, receivedNs: number): void {
    const decoded = this.codec.decode(payload);
    if (!decoded.ok) {
      this.problem(`messages from the engine not understood (e.g. ${decoded.problem})`);
      return;
    }
    const { message, values } = decoded;
    const role = message.role;
    if (role === 'other') return;
    const token = String(values.token ?? '');
    if (role === 'executed') {
      s.check.message(message, values, null);
      this.executed(s, token, receivedNs);
      return;
    }
    const queue = s.pending.get(token);
    const request = queue?.[0];
    if (queue === undefined || request === undefined || !ANSWERS[request.kind].includes(role)) {
      // Not an answer: a cancel of an IOC remainder or the engine's own.
      s.check.message(message, values, null);
      return;
    }
    s.check.message(message, values, request.kind);
    queue.shift();
    if (queue.length === 0) s.pending.delete(token);
    s.pendingCount--;
    this.answered(s, request, receivedNs);
    if (role === 'rejected') {
      const reason = typeof values.reason === 'string' ? values.reason : values.reason === undefined ? message.name : `code ${values.reason}`;
      this.rejectedFor(request.kind, reason);
      if (request.kind === CommandKind.Replace && s.tokens.get(request.clientOrderId) === token) {
        s.tokens.set(request.clientOrderId, request.previousToken);
        s.check.replaceRefused(token, request.previousToken);
      }
      return;
    }
    switch (role) {
      case 'accepted':
        this.accepted(s, request, token, receivedNs);
        return;
      case 'canceled':
        this.tally.canceled++;
        return;
      case 'replaced':
        this.tally.replaced++;
        return;
      default:
        this.problem(`a ${role} message answered a ${request.kind === CommandKind.NewOrder ? 'new order' : 'request'}`);
    }
  }

  /** The packet, or undefined (counted) when a value does not fit its field: an order the set cannot carry is not sent. */
  private encode(m: SoupMessage, values: SoupValues): Uint8Array | undefined {
    try {
      return this.codec.encode(m, values);
    } catch (error) {
      this.problem(`requests not sent: a value did not fit the message set (e.g. ${(error as Error).message})`);
      return undefined;
    }
  }

  private onClose(s: Session, reason: SoupCloseReason): void {
    if (reason.kind === 'logged-out' || reason.kind === 'destroyed') return;
    const atS = ((reason.atNs - this.runStartNs) / 1e9).toFixed(3);
    const waiting = this.unansweredNow();
    const what = reason.kind === 'peer-silent' ? `engine unresponsive after ${((this.options.peerTimeoutMs ?? 15_000) / 1000).toFixed(1)} s`
      : reason.kind === 'protocol' ? `protocol error at ${atS} s` : `connection lost at ${atS} s`;
    if (!Number.isNaN(this.runStartNs)) {
      this.fail(`soup: ${what} (session ${s.index}: ${reason.detail}); ${waiting} requests unanswered`);
    } else {
      this.fail(`soup: ${what.replace(/ at .*/, '')} before the run started (session ${s.index}: ${reason.detail})`);
    }
  }
}
