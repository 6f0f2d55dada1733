/**
 * Streaming havoc: many seeded havoc frames per order-entry connection, a fresh connection after
 * each SESSION_ERROR or close, until `frames` frames are sent (`matchbench fuzz --havoc-frames N`).
 *
 * ```
 *  stream workers (× streams) ─► connection c: LOGIN ─► batch, sentinel ─► batch, sentinel ─► … ─► SESSION_ERROR/close ─► c + 1
 *                                  frames of c from Rng.stream(seed, STREAM_BASE + c)
 *  every probeEveryFrames frames ─► liveness probe (order entry; market data when given) ─► RSS sample
 * ```
 * A batch is up to `batchFrames` havoc frames (mostly valid, IOC only, some mutated) followed by
 * a sentinel: a valid CANCEL of a client order id no havoc frame uses, which a live session must
 * answer with REJECT UnknownOrder. The worker waits for that answer or the close before the next
 * batch, so the engine is never flooded past what it reads, and an engine that stops answering is
 * caught. After a frame that breaks the framing (a cut, a wrong length, garbage) the batch ends
 * there and the connection is dropped after a short wait: what follows would be read as one frame.
 *
 * Fails (each failure names the connection and replays with `--case havoc-stream/<seed>/<c>/<batches>`)
 * when the engine closes without SESSION_ERROR or LOGOUT, sends a malformed frame, leaves the
 * sentinel unanswered on an open connection, or fails a probe; and when the sampled RSS grows by
 * more than `maxRssGrowthBytes` over its value after the warm-up (the first `probeEveryFrames` frames).
 */

import { RejectReason } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { Rng } from '../generate/Rng.js';
import { TargetError } from '../clients/TargetError.js';
import { FUZZ_HEARTBEAT_INTERVAL_MS } from './fuzzCatalogue.js';
import { concatBytes, toHex, type FuzzCase } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';
import { breaksFraming, havocFrame } from './havocCase.js';
import { describeFrame, FuzzConnection, sleep, type FuzzTarget, type PlayOptions } from './playFuzzCase.js';
import { probeLiveness, probeMarketDataLiveness } from './probeLiveness.js';

/** Options of {@link runHavocStream}; each documents its default. */
export interface HavocStreamOptions {
  readonly target: FuzzTarget;
  /** Probed too, when given. */
  readonly marketDataTarget?: FuzzTarget;
  readonly rules: FuzzRules;
  readonly play: PlayOptions;
  /** Hands out fresh client ids. */
  readonly clientId: () => number;
  /** Havoc frames to send in all (sentinels and LOGINs not counted). */
  readonly frames: number;
  readonly seed: number;
  /** Connections streaming at once. Default 4. */
  readonly streams?: number;
  /** A liveness probe (and an RSS sample) after every this many frames. Default 50,000. */
  readonly probeEveryFrames?: number;
  /** Havoc frames per batch (before its sentinel). Default {@link HAVOC_STREAM_DEFAULTS.batchFrames}. */
  readonly batchFrames?: number;
  /** Chance a frame stays valid. Default 31/32: a session lives for about 32 frames. */
  readonly validProbability?: number;
  /**
   * The engine's resident set size in bytes, sampled at each probe: `process.memoryUsage().rss`
   * for the embedded engine (it runs in this process). Absent: memory is not checked, and the
   * report says `rssNote`.
   */
  readonly rssBytes?: () => number;
  /** Why RSS is not sampled, for the report. Default: an external target's memory cannot be read from here. */
  readonly rssNote?: string;
  /**
   * Largest RSS growth allowed, bytes: the most sampled minus the first sample after the warm-up
   * (the first `probeEveryFrames` frames). Default {@link HAVOC_STREAM_DEFAULTS.maxRssGrowthBytes}.
   */
  readonly maxRssGrowthBytes?: number;
  /** Stop sending after this long, ms (the report says so). Default 900,000. */
  readonly deadlineMs?: number;
  /** Stop after this many failures. Default 10. */
  readonly maxFailures?: number;
  /** Called after each probe, for progress. */
  readonly onProgress?: (framesSent: number, total: number) => void;
}

/**
 * The defaults of {@link HavocStreamOptions}. The RSS bound, 256 MiB of growth after the warm-up:
 * IOC-only havoc leaves nothing on the book, so what grows over a million frames is state kept
 * per connection or per frame, garbage the collector has not returned yet, and this process's
 * own buffers. Measured here (embedded engine, a million frames on about 20,000 connections): 132
 * MiB from before the first frame, 65 MiB after the first 50,000, flat from 400,000 on. The bound
 * catches a leak of about 13 KiB per connection or 270 bytes per frame over a million frames, not
 * a smaller one: a tighter bound would fail on collector timing.
 */
