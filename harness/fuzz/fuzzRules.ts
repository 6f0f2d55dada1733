import { symbolConfig, type SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { DEFAULT_MAX_FRAME_LENGTH } from '../../engine/protocol/messageLayouts.js';

/**
 * What the fuzzer must know about the engine under test to predict its answers: the protocol
 * limits it runs with and the rules of the two symbols the cases trade. The embedded reference
 * engine is started with exactly these; an engine over TCP must trade the same two symbols.
 */
export interface FuzzRules {
  /** Longest frame the engine accepts, bytes. Default 4096 (the protocol's). */
  readonly maxFrameLength: number;
  /** LOGIN heartbeat interval range, ms. Default 100..60000 (the protocol's). */
  readonly minHeartbeatIntervalMs: number;
  readonly maxHeartbeatIntervalMs: number;
  /**
   * The symbol that field sweeps (enum bytes, numeric boundaries) send single orders to; orders of
   * different cases may trade with each other there, which no expectation depends on.
   */
  readonly sweepSymbol: SymbolConfig;
  /**
   * The symbol of multi-request semantic cases (duplicate ids, cancels, replaces): only buys are
   * sent to it, so nothing trades and an order stays live until its own case cancels it.
   */
  readonly semanticSymbol: SymbolConfig;
  /** A symbol id the engine does not trade (REJECT UnknownSymbol). */
  readonly unknownSymbolId: number;
  /**
   * HEARTBEATs the rate-limit case sends in one write; must be well beyond the burst the engine
   * allows. Default 20,000 (the reference engine allows bursts of 5,000 frames at 50,000 per second).
   */
  readonly floodFrames: number;
  /**
   * The engine's order-entry connection limit, when known: the churn/beyond-limit case opens this
   * many sessions and one more. Absent: that case is left out of the catalogue. Default absent;
   * `matchbench fuzz` sets it for the embedded engine it starts.
   */
  readonly maxConnections?: number;
}

/**
 * Band and quantity limits chosen so that every NEW_ORDER check can fail on its own: a tick of
 * 100 makes off-tick prices possible, and the largest quantity (10^12) times the highest price
 * (10^7) overflows 2^53, so NotionalOverflow is reachable without QuantityAboveMax. 10^5 ticks of
 * band keep the reference book's price ladder small (a few MB).
 */
const symbolRules = { tickSize: 100, minPrice: 100, maxPrice: 10_000_000, maxQuantity: 1_000_000_000_000, priceDecimals: 2 } as const;

/** The defaults of {@link FuzzRules}: the embedded engine's configuration. */
export const FUZZ_RULES_DEFAULTS: FuzzRules = {
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
  minHeartbeatIntervalMs: 100,
  maxHeartbeatIntervalMs: 60_000,
  sweepSymbol: symbolConfig({ symbolId: 71, name: 'FUZZ-SWEEP', ...symbolRules }),
  semanticSymbol: symbolConfig({ symbolId: 72, name: 'FUZZ-SEMANTIC', ...symbolRules }),
  unknownSymbolId: 99,
  floodFrames: 20_000,
};
