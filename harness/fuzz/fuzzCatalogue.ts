/**
 * The fuzzer's deterministic catalogue: every case built from a handful of valid client frames
 * by one systematic mutation, with the outcome docs/PROTOCOL.md prescribes ({@link predictOutcome}).
 * No randomness: the same rules give the same cases, byte for byte, in the same order.
 *
 * ```
 *  templates (one valid frame per client → engine type) ─┬─ truncation   every prefix
 *                                                        ├─ length       length field values, raw and resealed
 *                                                        ├─ crc          every bit flipped, zero and all-ones CRC
 *                                                        ├─ numeric      every field through its boundary values
 *                                                        └─ reserved     padding bytes through their values
 *  type / version bytes: all 256 values ─────────────────── unknownType, version
 *  NEW_ORDER side, type, time in force: all 256 values ──── enum
 *  hand-written request sequences ────────────────────────── semantic
 *  connection bursts, resets, half-closes, the limit ─────── churn (playChurnCase.ts)
 * ```
 * The generators the market-data catalogue shares (truncation, length, crc, version, type sweeps,
 * timers, churn) are ChannelCatalogue.ts's; this file holds the client's frames and the rest.
 */

import { LogoutReason, OrderType, RejectReason, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { FRAME_LENGTH_LIMIT, MIN_FRAME_LENGTH, headerFields, messageLayout, type FieldLayout, type WireType } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { resealFrame, writeRawField } from '../../engine/protocol/rawFrame.js';
import { CATALOGUE_TIMESTAMP_NS as TIMESTAMP_NS, ChannelCatalogue, encodeFrame as frame, type FrameTemplate } from './ChannelCatalogue.js';
import { concatBytes, type FuzzCase, type FuzzChunk } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS, type FuzzRules } from './fuzzRules.js';

// Imported from here by the fuzz runners; the shared generators own them.
export { CHURN_BURST_CONNECTIONS, FUZZ_HEARTBEAT_INTERVAL_MS } from './ChannelCatalogue.js';

/**
 * Lowest client id the runner's login prelude uses (see runFuzzCase); LOGINs inside case bytes
 * use ids below it (ChannelCatalogue), the clientId sweep boundary values below both.
 */
export const RUNNER_CLIENT_ID_BASE = 0x4000_0000;

const U64_BOUNDARIES: readonly bigint[] = [
  0n, 1n, 2n, 3n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n,
  2n ** 52n, 2n ** 52n - 1n, 2n ** 53n - 2n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n,
  2n ** 62n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n,
];
const I64_NEGATIVE_BOUNDARIES: readonly bigint[] = [
  -1n, -2n, -(2n ** 52n), -(2n ** 53n - 1n), -(2n ** 53n), -(2n ** 53n + 1n), -(2n ** 63n) + 1n, -(2n ** 63n),
];
const SMALL_BOUNDARIES: Readonly<Record<'u8' | 'u16' | 'u32', readonly bigint[]>> = {
  u8: [0n, 1n, 2n, 0x7fn, 0x80n, 0xfen, 0xffn],
  u16: [0n, 1n, 2n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xfffen, 0xffffn],
  u32: [0n, 1n, 2n, 0xffffn, 0x1_0000n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_fffen, 0xffff_ffffn],
};

/** The boundary values a field of `wireType` is swept through: 0, 1, max, max/2, around 2^53, negatives for i64. */
export function boundaryValues(wireType: WireType): readonly bigint[] {
  if (wireType === 'u64') return U64_BOUNDARIES;
  if (wireType === 'i64') return [...U64_BOUNDARIES.filter((v) => v < 2n ** 63n), ...I64_NEGATIVE_BOUNDARIES];
  return SMALL_BOUNDARIES[wireType];
}

/** Builds the catalogue for `rules` (default: the embedded engine's). */
export function fuzzCatalogue(rules: FuzzRules = FUZZ_RULES_DEFAULTS): FuzzCase[] {
  return new CatalogueBuilder(rules).build();
}

