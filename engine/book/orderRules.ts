import { OrderType, RejectReason, Side, TimeInForce } from '../protocol/codes.js';
import type { SymbolConfig } from './SymbolConfig.js';

/**
 * The business checks a NEW_ORDER must pass, in the order docs/PROTOCOL.md lists them.
 * Returns the first failing reason, or 0 when the order may enter the book. The duplicate
 * client-order-id check is the book's own (it needs the book's index) and comes after these.
 */
export function newOrderRejectReason(
  config: SymbolConfig,
  side: number,
  orderType: number,
  timeInForce: number,
  price: number,
  quantity: number,
): RejectReason | 0 {
  if (side !== Side.Buy && side !== Side.Sell) return RejectReason.InvalidSide;
  if (orderType !== OrderType.Limit && orderType !== OrderType.Market) return RejectReason.InvalidOrderType;
  if (timeInForce !== TimeInForce.GTC && timeInForce !== TimeInForce.IOC && timeInForce !== TimeInForce.FOK) {
    return RejectReason.InvalidTimeInForce;
  }
  if (orderType === OrderType.Market) {
    if (price !== 0) return RejectReason.InvalidPrice;
    return quantityRejectReason(config, quantity, 0);
  }
  return limitRejectReason(config, price, quantity);
}

/** The checks a REPLACE's new price and quantity must pass (after the order was found). */
export function replaceRejectReason(config: SymbolConfig, price: number, quantity: number): RejectReason | 0 {
  return limitRejectReason(config, price, quantity);
}

function limitRejectReason(config: SymbolConfig, price: number, quantity: number): RejectReason | 0 {
  // Comparisons instead of Number.isSafeInteger: this runs for every order. NaN fails `> 0`.
  if (!(price > 0) || price > Number.MAX_SAFE_INTEGER || Math.floor(price) !== price) return RejectReason.InvalidPrice;
  if (config.tickSize !== 1 && price % config.tickSize !== 0) return RejectReason.PriceOffTick;
  if (price < config.minPrice || price > config.maxPrice) return RejectReason.PriceOutsideBand;
  return quantityRejectReason(config, quantity, price);
}

function quantityRejectReason(config: SymbolConfig, quantity: number, price: number): RejectReason | 0 {
  if (!(quantity > 0) || quantity > Number.MAX_SAFE_INTEGER || Math.floor(quantity) !== quantity) {
    return RejectReason.InvalidQuantity;
  }
  if (quantity > config.maxQuantity) return RejectReason.QuantityAboveMax;
  // Both are positive integers: a product below 2^53 is exact, and one at or above it cannot round
  // down below 2^53, so this comparison is exact.
  if (price * quantity > Number.MAX_SAFE_INTEGER) return RejectReason.NotionalOverflow;
  return 0;
}
