import net from 'node:net';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType } from '../../engine/protocol/messages.js';

/**
 * A deliberately broken order-entry server, for tests that prove the fuzzer catches a bad engine.
 * It reads frames by their length field alone: it never checks the CRC, the version, the
 * sequence, reserved bytes or a field's range, logs in anyone, ACKs every NEW_ORDER, answers
 * LOGOUT, and silently drops everything else. A length below 28 makes it hang up without a word.
 * Listens on 127.0.0.1 only.
 */
export class SloppyEngine {
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  /** Starts listening on 127.0.0.1, on a free port. */
  static async listen(): Promise<SloppyEngine> {
    const server = net.createServer();
    const engine = new SloppyEngine(server);
    server.on('connection', (socket) => engine.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return engine;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let sequence = 1;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16LE(0);
        if (length < 28) {
          socket.destroy();
          return;
        }
        if (buffered.length < length) return;
        const frame = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        const header = { symbolId: frame.readUInt32LE(4), sequence: sequence, timestampNs: 1 };
        switch (frame[3]) {
          case MessageType.Login:
            sequence++;
            socket.write(encode({ type: MessageType.LoginAck, ...header, symbolId: 0, sessionId: 1, heartbeatIntervalMs: 60_000 }));
            break;
          case MessageType.NewOrder:
            sequence++;
            socket.write(encode({ type: MessageType.Ack, ...header, clientOrderId: Number(frame.readBigUInt64LE(24) & 0xf_ffff_ffffn),
              orderId: sequence, echoTimestampNs: 0 }));
            break;
          case MessageType.Logout:
            socket.end(encode({ type: MessageType.Logout, ...header, symbolId: 0, reason: 1 }));
            return;
          default:
            break;
        }
      }
    });
  }
}