class CatalogueBuilder {
  readonly #rules: FuzzRules;
  readonly #catalogue: ChannelCatalogue;

  constructor(rules: FuzzRules) {
    this.#rules = rules;
    this.#catalogue = new ChannelCatalogue(rules, 'orderEntry');
  }

  build(): FuzzCase[] {
    this.#catalogue.truncation(this.#templates());
    this.#catalogue.length(this.#templates(), (trueLength) => this.#lengths(trueLength));
    this.#unknownType();
    this.#catalogue.version(this.#templates().filter((t) => t.name === 'LOGIN' || t.name === 'NEW_ORDER'));
    this.#catalogue.crc(this.#templates());
    this.#enum();
    this.#numeric();
    this.#reserved();
    this.#semantic();
    this.#slowloris();
    this.#stream();
    this.#churn();
    return this.#catalogue.cases;
  }

  // ---- frames -------------------------------------------------------------------------------

  #newOrder(sequence: number, fields: Partial<Extract<Message, { type: 0x10 }>> = {}): Uint8Array {
    return frame({
      type: MessageType.NewOrder, symbolId: this.#rules.sweepSymbol.symbolId, sequence, timestampNs: TIMESTAMP_NS + sequence,
      clientOrderId: 1000 + sequence, price: 100 * this.#rules.sweepSymbol.tickSize, quantity: 10,
      side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, ...fields,
    });
  }

  /** A resting buy on the semantic symbol, far below any price the catalogue sells at. */
  #restingBuy(sequence: number, clientOrderId: number, price = 10 * this.#rules.semanticSymbol.tickSize): Uint8Array {
    return this.#newOrder(sequence, { symbolId: this.#rules.semanticSymbol.symbolId, clientOrderId, price });
  }

  #cancel(sequence: number, clientOrderId: number, symbolId = this.#rules.semanticSymbol.symbolId): Uint8Array {
    return frame({ type: MessageType.Cancel, symbolId, sequence, timestampNs: TIMESTAMP_NS + sequence, clientOrderId });
  }

  #replace(sequence: number, clientOrderId: number, price: number, quantity: number): Uint8Array {
    return frame({ type: MessageType.Replace, symbolId: this.#rules.semanticSymbol.symbolId, sequence,
      timestampNs: TIMESTAMP_NS + sequence, clientOrderId, price, quantity });
  }

  /** One valid frame of each type a client sends on order entry; LOGIN on a fresh connection, the others after it. */
  #templates(): FrameTemplate[] {
    const tick = this.#rules.semanticSymbol.tickSize;
    return [
      ...this.#catalogue.sessionTemplates(),
      { name: 'NEW_ORDER', login: true, frame: this.#newOrder(2) },
      { name: 'CANCEL', login: true, prefix: this.#restingBuy(2, 501), frame: this.#cancel(3, 501) },
      { name: 'REPLACE', login: true, prefix: this.#restingBuy(2, 501), frame: this.#replace(3, 501, 20 * tick, 5) },
    ];
  }

  /** The length-field values of the length class: around the header's and the frame's length, around the limit, the u16 edges. */
  #lengths(trueLength: number): number[] {
    const max = this.#rules.maxFrameLength;
    return [0, 1, 2, 3, 8, 24, 27, MIN_FRAME_LENGTH, 29, 31, 32, trueLength - 4, trueLength - 1, trueLength + 1,
      trueLength + 4, 88, 89, 255, 256, 257, 1024, max - 1, max, max + 1, 8192, 0x7fff, 0x8000, 0xfffe, FRAME_LENGTH_LIMIT];
  }

  // ---- cases --------------------------------------------------------------------------------

  /** Every type byte a client never sends on order entry, and each unknown one in a NEW_ORDER-sized frame. */
  #unknownType(): void {
    this.#catalogue.foreignTypes(({ hex, known, lengthBytes, state }) => ({
      id: `unknownType/${hex}/${state}`, class: 'unknownType',
      description: `type ${hex}${known === undefined ? ' (no such type)' : ` (${known.name}, never sent by a client)`}, ${lengthBytes} bytes, ${state}`,
    }), (type, hex, known) => {
      if (known !== undefined) return;
      // An unknown type in a NEW_ORDER-sized frame: the type is refused before the length is judged.
      const bytes = this.#newOrder(2);
      bytes[3] = type;
      resealFrame(bytes);
      this.#catalogue.add(`unknownType/${hex}/newOrderBody`, 'unknownType', `type ${hex} (no such type) on a NEW_ORDER frame`, true, [{ bytes }]);
    });
  }

  #enum(): void {
    const newOrder = messageLayout(MessageType.NewOrder)!;
    for (const name of ['side', 'orderType', 'timeInForce']) {
      const field = fieldNamed(newOrder.fields, name);
      for (let value = 0; value < 256; value++) {
        const bytes = this.#newOrder(2);
        writeRawField(bytes, field, BigInt(value));
        resealFrame(bytes);
        this.#catalogue.add(`enum/${name}/${value}`, 'enum', `NEW_ORDER with ${name} ${value}`, true, [{ bytes }]);
      }
    }
  }

  #numeric(): void {
    const sweep = this.#rules.sweepSymbol;
    const tick = BigInt(sweep.tickSize);
    const domain: Readonly<Record<string, readonly bigint[]>> = {
      price: [tick - 1n, tick + 1n, BigInt(sweep.minPrice) - tick, BigInt(sweep.minPrice), BigInt(sweep.maxPrice),
        BigInt(sweep.maxPrice) + tick, tick * 1000n + tick / 2n],
      quantity: [BigInt(sweep.maxQuantity), BigInt(sweep.maxQuantity) + 1n, BigInt(sweep.maxQuantity) / 2n],
      heartbeatIntervalMs: [99n, 100n, 101n, 1000n, 59_999n, 60_000n, 60_001n],
    };
    for (const t of this.#templates()) {
      const layout = messageLayout(t.frame[3]!)!;
      const fields = [...headerFields.filter((f) => f.offset >= 4), ...layout.fields.filter((f) => !f.reserved && f.codes === undefined || f.name === 'reason')];
      for (const field of fields) {
        const values = [...new Set([...boundaryValues(field.wireType), ...(domain[field.name] ?? [])])];
        for (const value of values) {
          const bytes = t.frame.slice();
          // Each LOGIN that may succeed logs in with its own client id (one id, one connection).
          if (t.name === 'LOGIN') writeRawField(bytes, fieldNamed(layout.fields, 'clientId'), BigInt(this.#catalogue.nextLoginClientId()));
          writeRawField(bytes, field, value);
          resealFrame(bytes);
          this.#catalogue.addMutation(t, `numeric/${t.name}/${field.name}/${value}`, 'numeric', `${t.name} with ${field.name} = ${value}`, bytes);
        }
      }
      // Price × quantity at the edge of 2^53 (NotionalOverflow), on NEW_ORDER and REPLACE.
      if (t.name === 'NEW_ORDER' || t.name === 'REPLACE') {
        const priceField = fieldNamed(layout.fields, 'price');
        const quantityField = fieldNamed(layout.fields, 'quantity');
        const price = BigInt(sweep.maxPrice);
        const atLimit = (2n ** 53n - 1n) / price;
        for (const [name, quantity] of [['notionalAtLimit', atLimit], ['notionalAboveLimit', atLimit + 1n]] as const) {
          const bytes = t.frame.slice();
          writeRawField(bytes, priceField, price);
          writeRawField(bytes, quantityField, quantity);
          resealFrame(bytes);
          this.#catalogue.addMutation(t, `numeric/${t.name}/${name}`, 'numeric', `${t.name} with price ${price} × quantity ${quantity}`, bytes);
        }
      }
    }
  }

  #reserved(): void {
    for (const t of this.#templates()) {
      const layout = messageLayout(t.frame[3]!)!;
      for (const field of layout.fields.filter((f) => f.reserved)) {
        const values = field.wireType === 'u8' ? Array.from({ length: 256 }, (_, i) => BigInt(i)) : boundaryValues(field.wireType);
        for (const value of values) {
          const bytes = t.frame.slice();
          writeRawField(bytes, field, value);
          resealFrame(bytes);
          this.#catalogue.addMutation(t, `reserved/${t.name}/${field.offset}/${value}`, 'reserved',
            `${t.name} with the reserved ${field.wireType} at offset ${field.offset} = ${value}`, bytes);
        }
      }
    }
  }

  #semantic(): void {
    const r = this.#rules;
    const tick = r.semanticSymbol.tickSize;
    const sem = r.semanticSymbol.symbolId;
    const add = (name: string, description: string, login: boolean, ...frames: Uint8Array[]): void =>
      this.#catalogue.add(`semantic/${name}`, 'semantic', description, login, [{ bytes: concatBytes(frames) }]);
    add('duplicate-client-order-id', 'two live orders with one clientOrderId', true, this.#restingBuy(2, 7), this.#restingBuy(3, 7));
    add('reuse-after-cancel', 'a clientOrderId used again after its order was canceled', true,
      this.#restingBuy(2, 7), this.#cancel(3, 7), this.#restingBuy(4, 7));
    add('same-id-other-symbol', 'one clientOrderId live on two symbols', true,
      this.#restingBuy(2, 7), this.#newOrder(3, { clientOrderId: 7 }));
    add('cancel-unknown', 'CANCEL of an order that never existed', true, this.#cancel(2, 424242));
    // Another session rests a buy with client order id 7 first: ids belong to their session.
    const peer = (name: string, description: string, frame: Uint8Array): void => {
      this.#catalogue.add(`semantic/${name}`, 'semantic', `${description} (another session holds a live order with client order id 7)`, true,
        [{ bytes: frame }], { peerOrders: this.#restingBuy(2, 7) });
    };
    peer('cancel-other-session', 'CANCEL of another session\'s order', this.#cancel(2, 7));
    peer('replace-other-session', 'REPLACE of another session\'s order', this.#replace(2, 7, 20 * tick, 5));
    peer('same-id-as-other-session', 'NEW_ORDER with the client order id of another session\'s live order', this.#restingBuy(2, 7));
    add('cancel-twice', 'CANCEL of an order already canceled', true, this.#restingBuy(2, 7), this.#cancel(3, 7), this.#cancel(4, 7));
    add('cancel-unknown-symbol', 'CANCEL on a symbol the engine does not trade', true, this.#cancel(2, 7, r.unknownSymbolId));
    add('replace-unknown', 'REPLACE of an order that never existed', true, this.#replace(2, 424242, 20 * tick, 5));
    add('replace-after-cancel', 'REPLACE of a canceled order', true, this.#restingBuy(2, 7), this.#cancel(3, 7), this.#replace(4, 7, 20 * tick, 5));
    add('replace-quantity-0', 'REPLACE to quantity 0', true, this.#restingBuy(2, 7), this.#replace(3, 7, 20 * tick, 0));
    add('replace-off-tick', 'REPLACE to a price off the tick', true, this.#restingBuy(2, 7), this.#replace(3, 7, 20 * tick + 1, 5));
    add('replace-valid', 'REPLACE of a live order', true, this.#restingBuy(2, 7), this.#replace(3, 7, 12 * tick, 5), this.#cancel(4, 7));
    add('quantity-0', 'NEW_ORDER of quantity 0', true, this.#newOrder(2, { quantity: 0 }));
    add('off-tick-price', 'NEW_ORDER price not a multiple of the tick', true, this.#newOrder(2, { price: 100 * tick + 1 }));
    add('price-outside-band', 'NEW_ORDER above the band', true, this.#newOrder(2, { price: r.sweepSymbol.maxPrice + tick }));
    add('negative-price', 'NEW_ORDER with a negative price', true, this.#newOrder(2, { price: -tick }));
    add('notional-overflow', 'price × quantity above 2^53-1', true,
      this.#newOrder(2, { price: r.sweepSymbol.maxPrice, quantity: r.sweepSymbol.maxQuantity }));
    add('quantity-above-max', 'quantity above the symbol maximum', true, this.#newOrder(2, { quantity: r.sweepSymbol.maxQuantity + 1 }));
    add('unknown-symbol', 'NEW_ORDER on a symbol the engine does not trade', true, this.#newOrder(2, { symbolId: r.unknownSymbolId }));
    add('market-with-price', 'market order with a non-zero price', true, this.#newOrder(2, { orderType: OrderType.Market }));
    add('market-no-liquidity', 'market buy into an empty ask side', true,
      this.#newOrder(2, { symbolId: sem, orderType: OrderType.Market, price: 0, timeInForce: TimeInForce.IOC }));
    add('order-before-login', 'NEW_ORDER as the first frame', false, this.#newOrder(1));
    add('cancel-before-login', 'CANCEL as the first frame', false, this.#cancel(1, 7));
    add('heartbeat-before-login', 'HEARTBEAT as the first frame', false, this.#catalogue.heartbeat(1));
    add('logout-before-login', 'LOGOUT as the first frame', false,
      this.#catalogue.logout(1, LogoutReason.UserRequested));
    add('login-twice', 'a second LOGIN on a logged-in session', true, this.#catalogue.login(2));
    add('login-sequence-2', 'LOGIN with sequence 2', false, this.#catalogue.login(2));
    add('login-sequence-0', 'LOGIN with sequence 0', false, this.#catalogue.login(0));
    add('login-then-order', 'LOGIN and NEW_ORDER in one write', false, this.#catalogue.login(1), this.#newOrder(2));
    for (const interval of [0, 1, 99, 60_001, 0xffff_ffff]) {
      add(`login-heartbeat-${interval}`, `LOGIN asking for a ${interval} ms heartbeat interval`, false, this.#catalogue.login(1, interval));
    }
    add('sequence-gap', 'NEW_ORDER with sequence 3 where 2 is due', true, this.#newOrder(3));
    add('sequence-repeat', 'two NEW_ORDERs with sequence 2', true, this.#newOrder(2), this.#newOrder(2, { clientOrderId: 99 }));
    add('sequence-zero', 'NEW_ORDER with sequence 0', true, this.#newOrder(0));
    add('sequence-back', 'sequence 2, 3, then 2 again', true, this.#catalogue.heartbeat(2), this.#catalogue.heartbeat(3), this.#catalogue.heartbeat(2));
    add('gap-after-orders', 'two orders, then a gap', true, this.#newOrder(2), this.#newOrder(3), this.#newOrder(5));
    add('error-after-valid', 'a valid order then a bad CRC: the order stands', true,
      this.#newOrder(2), (() => { const b = this.#newOrder(3); b[b.length - 1]! ^= 1; return b; })());
    add('heartbeats-then-order', 'HEARTBEATs, then an order', true, this.#catalogue.heartbeat(2), this.#catalogue.heartbeat(3), this.#newOrder(4));
    add('logout', 'LOGOUT: the engine answers LOGOUT and closes', true,
      this.#catalogue.logout(2, 77));
    add('client-session-error', 'SESSION_ERROR from the client: the engine closes', true,
      this.#catalogue.sessionError(2, 1, 0));
  }

  /** Slow and stalled writers: frames that arrive in pieces, and silences the engine's timers must end. */
  #slowloris(): void {
    this.#catalogue.slowWrites({ name: 'NEW_ORDER', login: true, frame: this.#newOrder(2) }, 'one NEW_ORDER',
      [['mid-length', 1], ['mid-header', 10], ['mid-body', 30], ['before-crc', 52]]);
    const login = this.#catalogue.login();
    this.#catalogue.add('slowloris/idle-mid-login', 'slowloris', 'LOGIN: 20 bytes, 300 ms idle, the rest', false,
      [{ bytes: login.subarray(0, 20) }, { bytes: login.subarray(20), pauseMs: 300 }]);
    this.#catalogue.timeouts(this.#newOrder(2).subarray(0, 30), 'half a frame');
  }

  /** Stream shapes: frames packed into one write, and a flood past the rate limit. */
  #stream(): void {
    const orders = Array.from({ length: 100 }, (_, i) => this.#newOrder(2 + i, { clientOrderId: 10_000 + i }));
    this.#catalogue.add('stream/many-frames-one-write', 'stream', '100 NEW_ORDERs in one write', true, [{ bytes: concatBytes(orders) }]);
    this.#catalogue.add('stream/frames-split-across-writes', 'stream', '100 NEW_ORDERs in 7-byte writes', true,
      chunked(concatBytes(orders), 7));
    this.#catalogue.heartbeatFlood('stream/flood-past-rate-limit', 'stream');
  }

  /**
   * Connection churn: bursts of connections closed at once, resets mid-frame, half-closed
   * connections and one connection past the limit. Every churn case is followed by the liveness
   * probe, and cases are played one at a time (see runFuzz).
   */
  #churn(): void {
    this.#catalogue.churnBursts();
    // The half-written order must have no effect and the session must be let go: the same client
    // id logs in again, its whole order is still live, the half one never existed.
    this.#catalogue.add('churn/reset-mid-frame', 'churn',
      'a resting order, half of a second one, a TCP reset; the same client id logs in again and cancels both', true,
      [{ bytes: concatBytes([this.#restingBuy(2, 1), this.#restingBuy(3, 2).subarray(0, 30)]) }], {
        expected: {
          answers: [{ type: 'REJECT', clientOrderId: 2, reason: RejectReason.UnknownOrder }, { type: 'CANCELED', clientOrderId: 1 }],
          end: { kind: 'alive', nextSequence: 4 },
        },
        churn: { kind: 'reset', answersFirst: 1, after: concatBytes([this.#cancel(2, 2), this.#cancel(3, 1)]) },
      });
    this.#catalogue.halfOpenCases();
    const interval = this.#rules.minHeartbeatIntervalMs;
    // IOC: nothing rests, so the case's fixed client id meets no order of an earlier run.
    this.#catalogue.halfOpenAfterLogin('after-order', `LOGIN with a ${interval} ms heartbeat and a NEW_ORDER, then half-close`,
      [this.#newOrder(2, { timeInForce: TimeInForce.IOC })], [{ type: 'LOGIN_ACK' }, { type: 'ACK', clientOrderId: 1002 }]);
    this.#catalogue.halfOpenAfterLogin('mid-frame', `LOGIN with a ${interval} ms heartbeat, half a NEW_ORDER, then half-close`,
      [this.#newOrder(2).subarray(0, 30)], [{ type: 'LOGIN_ACK' }]);
    this.#catalogue.beyondLimit();
  }
}

/** `bytes` in writes of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): FuzzChunk[] {
  const chunks: FuzzChunk[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push({ bytes: bytes.slice(at, at + size) });
  return chunks;
}

/** The fields named `name` in `fields`. */
function fieldNamed(fields: readonly FieldLayout[], name: string): FieldLayout {
  const field = fields.find((f) => f.name === name);
  if (field === undefined) throw new Error(`no field ${name}`);
  return field;
}
