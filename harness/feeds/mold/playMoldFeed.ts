/**
 * A seeded MoldUDP64 feed to read with `matchbench feed --mold` (started by `matchbench peer mold`):
 * `messages` frames of one type of a layout, numbered into packets of `perPacket`, sent over UDP at
 * `packetsPerSecond`, some dropped and some sent twice (a seeded draw per packet), then the end of
 * session; a retransmission server answers re-requests from everything published until `lingerMs`
 * after the end. The reader's report (gaps, recovered, lost, duplicates, latency) can then be
 * checked against what this says it did.
 */
import type { FeedLayout, LayoutField } from '../FeedLayout.js';
import { encodeLayoutFrame } from '../encodeLayoutFrame.js';
import { Rng } from '../../generate/Rng.js';
import { startMoldPublisher } from './MoldPublisher.testkit.js';

/** Options of {@link playMoldFeed}; each documents its default. */
export interface PlayMoldFeedOptions {
  /** A layout with `framing: moldudp64`. */
  readonly layout: FeedLayout;
  /** Where the packets go: the reader's address (a multicast group works with `multicastInterface`). */
  readonly to: { readonly host: string; readonly port: number };
  /** The retransmission server's port on 127.0.0.1; 0: any free port. Default 0. */
  readonly retransmitPort?: number;
  /** The message type to publish (name or code). Default the first type that records latency. */
  readonly type?: string;
  /** Messages in all. Default 20,000. */
  readonly messages?: number;
  /** Messages per packet. Default 10. */
  readonly perPacket?: number;
  /** Packets sent per second. Default 2,000. */
  readonly packetsPerSecond?: number;
  /** Share of packets not sent (the reader must re-request them). Default 0.01. */
  readonly drop?: number;
  /** Share of packets sent twice. Default 0.01. */
  readonly duplicate?: number;
  /** Seed of the drop and duplicate draws. Default 42. */
  readonly seed?: number;
  /** How long re-requests are still answered after the end of session, ms. Default 2,000. */
  readonly lingerMs?: number;
  readonly multicastInterface?: string;
  /** Called once the retransmission server listens, before the first packet. */
  readonly onReady?: (retransmitPort: number) => void;
}

/** What {@link playMoldFeed} did. */
export interface PlayMoldFeedResult {
  readonly session: string;
  readonly retransmitPort: number;
  readonly type: string;
  readonly messages: number;
  readonly packets: number;
  readonly dropped: number;
  readonly duplicated: number;
  /** Re-requests answered (or not, once closed), in order. */
  readonly requests: number;
}

/**
 * The problems with `o` (empty when it can be played); checked before anything is bound.
 */
export function playMoldFeedProblems(o: PlayMoldFeedOptions): string[] {
  const problems: string[] = [];
  if (o.layout.framing.kind !== 'moldudp64') problems.push(`layout ${o.layout.name} is not framed moldudp64 (framing.kind ${o.layout.framing.kind})`);
  const type = pickType(o.layout, o.type);
  if (type === undefined) {
    problems.push(o.type === undefined ? `layout ${o.layout.name} has no message type that records latency; name one with --type`
      : `layout ${o.layout.name} has no message type ${o.type} (types: ${o.layout.messages.map((m) => m.name).join(', ')})`);
  }
  const int = (name: string, value: number | undefined, min: number, max: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) problems.push(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  };
  int('messages', o.messages, 1, 100_000_000);
  int('perPacket', o.perPacket, 1, 1_000);
  int('retransmitPort', o.retransmitPort, 0, 65_535);
  int('lingerMs', o.lingerMs, 0, 600_000);
  if (o.packetsPerSecond !== undefined && !(o.packetsPerSecond > 0 && o.packetsPerSecond <= 1_000_000)) {
    problems.push(`packetsPerSecond must be above 0 and at most 1000000, got ${o.packetsPerSecond}`);
  }
  for (const [name, value] of [['drop', o.drop], ['duplicate', o.duplicate]] as const) {
    if (value !== undefined && !(value >= 0 && value < 1)) problems.push(`${name} must be in [0, 1), got ${value}`);
  }
  return problems;
}

