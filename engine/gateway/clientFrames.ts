/**
 * Frames a client or subscriber sends, built from a few fields, for tests of the gateway
 * sessions. Every builder takes the frame's `sequence` first; the other fields have plain defaults.
 */

import { LogoutReason, OrderType, Side, TimeInForce } from '../protocol/codes.js';
import { encode } from '../protocol/encode.js';
import {
  MessageType,
  type CancelMessage,
  type Message,
  type NewOrderMessage,
  type ReplaceMessage,
  type SnapshotRequestMessage,
} from '../protocol/messages.js';

/** `timestampNs` of every built frame unless given: an hour on the client's clock. */
export const CLIENT_TIMESTAMP_NS = 3_600_000_000_000;

/** LOGIN. */
export function login(sequence: number, clientId = 42, heartbeatIntervalMs = 1_000): Message {
  return { type: MessageType.Login, symbolId: 0, sequence, timestampNs: CLIENT_TIMESTAMP_NS, clientId, heartbeatIntervalMs };
}

/** HEARTBEAT. */
export function heartbeat(sequence: number): Message {
  return { type: MessageType.Heartbeat, symbolId: 0, sequence, timestampNs: CLIENT_TIMESTAMP_NS };
}

/** LOGOUT, UserRequested unless told. */
export function logout(sequence: number, reason: number = LogoutReason.UserRequested): Message {
  return { type: MessageType.Logout, symbolId: 0, sequence, timestampNs: CLIENT_TIMESTAMP_NS, reason };
}

/** NEW_ORDER: buy 300 at 10025 limit GTC on symbol 3 unless told. */
export function newOrder(sequence: number, fields: Partial<Omit<NewOrderMessage, 'type' | 'sequence'>> = {}): NewOrderMessage {
  return {
    type: MessageType.NewOrder,
    symbolId: 3,
    sequence,
    timestampNs: CLIENT_TIMESTAMP_NS + sequence,
    clientOrderId: 1000 + sequence,
    price: 10_025,
    quantity: 300,
    side: Side.Buy,
    orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC,
    ...fields,
  };
}

/** CANCEL of client order id 1001 on symbol 3 unless told. */
export function cancel(sequence: number, fields: Partial<Omit<CancelMessage, 'type' | 'sequence'>> = {}): CancelMessage {
  return { type: MessageType.Cancel, symbolId: 3, sequence, timestampNs: CLIENT_TIMESTAMP_NS + sequence, clientOrderId: 1001, ...fields };
}

/** REPLACE of client order id 1001 on symbol 3 to 250 at 10020 unless told. */
export function replace(sequence: number, fields: Partial<Omit<ReplaceMessage, 'type' | 'sequence'>> = {}): ReplaceMessage {
  return {
    type: MessageType.Replace,
    symbolId: 3,
    sequence,
    timestampNs: CLIENT_TIMESTAMP_NS + sequence,
    clientOrderId: 1001,
    price: 10_020,
    quantity: 250,
    ...fields,
  };
}

/** SNAPSHOT_REQUEST for 5 levels of symbol 3 unless told. */
export function snapshotRequest(sequence: number, fields: Partial<Omit<SnapshotRequestMessage, 'type' | 'sequence'>> = {}): SnapshotRequestMessage {
  return { type: MessageType.SnapshotRequest, symbolId: 3, sequence, timestampNs: CLIENT_TIMESTAMP_NS + sequence, levels: 5, ...fields };
}

/** The frames of `messages`, back to back in one new array. */
export function framesOf(...messages: Message[]): Uint8Array {
  const frames = messages.map((m) => encode(m));
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const frame of frames) {
    bytes.set(frame, at);
    at += frame.length;
  }
  return bytes;
}
