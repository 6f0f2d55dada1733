/**
 * The engine side of the fan-out benchmark, as a child process (so that its RSS is the engine's
 * alone and its event loop is its own): builds the feed from the seed, starts the market-data port
 * (startFanoutEngine) and plays the feed at the rates the parent asks for, over IPC.
 *
 *   parent ── init ──► build feed, listen on 127.0.0.1:0 ──► ready (port, time origin)
 *          ── play ──► play(rateHz, durationMs), RSS sampled every 50 ms ──► played
 *          ── stats / digests / close ──► …
 */
import type { OutboundLimitsOptions } from '../../engine/broadcast/outboundLimits.js';
import { startFanoutEngine, type FanoutEngine, type PlayResult } from './fanoutBenchEngine.js';
import { buildFanoutFeed, type FanoutFeedOptions } from './fanoutBenchFeed.js';

/** Parent → engine process. */
export type EngineRequest =
  | { readonly type: 'init'; readonly feed: FanoutFeedOptions; readonly outbound: OutboundLimitsOptions; readonly maxConnections: number;
      readonly maxFrameLength: number }
  | { readonly type: 'play'; readonly rateHz: number; readonly durationMs: number; readonly flushIntervalMs: number }
  | { readonly type: 'stats' }
  | { readonly type: 'digests' }
  | { readonly type: 'close' };

/** The engine's counters the benchmark reports. */
export interface EngineSample {
  readonly rssBytes: number;
  /** Highest RSS sampled since the last sample was taken. */
  readonly maxRssBytes: number;
  readonly lastSequence: number;
  readonly subscribers: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly framesDropped: number;
  readonly snapshotsAnswered: number;
  readonly maxQueuedBytes: number;
  readonly disconnects: Readonly<Record<string, number>>;
  /** Subscribers connected now for which the engine has dropped at least one frame (over their cap at some point). */
  readonly subscribersDropping: number;
}

/** Engine process → parent. */
export type EngineReply =
  | { readonly type: 'ready'; readonly port: number; readonly timeOriginMs: number; readonly feedFrames: number; readonly symbols: readonly number[] }
  | { readonly type: 'played'; readonly play: PlayResult; readonly sample: EngineSample }
  | { readonly type: 'stats'; readonly sample: EngineSample }
  | { readonly type: 'digests'; readonly digests: Record<number, string> }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

const send = (reply: EngineReply): void => {
  process.send?.(reply);
};

let engine: FanoutEngine | undefined;
let maxRss = 0;
const sampler = setInterval(() => {
  maxRss = Math.max(maxRss, process.memoryUsage.rss());
}, 50);
sampler.unref();

function sample(e: FanoutEngine): EngineSample {
  const rssBytes = process.memoryUsage.rss();
  const max = Math.max(maxRss, rssBytes);
  maxRss = rssBytes;
  const stats = e.server.stats();
  return {
    rssBytes, maxRssBytes: max, lastSequence: stats.feed.lastSequence, subscribers: stats.subscribers, framesSent: stats.feed.framesSent,
    bytesSent: stats.feed.bytesSent, framesDropped: stats.feed.framesDropped, snapshotsAnswered: stats.feed.snapshotsAnswered,
    maxQueuedBytes: stats.maxQueuedBytes, disconnects: stats.disconnects,
    subscribersDropping: stats.perSubscriber.reduce((n, s) => n + (s.framesDropped > 0 ? 1 : 0), 0),
  };
}

async function handle(request: EngineRequest): Promise<void> {
  if (request.type === 'init') {
    const feed = buildFanoutFeed(request.feed);
    engine = await startFanoutEngine({ feed, outbound: request.outbound, maxConnections: request.maxConnections, maxFrameLength: request.maxFrameLength });
    send({ type: 'ready', port: engine.port, timeOriginMs: performance.timeOrigin, feedFrames: feed.frames, symbols: feed.symbols.map((s) => s.symbolId) });
    return;
  }
  if (engine === undefined) throw new Error(`${request.type} before init`);
  switch (request.type) {
    case 'play': {
      const play = await engine.play(request.rateHz, request.durationMs, request.flushIntervalMs);
      send({ type: 'played', play, sample: sample(engine) });
      return;
    }
    case 'stats':
      send({ type: 'stats', sample: sample(engine) });
      return;
    case 'digests':
      send({ type: 'digests', digests: engine.digests() });
      return;
    case 'close':
      await engine.close();
      send({ type: 'closed' });
      process.disconnect?.();
      clearInterval(sampler);
      return;
  }
}

process.on('message', (request: EngineRequest) => {
  handle(request).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) }));
});
