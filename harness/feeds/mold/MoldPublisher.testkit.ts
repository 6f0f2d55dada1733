/**
 * A MoldUDP64 publisher for tests of the Mold reader: numbers messages into packets, sends them
 * over UDP to 127.0.0.1 (or holds them back: the test decides what to drop, reorder or send twice),
 * sends heartbeats and the end of session, and runs a retransmission server on 127.0.0.1, port 0,
 * that answers requests from what was published — or stays silent, or ignores the first few.
 * Everything is bounded by what the test asks for; {@link MoldPublisher.close} ends it.
 */
import dgram from 'node:dgram';
import { encodeMoldEndOfSession, encodeMoldHeartbeat, encodeMoldPacket, readMoldRequest } from './moldPacket.js';

/** Options of {@link startMoldPublisher}; each documents its default. */
export interface MoldPublisherOptions {
  /** Session name, up to 10 characters. Default 'TEST000001'. */
  readonly session?: string;
  /** Where live packets go: the reader's address. */
  readonly to: { readonly host: string; readonly port: number };
  /** How the retransmission server answers: every request, none, or all after ignoring the first `ignore`. Default 'answer'. */
  readonly retransmit?: 'answer' | 'silent' | { readonly ignore: number };
  /** Messages per retransmission packet (a request for more is answered with several). Default 50. */
  readonly messagesPerPacket?: number;
  /** First sequence number of the session. Default 1. */
  readonly firstSequence?: number;
  /** The retransmission server's port on 127.0.0.1. Default 0 (any free port). */
  readonly retransmitPort?: number;
  /** When `to` is a multicast group: the local interface to send it on. Default: the system's choice. */
  readonly multicastInterface?: string;
}

export interface MoldPublisher {
  readonly session: string;
  /** The retransmission server's port on 127.0.0.1. */
  readonly retransmitPort: number;
  /** Requests received, in order. */
  readonly requests: readonly { readonly sequence: number; readonly count: number }[];
  /** The sequence the next message will get. */
  readonly nextSequence: number;
  /** Numbers `messages` as the next packet and keeps them for retransmission; returns the packet, unsent. */
  packet(messages: readonly Uint8Array[]): Uint8Array;
  /** Sends bytes (a packet from {@link packet}, or anything) to the reader. */
  send(packet: Uint8Array): Promise<void>;
  /** {@link packet} and {@link send}. */
  publish(messages: readonly Uint8Array[]): Promise<Uint8Array>;
  heartbeat(): Promise<void>;
  endOfSession(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the publisher and its retransmission server. */
export async function startMoldPublisher(options: MoldPublisherOptions): Promise<MoldPublisher> {
  const session = options.session ?? 'TEST000001';
  const perPacket = options.messagesPerPacket ?? 50;
  const first = options.firstSequence ?? 1;
  const mode = options.retransmit ?? 'answer';
  /** Every message published, by sequence − first. */
  const history: Uint8Array[] = [];
  const requests: { sequence: number; count: number }[] = [];
  const feed = dgram.createSocket('udp4');
  const server = dgram.createSocket('udp4');
  const sendFrom = (socket: dgram.Socket, bytes: Uint8Array, port: number, host: string): Promise<void> =>
    new Promise((resolve) => socket.send(bytes, port, host, () => resolve()));
  server.on('message', (bytes, from) => {
    const request = readMoldRequest(bytes);
    if (request === null) return;
    requests.push({ sequence: request.sequence, count: request.count });
    if (mode === 'silent' || (typeof mode === 'object' && requests.length <= mode.ignore)) return;
    const start = Math.max(request.sequence, first);
    const end = Math.min(request.sequence + request.count, first + history.length);
    for (let at = start; at < end; at += perPacket) {
      const messages = history.slice(at - first, Math.min(end, at + perPacket) - first);
      void sendFrom(server, encodeMoldPacket(session, at, messages), from.port, from.address);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(options.retransmitPort ?? 0, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => feed.bind(0, '127.0.0.1', resolve));
  if (options.multicastInterface !== undefined) feed.setMulticastInterface(options.multicastInterface);
  const publisher: MoldPublisher = {
    session,
    retransmitPort: server.address().port,
    requests,
    get nextSequence() {
      return first + history.length;
    },
    packet: (messages) => {
      const packet = encodeMoldPacket(session, first + history.length, messages);
      history.push(...messages);
      return packet;
    },
    send: (packet) => sendFrom(feed, packet, options.to.port, options.to.host),
    publish: async (messages) => {
      const packet = publisher.packet(messages);
      await publisher.send(packet);
      return packet;
    },
    heartbeat: () => publisher.send(encodeMoldHeartbeat(session, first + history.length)),
    endOfSession: () => publisher.send(encodeMoldEndOfSession(session, first + history.length)),
    close: async () => {
      await Promise.all([feed, server].map((s) => new Promise<void>((resolve) => {
        try {
          s.close(() => resolve());
        } catch {
          resolve();
        }
      })));
    },
  };
  return publisher;
}
