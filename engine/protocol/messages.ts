/**
 * The messages of the matchbench wire protocol (docs/PROTOCOL.md) as TypeScript values.
 *
 * Every message is a plain object discriminated on `type`. Fields are mutable on purpose: a hot
 * path may keep one object per message type, overwrite its fields and hand it to `encodeInto`
 * instead of allocating a message per order.
 *
 * Code fields (`side`, `orderType`, `timeInForce`, `liquidity`, every `reason`) are typed as plain
 * numbers because the codec does not validate them: a decoded frame may carry any byte there, and
 * it is the engine that answers a bad side with REJECT InvalidSide. Use the constants in
 * `codes.ts` to fill them.
 *
 * Every number is an integer. 64-bit wire fields hold safe integers only (|v| ≤ 2^53-1, and ≥ 0
 * for unsigned ones); prices are in the symbol's price units, quantities in lots.
 */

/** Message type codes, the byte at offset 3 of every frame. */
export const MessageType = {
  Login: 0x01,
  LoginAck: 0x02,
  Heartbeat: 0x03,
  Logout: 0x04,
  SessionError: 0x05,
  NewOrder: 0x10,
  Cancel: 0x11,
  Replace: 0x12,
  Ack: 0x20,
  Reject: 0x21,
  Fill: 0x22,
  Canceled: 0x23,
  Replaced: 0x24,
  Trade: 0x30,
  LevelUpdate: 0x31,
  Quote: 0x32,
  FeedHeartbeat: 0x33,
  SnapshotRequest: 0x34,
  BookSnapshot: 0x35,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The header fields every message carries besides its `type` (frame length and version are implied). */
export interface FrameHeader {
  /** Instrument the message is about; 0 on session messages. u32. */
  symbolId: number;
  /** Sequence number of the frame in its direction (docs/PROTOCOL.md, "Sequence rules"). */
  sequence: number;
  /** Sender's monotonic clock in ns; the epoch is the sender's choice, so only differences on one clock mean anything. */
  timestampNs: number;
}

/** 0x01, client or subscriber → engine: opens a session. */
export interface LoginMessage extends FrameHeader {
  type: typeof MessageType.Login;
  /** u32 chosen by the client. */
  clientId: number;
  /** Requested heartbeat interval, 100..60000 ms. u32. */
  heartbeatIntervalMs: number;
}

/** 0x02, engine → client or subscriber: the session is open. */
export interface LoginAckMessage extends FrameHeader {
  type: typeof MessageType.LoginAck;
  /** u32 assigned by the engine. */
  sessionId: number;
  /** The interval both sides use from now on, in ms. u32. */
  heartbeatIntervalMs: number;
}

/** 0x03, either side of order entry, subscriber → engine on market data: "I am alive". */
export interface HeartbeatMessage extends FrameHeader {
  type: typeof MessageType.Heartbeat;
}

/** 0x04, either side: the session ends normally. */
export interface LogoutMessage extends FrameHeader {
  type: typeof MessageType.Logout;
  /** A `LogoutReason`. u16. */
  reason: number;
}

/** 0x05, either side: the session ends because of a protocol violation; the sender closes after it. */
export interface SessionErrorMessage extends FrameHeader {
  type: typeof MessageType.SessionError;
  /** A `SessionErrorReason`. u16. */
  reason: number;
  /** Sequence of the offending frame, 0 if none or unknown. */
  refSequence: number;
}

/** 0x10, client → engine. */
export interface NewOrderMessage extends FrameHeader {
  type: typeof MessageType.NewOrder;
  clientOrderId: number;
  /** Limit price; 0 for a market order. i64. */
  price: number;
  quantity: number;
  /** A `Side`. u8. */
  side: number;
  /** An `OrderType`. u8. */
  orderType: number;
  /** A `TimeInForce`. u8. */
  timeInForce: number;
}

/** 0x11, client → engine: cancel the live order with this client order id. */
export interface CancelMessage extends FrameHeader {
  type: typeof MessageType.Cancel;
  clientOrderId: number;
}

/** 0x12, client → engine: change price and open quantity of a live order. */
export interface ReplaceMessage extends FrameHeader {
  type: typeof MessageType.Replace;
  clientOrderId: number;
  price: number;
  /** New open (leaves) quantity. */
  quantity: number;
}

/** 0x20, engine → client: the new order was accepted. */
export interface AckMessage extends FrameHeader {
  type: typeof MessageType.Ack;
  clientOrderId: number;
  orderId: number;
  echoTimestampNs: number;
}

/** 0x21, engine → client: a well-formed request was refused; the session stays up. */
export interface RejectMessage extends FrameHeader {
  type: typeof MessageType.Reject;
  clientOrderId: number;
  echoTimestampNs: number;
  /** A `RejectReason`. u16. */
  reason: number;
  /** `type` of the refused request. u8. */
  refMessageType: number;
}

/** 0x22, engine → client: (part of) an order traded. */
export interface FillMessage extends FrameHeader {
  type: typeof MessageType.Fill;
  clientOrderId: number;
  orderId: number;
  tradeId: number;
  price: number;
  quantity: number;
  leavesQuantity: number;
  echoTimestampNs: number;
  /** A `Side`. u8. */
  side: number;
  /** A `Liquidity`: 1 maker, 2 taker. u8. */
  liquidity: number;
}

/** 0x23, engine → client: the order, or what was left of it, is gone. */
export interface CanceledMessage extends FrameHeader {
  type: typeof MessageType.Canceled;
  clientOrderId: number;
  orderId: number;
  canceledQuantity: number;
  echoTimestampNs: number;
  /** A `CancelReason`. u8. */
  reason: number;
}

/** 0x24, engine → client: a REPLACE took effect. */
export interface ReplacedMessage extends FrameHeader {
  type: typeof MessageType.Replaced;
  clientOrderId: number;
  orderId: number;
  price: number;
  leavesQuantity: number;
  echoTimestampNs: number;
}

/** 0x30, engine → subscribers. */
export interface TradeMessage extends FrameHeader {
  type: typeof MessageType.Trade;
  tradeId: number;
  price: number;
  quantity: number;
  /** A `Side`: that of the incoming (taker) order. u8. */
  aggressorSide: number;
}

/** 0x31, engine → subscribers: one price level changed. */
export interface LevelUpdateMessage extends FrameHeader {
  type: typeof MessageType.LevelUpdate;
  price: number;
  /** Level total after the change; 0 removes the level. */
  quantity: number;
  /** u32. */
  orderCount: number;
  /** A `Side`. u8. */
  side: number;
}

/** 0x32, engine → subscribers: top of book. An empty side is price 0, quantity 0. */
export interface QuoteMessage extends FrameHeader {
  type: typeof MessageType.Quote;
  bidPrice: number;
  bidQuantity: number;
  askPrice: number;
  askQuantity: number;
}

/** 0x33, engine → subscribers: keeps the feed alive; its `sequence` is the last feed sequence. */
export interface FeedHeartbeatMessage extends FrameHeader {
  type: typeof MessageType.FeedHeartbeat;
}

/** 0x34, subscriber → engine: ask for a BOOK_SNAPSHOT of `symbolId`. */
export interface SnapshotRequestMessage extends FrameHeader {
  type: typeof MessageType.SnapshotRequest;
  /** Levels wanted per side; 0 asks for as many as fit in one frame. u16. */
  levels: number;
}

/** One price level of a BOOK_SNAPSHOT. */
export interface SnapshotLevel {
  price: number;
  quantity: number;
  /** u32. */
  orderCount: number;
}

/** 0x35, engine → subscriber: the book of `symbolId` as of feed sequence `sequence`. */
export interface BookSnapshotMessage extends FrameHeader {
  type: typeof MessageType.BookSnapshot;
  /** Best (highest) bid first. */
  bids: SnapshotLevel[];
  /** Best (lowest) ask first. */
  asks: SnapshotLevel[];
}

/** Any protocol message, discriminated on `type`. */
export type Message =
  | LoginMessage
  | LoginAckMessage
  | HeartbeatMessage
  | LogoutMessage
  | SessionErrorMessage
  | NewOrderMessage
  | CancelMessage
  | ReplaceMessage
  | AckMessage
  | RejectMessage
  | FillMessage
  | CanceledMessage
  | ReplacedMessage
  | TradeMessage
  | LevelUpdateMessage
  | QuoteMessage
  | FeedHeartbeatMessage
  | SnapshotRequestMessage
  | BookSnapshotMessage;

/** The message interface for one type code: `MessageOf<typeof MessageType.Fill>` is `FillMessage`. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;
