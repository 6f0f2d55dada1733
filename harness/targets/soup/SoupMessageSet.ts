/**
 * An OUCH-style order-entry message set, as a message-set file describes it (docs/SOUP.md),
 * validated and resolved: every field's offset, size, type and byte order known, and the fields
 * that carry matchbench's concepts (token, side, quantity, price, …) found by their role.
 * resolveSoupMessageSet.ts builds it; soupMessageCodec.ts encodes and decodes messages with it.
 * A message is the payload of a SoupBinTCP Unsequenced Data (to the engine) or Sequenced Data
 * (from the engine) packet; its first byte is its type.
 */
import type { LayoutField } from '../../feeds/FeedLayout.js';

/** What a message means to matchbench. `other`: understood by nobody, read and ignored (system events …). */
export const SOUP_MESSAGE_ROLES = ['enterOrder', 'cancelOrder', 'replaceOrder', 'accepted', 'executed', 'canceled', 'rejected',
  'replaced', 'other'] as const;
export type SoupMessageRole = (typeof SOUP_MESSAGE_ROLES)[number];

/**
 * What a field carries. `minimumQuantity` (enterOrder): the shares that must execute at once or the
 * order is cancelled: the whole quantity for a FOK order, 0 for every other (OUCH 4.2 writes
 * fill-or-kill as IOC with a minimum quantity of the whole order).
 */
export const SOUP_FIELD_ROLES = ['token', 'newToken', 'previousToken', 'side', 'quantity', 'price', 'symbol', 'timeInForce',
  'minimumQuantity', 'matchNumber', 'orderRef', 'reason'] as const;
export type SoupFieldRole = (typeof SOUP_FIELD_ROLES)[number];

/** uint: unsigned binary integer; alpha: ASCII, space padded; price: unsigned binary integer with implied decimals. */
export const SOUP_FIELD_TYPES = ['uint', 'alpha', 'price'] as const;
export type SoupFieldType = (typeof SOUP_FIELD_TYPES)[number];

/** Which roles a message role needs and may have. */
export const MESSAGE_ROLE_FIELDS: Readonly<Record<SoupMessageRole, { readonly required: readonly SoupFieldRole[]; readonly optional: readonly SoupFieldRole[] }>> = {
  enterOrder: { required: ['token', 'side', 'quantity', 'price'], optional: ['symbol', 'timeInForce', 'minimumQuantity'] },
  cancelOrder: { required: ['token'], optional: ['quantity'] },
  replaceOrder: { required: ['token', 'newToken', 'quantity', 'price'], optional: [] },
  accepted: { required: ['token'], optional: ['side', 'quantity', 'price', 'symbol', 'timeInForce', 'orderRef'] },
  executed: { required: ['token', 'quantity', 'price'], optional: ['matchNumber'] },
  canceled: { required: ['token'], optional: ['quantity', 'reason'] },
  rejected: { required: ['token'], optional: ['reason'] },
  replaced: { required: ['token', 'previousToken'], optional: ['quantity', 'price', 'orderRef'] },
  other: { required: [], optional: [] },
};

/** Roles of messages the client sends, and of messages the engine sends. */
export const TO_ENGINE_ROLES: readonly SoupMessageRole[] = ['enterOrder', 'cancelOrder', 'replaceOrder', 'other'];
export const FROM_ENGINE_ROLES: readonly SoupMessageRole[] = ['accepted', 'executed', 'canceled', 'rejected', 'replaced', 'other'];

/** One field of a message: `offset` from the message's first byte (its type byte). */
export interface SoupField {
  readonly name: string;
  readonly offset: number;
  readonly sizeBytes: number;
  readonly type: SoupFieldType;
  /** For uint and price: the field as layoutBytes reads it. Null for alpha. */
  readonly binary: LayoutField | null;
  /** Alpha: padded on the left (right-justified) instead of the right. */
  readonly padLeft: boolean;
  /** Price: digits after the implied decimal point (documentation; the wire integer is the price in the scenario's units). */
  readonly decimals: number;
  readonly role: SoupFieldRole | null;
  /** For side, timeInForce and reason: matchbench name → wire value (a string for alpha, a number otherwise). */
  readonly codes: ReadonlyMap<string, string | number>;
  /** The wire value sent for every message (fields without a role, to the engine). Null: spaces (alpha) or 0. */
  readonly constant: string | number | null;
  /** Price of enterOrder: the wire value of a market order (else market orders carry 0). */
  readonly marketValue: number | null;
}

/** One message type. */
export interface SoupMessage {
  /** The type byte (the message's first byte). */
  readonly code: number;
  readonly name: string;
  readonly role: SoupMessageRole;
  readonly sizeBytes: number;
  readonly fields: readonly SoupField[];
  /** The fields with a role, by role. */
  readonly byRole: Readonly<Partial<Record<SoupFieldRole, SoupField>>>;
}

/** A message set, resolved. */
export interface SoupMessageSet {
  readonly name: string;
  readonly description: string;
  readonly toEngine: readonly SoupMessage[];
  readonly fromEngine: readonly SoupMessage[];
  readonly enterOrder: SoupMessage;
  readonly cancelOrder: SoupMessage;
  /** Null: the set cannot replace; a scenario's replaces are sent as nothing (counted). */
  readonly replaceOrder: SoupMessage | null;
  /** Longest message from the engine: a longer Sequenced Data payload is a protocol error. */
  readonly maxFromEngineBytes: number;
}
