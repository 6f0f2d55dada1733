import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { messageLayout, MIN_FRAME_LENGTH } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { resealFrame, writeRawField } from '../../engine/protocol/rawFrame.js';
import { Rng } from '../generate/Rng.js';
import { boundaryValues } from './fuzzCatalogue.js';
import { concatBytes, type FuzzCase } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';

/** Frames per havoc case unless told. */
export const HAVOC_FRAMES_PER_CASE = 16;

/** The id of havoc case `index` of `seed`: `havoc/<seed>/<index>`. */
export function havocCaseId(seed: number, index: number): string {
  return `havoc/${seed}/${index}`;
}

/** Seed and index of a havoc case id, or undefined if `id` is not one. */
export function parseHavocCaseId(id: string): { seed: number; index: number } | undefined {
  const match = /^havoc\/(-?\d+)\/(\d+)$/.exec(id);
  if (match === null) return undefined;
  const seed = Number(match[1]);
  const index = Number(match[2]);
  return Number.isSafeInteger(seed) && Number.isSafeInteger(index) ? { seed, index } : undefined;
}

/**
 * Havoc case `index` of `seed`: after the login prelude, `frames` client frames with consecutive
 * sequences from 2, each valid frame mutated with probability 3/4 by one of: bit flips, random
 * bytes, a field set to a boundary value (CRC resealed or not), a wrong length field, a cut, a
 * random type byte, or random garbage. Sent in one to four writes. Every byte comes from the
 * case's own Rng stream (`Rng.stream(seed, index)`), so a case replays from its id alone.
 *
 * The expected outcome is `survives`: any protocol reaction is acceptable; the runner's liveness
 * probe afterwards checks the engine is still up.
 */
export function havocCase(seed: number, index: number, rules: FuzzRules, frames = HAVOC_FRAMES_PER_CASE): FuzzCase {
  const rng = Rng.stream(seed, index);
  const parts: Uint8Array[] = [];
  const kinds: string[] = [];
  for (let i = 0; i < frames; i++) {
    const [kind, bytes] = havocFrame(rng, rules, 2 + i);
    parts.push(bytes);
    kinds.push(kind);
  }
  const bytes = concatBytes(parts);
  const writes = rng.int(1, 4);
  const cuts = [...new Set(Array.from({ length: writes - 1 }, () => rng.int(1, Math.max(1, bytes.length - 1))))].sort((a, b) => a - b);
  const bounds = [0, ...cuts, bytes.length];
  const chunks = bounds.slice(1).map((to, i) => ({ bytes: bytes.slice(bounds[i]!, to) }));
  return {
    id: havocCaseId(seed, index),
    class: 'havoc',
    description: `${frames} frames after LOGIN: ${kinds.join(', ')}; ${chunks.length} writes`,
    login: true,
    chunks,
    expected: { answers: [], end: { kind: 'survives' } },
  };
}

/** How {@link havocFrame} draws; each documents its default. */
export interface HavocFrameOptions {
  /** Chance that the frame is left valid. Default 1/4 (havoc cases); streaming havoc sends mostly valid frames. */
  readonly validProbability?: number;
  /**
   * Whether a NEW_ORDER may be GTC (rest on the book). Default true. Streaming havoc sends IOC
   * only, so that a million frames do not pile orders on the book: memory growth is then the
   * engine's, not the book's.
   */
  readonly resting?: boolean;
}

/**
 * One havoc frame with sequence `sequence`, drawn from `rng`: a valid client frame on the sweep
 * symbol, mutated unless it stays valid. Returns what was done to it (`valid`, `cut at 30`, …) and
 * its bytes.
 */
export function havocFrame(rng: Rng, rules: FuzzRules, sequence: number, options: HavocFrameOptions = {}): [string, Uint8Array] {
  const frame = validFrame(rng, rules, sequence, options.resting ?? true);
  if (rng.chance(options.validProbability ?? 0.25)) return ['valid', frame];
  return mutate(rng, frame);
}

