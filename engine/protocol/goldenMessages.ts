/**
 * One fixed example per message type (two for BOOK_SNAPSHOT), told as one small story on symbol 3.
 * docs/PROTOCOL.md shows their encoded bytes as golden hex dumps; the tests decode those dumps
 * back to these values, so an engine written in any language can check its codec against them.
 */

import { CancelReason, Liquidity, LogoutReason, OrderType, RejectReason, SessionErrorReason, Side, TimeInForce } from './codes.js';
import { MessageType, type Message } from './messages.js';

/** An example message and what it shows. */
export interface GoldenMessage {
  /** Heading in the doc: the wire name, plus a qualifier when a type has two examples. */
  readonly label: string;
  /** One sentence for the doc. */
  readonly caption: string;
  readonly message: Message;
}

const SYMBOL = 3;
/** About an hour after the sender's clock epoch, in ns. */
const CLIENT_NS = 3_600_000_000_000;
const ENGINE_NS = 3_600_000_250_000;
const ORDER_SENT_NS = CLIENT_NS + 1_000_000;

/** The examples, in type-code order. */
export const goldenMessages: readonly GoldenMessage[] = [
  {
    label: 'LOGIN',
    caption: 'Client 42 logs in and asks for a 1 s heartbeat interval.',
    message: { type: MessageType.Login, symbolId: 0, sequence: 1, timestampNs: CLIENT_NS, clientId: 42, heartbeatIntervalMs: 1000 },
  },
  {
    label: 'LOGIN_ACK',
    caption: 'The engine opens session 7 and accepts the interval.',
    message: { type: MessageType.LoginAck, symbolId: 0, sequence: 1, timestampNs: ENGINE_NS, sessionId: 7, heartbeatIntervalMs: 1000 },
  },
  {
    label: 'HEARTBEAT',
    caption: 'The client has sent nothing for one interval.',
    message: { type: MessageType.Heartbeat, symbolId: 0, sequence: 9, timestampNs: CLIENT_NS + 9_000_000_000 },
  },
  {
    label: 'LOGOUT',
    caption: 'The client ends the session.',
    message: { type: MessageType.Logout, symbolId: 0, sequence: 10, timestampNs: CLIENT_NS + 9_500_000_000, reason: LogoutReason.UserRequested },
  },
  {
    label: 'SESSION_ERROR',
    caption: 'The engine received sequence 12 where 11 was due, and closes.',
    message: {
      type: MessageType.SessionError,
      symbolId: 0,
      sequence: 11,
      timestampNs: ENGINE_NS + 9_000_000_000,
      reason: SessionErrorReason.SequenceGap,
      refSequence: 12,
    },
  },
  {
    label: 'NEW_ORDER',
    caption: 'Buy 300 at 10025, limit, good till cancel.',
    message: {
      type: MessageType.NewOrder,
      symbolId: SYMBOL,
      sequence: 2,
      timestampNs: ORDER_SENT_NS,
      clientOrderId: 1001,
      price: 10_025,
      quantity: 300,
      side: Side.Buy,
      orderType: OrderType.Limit,
      timeInForce: TimeInForce.GTC,
    },
  },
  {
    label: 'CANCEL',
    caption: 'Cancel what is left of order 1001.',
    message: { type: MessageType.Cancel, symbolId: SYMBOL, sequence: 5, timestampNs: ORDER_SENT_NS + 3_000_000, clientOrderId: 1001 },
  },
  {
    label: 'REPLACE',
    caption: 'Move order 1001 to 10020 with 250 open.',
    message: {
      type: MessageType.Replace,
      symbolId: SYMBOL,
      sequence: 4,
      timestampNs: ORDER_SENT_NS + 2_000_000,
      clientOrderId: 1001,
      price: 10_020,
      quantity: 250,
    },
  },
  {
    label: 'ACK',
    caption: 'The engine accepts order 1001 as order 880001 and echoes the NEW_ORDER timestamp.',
    message: {
      type: MessageType.Ack,
      symbolId: SYMBOL,
      sequence: 2,
      timestampNs: ENGINE_NS + 1_000_000,
      clientOrderId: 1001,
      orderId: 880_001,
      echoTimestampNs: ORDER_SENT_NS,
    },
  },
  {
    label: 'REJECT',
    caption: 'A NEW_ORDER with client order id 1002 had a price off the tick.',
    message: {
      type: MessageType.Reject,
      symbolId: SYMBOL,
      sequence: 6,
      timestampNs: ENGINE_NS + 4_000_000,
      clientOrderId: 1002,
      echoTimestampNs: ORDER_SENT_NS + 4_000_000,
      reason: RejectReason.PriceOffTick,
      refMessageType: MessageType.NewOrder,
    },
  },
  {
    label: 'FILL',
    caption: 'Order 1001 takes 100 at 10025 in trade 52001; 200 remain open.',
    message: {
      type: MessageType.Fill,
      symbolId: SYMBOL,
      sequence: 3,
      timestampNs: ENGINE_NS + 1_000_500,
      clientOrderId: 1001,
      orderId: 880_001,
      tradeId: 52_001,
      price: 10_025,
      quantity: 100,
      leavesQuantity: 200,
      echoTimestampNs: ORDER_SENT_NS,
      side: Side.Buy,
      liquidity: Liquidity.Taker,
    },
  },
  {
    label: 'CANCELED',
    caption: 'The CANCEL removed the 250 still open.',
    message: {
      type: MessageType.Canceled,
      symbolId: SYMBOL,
      sequence: 5,
      timestampNs: ENGINE_NS + 3_000_000,
      clientOrderId: 1001,
      orderId: 880_001,
      canceledQuantity: 250,
      echoTimestampNs: ORDER_SENT_NS + 3_000_000,
      reason: CancelReason.User,
    },
  },
  {
    label: 'REPLACED',
    caption: 'The REPLACE took effect: 250 open at 10020.',
    message: {
      type: MessageType.Replaced,
      symbolId: SYMBOL,
      sequence: 4,
      timestampNs: ENGINE_NS + 2_000_000,
      clientOrderId: 1001,
      orderId: 880_001,
      price: 10_020,
      leavesQuantity: 250,
      echoTimestampNs: ORDER_SENT_NS + 2_000_000,
    },
  },
  {
    label: 'TRADE',
    caption: 'Trade 52001 on the feed: 100 at 10025, the buyer was the aggressor.',
    message: {
      type: MessageType.Trade,
      symbolId: SYMBOL,
      sequence: 1201,
      timestampNs: ENGINE_NS + 1_000_600,
      tradeId: 52_001,
      price: 10_025,
      quantity: 100,
      aggressorSide: Side.Buy,
    },
  },
  {
    label: 'LEVEL_UPDATE',
    caption: 'The ask level at 10025 now holds 400 in 3 orders.',
    message: {
      type: MessageType.LevelUpdate,
      symbolId: SYMBOL,
      sequence: 1202,
      timestampNs: ENGINE_NS + 1_000_600,
      price: 10_025,
      quantity: 400,
      orderCount: 3,
      side: Side.Sell,
    },
  },
  {
    label: 'QUOTE',
    caption: 'Best bid 250 at 10020, best ask 400 at 10025.',
    message: {
      type: MessageType.Quote,
      symbolId: SYMBOL,
      sequence: 1203,
      timestampNs: ENGINE_NS + 2_000_100,
      bidPrice: 10_020,
      bidQuantity: 250,
      askPrice: 10_025,
      askQuantity: 400,
    },
  },
  {
    label: 'FEED_HEARTBEAT',
    caption: 'A quiet feed; the last feed sequence was 1203.',
    message: { type: MessageType.FeedHeartbeat, symbolId: 0, sequence: 1203, timestampNs: ENGINE_NS + 3_000_000_000 },
  },
  {
    label: 'SNAPSHOT_REQUEST',
    caption: 'A subscriber asks for the top 5 levels per side of symbol 3.',
    message: { type: MessageType.SnapshotRequest, symbolId: SYMBOL, sequence: 2, timestampNs: CLIENT_NS + 5_000_000, levels: 5 },
  },
  {
    label: 'BOOK_SNAPSHOT',
    caption: 'Symbol 3 as of feed sequence 1203: two bid levels, two ask levels.',
    message: {
      type: MessageType.BookSnapshot,
      symbolId: SYMBOL,
      sequence: 1203,
      timestampNs: ENGINE_NS + 5_000_000,
      bids: [
        { price: 10_020, quantity: 250, orderCount: 1 },
        { price: 10_015, quantity: 1_200, orderCount: 4 },
      ],
      asks: [
        { price: 10_025, quantity: 400, orderCount: 3 },
        { price: 10_030, quantity: 75, orderCount: 1 },
      ],
    },
  },
  {
    label: 'BOOK_SNAPSHOT (empty book)',
    caption: 'Symbol 4 has no orders: the shortest snapshot, as of feed sequence 1203.',
    message: { type: MessageType.BookSnapshot, symbolId: 4, sequence: 1203, timestampNs: ENGINE_NS + 5_000_000, bids: [], asks: [] },
  },
];
