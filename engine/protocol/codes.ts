/**
 * Numeric codes shared by the wire protocol (docs/PROTOCOL.md) and the matcher.
 *
 * They are plain `const` objects rather than TypeScript enums so that the values are
 * ordinary numbers on the hot path and the names can be listed (docs, error messages).
 */

/** Order side. */
export const Side = { Buy: 1, Sell: 2 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/** Order type. A market order carries price 0. */
export const OrderType = { Limit: 1, Market: 2 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/** Time in force. */
export const TimeInForce = {
  /** Good till cancel: the remainder rests on the book. */
  GTC: 1,
  /** Immediate or cancel: the remainder is canceled. */
  IOC: 2,
  /** Fill or kill: fills completely at once or has no effect at all. */
  FOK: 3,
} as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** Maker or taker, on a FILL. */
export const Liquidity = { Maker: 1, Taker: 2 } as const;
export type Liquidity = (typeof Liquidity)[keyof typeof Liquidity];

/**
 * Why a well-formed request was refused (REJECT). The session stays up.
 * Checks run in the order listed in docs/PROTOCOL.md; the first failing one is reported.
 */
export const RejectReason = {
  UnknownSymbol: 1,
  InvalidSide: 2,
  InvalidOrderType: 3,
  InvalidTimeInForce: 4,
  /** Limit price not positive, or a market order whose price is not 0. */
  InvalidPrice: 5,
  PriceOffTick: 6,
  PriceOutsideBand: 7,
  /** Quantity 0. */
  InvalidQuantity: 8,
  QuantityAboveMax: 9,
  /** price x quantity is beyond Number.MAX_SAFE_INTEGER. */
  NotionalOverflow: 10,
  /** A live order of this session already uses the client order id. */
  DuplicateClientOrderId: 11,
  /** Cancel or replace of an order that is unknown or already finished. */
  UnknownOrder: 12,
  /** The engine's inbound ring is full (issue 3); try again later. */
  EngineBusy: 13,
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** Why an order (or the rest of it) was canceled. */
export const CancelReason = {
  /** The owner sent CANCEL. */
  User: 1,
  /** The unfilled remainder of an IOC order. */
  IocRemainder: 2,
  /** A FOK order that could not be filled completely; it had no effect. */
  FokNotFillable: 3,
  /** The unfilled remainder of a market order. */
  NoLiquidity: 4,
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

/** Why a session is being closed (SESSION_ERROR). The sender closes the connection after sending it. */
export const SessionErrorReason = {
  UnsupportedVersion: 1,
  /** Length field below the smallest frame, or not the exact length of the message type. */
  LengthMismatch: 2,
  /** Length field above the maximum frame length. */
  FrameTooLarge: 3,
  UnknownMessageType: 4,
  ChecksumMismatch: 5,
  /** The frame's sequence number is not exactly one more than the previous one (gap or repeat). */
  SequenceGap: 6,
  /** A 64-bit field outside the safe-integer range, or a reserved field that is not zero. */
  ValueOutOfRange: 7,
  /** A request before LOGIN. */
  NotLoggedIn: 8,
  /** No LOGIN within 2 s of connecting. */
  LoginTimeout: 9,
  /** A second LOGIN on a logged-in session. */
  DuplicateLogin: 10,
  /** Nothing received for the negotiated heartbeat timeout. */
  HeartbeatTimeout: 11,
  RateLimitExceeded: 12,
  /** The peer did not read what it was sent. */
  SlowConsumer: 13,
  TooManyConnections: 14,
  /** A message type that this side or this channel never accepts. */
  UnexpectedMessage: 15,
  /** LOGIN the engine does not accept: heartbeat interval out of range, or clientId already logged in elsewhere. */
  InvalidLogin: 16,
} as const;
export type SessionErrorReason = (typeof SessionErrorReason)[keyof typeof SessionErrorReason];

/** Why a session ends normally (LOGOUT). */
export const LogoutReason = { UserRequested: 1, Shutdown: 2 } as const;
export type LogoutReason = (typeof LogoutReason)[keyof typeof LogoutReason];

/** The name of a code in one of the tables above, for messages and logs (`RejectReason.PriceOffTick` → "PriceOffTick"). */
export function codeName(table: Readonly<Record<string, number>>, code: number): string {
  for (const [name, value] of Object.entries(table)) if (value === code) return name;
  return `unknown(${code})`;
}
