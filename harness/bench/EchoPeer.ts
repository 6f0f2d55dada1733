/**
 * The machine's floor for the engine benchmark's round trip: a trivial order-entry peer that
 * answers each request at once, with no matcher, no ring and no worker thread behind it.
 *
 * ```
 *  load worker (engineBench.worker.ts)              main thread of the bench (where the engine's runs)
 *  EngineBenchConnection × connections ── TCP ──► EchoPeer: net server on 127.0.0.1
 *                                                   data ─► FrameReader (the one codec: length, CRC)
 *                                                        ─► LOGIN      → LOGIN_ACK (60 s heartbeats)
 *                                                           NEW_ORDER  → ACK       (echoes its timestamp)
 *                                                           CANCEL     → CANCELED User (echoes its timestamp)
 *                                                           LOGOUT     → LOGOUT, close
 *                                                        ─► one socket.write per chunk read
 * ```
 * It speaks just enough of docs/PROTOCOL.md for OrderEntryClient: sequenced frames, one answer
 * per request, LOGOUT. It keeps no book, so its answers are not consistent with one (an IOC is
 * only acknowledged, a CANCELED says 0 lots were canceled): the benchmark skips the book and
 * belief checks against it. It grants the protocol's longest heartbeat interval so that neither
 * side needs heartbeats in a run of seconds; a client's HEARTBEAT, REPLACE and anything else is
 * read and ignored. No checks of the client's frames (sequence, login state) either: it measures
 * what Node, the codec and loopback TCP cost on this machine, nothing more.
 */
import net from 'node:net';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import { CancelReason, LogoutReason } from '../../engine/protocol/codes.js';
import { encodeStampedInto, type UnstampedMessage } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { MIN_FRAME_LENGTH, messageLayout } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type AckMessage, type CanceledMessage } from '../../engine/protocol/messages.js';

/** The heartbeat interval the peer grants, ms: the protocol's longest (docs/PROTOCOL.md, LOGIN). */
export const ECHO_PEER_HEARTBEAT_MS = 60_000;

/** Longest answer the peer sends, bytes (CANCELED). */
const LONGEST_ANSWER_BYTES = Math.max(...[MessageType.LoginAck, MessageType.Ack, MessageType.Canceled, MessageType.Logout]
  .map((type) => messageLayout(type)?.frameLength ?? 0));

/** One connection's outbound state. */
interface PeerSession {
  /** Sequence of the next frame the peer sends (order entry: every frame consumes one, LOGIN_ACK is 1). */
  sequence: number;
}

/**
 * A trivial order-entry peer on 127.0.0.1 (see the module comment). Start it with
 * {@link EchoPeer.listen}; it runs on the event loop of the thread that started it.
 */
export class EchoPeer {
  /** Requests (NEW_ORDER and CANCEL) answered so far, over every connection. */
  answered = 0;
  private readonly sockets = new Set<net.Socket>();
  private nextSessionId = 1;
  // One answer object per type, overwritten per request (messages.ts allows it).
  private readonly ack: Omit<AckMessage, 'sequence' | 'timestampNs'> = { type: MessageType.Ack, symbolId: 0, clientOrderId: 0, orderId: 0,
    echoTimestampNs: 0 };
  private readonly canceled: Omit<CanceledMessage, 'sequence' | 'timestampNs'> = { type: MessageType.Canceled, symbolId: 0,
    clientOrderId: 0, orderId: 0, canceledQuantity: 0, echoTimestampNs: 0, reason: CancelReason.User };

  private constructor(private readonly server: net.Server) {}

  /** Starts listening on 127.0.0.1, on a free port. */
  static async listen(): Promise<EchoPeer> {
    const server = net.createServer();
    const peer = new EchoPeer(server);
    server.on('connection', (socket) => peer.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return peer;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Stops listening and closes every connection still open. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    const reader = new FrameReader();
    const session: PeerSession = { sequence: 1 };
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      // At most one answer per whole frame in the chunk, plus one for a frame that began in an earlier chunk.
      const out = Buffer.allocUnsafe((Math.floor(chunk.length / MIN_FRAME_LENGTH) + 1) * LONGEST_ANSWER_BYTES);
      const nowNs = monotonicNowNs();
      let used = 0;
      let loggedOut = false;
      const answer = (message: UnstampedMessage): void => {
        used += encodeStampedInto(message, session.sequence++, nowNs, out, used);
      };
      try {
        for (let m = reader.next(); m !== undefined; m = reader.next()) {
          if (m.type === MessageType.NewOrder || m.type === MessageType.Cancel) {
            // ACK or CANCELED User: the same fields from the request, echoing its timestamp.
            const a = m.type === MessageType.NewOrder ? this.ack : this.canceled;
            a.symbolId = m.symbolId;
            a.clientOrderId = m.clientOrderId;
            a.orderId = m.clientOrderId;
            a.echoTimestampNs = m.timestampNs;
            answer(a);
            this.answered++;
          } else if (m.type === MessageType.Login) {
            answer({ type: MessageType.LoginAck, symbolId: 0, sessionId: this.nextSessionId++, heartbeatIntervalMs: ECHO_PEER_HEARTBEAT_MS });
          } else if (m.type === MessageType.Logout) {
            answer({ type: MessageType.Logout, symbolId: 0, reason: LogoutReason.UserRequested });
            loggedOut = true;
            break;
          }
        }
      } catch {
        // A bad frame from the client: a trivial peer just hangs up (the client reports the lost connection).
        socket.destroy();
        return;
      }
      if (used > 0) socket.write(out.subarray(0, used));
      if (loggedOut) socket.end();
    });
  }
}
