/**
 * The echo peer against the harness's own order-entry client: a session opens, each request gets
 * exactly one answer echoing its timestamp, and LOGOUT ends the session cleanly.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { CancelReason, OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { OrderEntryClient } from '../clients/OrderEntryClient.js';
import { ECHO_PEER_HEARTBEAT_MS, EchoPeer } from './EchoPeer.js';

/** Resolves once `reports` holds `count` reports, polling every 5 ms for at most 2 s. */
async function until(reports: readonly ExecutionReport[], count: number): Promise<void> {
  for (let i = 0; i < 400 && reports.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('EchoPeer', () => {
  let peer: EchoPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it('answers LOGIN, each NEW_ORDER with an ACK and each CANCEL with a CANCELED User, echoing the timestamps, and LOGOUT', async () => {
    peer = await EchoPeer.listen();
    const reports: ExecutionReport[] = [];
    const client = await OrderEntryClient.connect({ port: peer.port, clientId: 5, onReport: (r) => reports.push(r) });
    expect(client.heartbeatIntervalMs).toBe(ECHO_PEER_HEARTBEAT_MS);
    const orderSentNs = client.newOrder({ symbolId: 3, clientOrderId: 11, side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.GTC, price: 10_000, quantity: 7 });
    const iocSentNs = client.newOrder({ symbolId: 3, clientOrderId: 12, side: Side.Sell, orderType: OrderType.Limit,
      timeInForce: TimeInForce.IOC, price: 9_990, quantity: 2 });
    await until(reports, 2);
    const cancelSentNs = client.cancel({ symbolId: 3, clientOrderId: 11 });
    await until(reports, 3);
    expect(reports).toMatchObject([
      { type: MessageType.Ack, symbolId: 3, clientOrderId: 11, echoTimestampNs: orderSentNs },
      { type: MessageType.Ack, symbolId: 3, clientOrderId: 12, echoTimestampNs: iocSentNs },
      { type: MessageType.Canceled, symbolId: 3, clientOrderId: 11, echoTimestampNs: cancelSentNs, reason: CancelReason.User },
    ]);
    expect(peer.answered).toBe(3);
    expect((await client.logout()).kind).toBe('logged-out');
    expect(client.stats.protocolErrors).toBe(0);
  });

  it('serves sessions independently, each with its own sequence numbers', async () => {
    peer = await EchoPeer.listen();
    const reports: ExecutionReport[][] = [[], []];
    const clients = await Promise.all([1, 2].map((clientId, i) => OrderEntryClient.connect({ port: peer!.port, clientId,
      onReport: (r) => reports[i]!.push(r) })));
    for (const [i, client] of clients.entries()) {
      for (let k = 1; k <= 3 + i; k++) {
        client.newOrder({ symbolId: 1, clientOrderId: k, side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC,
          price: 1, quantity: 1 });
      }
    }
    await until(reports[0]!, 3);
    await until(reports[1]!, 4);
    // A sequence gap would have ended the session with a protocol error instead.
    expect(reports.map((r) => r.map((a) => a.clientOrderId))).toEqual([[1, 2, 3], [1, 2, 3, 4]]);
    expect(clients.map((c) => c.active)).toEqual([true, true]);
    expect((await Promise.all(clients.map((c) => c.logout()))).map((r) => r.kind)).toEqual(['logged-out', 'logged-out']);
  });

  it('hangs up on a bad frame', async () => {
    peer = await EchoPeer.listen();
    const socket = net.connect({ host: '127.0.0.1', port: peer.port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.write(Buffer.alloc(40, 0xff)); // a length field of 65535: over the peer's maximum frame length
    await closed;
    expect(peer.answered).toBe(0);
  });
});
