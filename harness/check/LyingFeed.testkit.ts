import net from 'node:net';
import type { Matcher } from '../../engine/book/Matcher.js';
import type { MarketDataSink } from '../../engine/EngineCore.js';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import { Side } from '../../engine/protocol/codes.js';
import { encodeStamped, type UnstampedMessage } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { MessageType, type SnapshotLevel } from '../../engine/protocol/messages.js';

/** What the feed gets wrong, once. */
export type FeedLie =
  /** Nothing: a correct (if minimal) feed. */
  | 'none'
  /** After the first LEVEL_UPDATE, a LEVEL_UPDATE for a bid level that does not exist (at the symbol's lowest price, quantity 1). */
  | 'phantom-level'
  /** The first BOOK_SNAPSHOT with an ask gets a bid at the best ask's price in front: a crossed book. */
  | 'crossed-snapshot';

/** Most levels per side in a snapshot (well under what fits a 4,096-byte frame). */
const SNAPSHOT_LEVELS = 80;

/**
 * A market-data channel for {@link LyingEngine} (pass it as `feed`): every subscriber gets LOGIN_ACK
 * (60 s heartbeats), then TRADE, LEVEL_UPDATE and QUOTE of the engine's matcher numbered by one feed
 * sequence, and BOOK_SNAPSHOT of the matcher's book on SNAPSHOT_REQUEST; it tells one planted lie.
 * No feed heartbeats, no checks of the subscriber's frames. Listens on 127.0.0.1 only.
 */
export class LyingFeed implements MarketDataSink {
  private readonly subscribers = new Set<net.Socket>();
  private feedSequence = 0;
  private matcher: Matcher | undefined;
  private lied = false;

  private constructor(private readonly server: net.Server, readonly lie: FeedLie, private readonly lowestPrice: number) {}

  /** Starts listening on 127.0.0.1, on a free port. `lowestPrice`: the phantom level's price (the symbols' lowest). */
  static async listen(lie: FeedLie, lowestPrice: number): Promise<LyingFeed> {
    const server = net.createServer();
    const feed = new LyingFeed(server, lie, lowestPrice);
    server.on('connection', (socket) => feed.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return feed;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get hasLied(): boolean {
    return this.lied;
  }

  /** The matcher whose books the snapshots show (LyingEngine attaches its own). */
  attach(matcher: Matcher): void {
    this.matcher = matcher;
  }

  async close(): Promise<void> {
    for (const socket of this.subscribers) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  trade(symbolId: number, tradeId: number, price: number, quantity: number, aggressorSide: number): void {
    this.publish({ type: MessageType.Trade, symbolId, tradeId, price, quantity, aggressorSide });
  }

  levelUpdate(symbolId: number, side: number, price: number, quantity: number, orderCount: number): void {
    this.publish({ type: MessageType.LevelUpdate, symbolId, side, price, quantity, orderCount });
    if (this.lie === 'phantom-level' && !this.lied) {
      this.lied = true;
      this.publish({ type: MessageType.LevelUpdate, symbolId, side: Side.Buy, price: this.lowestPrice, quantity: 1, orderCount: 1 });
    }
  }

  quote(symbolId: number, bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): void {
    this.publish({ type: MessageType.Quote, symbolId, bidPrice, bidQuantity, askPrice, askQuantity });
  }

  flush(): void {}

  private publish(message: UnstampedMessage): void {
    const frame = encodeStamped(message, ++this.feedSequence, monotonicNowNs());
    for (const socket of this.subscribers) socket.write(frame);
  }

  private serve(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => this.subscribers.delete(socket));
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let m = reader.next(); m !== undefined; m = reader.next()) {
        if (m.type === MessageType.Login) {
          this.subscribers.add(socket);
          socket.write(encodeStamped({ type: MessageType.LoginAck, symbolId: 0, sessionId: 1, heartbeatIntervalMs: 60_000 }, this.feedSequence,
            monotonicNowNs()));
        } else if (m.type === MessageType.SnapshotRequest) {
          socket.write(encodeStamped({ type: MessageType.BookSnapshot, symbolId: m.symbolId, ...this.snapshot(m.symbolId) }, this.feedSequence,
            monotonicNowNs()));
        }
      }
    });
  }

  private snapshot(symbolId: number): { bids: SnapshotLevel[]; asks: SnapshotLevel[] } {
    const state = this.matcher?.book(symbolId)?.state();
    const levels = (side: readonly { price: number; quantity: number; orderCount: number }[]): SnapshotLevel[] =>
      side.slice(0, SNAPSHOT_LEVELS).map((l) => ({ price: l.price, quantity: l.quantity, orderCount: l.orderCount }));
    const bids = levels(state?.bids ?? []);
    const asks = levels(state?.asks ?? []);
    const ask = asks[0];
    if (this.lie === 'crossed-snapshot' && !this.lied && ask !== undefined) {
      this.lied = true;
      bids.unshift({ price: ask.price, quantity: 1, orderCount: 1 });
    }
    return { bids, asks };
  }
}
