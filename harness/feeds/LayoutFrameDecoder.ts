/**
 * Cuts a byte stream into frames by a {@link FeedLayout} and checks each one: checksum, type,
 * size, sequence; counts frames per type, heartbeats and gaps, and records feed latency when the
 * frames carry a timestamp. No I/O: {@link LayoutFeedReader} feeds it socket chunks, the tests
 * feed it fixtures.
 *
 * ```
 *  chunk ─► [partial frame from the last chunk, ≤ maxFrameBytes] ─► frame size (length field, or the type's size)
 *             └─ frames whole inside the chunk are read in place ─►  size outside min..max ─► protocol error (decoding ends)
 *                                                                   checksum ≠ ─► checksumFailures (frame dropped)
 *                                                                   unknown type ─► unknownTypes (length-prefixed: skipped)
 *                                                                   sequence ─► gaps / regressions; heartbeat ─► heartbeats
 *                                                                   timestamp ─► latency histogram
 * ```
 *
 * Hand-written rather than built on a parsing library: it runs for every frame of a feed that may
 * carry millions per second, and reads only the few fields it needs (length, type, sequence,
 * timestamp) at precomputed offsets, straight from the chunk, allocating nothing per frame. The
 * one buffer it owns holds a single partial frame and never grows beyond `maxFrameBytes`: a
 * length field above that is a protocol error, not a reason to buffer more.
 */
import type * as hdr from 'hdr-histogram-js';
import { framePosition, type FeedLayout, type LayoutField, type LayoutMessage } from './FeedLayout.js';
import { checksumOf, readHigh, readLow, readUint, readUnsigned } from './layoutBytes.js';

/** What a decoder (and its reader) counted. Every field is a count; add them to merge. */
export interface LayoutFeedCounts {
  /** Complete frames, whatever became of them, and every byte received. */
  frames: number;
  bytes: number;
  /** Sequence jumps, and the frames they skipped; the largest single jump. */
  gaps: number;
  gapFrames: number;
  maxGapFrames: number;
  /** Sequence numbers that repeated or went back (the frame is counted, the last sequence kept). */
  sequenceRegressions: number;
  /** Frames whose checksum did not match: counted and dropped, so the next frame's sequence shows a gap. */
  checksumFailures: number;
  /** Frames of a type the layout does not know (length-prefixed framing skips them). */
  unknownTypes: number;
  heartbeats: number;
  /** Stretches of silence: no frame for the layout's `missingAfterIntervals` heartbeat intervals (counted by the reader). */
  heartbeatSilences: number;
  /** Feed latencies below 0 (clock offset or clock sync error), recorded as 0. */
  negativeLatencies: number;
  /** Feed latencies above {@link MAX_PLAUSIBLE_LATENCY_NS} (a timestamp on another clock or in another unit than the layout says): not recorded. */
  implausibleLatencies: number;
  /** Frames that broke the layout so that the stream cannot be followed (decoding ends at the first). */
  protocolErrors: number;
}

/** Zero counts. */
export function emptyLayoutFeedCounts(): LayoutFeedCounts {
  return { frames: 0, bytes: 0, gaps: 0, gapFrames: 0, maxGapFrames: 0, sequenceRegressions: 0, checksumFailures: 0, unknownTypes: 0,
    heartbeats: 0, heartbeatSilences: 0, negativeLatencies: 0, implausibleLatencies: 0, protocolErrors: 0 };
}

/** Options of a {@link LayoutFrameDecoder}; each documents its default. */
export interface LayoutFrameDecoderOptions {
  /** Where feed latencies go (ns). Default: none recorded. */
  readonly latency?: hdr.Histogram;
  /**
   * For a `monotonic` timestamp clock: the sender's clock minus this process's monotonic clock
   * (engine/gateway/monotonicNowNs), ns. Default 0: a sender in this process.
   */
  readonly clockOffsetNs?: number;
}

/** Latencies above this (1 h, ns) are not recorded: no feed is that late, so the timestamp is not what the layout says. */
export const MAX_PLAUSIBLE_LATENCY_NS = 3_600_000_000_000;

/** Problems kept as text. */
const MAX_ERRORS_KEPT = 5;
const TWO_TO_32 = 0x1_0000_0000;

/**
 * One decoder per connection: {@link push} every chunk in order; read the counts at any time.
 */