export const HAVOC_STREAM_DEFAULTS = {
  streams: 4,
  probeEveryFrames: 50_000,
  batchFrames: 64,
  validProbability: 31 / 32,
  maxRssGrowthBytes: 256 * 1024 * 1024,
  deadlineMs: 900_000,
  maxFailures: 10,
  rssNote: 'not sampled: the target is an external process (use its own metrics)',
} as const;

/** Rng streams of streaming-havoc connections start here, far above any havoc case index. */
const STREAM_BASE = 0x4000_0000;
/** The sentinel CANCEL's client order id: havoc frames use 1..20. */
const SENTINEL_CLIENT_ORDER_ID = 999_999_999;
/** How long a connection whose framing broke may take to close by itself before we drop it, ms. */
const DESYNC_WAIT_MS = 20;
/** Bytes of a failing connection kept for the report (the replay rebuilds all of them). */
const HEX_LIMIT_BYTES = 4_096;

/** One problem found by streaming havoc. */
export interface HavocStreamFailure {
  /** `havoc-stream/<seed>/<connection>/<batches>`, or `havoc-stream/probe` and `havoc-stream/rss`. */
  readonly id: string;
  readonly problem: string;
  /** The connection's bytes after its LOGIN, hex (at most 4 KiB; `--case <id>` replays them all). */
  readonly hex?: string;
}

/** What {@link runHavocStream} returns. */
export interface HavocStreamReport {
  readonly seed: number;
  /** Havoc frames sent. */
  readonly frames: number;
  /** Sentinel CANCELs sent (each answered or the session had ended). */
  readonly sentinels: number;
  readonly connections: number;
  /** How sessions ended: `SESSION_ERROR ChecksumMismatch`, `dropped after broken framing`, `LOGOUT`, … */
  readonly sessionEnds: Readonly<Record<string, number>>;
  readonly probes: number;
  readonly rss:
    | { readonly sampled: true; readonly afterWarmupBytes: number; readonly maxBytes: number; readonly growthBytes: number; readonly boundBytes: number;
      readonly samples: number }
    | { readonly sampled: false; readonly note: string };
  readonly failures: readonly HavocStreamFailure[];
  /** Why sending stopped before `frames` were sent (the deadline, or `maxFailures` failures), or null. */
  readonly stoppedEarly: 'deadline' | 'failures' | null;
  readonly durationMs: number;
}

/** The batches (after LOGIN) that connection `connection` of `seed` sends, as streaming havoc builds them. */
export function havocStreamBatches(seed: number, connection: number, batches: number, rules: FuzzRules,
  options: Pick<HavocStreamOptions, 'batchFrames' | 'validProbability'> = {}): { bytes: Uint8Array; frames: number; broken: boolean }[] {
  const maker = new BatchMaker(seed, connection, rules, options);
  return Array.from({ length: batches }, () => maker.next(Infinity));
}

/** `havoc-stream/<seed>/<connection>/<batches>` → its numbers, or undefined. */
export function parseHavocStreamId(id: string): { seed: number; connection: number; batches: number } | undefined {
  const match = /^havoc-stream\/(-?\d+)\/(\d+)\/(\d+)$/.exec(id);
  if (match === null) return undefined;
  const [seed, connection, batches] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return [seed, connection, batches].every(Number.isSafeInteger) && batches >= 1 ? { seed, connection, batches } : undefined;
}

/** The replay of a streaming-havoc connection: its batches back to back after LOGIN, expected to survive. */
export function havocStreamCase(id: string, rules: FuzzRules): FuzzCase | undefined {
  const parsed = parseHavocStreamId(id);
  if (parsed === undefined) return undefined;
  const batches = havocStreamBatches(parsed.seed, parsed.connection, parsed.batches, rules);
  return {
    id, class: 'havoc', login: true,
    description: `streaming havoc connection ${parsed.connection} of seed ${parsed.seed}: ${batches.reduce((n, b) => n + b.frames, 0)} frames in ${parsed.batches} batches`,
    chunks: batches.map((b) => ({ bytes: b.bytes })),
    expected: { answers: [], end: { kind: 'survives' } },
  };
}

/** Draws one connection's batches: havoc frames then, unless the framing broke, the sentinel. */
class BatchMaker {
  readonly #rng: Rng;
  readonly #rules: FuzzRules;
  readonly #batchFrames: number;
  readonly #validProbability: number;
  #sequence = 2;
  #broken = false;

  constructor(seed: number, connection: number, rules: FuzzRules, options: Pick<HavocStreamOptions, 'batchFrames' | 'validProbability'>) {
    this.#rng = Rng.stream(seed, STREAM_BASE + connection);
    this.#rules = rules;
    this.#batchFrames = options.batchFrames ?? HAVOC_STREAM_DEFAULTS.batchFrames;
    this.#validProbability = options.validProbability ?? HAVOC_STREAM_DEFAULTS.validProbability;
  }

