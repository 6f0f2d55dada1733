import { CommandKind } from '../../engine/book/Command.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { RejectReason } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { OrderEntryClient } from '../clients/OrderEntryClient.js';
import type { ClientFlow } from '../generate/ClientFlow.js';
import type { FlowOrder } from '../generate/FlowOrder.js';

/** What happened to a NEW_ORDER, as its session saw it. */
export type NewOrderFate = 'sent' | 'acknowledged' | 'rejected' | 'busy';

/** A NEW_ORDER the session sent, with the engine process (epoch) it went to. */
export interface SentOrder {
  readonly epoch: number;
  fate: NewOrderFate;
}

/**
 * One order-entry session of a chaos run, across engine restarts: its seeded order stream (a
 * {@link ClientFlow}, client order ids 1, 2, … never reused across restarts), one
 * {@link OrderEntryClient} per engine process (epoch), and everything it was told, per epoch.
 *
 * The engine answers only on the connection the request came in on, so a kill ends an epoch: what
 * was sent and not yet answered is in doubt (in the journal or not), and reports of that epoch
 * that never arrived are gone for good (the restarted engine does not repeat them).
 */
export class ChaosSession {
  /** Reports received, per epoch, in arrival order (REJECT EngineBusy included). */
  readonly reports: ExecutionReport[][] = [];
  /** Every NEW_ORDER sent, by client order id. */
  readonly newOrders = new Map<number, SentOrder>();
  private client: OrderEntryClient | undefined;
  private pending: FlowOrder | null;
  private epoch = -1;
  /** Requests sent, by CommandKind. */
  readonly sent = { newOrders: 0, cancels: 0, replaces: 0 };

  constructor(readonly clientId: number, private readonly flow: ClientFlow) {
    this.pending = flow.next();
  }

  /** True once the stream has ended. */
  get done(): boolean {
    return this.pending === null;
  }

  /** Connects to the engine of a new epoch (LOGIN); resolves once logged in. */
  async connect(port: number, epoch: number): Promise<void> {
    this.epoch = epoch;
    this.reports[epoch] = [];
    const received = this.reports[epoch];
    this.client = await OrderEntryClient.connect({
      port, clientId: this.clientId, heartbeatIntervalMs: 1_000,
      onReport: (report) => {
        received.push(report);
        if (report.type === MessageType.Ack || report.type === MessageType.Reject) {
          const order = this.newOrders.get(report.clientOrderId);
          if (order === undefined || order.epoch !== epoch || order.fate !== 'sent') return;
          if (report.type === MessageType.Ack) order.fate = 'acknowledged';
          else if (report.refMessageType === MessageType.NewOrder) order.fate = report.reason === RejectReason.EngineBusy ? 'busy' : 'rejected';
        }
      },
    });
  }

  /** Sends every order of the stream due by `nowMs` (scenario time); false if the session is not logged in. */
  sendDue(nowMs: number): boolean {
    const client = this.client;
    if (client === undefined || !client.active) return false;
    for (let o = this.pending; o !== null && o.intendedMs <= nowMs; o = this.pending = this.flow.next()) {
      if (o.kind === CommandKind.NewOrder) {
        client.newOrder({ symbolId: o.symbolId, clientOrderId: o.clientOrderId, side: o.side, orderType: o.orderType,
          timeInForce: o.timeInForce, price: o.price, quantity: o.quantity });
        this.newOrders.set(o.clientOrderId, { epoch: this.epoch, fate: 'sent' });
        this.sent.newOrders++;
      } else if (o.kind === CommandKind.Cancel) {
        client.cancel({ symbolId: o.symbolId, clientOrderId: o.clientOrderId });
        this.sent.cancels++;
      } else {
        client.replace({ symbolId: o.symbolId, clientOrderId: o.clientOrderId, price: o.price, quantity: o.quantity });
        this.sent.replaces++;
      }
    }
    return true;
  }

  /** Why the current connection ended, if it has (undefined while logged in). */
  get closeDetail(): string | undefined {
    return this.client?.closeReason?.detail;
  }

  /** NEW_ORDERs of the current epoch still without ACK or REJECT. */
  get unanswered(): number {
    let n = 0;
    for (const order of this.newOrders.values()) if (order.epoch === this.epoch && order.fate === 'sent') n++;
    return n;
  }

  /** Resolves once the session has ended (the engine's LOGOUT at a clean stop, or a lost connection). */
  async closed(): Promise<void> {
    await this.client?.closed;
  }

  /** Drops the connection without LOGOUT (after the engine was killed). */
  drop(): void {
    this.client?.destroy();
  }
}