export class LayoutFrameDecoder {
  readonly layout: FeedLayout;
  readonly counts: LayoutFeedCounts = emptyLayoutFeedCounts();
  readonly #messages: readonly LayoutMessage[];
  /** Type code → index in #messages, −1 when unknown. */
  readonly #codeIndex: Int32Array;
  readonly #typeCounts: Float64Array;
  readonly #typeField: LayoutField;
  readonly #lengthField: LayoutField | null;
  /** Added to the length field's value to get the frame size. */
  readonly #lengthAdd: number;
  /** Bytes needed before the frame size is known. */
  readonly #sizeKnownAt: number;
  readonly #pending: Uint8Array;
  #pendingBytes = 0;
  /** Stream offset of the first byte of the current chunk. */
  #streamOffset = 0;
  #lastSequence = -1;
  #failure: string | null = null;
  readonly #errors: string[] = [];
  readonly #latency: hdr.Histogram | undefined;
  /** Timestamps are read relative to a reference (hi, lo in the field's unit) taken at construction, so a u64 epoch-ns stays exact in a double. */
  readonly #refHigh: number;
  readonly #refLow: number;
  /** This process's monotonic ns at which the sender's clock read the reference (monotonic clocks: minus the offset). */
  #refMonotonicNs: number;
  /** When the subscribe message left (monotonic clocks with a clockSync type), −1 once estimated or when not armed. */
  #syncSentNs = -1;
  #clockOffsetBoundNs: number | null = null;
  readonly #unitNs: number;

