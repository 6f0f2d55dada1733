import type { Command, CommandKind } from './book/Command.js';

/**
 * A {@link Command} as one slot of the engine's inbound ring: its ten fields as doubles, in the
 * order below (every field is a safe integer, so a double holds it exactly).
 *
 *   0 kind  1 symbolId  2 owner  3 clientOrderId  4 side  5 orderType  6 timeInForce  7 price  8 quantity  9 timestampNs
 */
export const COMMAND_SLOT_FLOAT64S = 10;

/** Bytes per inbound slot (a multiple of 8, as RingBuffer requires). */
export const COMMAND_SLOT_BYTES = COMMAND_SLOT_FLOAT64S * 8;

/** A command the worker fills in place for each slot, so reading a slot allocates nothing. */
export type MutableCommand = { -readonly [K in keyof Command]: Command[K] };

/** Writes `command` at `f64[at .. at + COMMAND_SLOT_FLOAT64S)`. */
export function writeCommand(f64: Float64Array, at: number, command: Command): void {
  f64[at] = command.kind;
  f64[at + 1] = command.symbolId;
  f64[at + 2] = command.owner;
  f64[at + 3] = command.clientOrderId;
  f64[at + 4] = command.side;
  f64[at + 5] = command.orderType;
  f64[at + 6] = command.timeInForce;
  f64[at + 7] = command.price;
  f64[at + 8] = command.quantity;
  f64[at + 9] = command.timestampNs;
}

/** Reads the command at `f64[at …]` into `into` and returns it. */
export function readCommand(f64: Float64Array, at: number, into: MutableCommand): MutableCommand {
  into.kind = f64[at] as CommandKind;
  into.symbolId = f64[at + 1] as number;
  into.owner = f64[at + 2] as number;
  into.clientOrderId = f64[at + 3] as number;
  into.side = f64[at + 4] as number;
  into.orderType = f64[at + 5] as number;
  into.timeInForce = f64[at + 6] as number;
  into.price = f64[at + 7] as number;
  into.quantity = f64[at + 8] as number;
  into.timestampNs = f64[at + 9] as number;
  return into;
}

/** A blank command to read into. */
export function blankCommand(): MutableCommand {
  return { kind: 1, symbolId: 0, owner: 0, clientOrderId: 0, side: 0, orderType: 0, timeInForce: 0, price: 0, quantity: 0,
    timestampNs: 0 };
}
