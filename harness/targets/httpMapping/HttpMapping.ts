/**
 * A validated HTTP mapping file (docs/HTTP_MAPPING.md): how the harness's orders become an
 * engine's HTTP requests and how its answers become matchbench outcomes. Plain data; the
 * behaviour lives in httpMappingRequest.ts and parseMappedAnswer.ts.
 */

/** Values a request may carry: the fields of a generated order, and its context. */
export const MAPPING_SOURCES = ['clientId', 'symbol', 'symbolId', 'symbolName', 'clientOrderId', 'orderId', 'side', 'type',
  'timeInForce', 'price', 'quantity', 'levels'] as const;
export type MappingSource = (typeof MAPPING_SOURCES)[number];

/** How a price is written: the harness's integer price units as is, whole ticks, or a decimal. */
export type PriceEncoding = 'integer' | 'ticks' | 'decimal-number' | 'decimal-string';

/** How a quantity is written: the harness's integer units as a number or a string, whole lots, or a decimal. */
export type QuantityEncoding = 'number' | 'string' | 'lots' | 'decimal-number' | 'decimal-string';

/** One part of a path template: literal text, or a value put in (URL-encoded). */
export type TemplatePart = { readonly text: string } | { readonly source: MappingSource };

/** A request line, `POST /order` or `DELETE /cancel?symbol={symbol}&order_id={orderId}`, parsed. */
export interface RequestTemplate {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: readonly TemplatePart[];
  /** JSON body fields: path in the body (`order.price` nests) → where the value comes from; empty: no body. */
  readonly body: readonly BodyField[];
}

export interface BodyField {
  /** Keys from the body's top, e.g. ['order', 'price']. */
  readonly at: readonly string[];
  readonly value: { readonly source: MappingSource } | { readonly constant: unknown };
}

/** A path into a JSON answer: keys and array indexes from its top. */
export type AnswerPath = readonly string[];

/** Where the book operation's answer keeps its levels. */
export interface BookAnswer {
  readonly bids: AnswerPath;
  readonly asks: AnswerPath;
  readonly price: AnswerPath;
  readonly quantity: AnswerPath;
}

/** Where an order answer keeps what the harness reads; absent: the engine does not say it. */
export interface OrderAnswer {
  readonly orderId?: AnswerPath;
  readonly status?: AnswerPath;
  readonly filledQuantity?: AnswerPath;
  readonly remainingQuantity?: AnswerPath;
  readonly cancelledQuantity?: AnswerPath;
  readonly fills?: AnswerPath;
  /** Inside each fill. */
  readonly fillPrice: AnswerPath;
  readonly fillQuantity: AnswerPath;
  readonly fillTradeId?: AnswerPath;
  readonly reason?: AnswerPath;
  readonly cancelReason?: AnswerPath;
  /** An error's text, for messages (e.g. `errors.0`). */
  readonly error?: AnswerPath;
}

/** The order states an answer's status field can name. */
export type MappedStatus = 'resting' | 'partiallyFilled' | 'filled' | 'cancelled' | 'rejected';

/** What an HTTP status code means before the body is read. */
export type StatusClass = 'accepted' | 'rejected' | 'busy' | 'error';

/** A compiled, validated mapping. */
export interface HttpMapping {
  readonly name: string;
  readonly description: string;
  /** How `{symbol}` and the `symbol` source are written: the numeric id or the name. */
  readonly symbol: 'id' | 'name';
  readonly price: { readonly encoding: PriceEncoding; readonly decimals: number; readonly tickSize: number | null };
  /**
   * `decimals`: digits after the point of the decimal encodings (3 writes 1500 as 1.5); `lotSize`:
   * quantity units per lot (default 1): `lots` writes units ÷ lotSize, and in every encoding a
   * quantity that is not a whole number of lots cannot be sent.
   */
  readonly quantity: { readonly encoding: QuantityEncoding; readonly decimals: number; readonly lotSize: number };
  /** Sent with every request (health, orders, book), `${env:NAME}` values already filled in from the environment. */
  readonly headers: Readonly<Record<string, string>>;
  /** The header values taken from the environment: never shown in a message or report (redactSecrets.ts). */
  readonly secrets: readonly string[];
  readonly side: { readonly buy: string; readonly sell: string };
  readonly type: { readonly limit: string; readonly market: string };
  readonly timeInForce: { readonly GTC: string; readonly IOC: string; readonly FOK: string };
  /** Leave the price out of a market order's body (else it is written as 0). */
  readonly omitMarketPrice: boolean;
  readonly operations: {
    /** Sent on each connection before the run (warm-up) and as the reachability probe: must have no effect. */
    readonly health: RequestTemplate;
    readonly new: RequestTemplate;
    /** null: the engine cannot cancel (the generator's cancels are skipped and counted). */
    readonly cancel: RequestTemplate | null;
    readonly replace: RequestTemplate | null;
    readonly book: (RequestTemplate & { readonly levels: number; readonly answer: BookAnswer }) | null;
  };
  readonly answer: OrderAnswer;
  /** Spelling (as the engine writes it) → state. */
  readonly statuses: ReadonlyMap<string, MappedStatus>;
  /** The engine's reject reason → matchbench's name (RejectReason); unlisted reasons are kept as written. */
  readonly reasons: ReadonlyMap<string, string>;
  /** HTTP status code → what it means; codes not listed are errors. */
  readonly http: (status: number) => StatusClass;
}
