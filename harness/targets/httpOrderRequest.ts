import { CommandKind } from '../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import type { FlowOrder } from '../generate/FlowOrder.js';

/** One order request of docs/HTTP.md, ready for autocannon's request object. */
export interface HttpOrderRequest {
  readonly method: 'POST' | 'PATCH' | 'DELETE';
  /** Path below the target's base URL (the base's own path is prefixed by the caller). */
  readonly path: string;
  /** JSON text; empty for DELETE. */
  readonly body: string;
}

const TIF_NAMES: Record<number, string> = { [TimeInForce.GTC]: 'GTC', [TimeInForce.IOC]: 'IOC', [TimeInForce.FOK]: 'FOK' };

/**
 * The HTTP request that carries a generated order for `clientId` (docs/HTTP.md): a new order is
 * `POST /orders`, a replace `PATCH /orders/{clientId}/{clientOrderId}` with the new price and open
 * quantity, a cancel `DELETE /orders/{clientId}/{clientOrderId}?symbol=…`. Symbols go by id, prices
 * and quantities as the integers the flow made; a market order leaves the price out.
 */
export function httpOrderRequest(order: FlowOrder, clientId: number): HttpOrderRequest {
  switch (order.kind) {
    case CommandKind.NewOrder: {
      const market = order.orderType === OrderType.Market;
      return {
        method: 'POST', path: '/orders',
        body: `{"clientId":${clientId},"symbol":${order.symbolId},"clientOrderId":${order.clientOrderId},` +
          `"side":"${order.side === Side.Buy ? 'buy' : 'sell'}","type":"${market ? 'market' : 'limit'}",` +
          `"timeInForce":"${TIF_NAMES[order.timeInForce] ?? 'GTC'}",${market ? '' : `"price":${order.price},`}"quantity":${order.quantity}}`,
      };
    }
    case CommandKind.Cancel:
      return { method: 'DELETE', path: `/orders/${clientId}/${order.clientOrderId}?symbol=${order.symbolId}`, body: '' };
    default:
      return { method: 'PATCH', path: `/orders/${clientId}/${order.clientOrderId}`,
        body: `{"symbol":${order.symbolId},"price":${order.price},"quantity":${order.quantity}}` };
  }
}
