import type { Command } from '../book/Command.js';
import type { SessionErrorReason } from '../protocol/codes.js';
import { decode } from '../protocol/decode.js';
import { FRAME_LENGTH_LIMIT, messageLayout } from '../protocol/messageLayouts.js';
import type { Message } from '../protocol/messages.js';
import type { MarketDataOutput } from './MarketDataSession.js';
import type { OrderEntryOutput } from './OrderEntrySession.js';

/** A snapshot request as a {@link MarketDataOutput} receives it. */
export interface RecordedSnapshotRequest {
  readonly symbolId: number;
  readonly levels: number;
}

/**
 * An output for either kind of session that decodes every frame it is sent and records every
 * call, for tests. A frame that does not decode throws from `send`, failing the test.
 */
export class RecordingOutput implements OrderEntryOutput, MarketDataOutput {
  /** Every frame sent, decoded, in order. */
  readonly frames: Message[] = [];
  readonly commands: Command[] = [];
  readonly snapshotRequests: RecordedSnapshotRequest[] = [];
  /** The reasons given to `close`, in order (a session closes once). */
  readonly closes: string[] = [];
  /** Client ids given to `loggedIn`. */
  readonly logins: number[] = [];
  /** Every call in order, as `send LOGIN_ACK` (the wire name), `command`, `snapshotRequest`, `close`, `admit`, `loggedIn`. */
  readonly calls: string[] = [];
  /** Frames sent after `close`: must stay 0. */
  sendsAfterClose = 0;
  /** What `admit` answers; undefined lets every LOGIN in. */
  refuseLoginWith: SessionErrorReason | undefined;

  send(frame: Buffer): void {
    if (this.closes.length > 0) this.sendsAfterClose++;
    const message = decode(frame, 0, FRAME_LENGTH_LIMIT);
    if (frame.length !== (frame[0]! | (frame[1]! << 8))) throw new Error(`send got ${frame.length} bytes for one frame of ${frame[0]! | (frame[1]! << 8)}`);
    this.frames.push(message);
    this.calls.push(`send ${messageLayout(message.type)?.name ?? message.type}`);
  }

  close(reason: string): void {
    this.closes.push(reason);
    this.calls.push('close');
  }

  admit(): SessionErrorReason | undefined {
    this.calls.push('admit');
    return this.refuseLoginWith;
  }

  loggedIn(clientId: number): void {
    this.logins.push(clientId);
    this.calls.push('loggedIn');
  }

  command(command: Command): void {
    this.commands.push(command);
    this.calls.push('command');
  }

  snapshotRequest(symbolId: number, levels: number): void {
    this.snapshotRequests.push({ symbolId, levels });
    this.calls.push('snapshotRequest');
  }

  /** The last frame sent. */
  get lastFrame(): Message | undefined {
    return this.frames[this.frames.length - 1];
  }
}
