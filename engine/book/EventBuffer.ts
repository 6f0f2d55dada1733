import { Liquidity, type CancelReason, type RejectReason, type Side } from '../protocol/codes.js';

/** The kinds of event the matcher emits, in one ordered stream. */
export const EventKind = {
  Accepted: 1,
  Rejected: 2,
  Fill: 3,
  Canceled: 4,
  Replaced: 5,
  Trade: 6,
  LevelUpdate: 7,
  Quote: 8,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Which request a REJECT refers to (the request's wire message type, see docs/PROTOCOL.md). */
export const RequestType = { NewOrder: 0x10, Cancel: 0x11, Replace: 0x12 } as const;
export type RequestType = (typeof RequestType)[keyof typeof RequestType];

/** Numbers per event record: sequence, kind, symbolId, then up to 11 fields. */
export const EVENT_STRIDE = 14;

// The writers' constants, as non-exported constants of this module: optimised code folds these to
// their numbers, where each use of an exported binding or an imported object's field cost a cell
// load, an initialisation check and, for a field, a map check and a load (see OrderBook's codes).
const STRIDE = EVENT_STRIDE;
const ACCEPTED = EventKind.Accepted;
const REJECTED = EventKind.Rejected;
const FILL = EventKind.Fill;
const CANCELED = EventKind.Canceled;
const REPLACED = EventKind.Replaced;
const TRADE = EventKind.Trade;
const LEVEL_UPDATE = EventKind.LevelUpdate;
const QUOTE = EventKind.Quote;
const MAKER = Liquidity.Maker;
const TAKER = Liquidity.Taker;

/**
 * The most numbers the buffer may hold: 2^30 (8 GiB), so every offset into it fits in 30 bits.
 * The writers read their offset as `end & OFFSET_MASK`, a no-op given this limit, which tells V8 the
 * offset's range: it then knows that `at + k` cannot overflow and drops the overflow check (and its
 * deoptimisation point) on every field store. Measured about 4% of the matcher benchmark (in-process
 * alternating A/B repetitions against the same code without the mask).
 */
const MAX_NUMBERS = 2 ** 30;
const OFFSET_MASK = MAX_NUMBERS - 1;

interface EventHeader {
  /** Engine sequence: 1, 2, 3, … across every symbol of one matcher. */
  readonly sequence: number;
  readonly symbolId: number;
}
export interface AcceptedEvent extends EventHeader {
  readonly kind: typeof EventKind.Accepted;
  readonly owner: number; readonly clientOrderId: number; readonly orderId: number;
  readonly side: Side; readonly orderType: number; readonly timeInForce: number;
  readonly price: number; readonly quantity: number; readonly echoTimestampNs: number;
}
export interface RejectedEvent extends EventHeader {
  readonly kind: typeof EventKind.Rejected;
  readonly owner: number; readonly clientOrderId: number; readonly reason: RejectReason;
  readonly requestType: RequestType; readonly echoTimestampNs: number;
}
export interface FillEvent extends EventHeader {
  readonly kind: typeof EventKind.Fill;
  readonly owner: number; readonly clientOrderId: number; readonly orderId: number; readonly tradeId: number;
  readonly price: number; readonly quantity: number; readonly leavesQuantity: number;
  readonly side: Side; readonly liquidity: Liquidity; readonly echoTimestampNs: number;
}
export interface CanceledEvent extends EventHeader {
  readonly kind: typeof EventKind.Canceled;
  readonly owner: number; readonly clientOrderId: number; readonly orderId: number;
  readonly canceledQuantity: number; readonly reason: CancelReason; readonly echoTimestampNs: number;
}
export interface ReplacedEvent extends EventHeader {
  readonly kind: typeof EventKind.Replaced;
  readonly owner: number; readonly clientOrderId: number; readonly orderId: number;
  readonly price: number; readonly leavesQuantity: number; readonly echoTimestampNs: number;
}
export interface TradeEvent extends EventHeader {
  readonly kind: typeof EventKind.Trade;
  readonly tradeId: number; readonly price: number; readonly quantity: number; readonly aggressorSide: Side;
  readonly makerOrderId: number; readonly takerOrderId: number;
}
export interface LevelUpdateEvent extends EventHeader {
  readonly kind: typeof EventKind.LevelUpdate;
  readonly side: Side; readonly price: number; readonly quantity: number; readonly orderCount: number;
}
export interface QuoteEvent extends EventHeader {
  readonly kind: typeof EventKind.Quote;
  readonly bidPrice: number; readonly bidQuantity: number; readonly askPrice: number; readonly askQuantity: number;
}
/** One matcher event as a plain object (for tests, checks and reports; the hot path keeps records). */
export type MatchEvent =
  | AcceptedEvent | RejectedEvent | FillEvent | CanceledEvent | ReplacedEvent | TradeEvent | LevelUpdateEvent | QuoteEvent;

/**
 * The matcher's output: an append-only run of fixed-size numeric records in one Float64Array.
 *
 * Why not objects or a library queue: the match loop must allocate nothing per order. A record is
 * EVENT_STRIDE doubles (every field is a safe integer, so doubles hold them exactly); the consumer
 * (the engine's outbound ring, a test, a benchmark) reads the records and calls {@link clear}.
 * Sequences keep rising across clears. The buffer doubles when full, so growth is amortised and
 * stops once it fits the largest burst between clears.
 */
export class EventBuffer {
  /** The records; event i starts at i * EVENT_STRIDE. Valid up to {@link length}. */
  data: Float64Array;
  /** Sequence the next event gets. */
  nextSequence = 1;
  /**
   * Where the next record starts in `data` (length × EVENT_STRIDE). The writers keep this offset
   * rather than a count, and compare it with `limit` rather than with `data.length`: one load and
   * one compare per event instead of a multiply, two loads and an add (measured about 2% of the
   * matcher benchmark).
   */
  private end = 0;
  /** The highest `end` at which three more records still fit. */
  private limit: number;

  constructor(initialCapacityEvents = 1024) {
    const numbers = Math.max(16, initialCapacityEvents) * STRIDE;
    if (!Number.isSafeInteger(numbers) || numbers > MAX_NUMBERS) {
      throw new RangeError(`an event buffer of ${initialCapacityEvents} events is above the limit of ${Math.floor(MAX_NUMBERS / STRIDE)}`);
    }
    this.data = new Float64Array(numbers);
    this.limit = this.data.length - 3 * STRIDE;
  }

  /** Events currently held. */
  get length(): number {
    return this.end / STRIDE;
  }

  /** Forgets the held events (their sequences are not reused). */
  clear(): void {
    this.end = 0;
  }

  /** Kind of event i. */
  kindAt(i: number): EventKind {
    return this.data[i * STRIDE + 1] as EventKind;
  }

  private begin(kind: EventKind, symbolId: number): number {
    const at = this.end & OFFSET_MASK;
    if (at > this.limit) this.grow();
    this.end = at + STRIDE;
    const d = this.data;
    d[at] = this.nextSequence++;
    d[at + 1] = kind;
    d[at + 2] = symbolId;
    return at + 3;
  }

  private grow(): void {
    const numbers = this.data.length * 2;
    if (numbers > MAX_NUMBERS) {
      throw new RangeError(`the event buffer would hold ${numbers} numbers, above its limit of ${MAX_NUMBERS}: drain it more often`);
    }
    const bigger = new Float64Array(numbers);
    bigger.set(this.data);
    this.data = bigger;
    this.limit = bigger.length - 3 * STRIDE;
  }

  accepted(symbolId: number, owner: number, clientOrderId: number, orderId: number, side: number, orderType: number,
    timeInForce: number, price: number, quantity: number, echoTimestampNs: number): void {
    const at = this.begin(ACCEPTED, symbolId);
    const d = this.data;
    d[at] = owner; d[at + 1] = clientOrderId; d[at + 2] = orderId; d[at + 3] = side; d[at + 4] = orderType;
    d[at + 5] = timeInForce; d[at + 6] = price; d[at + 7] = quantity; d[at + 8] = echoTimestampNs;
  }

  rejected(symbolId: number, owner: number, clientOrderId: number, reason: number, requestType: number,
    echoTimestampNs: number): void {
    const at = this.begin(REJECTED, symbolId);
    const d = this.data;
    d[at] = owner; d[at + 1] = clientOrderId; d[at + 2] = reason; d[at + 3] = requestType; d[at + 4] = echoTimestampNs;
  }

  fill(symbolId: number, owner: number, clientOrderId: number, orderId: number, tradeId: number, price: number,
    quantity: number, leavesQuantity: number, side: number, liquidity: number, echoTimestampNs: number): void {
    const at = this.begin(FILL, symbolId);
    const d = this.data;
    d[at] = owner; d[at + 1] = clientOrderId; d[at + 2] = orderId; d[at + 3] = tradeId; d[at + 4] = price;
    d[at + 5] = quantity; d[at + 6] = leavesQuantity; d[at + 7] = side; d[at + 8] = liquidity; d[at + 9] = echoTimestampNs;
  }

  canceled(symbolId: number, owner: number, clientOrderId: number, orderId: number, canceledQuantity: number,
    reason: number, echoTimestampNs: number): void {
    const at = this.begin(CANCELED, symbolId);
    const d = this.data;
    d[at] = owner; d[at + 1] = clientOrderId; d[at + 2] = orderId; d[at + 3] = canceledQuantity; d[at + 4] = reason;
    d[at + 5] = echoTimestampNs;
  }

  replaced(symbolId: number, owner: number, clientOrderId: number, orderId: number, price: number,
    leavesQuantity: number, echoTimestampNs: number): void {
    const at = this.begin(REPLACED, symbolId);
    const d = this.data;
    d[at] = owner; d[at + 1] = clientOrderId; d[at + 2] = orderId; d[at + 3] = price; d[at + 4] = leavesQuantity;
    d[at + 5] = echoTimestampNs;
  }

  trade(symbolId: number, tradeId: number, price: number, quantity: number, aggressorSide: number,
    makerOrderId: number, takerOrderId: number): void {
    const at = this.begin(TRADE, symbolId);
    const d = this.data;
    d[at] = tradeId; d[at + 1] = price; d[at + 2] = quantity; d[at + 3] = aggressorSide; d[at + 4] = makerOrderId;
    d[at + 5] = takerOrderId;
  }

  /**
   * One match: TRADE, then the maker's FILL, then the taker's FILL, written in one call. The same
   * three records as {@link trade} and two {@link fill} calls; one call and one capacity check
   * instead of three on the matcher's hottest path.
   */
  match(symbolId: number, tradeId: number, price: number, quantity: number, takerSide: number,
    makerOwner: number, makerClientOrderId: number, makerOrderId: number, makerLeaves: number,
    takerOwner: number, takerClientOrderId: number, takerOrderId: number, takerLeaves: number,
    takerTimestampNs: number): void {
    let at = this.end & OFFSET_MASK;
    if (at > this.limit) this.grow();
    this.end = at + 3 * STRIDE;
    const d = this.data;
    const sequence = this.nextSequence;
    this.nextSequence = sequence + 3;
    const makerSide = takerSide === 1 ? 2 : 1;
    d[at] = sequence; d[at + 1] = TRADE; d[at + 2] = symbolId;
    d[at + 3] = tradeId; d[at + 4] = price; d[at + 5] = quantity; d[at + 6] = takerSide; d[at + 7] = makerOrderId;
    d[at + 8] = takerOrderId;
    at += STRIDE;
    d[at] = sequence + 1; d[at + 1] = FILL; d[at + 2] = symbolId;
    d[at + 3] = makerOwner; d[at + 4] = makerClientOrderId; d[at + 5] = makerOrderId; d[at + 6] = tradeId;
    d[at + 7] = price; d[at + 8] = quantity; d[at + 9] = makerLeaves; d[at + 10] = makerSide;
    d[at + 11] = MAKER; d[at + 12] = 0;
    at += STRIDE;
    d[at] = sequence + 2; d[at + 1] = FILL; d[at + 2] = symbolId;
    d[at + 3] = takerOwner; d[at + 4] = takerClientOrderId; d[at + 5] = takerOrderId; d[at + 6] = tradeId;
    d[at + 7] = price; d[at + 8] = quantity; d[at + 9] = takerLeaves; d[at + 10] = takerSide;
    d[at + 11] = TAKER; d[at + 12] = takerTimestampNs;
  }

  levelUpdate(symbolId: number, side: number, price: number, quantity: number, orderCount: number): void {
    const at = this.begin(LEVEL_UPDATE, symbolId);
    const d = this.data;
    d[at] = side; d[at + 1] = price; d[at + 2] = quantity; d[at + 3] = orderCount;
  }

  quote(symbolId: number, bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): void {
    const at = this.begin(QUOTE, symbolId);
    const d = this.data;
    d[at] = bidPrice; d[at + 1] = bidQuantity; d[at + 2] = askPrice; d[at + 3] = askQuantity;
  }

  /** Event i as an object. */
  event(i: number): MatchEvent {
    if (i < 0 || i >= this.length) throw new RangeError(`event ${i} is outside 0..${this.length - 1}`);
    const d = this.data;
    const b = i * STRIDE;
    const f = (n: number): number => d[b + 3 + n] as number;
    const sequence = d[b] as number;
    const symbolId = d[b + 2] as number;
    const kind = d[b + 1] as EventKind;
    switch (kind) {
      case EventKind.Accepted:
        return { kind, sequence, symbolId, owner: f(0), clientOrderId: f(1), orderId: f(2), side: f(3) as Side,
          orderType: f(4), timeInForce: f(5), price: f(6), quantity: f(7), echoTimestampNs: f(8) };
      case EventKind.Rejected:
        return { kind, sequence, symbolId, owner: f(0), clientOrderId: f(1), reason: f(2) as RejectReason,
          requestType: f(3) as RequestType, echoTimestampNs: f(4) };
      case EventKind.Fill:
        return { kind, sequence, symbolId, owner: f(0), clientOrderId: f(1), orderId: f(2), tradeId: f(3), price: f(4),
          quantity: f(5), leavesQuantity: f(6), side: f(7) as Side, liquidity: f(8) as Liquidity, echoTimestampNs: f(9) };
      case EventKind.Canceled:
        return { kind, sequence, symbolId, owner: f(0), clientOrderId: f(1), orderId: f(2), canceledQuantity: f(3),
          reason: f(4) as CancelReason, echoTimestampNs: f(5) };
      case EventKind.Replaced:
        return { kind, sequence, symbolId, owner: f(0), clientOrderId: f(1), orderId: f(2), price: f(3),
          leavesQuantity: f(4), echoTimestampNs: f(5) };
      case EventKind.Trade:
        return { kind, sequence, symbolId, tradeId: f(0), price: f(1), quantity: f(2), aggressorSide: f(3) as Side,
          makerOrderId: f(4), takerOrderId: f(5) };
      case EventKind.LevelUpdate:
        return { kind, sequence, symbolId, side: f(0) as Side, price: f(1), quantity: f(2), orderCount: f(3) };
      case EventKind.Quote:
        return { kind, sequence, symbolId, bidPrice: f(0), bidQuantity: f(1), askPrice: f(2), askQuantity: f(3) };
      default:
        throw new RangeError(`event ${i} has unknown kind ${String(kind)}`);
    }
  }

  /** Every held event as objects, oldest first. */
  events(): MatchEvent[] {
    const out: MatchEvent[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.event(i));
    return out;
  }
}