  constructor(layout: FeedLayout, options: LayoutFrameDecoderOptions = {}) {
    this.layout = layout;
    this.#messages = layout.messages;
    this.#typeField = layout.typeField;
    this.#codeIndex = new Int32Array(layout.typeField.sizeBytes === 1 ? 256 : 65_536).fill(-1);
    layout.messages.forEach((m, i) => {
      this.#codeIndex[m.code] = i;
    });
    this.#typeCounts = new Float64Array(layout.messages.length);
    if (layout.framing.kind === 'length-prefixed') {
      const f = layout.framing.lengthField;
      this.#lengthField = f;
      this.#lengthAdd = layout.framing.lengthCounts === 'rest' ? f.offset + f.sizeBytes : 0;
      this.#sizeKnownAt = f.offset + f.sizeBytes;
    } else {
      this.#lengthField = null;
      this.#lengthAdd = 0;
      this.#sizeKnownAt = layout.typeField.offset + layout.typeField.sizeBytes;
    }
    this.#pending = new Uint8Array(layout.maxFrameBytes);
    this.#latency = options.latency;
    this.#unitNs = layout.timestamp?.unitNs ?? 1;
    if (layout.timestamp?.clock === 'epoch') {
      // Unix time now, exactly, as bigint (once, not per frame): time origin in µs is below 2^53.
      const nowMs = performance.now();
      const epochNs = BigInt(Math.round(performance.timeOrigin * 1_000)) * 1_000n + BigInt(Math.round(nowMs * 1e6));
      const unit = BigInt(this.#unitNs);
      const refUnits = epochNs / unit;
      this.#refHigh = Number(refUnits >> 32n);
      this.#refLow = Number(refUnits & 0xffff_ffffn);
      this.#refMonotonicNs = Math.round(nowMs * 1e6) - Number(epochNs - refUnits * unit);
    } else {
      this.#refHigh = 0;
      this.#refLow = 0;
      this.#refMonotonicNs = -(options.clockOffsetNs ?? 0);
    }
  }

  /**
   * Arms the clock-offset estimate of a `monotonic` timestamp clock: the subscribe message left at
   * `sentNs`; the first frame of a `clockSync` type then sets the offset.
   */
  expectClockSync(sentNs: number): void {
    if (this.layout.timestamp?.clock === 'monotonic') this.#syncSentNs = sentNs;
  }

  /** The sender's clock minus ours in use (monotonic clocks; 0 for epoch), ns. */
  get clockOffsetNs(): number {
    return this.layout.timestamp?.clock === 'monotonic' ? -this.#refMonotonicNs : 0;
  }

  /** The error bound of an estimated offset (half the subscribe round trip), ns; null when the offset was given or not estimated. */
  get clockOffsetBoundNs(): number | null {
    return this.#clockOffsetBoundNs;
  }

  /** The protocol error that ended decoding, or null. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Bytes of an unfinished frame held from the last chunk. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** The last sequence number seen; −1 before any. */
  get lastSequence(): number {
    return this.#lastSequence;
  }

  /** The first few checksum failures and protocol errors, one line each. */
  get errors(): readonly string[] {
    return this.#errors;
  }

  /** Frames per message type name, for every type of the layout (0 included). */
  framesByType(): Record<string, number> {
    const out: Record<string, number> = {};
    this.#messages.forEach((m, i) => {
      out[m.name] = this.#typeCounts[i]!;
    });
    return out;
  }

  /**
   * Decodes `chunk` (with what was left of the last one). `receivedNs`: this process's monotonic
   * clock when the chunk arrived (engine/gateway/monotonicNowNs), for feed latency. Returns false
   * once a protocol error has ended decoding (this chunk's or an earlier one's).
   */
  push(chunk: Uint8Array, receivedNs: number): boolean {
    if (this.#failure !== null) return false;
    this.counts.bytes += chunk.length;
    const n = chunk.length;
    let i = 0;
    // First finish the frame begun in an earlier chunk, copying only as many bytes as it needs.
    while (this.#pendingBytes > 0 && i < n) {
      const pending = this.#pending;
      const have = this.#pendingBytes;
      // Until the size is known, gather just the bytes that tell it.
      const need = have < this.#sizeKnownAt ? this.#sizeKnownAt : this.#frameSize(pending, 0, this.#streamOffset + i - have);
      if (need < 0) return false;
      const take = Math.min(need - have, n - i);
      pending.set(chunk.subarray(i, i + take), have);
      this.#pendingBytes = have + take;
      i += take;
      if (this.#pendingBytes < need) break;
      const size = this.#frameSize(pending, 0, this.#streamOffset + i - need);
      if (size < 0) return false;
      if (size > this.#pendingBytes) continue;
      this.#pendingBytes = 0;
      this.#onFrame(pending, 0, size, receivedNs, this.#streamOffset + i - size);
      if (this.#failure !== null) return false;
    }
    // Then every frame whole inside the chunk, in place.
    while (n - i >= this.#sizeKnownAt) {
      const size = this.#frameSize(chunk, i, this.#streamOffset + i);
      if (size < 0) return false;
      if (n - i < size) break;
      this.#onFrame(chunk, i, size, receivedNs, this.#streamOffset + i);
      if (this.#failure !== null) return false;
      i += size;
    }
    // The rest is shorter than a frame, so it fits the buffer.
    if (i < n && this.#pendingBytes === 0) {
      this.#pending.set(chunk.subarray(i), 0);
      this.#pendingBytes = n - i;
    }
    this.#streamOffset += n;
    return true;
  }

  /**
   * Decodes one whole frame `b[at..at+size)` whose size a transport gave (a MoldUDP64 message
   * block) instead of cutting it from the stream: checksum, type (an unknown one is counted and
   * skipped, since the size is known), size, sequence, latency. Returns false once a protocol
   * error has ended decoding.
   */
  pushFrame(b: Uint8Array, at: number, size: number, receivedNs: number): boolean {
    if (this.#failure !== null) return false;
    this.counts.bytes += size;
    const t = this.#typeField;
    if (size < t.offset + t.sizeBytes) {
      this.fail(`frame at stream byte ${this.#streamOffset}: ${size} bytes cannot hold the type field`);
      return false;
    }
    this.#onFrame(b, at, size, receivedNs, this.#streamOffset);
    this.#streamOffset += size;
    return this.#failure === null;
  }

  /** Records a protocol error that ends decoding. */
  fail(message: string): void {
    if (this.#failure !== null) return;
    this.#failure = message;
    this.counts.protocolErrors++;
    this.#error(message);
  }

  #error(message: string): void {
    if (this.#errors.length < MAX_ERRORS_KEPT) this.#errors.push(message);
  }

  /** The size of the frame starting at `b[at]` (its first #sizeKnownAt bytes are there), or −1 after failing. */
  #frameSize(b: Uint8Array, at: number, streamAt: number): number {
    const f = this.#lengthField;
    if (f !== null) {
      const size = readUint(b, at + f.offset, f.sizeBytes, f.littleEndian) + this.#lengthAdd;
      if (size < this.layout.minFrameBytes || size > this.layout.maxFrameBytes) {
        this.fail(`frame at stream byte ${streamAt}: length ${size} bytes is outside ${this.layout.minFrameBytes}..${this.layout.maxFrameBytes}`);
        return -1;
      }
      return size;
    }
    const t = this.#typeField;
    const code = readUint(b, at + t.offset, t.sizeBytes, t.littleEndian);
    const index = this.#codeIndex[code]!;
    if (index < 0) {
      this.fail(`frame at stream byte ${streamAt}: unknown message type ${code}; with fixed framing the stream cannot be followed past it`);
      return -1;
    }
    return this.#messages[index]!.minBytes;
  }

  /** One whole frame `b[at..at+size)`. */
  #onFrame(b: Uint8Array, at: number, size: number, receivedNs: number, streamAt: number): void {
    const counts = this.counts;
    counts.frames++;
    const c = this.layout.checksum;
    if (c.widthBytes > 0) {
      const expected = checksumOf(c.algorithm, b, at + framePosition(c.from, size), at + framePosition(c.to, size));
      const carried = readUint(b, at + framePosition(c.offset, size), c.widthBytes, c.littleEndian);
      if (expected !== carried) {
        counts.checksumFailures++;
        this.#error(`frame at stream byte ${streamAt} (${size} bytes): ${c.algorithm} checksum 0x${carried.toString(16)}, computed 0x${expected.toString(16)}`);
        return;
      }
    }
    const t = this.#typeField;
    const index = this.#codeIndex[readUint(b, at + t.offset, t.sizeBytes, t.littleEndian)]!;
    if (index < 0) {
      counts.unknownTypes++;
      return;
    }
    const m = this.#messages[index]!;
    if (size < m.minBytes || size > m.maxBytes) {
      this.fail(`frame at stream byte ${streamAt}: ${m.name} of ${size} bytes; the layout says ${m.minBytes === m.maxBytes ? m.minBytes : `${m.minBytes}..${m.maxBytes}`}`);
      return;
    }
    this.#typeCounts[index]!++;
    if (m.sequenceField !== null) this.#sequence(m, readUnsigned(b, m.sequenceField, at));
    if (m.heartbeat) counts.heartbeats++;
    const ts = m.timestampField;
    if (m.clockSync && this.#syncSentNs >= 0 && ts !== null) {
      // The sender stamped this between our send and our receipt: assume the middle (as NTP does).
      const sentNs = this.#syncSentNs;
      this.#syncSentNs = -1;
      this.#refMonotonicNs = Math.round((sentNs + receivedNs) / 2 - readUnsigned(b, ts, at) * this.#unitNs);
      this.#clockOffsetBoundNs = Math.round((receivedNs - sentNs) / 2);
    }
    if (m.recordLatency && ts !== null && this.#latency !== undefined) {
      const sinceRef = (readHigh(b, ts, at) - this.#refHigh) * TWO_TO_32 + (readLow(b, ts, at) - this.#refLow);
      const latencyNs = receivedNs - this.#refMonotonicNs - sinceRef * this.#unitNs;
      if (latencyNs < 0) {
        counts.negativeLatencies++;
        this.#latency.recordValue(0);
      } else if (latencyNs > MAX_PLAUSIBLE_LATENCY_NS) {
        counts.implausibleLatencies++;
      } else {
        this.#latency.recordValue(Math.round(latencyNs));
      }
    }
  }

  #sequence(m: LayoutMessage, sequence: number): void {
    const last = this.#lastSequence;
    if (m.sequenceRole === 'next') {
      const expected = last < 0 ? this.layout.firstSequence ?? sequence : last + 1;
      if (sequence < expected) {
        this.counts.sequenceRegressions++;
        return;
      }
      if (sequence > expected) this.#gap(sequence - expected);
      this.#lastSequence = sequence;
    } else if (m.sequenceRole === 'last') {
      // The frame carries the last number issued: the first one sets where this connection joined the feed.
      if (last < 0) this.#lastSequence = sequence;
      else if (sequence > last) {
        this.#gap(sequence - last);
        this.#lastSequence = sequence;
      } else if (sequence < last) this.counts.sequenceRegressions++;
    }
  }

  #gap(frames: number): void {
    const counts = this.counts;
    counts.gaps++;
    counts.gapFrames += frames;
    if (frames > counts.maxGapFrames) counts.maxGapFrames = frames;
  }
}
