/**
 * The runner's check of the engine's own numbering on the market-data port ("Sequence rules"):
 * a tiny server on 127.0.0.1 plays a subscriber's engine and sends what each test needs.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { FuzzConnection } from './playFuzzCase.js';

let server: net.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** Connects a market-data FuzzConnection to a server that writes `frames` at once, and returns what the connection made of them. */
async function receive(frames: readonly Message[]): Promise<FuzzConnection> {
  server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(Buffer.concat(frames.map((m) => encode(m))));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const connection = await FuzzConnection.open({ host: '127.0.0.1', port: (server!.address() as net.AddressInfo).port }, 2_000, 'marketData');
  await connection.waitFor(() => connection.done, 2_000);
  connection.destroy();
  return connection;
}

const loginAck = (sequence: number): Message => ({ type: MessageType.LoginAck, symbolId: 0, sequence, timestampNs: 1, sessionId: 1, heartbeatIntervalMs: 60_000 });
const trade = (sequence: number): Message => ({ type: MessageType.Trade, symbolId: 71, sequence, timestampNs: 1, tradeId: 1, price: 100, quantity: 1, aggressorSide: 1 });
const heartbeat = (sequence: number): Message => ({ type: MessageType.FeedHeartbeat, symbolId: 0, sequence, timestampNs: 1 });

describe('FuzzConnection on market data', () => {
  it('accepts feed frames above the LOGIN_ACK\'s sequence (with a gap) and session frames carrying the last one', async () => {
    const c = await receive([loginAck(5), trade(6), heartbeat(6), trade(9), heartbeat(9)]);
    expect(c.malformed).toBeUndefined();
    expect(c.frames.map((f) => f.name)).toEqual(['LOGIN_ACK', 'TRADE', 'FEED_HEARTBEAT', 'TRADE', 'FEED_HEARTBEAT']);
  });

  it('names a feed frame that steps back, a session frame below the last feed sequence, and feed before LOGIN_ACK', async () => {
    expect((await receive([loginAck(5), trade(5)])).malformed).toBe('TRADE carries feed sequence 5, not above the last one (5)');
    expect((await receive([loginAck(5), trade(6), heartbeat(4)])).malformed).toBe('FEED_HEARTBEAT carries feed sequence 4, below the last one seen (6)');
    expect((await receive([trade(1)])).malformed).toBe('TRADE before LOGIN_ACK on market data');
  });
});
