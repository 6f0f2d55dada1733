import { EVENT_STRIDE, EventKind } from '../../engine/book/EventBuffer.js';
import { Matcher } from '../../engine/book/Matcher.js';
import { symbolConfig, type SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { FlowOp, generateMatcherFlow } from '../generate/matcherFlow.js';

/** Options of {@link buildFanoutFeed}; each documents its default. */
export interface FanoutFeedOptions {
  /** Symbols 1..symbols, each with its own flow. Default 4. */
  readonly symbols: number;
  /** Matcher operations per symbol. Default 50,000. */
  readonly operationsPerSymbol: number;
  /** Seed of the flows (symbol k uses stream k of it). Default 1. */
  readonly seed: number;
  /** Standard deviation of limit prices around the mid, in ticks; keeps each book's depth (and snapshots) small. Default 8. */
  readonly priceSigmaTicks: number;
}

/** The defaults of {@link FanoutFeedOptions}. */
export const FANOUT_FEED_DEFAULTS: FanoutFeedOptions = { symbols: 4, operationsPerSymbol: 50_000, seed: 1, priceSigmaTicks: 8 };

/**
 * A market-data stream that can be played in a loop: the TRADE, LEVEL_UPDATE and QUOTE records a
 * real matcher produced for a seeded Monte Carlo flow (harness/generate/matcherFlow.ts, one flow
 * per symbol, interleaved), followed by a closing run of LEVEL_UPDATEs to 0 for every level still
 * resting and an empty QUOTE per symbol, as a mass cancel would produce. The stream therefore
 * starts and ends with every book empty, so playing it again from the start keeps every book a
 * subscriber rebuilds equal to the engine's.
 *
 * Records are the engine's event records (EVENT_STRIDE doubles: sequence, kind, symbolId, fields),
 * so they go through the engine's own EventPublisher → DepthMirror → Broadcaster path.
 */
export interface FanoutFeed {
  readonly options: FanoutFeedOptions;
  readonly symbols: readonly SymbolConfig[];
  /** `frames` records of EVENT_STRIDE doubles. */
  readonly records: Float64Array;
  readonly frames: number;
  /** Frames by type over one loop. */
  readonly trades: number;
  readonly levelUpdates: number;
  readonly quotes: number;
}

/** Builds the feed (before any timing; about a second for the defaults). */
export function buildFanoutFeed(overrides: Partial<FanoutFeedOptions> = {}): FanoutFeed {
  const options: FanoutFeedOptions = { ...FANOUT_FEED_DEFAULTS, ...overrides };
  const flows = Array.from({ length: options.symbols }, (_, k) =>
    generateMatcherFlow({ operations: options.operationsPerSymbol, seed: options.seed + k * 7_919, priceSigmaTicks: options.priceSigmaTicks }));
  const symbols = flows.map((flow, k) => symbolConfig({ ...flow.symbol, symbolId: k + 1, name: `FAN${k + 1}` }));
  const matcher = new Matcher(symbols);
  const events = matcher.events;
  let records = new Float64Array(options.symbols * options.operationsPerSymbol * 3 * EVENT_STRIDE);
  let frames = 0;
  let trades = 0;
  let levelUpdates = 0;
  let quotes = 0;
  const keep = (source: Float64Array, at: number): void => {
    if ((frames + 1) * EVENT_STRIDE > records.length) {
      const grown = new Float64Array(records.length * 2);
      grown.set(records);
      records = grown;
    }
    records.set(source.subarray(at, at + EVENT_STRIDE), frames * EVENT_STRIDE);
    records[frames * EVENT_STRIDE] = frames + 1;
    frames++;
  };
  for (let i = 0; i < options.operationsPerSymbol; i++) {
    for (let k = 0; k < flows.length; k++) {
      const flow = flows[k]!;
      const symbolId = k + 1;
      const id = flow.clientOrderId[i]!;
      switch (flow.op[i]) {
        case FlowOp.Cancel:
          matcher.cancel(symbolId, 1, id, 0);
          break;
        case FlowOp.Market:
          matcher.newOrder(symbolId, 1, id, flow.side[i]!, OrderType.Market, TimeInForce.IOC, 0, flow.quantity[i]!, 0);
          break;
        default:
          matcher.newOrder(symbolId, 1, id, flow.side[i]!, OrderType.Limit, flow.op[i] === FlowOp.Ioc ? TimeInForce.IOC : TimeInForce.GTC,
            flow.price[i]!, flow.quantity[i]!, 0);
      }
      const d = events.data;
      for (let e = 0; e < events.length; e++) {
        const kind = events.kindAt(e);
        if (kind === EventKind.Trade) trades++;
        else if (kind === EventKind.LevelUpdate) levelUpdates++;
        else if (kind === EventKind.Quote) quotes++;
        else continue;
        keep(d, e * EVENT_STRIDE);
      }
      events.clear();
    }
  }
  // Close the loop: every resting level goes to 0, every top of book to empty.
  const closing = new Float64Array(EVENT_STRIDE);
  for (const symbol of symbols) {
    const depth = matcher.book(symbol.symbolId)?.depth(Number.MAX_SAFE_INTEGER) ?? { bids: [], asks: [] };
    for (const [side, levels] of [[Side.Buy, depth.bids], [Side.Sell, depth.asks]] as const) {
      for (const level of levels) {
        closing.fill(0);
        closing[1] = EventKind.LevelUpdate;
        closing[2] = symbol.symbolId;
        closing[3] = side;
        closing[4] = level.price;
        keep(closing, 0);
        levelUpdates++;
      }
    }
    closing.fill(0);
    closing[1] = EventKind.Quote;
    closing[2] = symbol.symbolId;
    keep(closing, 0);
    quotes++;
  }
  return { options, symbols, records: records.slice(0, frames * EVENT_STRIDE), frames, trades, levelUpdates, quotes };
}
