/**
 * The fuzzer's oracle: what docs/PROTOCOL.md says an engine does with a byte stream on an
 * order-entry or market-data connection ("Decoding order", "Session rules", "REJECT check order",
 * "Client order ids", SNAPSHOT_REQUEST).
 *
 * Written from the document, not by calling the engine's decoder or `orderRules.ts`: the fuzzer
 * checks the engine against the contract, so it must not share the engine's code for the parts it
 * judges (a bug there would otherwise predict itself). It reads fields through the layout table
 * (`messageLayouts.ts`, which is what the document's tables are rendered from) and `rawFrame.ts`.
 *
 * Modelled: one connection's stream, logged in or not, with the session's live orders. Not
 * modelled (the catalogue avoids them): timers, the rate limit, EngineBusy, a clientId already
 * logged in elsewhere, and trades between sessions (semantic cases only send non-crossing buys).
 */

import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { OrderType, RejectReason, SessionErrorReason, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { crc32c } from '../../engine/protocol/crc32c.js';
import {
  CHECKSUM_LENGTH,
  MIN_FRAME_LENGTH,
  PROTOCOL_VERSION,
  SNAPSHOT_ENTRY_LENGTH,
  headerFields,
  maxSnapshotEntries,
  messageLayout,
  snapshotFrameLength,
  type FieldLayout,
} from '../../engine/protocol/messageLayouts.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { readRawField } from '../../engine/protocol/rawFrame.js';
import type { ExpectedAnswer, ExpectedOutcome, FuzzChannel } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Where the connection is when the stream starts. */
export interface StreamStart {
  /** Logged in with LOGIN sequence 1 (the case's frames start at sequence 2). */
  readonly loggedIn: boolean;
  /**
   * The port: `orderEntry` (default) or `marketData`, where the subscriber's types are LOGIN,
   * HEARTBEAT, LOGOUT, SESSION_ERROR and SNAPSHOT_REQUEST (answered with BOOK_SNAPSHOT).
   */
  readonly channel?: FuzzChannel;
}

/** The outcome docs/PROTOCOL.md prescribes for `bytes` sent on a fresh connection to `start.channel`. */
export function predictOutcome(bytes: Uint8Array, start: StreamStart, rules: FuzzRules): ExpectedOutcome {
  const sender = start.channel === 'marketData' ? 'marketDataSubscriber' : 'orderEntryClient';
  const answers: ExpectedAnswer[] = [];
  let loggedIn = start.loggedIn;
  let nextSequence = loggedIn ? 2 : 1;
  /** Live orders of this session: `${symbolId}:${clientOrderId}`. */
  const live = new Set<string>();
  const fail = (reason: number, refSequence = 0): ExpectedOutcome => ({ answers, end: { kind: 'sessionError', reason, refSequence } });
  let at = 0;
  for (;;) {
    const available = bytes.length - at;
    if (available === 0) break;
    // Decoding order, steps 1–8.
    if (available < 2) return { answers, end: { kind: 'silent' } };
    const length = bytes[at]! | (bytes[at + 1]! << 8);
    if (length < MIN_FRAME_LENGTH) return fail(SessionErrorReason.LengthMismatch);
    if (length > rules.maxFrameLength) return fail(SessionErrorReason.FrameTooLarge);
    if (available < length) return { answers, end: { kind: 'silent' } };
    const frame = bytes.subarray(at, at + length);
    at += length;
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    if (crc32c(frame, 0, length - CHECKSUM_LENGTH) !== view.getUint32(length - CHECKSUM_LENGTH, true)) {
      return fail(SessionErrorReason.ChecksumMismatch);
    }
    // From here on the frame passed step 4: refSequence is its sequence when that is in range.
    const rawSequence = view.getBigUint64(8, true);
    const ref = rawSequence <= MAX_SAFE ? Number(rawSequence) : 0;
    if (frame[2] !== PROTOCOL_VERSION) return fail(SessionErrorReason.UnsupportedVersion, ref);
    const type = frame[3]!;
    const layout = messageLayout(type);
    if (layout === undefined) return fail(SessionErrorReason.UnknownMessageType, ref);
    let exactLength = layout.frameLength;
    if (layout.entries !== undefined) {
      // BOOK_SNAPSHOT: its counts sit inside the shortest frame, before the checksum.
      exactLength = length < layout.frameLength ? -1 : snapshotFrameLength(view.getUint16(24, true) + view.getUint16(26, true));
    }
    if (length !== exactLength) return fail(SessionErrorReason.LengthMismatch, ref);
    const fields: FieldLayout[] = [...headerFields, ...layout.fields];
    for (const field of fields) if (outOfRange(frame, field, 0)) return fail(SessionErrorReason.ValueOutOfRange, ref);
    if (layout.entries !== undefined) {
      const count = (length - layout.frameLength) / SNAPSHOT_ENTRY_LENGTH;
      for (let i = 0; i < count; i++) {
        for (const field of layout.entries.fields) {
          if (outOfRange(frame, field, layout.entries.offset + i * SNAPSHOT_ENTRY_LENGTH)) return fail(SessionErrorReason.ValueOutOfRange, ref);
        }
      }
    }
    // Session rules 1–4.
    const sequence = ref;
    if (!layout.senders.includes(sender)) return fail(SessionErrorReason.UnexpectedMessage, sequence);
    if (!loggedIn && type !== MessageType.Login) return fail(SessionErrorReason.NotLoggedIn, sequence);
    if (loggedIn && type === MessageType.Login) return fail(SessionErrorReason.DuplicateLogin, sequence);
    if (sequence !== nextSequence) return fail(SessionErrorReason.SequenceGap, sequence);
    if (type === MessageType.Login) {
      const intervalMs = view.getUint32(28, true);
      if (intervalMs < rules.minHeartbeatIntervalMs || intervalMs > rules.maxHeartbeatIntervalMs) {
        return fail(SessionErrorReason.InvalidLogin, sequence);
      }
    }
    nextSequence++;
    const symbolId = view.getUint32(4, true);
    switch (type) {
      case MessageType.Login:
        loggedIn = true;
        answers.push({ type: 'LOGIN_ACK' });
        break;
      case MessageType.Heartbeat:
        break;
      case MessageType.Logout:
        return { answers, end: { kind: 'closed', logout: true } };
      case MessageType.SessionError:
        return { answers, end: { kind: 'closed', logout: false } };
      case MessageType.NewOrder: {
        const clientOrderId = Number(view.getBigUint64(24, true));
        const key = `${symbolId}:${clientOrderId}`;
        const symbol = symbolOf(rules, symbolId);
        let reason: number = symbol === undefined ? RejectReason.UnknownSymbol : newOrderReject(symbol,
          frame[48]!, frame[49]!, frame[50]!, Number(view.getBigInt64(32, true)), Number(view.getBigUint64(40, true)));
        if (reason === 0 && live.has(key)) reason = RejectReason.DuplicateClientOrderId;
        if (reason !== 0) {
          answers.push({ type: 'REJECT', clientOrderId, reason });
        } else {
          answers.push({ type: 'ACK', clientOrderId });
          // Only a limit GTC order rests; the catalogue sends only non-crossing ones where it matters.
          if (frame[49] === OrderType.Limit && frame[50] === TimeInForce.GTC) live.add(key);
        }
        break;
      }
      case MessageType.Cancel: {
        const clientOrderId = Number(view.getBigUint64(24, true));
        const key = `${symbolId}:${clientOrderId}`;
        if (symbolOf(rules, symbolId) === undefined) {
          answers.push({ type: 'REJECT', clientOrderId, reason: RejectReason.UnknownSymbol });
        } else if (!live.has(key)) {
          answers.push({ type: 'REJECT', clientOrderId, reason: RejectReason.UnknownOrder });
        } else {
          live.delete(key);
          answers.push({ type: 'CANCELED', clientOrderId });
        }
        break;
      }
      case MessageType.Replace: {
        const clientOrderId = Number(view.getBigUint64(24, true));
        const symbol = symbolOf(rules, symbolId);
        let reason: number = 0;
        if (symbol === undefined) reason = RejectReason.UnknownSymbol;
        else if (!live.has(`${symbolId}:${clientOrderId}`)) reason = RejectReason.UnknownOrder;
        else reason = limitReject(symbol, Number(view.getBigInt64(32, true)), Number(view.getBigUint64(40, true)));
        answers.push(reason === 0 ? { type: 'REPLACED', clientOrderId } : { type: 'REJECT', clientOrderId, reason });
        break;
      }
      case MessageType.SnapshotRequest: {
        // "0: as many as fit"; a side never holds more than one frame's entries.
        const levels = view.getUint16(24, true);
        const fit = maxSnapshotEntries(rules.maxFrameLength);
        answers.push({ type: 'BOOK_SNAPSHOT', symbolId, maxLevelsPerSide: levels === 0 ? fit : Math.min(levels, fit) });
        break;
      }
      default:
        // Every other type fails session rule 1 above.
        throw new Error(`unreachable: type 0x${type.toString(16)} passed the ${sender} sender check`);
    }
  }
  return loggedIn ? { answers, end: { kind: 'alive', nextSequence } } : { answers, end: { kind: 'silent' } };
}

/**
 * The first failing NEW_ORDER check after UnknownSymbol, in the order of "REJECT check order",
 * or 0. DuplicateClientOrderId is the caller's (it needs the session's live orders).
 */
export function newOrderReject(symbol: SymbolConfig, side: number, orderType: number, timeInForce: number,
  price: number, quantity: number): number {
  if (side !== Side.Buy && side !== Side.Sell) return RejectReason.InvalidSide;
  if (orderType !== OrderType.Limit && orderType !== OrderType.Market) return RejectReason.InvalidOrderType;
  if (timeInForce !== TimeInForce.GTC && timeInForce !== TimeInForce.IOC && timeInForce !== TimeInForce.FOK) {
    return RejectReason.InvalidTimeInForce;
  }
  if (orderType === OrderType.Market) {
    // A market order's price must be 0; it has no tick or band check, and its notional is 0.
    if (price !== 0) return RejectReason.InvalidPrice;
    return quantityReject(symbol, quantity, 0);
  }
  return limitReject(symbol, price, quantity);
}

/** InvalidPrice, PriceOffTick, PriceOutsideBand, then the quantity checks: a limit NEW_ORDER or a REPLACE. */
function limitReject(symbol: SymbolConfig, price: number, quantity: number): number {
  if (price <= 0) return RejectReason.InvalidPrice;
  if (price % symbol.tickSize !== 0) return RejectReason.PriceOffTick;
  if (price < symbol.minPrice || price > symbol.maxPrice) return RejectReason.PriceOutsideBand;
  return quantityReject(symbol, quantity, price);
}

function quantityReject(symbol: SymbolConfig, quantity: number, price: number): number {
  if (quantity === 0) return RejectReason.InvalidQuantity;
  if (quantity > symbol.maxQuantity) return RejectReason.QuantityAboveMax;
  // bigint: the product is what is compared with 2^53-1, exactly.
  if (BigInt(price) * BigInt(quantity) > MAX_SAFE) return RejectReason.NotionalOverflow;
  return 0;
}

function symbolOf(rules: FuzzRules, symbolId: number): SymbolConfig | undefined {
  if (symbolId === rules.sweepSymbol.symbolId) return rules.sweepSymbol;
  if (symbolId === rules.semanticSymbol.symbolId) return rules.semanticSymbol;
  return undefined;
}

/** Decoding step 8 for one field: a 64-bit value outside ±(2^53-1) (u64: above it), or a non-zero reserved field. */
function outOfRange(frame: Uint8Array, field: FieldLayout, base: number): boolean {
  const value = readRawField(frame, field, base);
  if (field.reserved) return value !== 0n;
  if (field.wireType === 'u64' || field.wireType === 'i64') return value > MAX_SAFE || value < -MAX_SAFE;
  return false;
}