/**
 * Whether a havoc frame leaves the peer out of step with our frame boundaries: its length field
 * (bytes 0–1) does not give its own length (a cut, a wrong length, garbage, a flip or random byte
 * that hit the length field). The bytes after it would be read as part of it.
 */
export function breaksFraming(bytes: Uint8Array): boolean {
  return bytes.length < 2 || (bytes[0]! | (bytes[1]! << 8)) !== bytes.length;
}

function validFrame(rng: Rng, rules: FuzzRules, sequence: number, resting: boolean): Uint8Array {
  // Only the sweep symbol: a sell on the semantic symbol could fill the resting buys semantic cases rely on.
  const symbol = rules.sweepSymbol;
  const header = { symbolId: symbol.symbolId, sequence, timestampNs: 3_600_000_000_000 + sequence };
  const clientOrderId = rng.int(1, 20);
  const price = symbol.tickSize * rng.int(1, 2_000);
  let message: Message;
  switch (rng.int(0, 4)) {
    case 0:
      message = { type: MessageType.Heartbeat, ...header, symbolId: 0 };
      break;
    case 1:
      message = { type: MessageType.Cancel, ...header, clientOrderId };
      break;
    case 2:
      message = { type: MessageType.Replace, ...header, clientOrderId, price, quantity: rng.int(1, 100) };
      break;
    default: {
      const side = rng.chance(0.5) ? Side.Buy : Side.Sell;
      const gtc = rng.chance(0.5);
      message = { type: MessageType.NewOrder, ...header, clientOrderId, price, quantity: rng.int(1, 100),
        side, orderType: OrderType.Limit, timeInForce: gtc && resting ? TimeInForce.GTC : TimeInForce.IOC };
    }
  }
  return new Uint8Array(encode(message));
}

function mutate(rng: Rng, frame: Uint8Array): [string, Uint8Array] {
  const bytes = frame.slice();
  switch (rng.int(0, 6)) {
    case 0: {
      const flips = rng.int(1, 4);
      for (let i = 0; i < flips; i++) bytes[rng.int(0, bytes.length - 1)]! ^= 1 << rng.int(0, 7);
      return [`${flips} bit flips`, bytes];
    }
    case 1: {
      const count = rng.int(1, 4);
      for (let i = 0; i < count; i++) bytes[rng.int(0, bytes.length - 1)] = rng.int(0, 255);
      return [`${count} random bytes`, bytes];
    }
    case 2: {
      const layout = messageLayout(bytes[3]!)!;
      const field = layout.fields.length === 0 ? undefined : layout.fields[rng.int(0, layout.fields.length - 1)];
      if (field === undefined) return ['valid', bytes];
      const values = boundaryValues(field.wireType);
      writeRawField(bytes, field, values[rng.int(0, values.length - 1)]!);
      const reseal = rng.chance(0.8);
      if (reseal) resealFrame(bytes);
      return [`${field.name} boundary${reseal ? '' : ', stale CRC'}`, bytes];
    }
    case 3: {
      const length = rng.chance(0.5) ? rng.int(0, 0xffff) : bytes.length + rng.int(-4, 4);
      bytes[0] = length & 0xff;
      bytes[1] = (length >> 8) & 0xff;
      return [`length ${length}`, bytes];
    }
    case 4: {
      const cut = rng.int(1, bytes.length - 1);
      return [`cut at ${cut}`, bytes.slice(0, cut)];
    }
    case 5: {
      bytes[3] = rng.int(0, 255);
      if (bytes.length >= MIN_FRAME_LENGTH && rng.chance(0.8)) resealFrame(bytes);
      return [`type 0x${bytes[3]!.toString(16)}`, bytes];
    }
    default: {
      const garbage = new Uint8Array(rng.int(1, 64));
      for (let i = 0; i < garbage.length; i++) garbage[i] = rng.int(0, 255);
      return [`${garbage.length} garbage bytes`, garbage];
    }
  }
}
