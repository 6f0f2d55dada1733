/**
 * A small feed publisher for tests of the layout feed reader: a TCP server on 127.0.0.1, port 0,
 * that runs a script per connection (stream frames, stall, close mid-frame, flood) and keeps
 * what each client sent it. Every script is bounded; {@link close} ends everything.
 */
import net from 'node:net';

/** What a script gets: the socket, and the first `bytes` the client sends (e.g. its subscribe message). */
export interface PublisherConnection {
  readonly socket: net.Socket;
  /** Resolves with the first `bytes` bytes the client sent (fewer if it closed first). */
  received(bytes: number): Promise<Buffer>;
}

export interface LayoutFeedPublisher {
  readonly port: number;
  /** Everything each connection received from its client, by connection. */
  readonly inbound: readonly Buffer[][];
  close(): Promise<void>;
}

/** Starts a publisher that runs `script` for each connection. */
export async function startLayoutFeedPublisher(script: (c: PublisherConnection) => void | Promise<void>): Promise<LayoutFeedPublisher> {
  const sockets = new Set<net.Socket>();
  const inbound: Buffer[][] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    inbound.push(chunks);
    const waiters: (() => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      for (const w of waiters.splice(0)) w();
    });
    const received = async (bytes: number): Promise<Buffer> => {
      while (Buffer.concat(chunks).length < bytes && !socket.destroyed && socket.readable) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return Buffer.concat(chunks).subarray(0, bytes);
    };
    void Promise.resolve(script({ socket, received })).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    inbound,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
