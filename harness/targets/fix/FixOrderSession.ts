import { AsciiSession, MsgType, type IJsFixConfig, type MsgView } from './fixRuntime.js';
import type { ILooseObject } from './fixRuntime.js';

/** What a {@link FixOrderSession} reports to its driver. */
export interface FixOrderSessionEvents {
  /** The engine answered the Logon: orders may go. */
  readonly onReady: () => void;
  /** An application message (ExecutionReport, OrderCancelReject, BusinessMessageReject …); the view is valid only during the call. */
  readonly onApplication: (msgType: string, view: MsgView) => void;
  /** A session-level Reject (35=3) of one of our messages. */
  readonly onSessionReject: (view: MsgView) => void;
  /** The session ended: logged out (error undefined), or the connection or protocol failed. */
  readonly onStopped: (error: Error | undefined) => void;
}

/**
 * One FIX order-entry session as an initiator: jspurefix runs the session layer (Logon, Heartbeat
 * and TestRequest, sequence numbers, ResendRequest, SequenceReset, Logout); this class only hands
 * the driver what the engine says and sends what the driver asks.
 */
export class FixOrderSession extends AsciiSession {
  /** Messages of any kind received from the engine (heartbeats included). */
  received = 0;
  heartbeats = 0;

  constructor(config: IJsFixConfig, private readonly events: FixOrderSessionEvents) {
    super(config);
  }

  /** Sends an application message; calls back with the MsgSeqNum it went out under (for Reject's RefSeqNum), or an error. */
  sendApplication(msgType: string, body: ILooseObject, sent: (error: Error | null, msgSeqNum: number) => void): void {
    this.send(msgType, body, (error, result) => sent(error, Number(result.header?.['MsgSeqNum'] ?? 0)));
  }

  /** Logs out (Logout, waits for the engine's), or stops at once when not logged on. */
  logout(): void {
    this.done();
  }

  protected override onMsg(msgType: string, view: MsgView): void {
    this.received++;
    if (msgType === MsgType.Heartbeat) this.heartbeats++;
    super.onMsg(msgType, view);
  }

  protected override onSessionMsg(msgType: string, view: MsgView): void {
    super.onSessionMsg(msgType, view);
    if (msgType === MsgType.Reject) this.events.onSessionReject(view);
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    this.events.onApplication(msgType, view);
  }

  protected onReady(): void {
    this.events.onReady();
  }

  protected onStopped(error?: Error): void {
    this.events.onStopped(error);
  }

  protected onLogon(): boolean {
    return true;
  }

  protected onDecoded(): void {}

  protected onEncoded(): void {}
}
