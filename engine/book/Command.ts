import type { Matcher } from './Matcher.js';

/** The kinds of request that change a book: what the journal records and replays. */
export const CommandKind = { NewOrder: 1, Cancel: 2, Replace: 3 } as const;
export type CommandKind = (typeof CommandKind)[keyof typeof CommandKind];

/**
 * One request as the matcher takes it. Fields a kind does not use are 0 (a cancel has no side,
 * type, time in force, price or quantity; a replace has no side, type or time in force).
 */
export interface Command {
  readonly kind: CommandKind;
  readonly symbolId: number;
  /** The session's client id (LOGIN clientId): owner of the order. */
  readonly owner: number;
  readonly clientOrderId: number;
  readonly side: number;
  readonly orderType: number;
  readonly timeInForce: number;
  readonly price: number;
  readonly quantity: number;
  /** The request's timestampNs, echoed in its reports. */
  readonly timestampNs: number;
}

/** Hands a command to the matcher. */
export function applyCommand(matcher: Matcher, c: Command): void {
  switch (c.kind) {
    case CommandKind.NewOrder:
      matcher.newOrder(c.symbolId, c.owner, c.clientOrderId, c.side, c.orderType, c.timeInForce, c.price, c.quantity,
        c.timestampNs);
      return;
    case CommandKind.Cancel:
      matcher.cancel(c.symbolId, c.owner, c.clientOrderId, c.timestampNs);
      return;
    case CommandKind.Replace:
      matcher.replace(c.symbolId, c.owner, c.clientOrderId, c.price, c.quantity, c.timestampNs);
      return;
    default:
      throw new RangeError(`unknown command kind ${String((c as { kind: unknown }).kind)}`);
  }
}