function pickType(layout: FeedLayout, type: string | undefined): FeedLayout['messages'][number] | undefined {
  return type === undefined ? layout.messages.find((m) => m.recordLatency && !m.heartbeat)
    : layout.messages.find((m) => m.name === type || String(m.code) === type);
}

/** Plays the feed (bounded by `messages` and `lingerMs`) and resolves when the publisher is closed. */
export async function playMoldFeed(o: PlayMoldFeedOptions): Promise<PlayMoldFeedResult> {
  const problems = playMoldFeedProblems(o);
  const message = pickType(o.layout, o.type);
  if (problems.length > 0 || message === undefined) throw new RangeError(problems.join('; '));
  const total = o.messages ?? 20_000;
  const perPacket = o.perPacket ?? 10;
  const intervalMs = 1_000 / (o.packetsPerSecond ?? 2_000);
  const drop = o.drop ?? 0.01;
  const duplicate = o.duplicate ?? 0.01;
  const rng = Rng.stream(o.seed ?? 42, 0);
  const framing = o.layout.framing;
  const stamp = timestampWriter(o.layout, message.timestampField);
  // Every message is the same frame but for its timestamp: encoded once, copied and stamped per message.
  const template = encodeLayoutFrame(o.layout, { type: message.name });
  const publisher = await startMoldPublisher({ to: o.to, ...(o.retransmitPort === undefined ? {} : { retransmitPort: o.retransmitPort }),
    ...(framing.kind === 'moldudp64' && framing.firstSequence !== null ? { firstSequence: framing.firstSequence } : {}),
    ...(o.multicastInterface === undefined ? {} : { multicastInterface: o.multicastInterface }) });
  o.onReady?.(publisher.retransmitPort);
  let packets = 0;
  let dropped = 0;
  let duplicated = 0;
  try {
    const startedMs = performance.now();
    for (let sent = 0; sent < total; sent += perPacket) {
      const frames: Uint8Array[] = [];
      for (let i = sent; i < Math.min(total, sent + perPacket); i++) frames.push(stamp(template.slice()));
      const packet = publisher.packet(frames);
      packets++;
      if (rng.chance(drop)) {
        dropped++;
      } else {
        await publisher.send(packet);
        if (rng.chance(duplicate)) {
          duplicated++;
          await publisher.send(packet);
        }
      }
      // Paced from the start, so a slow turn is caught up rather than added up.
      const dueMs = startedMs + packets * intervalMs - performance.now();
      if (dueMs >= 1) await new Promise((resolve) => setTimeout(resolve, dueMs));
    }
    await publisher.endOfSession();
    await new Promise((resolve) => setTimeout(resolve, o.lingerMs ?? 2_000));
  } finally {
    await publisher.close();
  }
  return { session: publisher.session, retransmitPort: publisher.retransmitPort, type: message.name, messages: total, packets, dropped, duplicated,
    requests: publisher.requests.length };
}

/**
 * Writes the send time into a frame's timestamp field just before it is packed, in the layout's
 * unit: Unix time for an `epoch` clock, this process's monotonic clock otherwise. A nanosecond
 * epoch time is beyond the safe integers, so it is written as a 64-bit integer directly; that
 * needs a layout without a checksum (MoldUDP64 messages have none).
 */
function timestampWriter(layout: FeedLayout, field: LayoutField | null): (frame: Uint8Array) => Uint8Array {
  const unit = layout.timestamp;
  if (field === null || unit === null) return (frame) => frame;
  if (layout.checksum.widthBytes !== 0) throw new RangeError(`layout ${layout.name} has a checksum: stamping its timestamps is not supported`);
  return (frame) => {
    const ms = unit.clock === 'epoch' ? performance.timeOrigin + performance.now() : performance.now();
    const value = BigInt(Math.round(ms * 1_000)) * 1_000n / BigInt(unit.unitNs);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    if (field.sizeBytes === 8) view.setBigUint64(field.offset, value, field.littleEndian);
    else if (field.sizeBytes === 4) view.setUint32(field.offset, Number(value % 4_294_967_296n), field.littleEndian);
    return frame;
  };
}
