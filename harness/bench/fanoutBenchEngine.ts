import { EVENT_STRIDE } from '../../engine/book/EventBuffer.js';
import { Broadcaster } from '../../engine/broadcast/Broadcaster.js';
import { MarketDataServer } from '../../engine/broadcast/MarketDataServer.js';
import type { OutboundLimitsOptions } from '../../engine/broadcast/outboundLimits.js';
import { DepthMirror } from '../../engine/DepthMirror.js';
import { EventPublisher } from '../../engine/EventPublisher.js';
import { depthDigest } from '../clients/FeedBook.js';
import type { FanoutFeed } from './fanoutBenchFeed.js';

/** Options of {@link startFanoutEngine}; each documents its default. */
export interface FanoutEngineOptions {
  readonly feed: FanoutFeed;
  /** Per-subscriber cap and policy. Default the engine's (1 MiB, drop). */
  readonly outbound?: OutboundLimitsOptions;
  /** Default 1,000 (the engine's). */
  readonly maxConnections?: number;
  /** Longest frame (snapshots), bytes; subscribers must use the same. Default 4,096. */
  readonly maxFrameLength?: number;
  readonly log?: (line: string) => void;
}

/** What one {@link FanoutEngine.play} did. */
export interface PlayResult {
  readonly offeredRateHz: number;
  readonly frames: number;
  readonly elapsedMs: number;
  readonly achievedRateHz: number;
  /** Flushes (one socket write per subscriber each). */
  readonly flushes: number;
  /** The feed sequence at the end. */
  readonly lastSequence: number;
}

/**
 * The market-data half of the reference engine with a recorded feed in place of the matcher:
 *
 * ```
 *  FanoutFeed records ─► EventPublisher.record ─► DepthMirror ─► Broadcaster ─► MarketDataServer ─► subscribers
 *   (played at rateHz)         (the engine's path from the outbound ring on)        ▲ SNAPSHOT_REQUEST
 *                                                  └─ depth(symbol) ────────────────┘
 * ```
 * Everything after the matcher is the engine's own code, so what the fan-out benchmark measures
 * is what `matchbench engine` does with the same feed.
 */
export interface FanoutEngine {
  readonly port: number;
  readonly server: MarketDataServer;
  readonly broadcaster: Broadcaster;
  /** Publishes the next `frames` frames of the feed (looping) as one engine batch (one flush). */
  publish(frames: number): void;
  /**
   * Plays the feed at `rateHz` frames per second for `durationMs`: on each turn of the event loop
   * (or every `flushIntervalMs`, when > 0) it publishes what is due (at most 100 ms worth at once; the broadcaster cuts batches at 64 KiB)
   * and flushes, so batches grow when the loop is busy, as in the engine. Bounded by
   * `durationMs`; resolves when done.
   */
  play(rateHz: number, durationMs: number, flushIntervalMs?: number): Promise<PlayResult>;
  /** The engine's book of every symbol as a digest ({@link depthDigest}), by symbol id. */
  digests(): Record<number, string>;
  close(): Promise<void>;
}

/** Starts the market-data port on 127.0.0.1 (port 0) with every book empty. */
export async function startFanoutEngine(options: FanoutEngineOptions): Promise<FanoutEngine> {
  const { feed } = options;
  let mirror: DepthMirror | undefined;
  const broadcaster = new Broadcaster({ depth: (symbolId, levels) => mirror?.depth(symbolId, levels) });
  mirror = new DepthMirror(broadcaster);
  mirror.load(feed.symbols.map((s) => ({ symbolId: s.symbolId, bids: [], asks: [] })));
  const depthOf = mirror;
  const publisher = new EventPublisher({ report: () => {} }, mirror);
  const server = await MarketDataServer.listen({
    broadcaster,
    ...(options.outbound === undefined ? {} : { outbound: options.outbound }),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.maxFrameLength === undefined ? {} : { limits: { maxFrameLength: options.maxFrameLength } }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const records = feed.records;
  let next = 0;
  const publish = (frames: number): void => {
    for (let i = 0; i < frames; i++) {
      publisher.record(records, next * EVENT_STRIDE);
      next = next + 1 === feed.frames ? 0 : next + 1;
    }
    publisher.flush();
  };
  const play = async (rateHz: number, durationMs: number, flushIntervalMs = 0): Promise<PlayResult> => {
    if (!(rateHz > 0) || !(durationMs > 0)) throw new RangeError(`rateHz and durationMs must be > 0, got ${rateHz} and ${durationMs}`);
    const maxBurst = Math.max(1, Math.ceil(rateHz * 0.1));
    const startMs = performance.now();
    let published = 0;
    let flushes = 0;
    for (;;) {
      const elapsedMs = performance.now() - startMs;
      if (elapsedMs >= durationMs) break;
      const due = Math.floor((rateHz * elapsedMs) / 1_000) - published;
      if (due > 0) {
        const frames = Math.min(due, maxBurst);
        publish(frames);
        published += frames;
        flushes++;
        // Each flush is one socket write per subscriber: a flush interval trades latency for larger writes.
        if (flushIntervalMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, flushIntervalMs));
        else await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
      }
    }
    const elapsedMs = performance.now() - startMs;
    return { offeredRateHz: rateHz, frames: published, elapsedMs, achievedRateHz: (published * 1_000) / elapsedMs, flushes,
      lastSequence: broadcaster.lastSequence };
  };
  const digests = (): Record<number, string> => {
    const out: Record<number, string> = {};
    for (const s of feed.symbols) out[s.symbolId] = depthDigest(depthOf.depth(s.symbolId, Number.MAX_SAFE_INTEGER) ?? { bids: [], asks: [] });
    return out;
  };
  return { port: server.port, server, broadcaster, publish, play, digests, close: () => server.close() };
}
