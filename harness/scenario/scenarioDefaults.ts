import { SYMBOL_DEFAULTS } from '../../engine/book/SymbolConfig.js';
import type { CancelAfterSpec, OrderMix, PriceOffsets, PriceProcess, QuantitySpec } from './Scenario.js';

/**
 * What a phase uses for a block that neither it nor the file's `defaults:` states. Modelled on
 * the matcher benchmark's flow: mostly resting limit orders a few ticks from the mid, a fifth
 * cancels, quantities log-normal around 40 lots.
 */
export const PHASE_DEFAULTS: {
  readonly price: PriceProcess;
  readonly mix: OrderMix;
  readonly offsets: PriceOffsets;
  readonly quantity: QuantitySpec;
  readonly cancelAfter: CancelAfterSpec;
} = {
  price: { volatility: 2, drift: 0, jumps: null, regimeSwitch: null },
  mix: { limitGtc: 0.7, limitIoc: 0.05, limitFok: 0, market: 0.05, cancel: 0.2, replace: 0, buyFraction: 0.5 },
  offsets: { mean: 2, sd: 5 },
  quantity: { median: 40, sigma: 1, min: 1, max: 1_000 },
  cancelAfter: { meanMs: 2_000 },
};

/** A jump block's `mean` and `sd` when not stated, in ticks. */
export const JUMP_DEFAULTS = { mean: 0, sd: 0 } as const;

/** A regime switch's optional keys when not stated. */
export const REGIME_SWITCH_DEFAULTS = { volatilityMultiplier: 1, extraDrift: 0 } as const;

/**
 * Defaults of the top level and of `symbols:`. `startMid` defaults to 10,000 ticks, `minPrice` to
 * one tick and `maxPrice` to twice `startMid` (a band symmetric around the start).
 */
export const SCENARIO_DEFAULTS = {
  description: '',
  seed: 1,
  symbols: {
    count: 1,
    namePrefix: 'SYM',
    tickSize: SYMBOL_DEFAULTS.tickSize,
    startMidTicks: 10_000,
    maxQuantity: SYMBOL_DEFAULTS.maxQuantity,
  },
  clients: { orderEntry: 1, workers: 0 },
} as const;

/**
 * Fuzz clients' keys when not stated: two sessions, every class but churn (its bursts of
 * connections are a load of their own; name it to have it), the run's own seed.
 */
export const FUZZ_CLIENT_DEFAULTS = {
  sessions: 2,
  classes: ['truncation', 'length', 'unknownType', 'version', 'crc', 'enum', 'numeric', 'reserved', 'semantic', 'slowloris', 'stream', 'havoc'],
  seedOffset: 0,
} as const;

/** Churning subscribers' timings when not stated, in ms. */
export const CHURNING_DEFAULTS = { meanConnectedMs: 5_000, minBackoffMs: 100, maxBackoffMs: 5_000 } as const;
