/**
 * One instrument's trading rules. Prices are integers in the symbol's price unit
 * (10^-priceDecimals of a currency unit); quantities are integers.
 */
export interface SymbolConfig {
  /** Wire symbol id (u32). */
  readonly symbolId: number;
  /** Human name, e.g. "BTC-USD". */
  readonly name: string;
  /** Every limit price must be a multiple of this, in price units. Default 1. */
  readonly tickSize: number;
  /** Lowest accepted limit price, in price units (a multiple of tickSize). */
  readonly minPrice: number;
  /** Highest accepted limit price, in price units (a multiple of tickSize). */
  readonly maxPrice: number;
  /** Largest accepted order quantity. */
  readonly maxQuantity: number;
  /** Decimal places of the price unit, for HTTP and reports (price 12345 with 2 decimals is 123.45). */
  readonly priceDecimals: number;
}

/**
 * The widest band, in ticks, that one book accepts. The fast book keeps a price ladder indexed by
 * tick (about 40 bytes per tick across both sides), so the band's width is its memory cost:
 * 2^22 ticks is about 170 MB for one symbol.
 */
export const MAX_BAND_TICKS = 2 ** 22;

/** Defaults for the optional fields of {@link symbolConfig}; minPrice defaults to one tick. */
export const SYMBOL_DEFAULTS = {
  tickSize: 1,
  maxPrice: 1_000_000,
  maxQuantity: 1_000_000_000,
  priceDecimals: 2,
} as const;

/** Builds a config from the required fields and the exported defaults, and validates it. */
export function symbolConfig(
  fields: Pick<SymbolConfig, 'symbolId' | 'name'> & Partial<SymbolConfig>,
): SymbolConfig {
  const tickSize = fields.tickSize ?? SYMBOL_DEFAULTS.tickSize;
  const config: SymbolConfig = { ...SYMBOL_DEFAULTS, minPrice: tickSize, ...fields };
  const problems = symbolConfigProblems(config);
  if (problems.length > 0) {
    throw new RangeError(`symbol ${config.name}: ${problems.join('; ')}`);
  }
  return config;
}

/** Every problem with a config, each naming its field; empty when the config is usable. */
export function symbolConfigProblems(config: SymbolConfig): string[] {
  const problems: string[] = [];
  const positiveInt = (name: keyof SymbolConfig, value: number): void => {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name}: must be a positive integer, got ${value}`);
  };
  if (!Number.isInteger(config.symbolId) || config.symbolId < 0 || config.symbolId > 0xffff_ffff) {
    problems.push(`symbolId: must be an integer from 0 to 2^32-1, got ${config.symbolId}`);
  }
  if (config.name.length === 0) problems.push('name: must not be empty');
  positiveInt('tickSize', config.tickSize);
  positiveInt('minPrice', config.minPrice);
  positiveInt('maxPrice', config.maxPrice);
  positiveInt('maxQuantity', config.maxQuantity);
  if (!Number.isInteger(config.priceDecimals) || config.priceDecimals < 0 || config.priceDecimals > 12) {
    problems.push(`priceDecimals: must be an integer from 0 to 12, got ${config.priceDecimals}`);
  }
  if (problems.length > 0) return problems;
  if (config.minPrice % config.tickSize !== 0) problems.push(`minPrice: ${config.minPrice} is not a multiple of tickSize ${config.tickSize}`);
  if (config.maxPrice % config.tickSize !== 0) problems.push(`maxPrice: ${config.maxPrice} is not a multiple of tickSize ${config.tickSize}`);
  if (config.maxPrice < config.minPrice) problems.push(`maxPrice: ${config.maxPrice} is below minPrice ${config.minPrice}`);
  const bandTicks = (config.maxPrice - config.minPrice) / config.tickSize + 1;
  if (bandTicks > MAX_BAND_TICKS) {
    problems.push(`maxPrice: the band holds ${bandTicks} ticks, more than the ${MAX_BAND_TICKS} one book accepts`);
  }
  return problems;
}
