import { CommandKind, type Command } from '../book/Command.js';
import { RejectReason } from '../protocol/codes.js';
import {
  MessageType,
  type AckMessage,
  type CanceledMessage,
  type FillMessage,
  type HeartbeatMessage,
  type Message,
  type RejectMessage,
  type ReplacedMessage,
} from '../protocol/messages.js';
import { GatewaySession, type GatewaySessionOptions, type SessionOutput, type Unstamped } from './GatewaySession.js';

/** The messages the engine sends a client about its orders. */
export type ExecutionReport = AckMessage | RejectMessage | FillMessage | CanceledMessage | ReplacedMessage;

/** The outputs of an order-entry session: the connection, plus the way to the matcher. */
export interface OrderEntryOutput extends SessionOutput {
  /**
   * A well-formed NEW_ORDER, CANCEL or REPLACE as the matcher takes it, `owner` = the LOGIN
   * clientId, in the order the client sent them. A new object each time: the receiver may keep
   * it. Business checks (REJECT reasons) are the matcher's; if the engine's inbound ring is full,
   * answer with {@link OrderEntrySession.rejectBusy}.
   */
  command(command: Command): void;
}

/** Options of an {@link OrderEntrySession}; see {@link GatewaySessionOptions} for the rest. */
export interface OrderEntrySessionOptions extends GatewaySessionOptions {
  readonly output: OrderEntryOutput;
}

const HEARTBEAT: Unstamped<HeartbeatMessage> = { type: MessageType.Heartbeat, symbolId: 0 };

/**
 * One connection on the order-entry port: the session rules of {@link GatewaySession}, requests
 * turned into matcher {@link Command}s, and execution reports encoded for the client.
 *
 * Every frame this session sends (LOGIN_ACK, HEARTBEAT, LOGOUT, SESSION_ERROR and the reports)
 * carries the next outbound sequence, 1, 2, 3, … with no gap.
 *
 * ```
 *  client ──frames──► receive ──► checks ──► output.command(Command) ──► engine inbound ring ──► matcher
 *  client ◄──frames── output.send ◄── report(ACK/REJECT/FILL/CANCELED/REPLACED) ◄── engine (events of this owner)
 *                                 ◄── rejectBusy(command) ◄── engine (ring full)
 * ```
 */
export class OrderEntrySession extends GatewaySession {
  readonly #output: OrderEntryOutput;
  #nextOutboundSequence = 1;

  /** @throws RangeError for a bad `sessionId` or invalid limits. */
  constructor(options: OrderEntrySessionOptions) {
    super('orderEntryClient', options.output, options);
    this.#output = options.output;
  }

  /**
   * Sends an execution report (ACK, REJECT, FILL, CANCELED or REPLACED) with the next outbound
   * sequence and the clock's time. Returns false, sending nothing, unless the session is active
   * (the client logged out or was cut off before its reports came back).
   *
   * @throws ProtocolError (ValueOutOfRange) if a field does not fit its wire type; nothing is sent.
   */
  report(report: Unstamped<ExecutionReport>): boolean {
    return this.transmitWhenActive(report);
  }

  /**
   * Answers a command the engine could not queue (its inbound ring is full) with REJECT
   * EngineBusy: the request had no effect and the client may send it again. Same rules as {@link report}.
   */
  rejectBusy(command: Command): boolean {
    return this.report({
      type: MessageType.Reject,
      symbolId: command.symbolId,
      clientOrderId: command.clientOrderId,
      echoTimestampNs: command.timestampNs,
      reason: RejectReason.EngineBusy,
      refMessageType: requestTypeOf(command),
    });
  }

  protected override outboundSequence(): number {
    return this.#nextOutboundSequence;
  }

  protected override frameSent(): void {
    this.#nextOutboundSequence++;
  }

  protected override heartbeat(): Unstamped<HeartbeatMessage> {
    return HEARTBEAT;
  }

  protected override onRequest(message: Message, owner: number): void {
    const { symbolId, timestampNs } = message;
    switch (message.type) {
      case MessageType.NewOrder:
        this.#output.command({
          kind: CommandKind.NewOrder,
          symbolId,
          owner,
          clientOrderId: message.clientOrderId,
          side: message.side,
          orderType: message.orderType,
          timeInForce: message.timeInForce,
          price: message.price,
          quantity: message.quantity,
          timestampNs,
        });
        return;
      case MessageType.Cancel:
        this.#output.command({
          kind: CommandKind.Cancel,
          symbolId,
          owner,
          clientOrderId: message.clientOrderId,
          side: 0,
          orderType: 0,
          timeInForce: 0,
          price: 0,
          quantity: 0,
          timestampNs,
        });
        return;
      case MessageType.Replace:
        this.#output.command({
          kind: CommandKind.Replace,
          symbolId,
          owner,
          clientOrderId: message.clientOrderId,
          side: 0,
          orderType: 0,
          timeInForce: 0,
          price: message.price,
          quantity: message.quantity,
          timestampNs,
        });
        return;
      default:
        // GatewaySession lets through only the types the layouts list for orderEntryClient.
        throw new Error(`unreachable: order-entry request of type 0x${message.type.toString(16)}`);
    }
  }
}

/** The wire type of the request a command came from, for REJECT's `refMessageType`. */
function requestTypeOf(command: Command): number {
  switch (command.kind) {
    case CommandKind.NewOrder:
      return MessageType.NewOrder;
    case CommandKind.Cancel:
      return MessageType.Cancel;
    case CommandKind.Replace:
      return MessageType.Replace;
    default:
      throw new RangeError(`unknown command kind ${String((command as { kind: unknown }).kind)}`);
  }
}
