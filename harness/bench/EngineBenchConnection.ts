/**
 * One load connection of the engine benchmark: an {@link OrderEntryClient}, its seeded share of
 * the flow, and what it believes about its own orders from the reports it gets.
 *
 *   send(intendedNs) ─► draw a request (Rng stream) ─► client.newOrder / cancel ─► pending[clientOrderId]
 *   onReport ─► response (ACK, REJECT, CANCELED User, REPLACED)? ─► check the echo, record both round trips
 *            └► ACK / FILL / CANCELED ─► own resting orders (leaves per clientOrderId)
 *
 * At most one request per clientOrderId is outstanding (a cancel targets an acknowledged order and
 * no order is canceled twice), so responses are matched by clientOrderId: the engine may answer
 * REJECT EngineBusy at once, ahead of earlier requests still in its ring, so a FIFO would not do.
 */
import type { Histogram } from 'hdr-histogram-js';
import { CancelReason, OrderType, RejectReason, Side, TimeInForce, codeName } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { OrderEntryClient, type CloseReason } from '../clients/OrderEntryClient.js';
import { Rng } from '../generate/Rng.js';
import type { BelievedOrder, EngineBenchFlow } from './engineBenchProtocol.js';

/** A request sent and not yet answered. */
interface Pending {
  readonly kind: typeof MessageType.NewOrder | typeof MessageType.Cancel;
  readonly intendedNs: number;
  readonly sentNs: number;
  readonly symbolId: number;
  readonly side: number;
  readonly quantity: number;
  readonly timeInForce: number;
}

/** One of the connection's orders that may rest on the book. */
interface OwnOrder {
  readonly symbolId: number;
  leaves: number;
  /** Index in `cancelable`, or -1 when not a cancel target (an IOC, or a cancel already sent). */
  cancelAt: number;
}

/** Where the connection records and counts; shared by the connections of one worker. */
export interface ConnectionRecorder {
  /** Round trip from the intended send time, ns. */
  readonly intended: Histogram;
  /** Round trip from the actual send time (the echoed timestamp), ns. */
  readonly service: Histogram;
  /** Whether responses are recorded now (not during a throughput run's warm-up, say). */
  recording: boolean;
  /** REJECT counts by `request type/reason name`. */
  readonly rejects: Record<string, number>;
  /** Problems found; the first few of each kind are described, the rest counted. */
  problem(kind: string, detail: string): void;
}

/** Options of an {@link EngineBenchConnection}. */
export interface EngineBenchConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly seed: number;
  readonly stream: number;
  readonly flow: EngineBenchFlow;
  /** The first recorder (see {@link EngineBenchConnection.recorder}). */
  readonly recorder: ConnectionRecorder;
  /** Ignore every n-th report (fault injection for tests); 0 never. */
  readonly dropEveryNthReport: number;
  /**
   * Check each FILL and CANCELED against the open quantity the connection believes its order has.
   * Off against a peer that keeps no book (EchoPeer); the echo and answer checks stay on.
   */
  readonly checkBeliefs: boolean;
}

/** `request type/reason name` per reason, built once per (type, reason): a string per REJECT showed in the client's profile. */
const rejectKeys = new Map<number, string>();

function rejectKey(kind: Pending['kind'], reason: number): string {
  const id = kind * 0x1_0000 + reason;
  let key = rejectKeys.get(id);
  if (key === undefined) {
    key = `${kind === MessageType.Cancel ? 'CANCEL' : 'NEW_ORDER'}/${codeName(RejectReason, reason)}`;
    rejectKeys.set(id, key);
  }
  return key;
}

export class EngineBenchConnection {
  readonly clientId: number;
  /** The run's seed (arrival-time streams derive from it too). */
  readonly seed: number;
  newOrdersSent = 0;
  cancelsSent = 0;
  completed = 0;
  private readonly rng: Rng;
  private readonly flow: EngineBenchFlow;
  private readonly checkBeliefs: boolean;
  /** Where responses are recorded and problems go: the worker swaps it per phase. */
  recorder: ConnectionRecorder;
  /** Called after each response (the throughput loop sends the next request here); the worker swaps it per phase. */
  onResponse: (connection: EngineBenchConnection, receivedNs: number) => void;
  private readonly pending = new Map<number, Pending>();
  private readonly own = new Map<number, OwnOrder>();
  /** clientOrderIds of resting GTC orders with no cancel sent: the cancel targets. */
  private readonly cancelable: number[] = [];
  private nextClientOrderId = 1;
  private reportsSeen = 0;

