import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { emptyFlowOrder, type FlowOrder } from '../generate/FlowOrder.js';
import { httpOrderRequest } from './httpOrderRequest.js';

const order = (fields: Partial<FlowOrder>): FlowOrder => ({ ...emptyFlowOrder(), ...fields });

describe('httpOrderRequest', () => {
  it('sends a limit order as POST /orders with the fields docs/HTTP.md names', () => {
    const r = httpOrderRequest(order({ kind: CommandKind.NewOrder, symbolId: 2, clientOrderId: 17, side: Side.Sell,
      orderType: OrderType.Limit, timeInForce: TimeInForce.FOK, price: 10_025, quantity: 30 }), 7);
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/orders');
    expect(JSON.parse(r.body)).toEqual({ clientId: 7, symbol: 2, clientOrderId: 17, side: 'sell', type: 'limit',
      timeInForce: 'FOK', price: 10_025, quantity: 30 });
  });

  it('leaves the price out of a market order', () => {
    const r = httpOrderRequest(order({ kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: 1, side: Side.Buy,
      orderType: OrderType.Market, timeInForce: TimeInForce.IOC, quantity: 5 }), 3);
    expect(JSON.parse(r.body)).toEqual({ clientId: 3, symbol: 1, clientOrderId: 1, side: 'buy', type: 'market', timeInForce: 'IOC', quantity: 5 });
  });

  it('sends a cancel as DELETE with the symbol in the query and a replace as PATCH', () => {
    expect(httpOrderRequest(order({ kind: CommandKind.Cancel, symbolId: 4, clientOrderId: 9 }), 12))
      .toEqual({ method: 'DELETE', path: '/orders/12/9?symbol=4', body: '' });
    const r = httpOrderRequest(order({ kind: CommandKind.Replace, symbolId: 4, clientOrderId: 9, price: 9_990, quantity: 8 }), 12);
    expect(r).toMatchObject({ method: 'PATCH', path: '/orders/12/9' });
    expect(JSON.parse(r.body)).toEqual({ symbol: 4, price: 9_990, quantity: 8 });
  });
});