  /** The next batch of at most `limit` havoc frames; `broken`: it ends in a frame that breaks the framing (no sentinel). */
  next(limit: number): { bytes: Uint8Array; frames: number; broken: boolean } {
    if (this.#broken) return { bytes: new Uint8Array(0), frames: 0, broken: true };
    const parts: Uint8Array[] = [];
    const count = Math.min(this.#batchFrames, limit);
    for (let i = 0; i < count; i++) {
      const [, bytes] = havocFrame(this.#rng, this.#rules, this.#sequence++, { validProbability: this.#validProbability, resting: false });
      parts.push(bytes);
      if (breaksFraming(bytes)) {
        this.#broken = true;
        return { bytes: concatBytes(parts), frames: parts.length, broken: true };
      }
    }
    parts.push(encode({ type: MessageType.Cancel, symbolId: this.#rules.sweepSymbol.symbolId, sequence: this.#sequence++, timestampNs: 1,
      clientOrderId: SENTINEL_CLIENT_ORDER_ID }));
    return { bytes: concatBytes(parts), frames: parts.length - 1, broken: false };
  }
}

/**
 * Sends `options.frames` streaming-havoc frames to `options.target` and reports what the engine
 * did. Never throws for the engine's behaviour: a connection that cannot be made is a failure.
 */
export async function runHavocStream(options: HavocStreamOptions): Promise<HavocStreamReport> {
  const streams = options.streams ?? HAVOC_STREAM_DEFAULTS.streams;
  const probeEvery = options.probeEveryFrames ?? HAVOC_STREAM_DEFAULTS.probeEveryFrames;
  const deadlineMs = options.deadlineMs ?? HAVOC_STREAM_DEFAULTS.deadlineMs;
  const maxFailures = options.maxFailures ?? HAVOC_STREAM_DEFAULTS.maxFailures;
  const bound = options.maxRssGrowthBytes ?? HAVOC_STREAM_DEFAULTS.maxRssGrowthBytes;
  const started = performance.now();
  const failures: HavocStreamFailure[] = [];
  const sessionEnds: Record<string, number> = {};
  let reserved = 0;
  let sent = 0;
  let sentinels = 0;
  let nextConnection = 0;
  let nextProbeAt = 0;
  let probes = 0;
  let probing: Promise<void> | undefined;
  const rss = { first: -1, max: 0, samples: 0 };
  const ended = (key: string): void => {
    sessionEnds[key] = (sessionEnds[key] ?? 0) + 1;
  };
  let stoppedBy: 'deadline' | 'failures' | undefined;
  const stop = (): boolean => {
    if (stoppedBy === undefined && failures.length >= maxFailures) stoppedBy = 'failures';
    if (stoppedBy === undefined && performance.now() - started > deadlineMs) stoppedBy = 'deadline';
    return stoppedBy !== undefined;
  };

  // The first probeEvery frames are the warm-up (the heap, socket buffers and the engine's pools
  // grow to their working size): growth is measured from the first sample after them.
  const warmupFrames = Math.min(probeEvery, options.frames);
  const sampleRss = (): void => {
    if (options.rssBytes === undefined || sent < warmupFrames) return;
    const bytes = options.rssBytes();
    rss.samples++;
    if (rss.first < 0) rss.first = bytes;
    rss.max = Math.max(rss.max, bytes);
  };
  const probe = async (): Promise<void> => {
    probes++;
    const oe = await probeLiveness(options.target, options.rules, options.clientId(), options.play);
    if (oe !== undefined) failures.push({ id: 'havoc-stream/probe', problem: `after ${sent} frames: ${oe}` });
    if (options.marketDataTarget !== undefined) {
      const md = await probeMarketDataLiveness(options.marketDataTarget, options.clientId(), options.play);
      if (md !== undefined) failures.push({ id: 'havoc-stream/probe', problem: `after ${sent} frames: ${md}` });
    }
    sampleRss();
    options.onProgress?.(sent, options.frames);
  };
  /** One probe at a time; a worker that crosses the mark waits for it (the others keep streaming). */
  const maybeProbe = async (): Promise<void> => {
    if (sent < nextProbeAt || probing !== undefined) return;
    nextProbeAt += probeEvery;
    probing = probe();
    await probing;
    probing = undefined;
  };

  const playConnection = async (connection: number): Promise<void> => {
    const maker = new BatchMaker(options.seed, connection, options.rules, options);
    /** The first bytes written after LOGIN, for the report; the replay rebuilds all from the batch count. */
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let batches = 0;
    const fail = (problem: string): void => {
      const all = concatBytes(head);
      failures.push({ id: `havoc-stream/${options.seed}/${connection}/${Math.max(1, batches)}`, problem: `connection ${connection}: ${problem}`,
        hex: toHex(all.subarray(0, HEX_LIMIT_BYTES)) + (all.length > HEX_LIMIT_BYTES ? '…' : '') });
    };
    let socket: FuzzConnection;
    try {
      socket = await FuzzConnection.open(options.target, options.play.connectTimeoutMs);
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      failures.push({ id: 'havoc-stream/connect', problem: `connection ${connection}: ${error.message}` });
      return;
    }
    try {
      socket.write(encode({ type: MessageType.Login, symbolId: 0, sequence: 1, timestampNs: 1, clientId: options.clientId(),
        heartbeatIntervalMs: FUZZ_HEARTBEAT_INTERVAL_MS }));
      await socket.waitFor(() => socket.done || socket.frames.length > 0, options.play.answerTimeoutMs);
      const ack = socket.frames.shift();
      if (ack?.type !== MessageType.LoginAck) {
        fail(`LOGIN not answered with LOGIN_ACK: ${ack === undefined ? (socket.closed ? 'closed' : 'nothing') : describeFrame(ack)}`);
        return;
      }
      for (;;) {
        if (stop()) return;
        const room = options.frames - reserved;
        if (room <= 0) {
          ended('stopped: all frames sent');
          return;
        }
        const batch = maker.next(room);
        reserved += batch.frames;
        const answered = socket.frames.length;
        socket.write(batch.bytes);
        batches++;
        if (headBytes < HEX_LIMIT_BYTES) {
          head.push(batch.bytes);
          headBytes += batch.bytes.length;
        }
        sent += batch.frames;
        if (!batch.broken) sentinels++;
        const sentinelAnswered = (): boolean => socket.frames.slice(answered).some((f) => f.clientOrderId === SENTINEL_CLIENT_ORDER_ID
          && (f.type === MessageType.Reject && (f.reason === RejectReason.UnknownOrder || f.reason === RejectReason.EngineBusy)));
        await socket.waitFor(() => socket.done || (!batch.broken && sentinelAnswered()), batch.broken ? DESYNC_WAIT_MS : options.play.answerTimeoutMs);
        const error = socket.frames.find((f) => f.type === MessageType.SessionError);
        const logout = socket.frames.find((f) => f.type === MessageType.Logout);
        if (socket.malformed !== undefined) return fail(`the engine sent a malformed frame: ${socket.malformed}`);
        if (socket.closed) {
          if (error === undefined && logout === undefined) return fail('closed the connection without SESSION_ERROR');
          ended(error === undefined ? 'LOGOUT' : describeFrame(error).replace(/ \(.*$/, ''));
          return;
        }
        if (error !== undefined || logout !== undefined) {
          // SESSION_ERROR arrived, the close is on its way: give it the answer timeout.
          await socket.waitFor(() => socket.done, options.play.answerTimeoutMs);
          if (!socket.closed) return fail(`${describeFrame((error ?? logout)!)}, but the connection stayed open`);
          ended(describeFrame((error ?? logout)!).replace(/ \(.*$/, ''));
          return;
        }
        if (batch.broken) {
          ended('dropped after broken framing');
          return;
        }
        if (!sentinelAnswered()) return fail(`no answer to the sentinel CANCEL within ${options.play.answerTimeoutMs} ms, connection open`);
        // Keep what was seen small: only frames after `answered` matter for the next batch.
        socket.frames.length = 0;
        await maybeProbe();
      }
    } finally {
      socket.destroy();
      await maybeProbe();
    }
  };

  await probe();
  nextProbeAt = probeEvery;
  const worker = async (): Promise<void> => {
    while (reserved < options.frames && !stop()) await playConnection(nextConnection++);
  };
  await Promise.all(Array.from({ length: streams }, worker));
  while (probing !== undefined) await sleep(5);
  await probe();
  const growth = rss.max - rss.first;
  if (options.rssBytes !== undefined && growth > bound) {
    failures.push({ id: 'havoc-stream/rss', problem: `RSS grew by ${mib(growth)} MiB (from ${mib(rss.first)} to ${mib(rss.max)} MiB), above the bound of ${mib(bound)} MiB` });
  }
  return {
    seed: options.seed,
    frames: sent,
    sentinels,
    connections: nextConnection,
    sessionEnds,
    probes,
    rss: options.rssBytes === undefined ? { sampled: false, note: options.rssNote ?? HAVOC_STREAM_DEFAULTS.rssNote }
      : { sampled: true, afterWarmupBytes: rss.first, maxBytes: rss.max, growthBytes: growth, boundBytes: bound, samples: rss.samples },
    failures,
    stoppedEarly: sent < options.frames ? (stoppedBy ?? 'failures') : null,
    durationMs: Math.round(performance.now() - started),
  };
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