  private constructor(readonly client: OrderEntryClient, options: EngineBenchConnectionOptions, rng: Rng) {
    this.clientId = options.clientId;
    this.seed = options.seed;
    this.rng = rng;
    this.flow = options.flow;
    this.checkBeliefs = options.checkBeliefs;
    this.recorder = options.recorder;
    this.onResponse = () => {};
  }

  /** Connects and logs in (rejects with the client's TargetError). */
  static async open(options: EngineBenchConnectionOptions): Promise<EngineBenchConnection> {
    let self: EngineBenchConnection | undefined;
    const drop = options.dropEveryNthReport;
    const client = await OrderEntryClient.connect({
      host: options.host, port: options.port, clientId: options.clientId,
      onReport: (report, receivedNs) => {
        if (self === undefined) return;
        if (drop > 0 && ++self.reportsSeen % drop === 0) return;
        self.onReport(report, receivedNs);
      },
    });
    self = new EngineBenchConnection(client, options, Rng.stream(options.seed, options.stream));
    return self;
  }

  /** Requests sent and not answered yet. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Why the session ended, if it did. */
  get closeReason(): CloseReason | undefined {
    return this.client.closeReason;
  }

  /**
   * Draws the next request from the flow and sends it: a cancel of one of its resting orders
   * (with probability cancelFraction, when it has one), else a GTC or IOC limit order.
   *
   * @param intendedNs when the schedule meant it to go (the clock now for a closed loop).
   */
  send(intendedNs: number): void {
    const { rng, flow } = this;
    const n = this.cancelable.length;
    if (n > 0 && rng.chance(flow.cancelFraction)) {
      const clientOrderId = this.cancelable[rng.int(0, n - 1)] as number;
      const order = this.own.get(clientOrderId) as OwnOrder;
      this.removeCancelable(order);
      const sentNs = this.client.cancel({ symbolId: order.symbolId, clientOrderId });
      this.pending.set(clientOrderId, { kind: MessageType.Cancel, intendedNs, sentNs, symbolId: order.symbolId, side: 0, quantity: 0,
        timeInForce: 0 });
      this.cancelsSent++;
      return;
    }
    const symbolIds = flow.symbolIds;
    const symbolId = symbolIds.length === 1 ? symbolIds[0] as number : symbolIds[rng.int(0, symbolIds.length - 1)] as number;
    const side = rng.chance(0.5) ? Side.Buy : Side.Sell;
    const timeInForce = rng.chance(flow.iocFraction) ? TimeInForce.IOC : TimeInForce.GTC;
    const price = Math.max(1, flow.midPrice + Math.round(rng.normal(0, flow.priceSigmaTicks)));
    const quantity = rng.int(1, flow.maxQuantity);
    const clientOrderId = this.nextClientOrderId++;
    const sentNs = this.client.newOrder({ symbolId, clientOrderId, side, orderType: OrderType.Limit, timeInForce, price, quantity });
    this.pending.set(clientOrderId, { kind: MessageType.NewOrder, intendedNs, sentNs, symbolId, side, quantity, timeInForce });
    this.newOrdersSent++;
  }

  /** Every order this connection believes rests on the book, from its reports. */
  believedResting(): BelievedOrder[] {
    const out: BelievedOrder[] = [];
    for (const [clientOrderId, order] of this.own) {
      out.push({ owner: this.clientId, symbolId: order.symbolId, clientOrderId, leavesQuantity: order.leaves });
    }
    return out;
  }

  /** Describes the requests never answered (call after the drain). */
  reportUnanswered(): void {
    if (this.pending.size === 0) return;
    const first = [...this.pending.entries()].slice(0, 3).map(([id, p]) => `${p.kind === MessageType.Cancel ? 'CANCEL' : 'NEW_ORDER'} ${id}`);
    this.recorder.problem('unanswered', `client ${this.clientId}: ${this.pending.size} requests never answered (${first.join(', ')}, …)`);
  }

  private onReport(report: ExecutionReport, receivedNs: number): void {
    switch (report.type) {
      case MessageType.Ack: {
        const p = this.respond(report.clientOrderId, report.echoTimestampNs, receivedNs, MessageType.NewOrder, 'ACK');
        if (p === undefined) return;
        const order: OwnOrder = { symbolId: p.symbolId, leaves: p.quantity, cancelAt: -1 };
        this.own.set(report.clientOrderId, order);
        if (p.timeInForce === TimeInForce.GTC) this.addCancelable(report.clientOrderId, order);
        return;
      }
      case MessageType.Reject: {
        const kind = report.refMessageType === MessageType.Cancel ? MessageType.Cancel : MessageType.NewOrder;
        const p = this.respond(report.clientOrderId, report.echoTimestampNs, receivedNs, kind, 'REJECT');
        if (p === undefined) return;
        const key = rejectKey(kind, report.reason);
        this.recorder.rejects[key] = (this.recorder.rejects[key] ?? 0) + 1;
        // A cancel can lose the race against a fill that took the order's last lot; anything else is a flaw of the flow.
        if (!(kind === MessageType.Cancel && report.reason === RejectReason.UnknownOrder) && report.reason !== RejectReason.EngineBusy) {
          this.recorder.problem('reject', `client ${this.clientId}: unexpected REJECT ${key} for clientOrderId ${report.clientOrderId}`);
        }
        return;
      }
      case MessageType.Fill: {
        const order = this.own.get(report.clientOrderId);
        if (order === undefined) {
          this.recorder.problem('fill', `client ${this.clientId}: FILL for clientOrderId ${report.clientOrderId}, which it has no live order for`);
          return;
        }
        if (this.checkBeliefs && report.leavesQuantity !== order.leaves - report.quantity) {
          this.recorder.problem('leaves', `client ${this.clientId}: FILL of ${report.quantity} on clientOrderId ${report.clientOrderId} ` +
            `leaves ${report.leavesQuantity}, but ${order.leaves} were open`);
        }
        order.leaves = report.leavesQuantity;
        if (order.leaves === 0) this.forget(report.clientOrderId, order);
        return;
      }
      case MessageType.Canceled: {
        if (report.reason === CancelReason.User) {
          this.respond(report.clientOrderId, report.echoTimestampNs, receivedNs, MessageType.Cancel, 'CANCELED');
        }
        const order = this.own.get(report.clientOrderId);
        if (order === undefined) {
          this.recorder.problem('canceled', `client ${this.clientId}: CANCELED for clientOrderId ${report.clientOrderId}, which it has no live order for`);
          return;
        }
        if (this.checkBeliefs && report.canceledQuantity !== order.leaves) {
          this.recorder.problem('leaves', `client ${this.clientId}: CANCELED ${report.canceledQuantity} of clientOrderId ` +
            `${report.clientOrderId}, but ${order.leaves} were open`);
        }
        this.forget(report.clientOrderId, order);
        return;
      }
      case MessageType.Replaced:
        this.recorder.problem('replaced', `client ${this.clientId}: REPLACED for clientOrderId ${report.clientOrderId}, which it never asked for`);
        return;
    }
  }

  /** A request's answer: checks and records it, returns the request (undefined if there was none). */
  private respond(clientOrderId: number, echoTimestampNs: number, receivedNs: number, kind: Pending['kind'], what: string): Pending | undefined {
    const p = this.pending.get(clientOrderId);
    if (p === undefined || p.kind !== kind) {
      this.recorder.problem('unsolicited', `client ${this.clientId}: ${what} for clientOrderId ${clientOrderId}, which has no such request outstanding`);
      return undefined;
    }
    this.pending.delete(clientOrderId);
    if (echoTimestampNs !== p.sentNs) {
      this.recorder.problem('echo', `client ${this.clientId}: ${what} for clientOrderId ${clientOrderId} echoes ${echoTimestampNs}, ` +
        `the request carried ${p.sentNs}`);
    }
    this.completed++;
    const r = this.recorder;
    if (r.recording) {
      r.intended.recordValue(Math.max(0, receivedNs - p.intendedNs));
      r.service.recordValue(Math.max(0, receivedNs - p.sentNs));
    }
    this.onResponse(this, receivedNs);
    return p;
  }

  private addCancelable(clientOrderId: number, order: OwnOrder): void {
    order.cancelAt = this.cancelable.length;
    this.cancelable.push(clientOrderId);
  }

  private removeCancelable(order: OwnOrder): void {
    const at = order.cancelAt;
    if (at < 0) return;
    const last = this.cancelable.pop() as number;
    if (at < this.cancelable.length) {
      this.cancelable[at] = last;
      (this.own.get(last) as OwnOrder).cancelAt = at;
    }
    order.cancelAt = -1;
  }

  private forget(clientOrderId: number, order: OwnOrder): void {
    this.removeCancelable(order);
    this.own.delete(clientOrderId);
  }
}
