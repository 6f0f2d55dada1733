import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { emptyFlowOrder, type FlowOrder } from '../../generate/FlowOrder.js';
import { httpOrderRequest } from '../httpOrderRequest.js';
import type { HttpMapping } from './HttpMapping.js';
import { decodePrice, decodeQuantity, encodePrice, encodeQuantity, isWholeLots, looseNumber, mappedRequest } from './mappedRequest.js';
import { shippedMapping } from './shippedMapping.testkit.js';

const order = (fields: Partial<FlowOrder>): FlowOrder => ({ ...emptyFlowOrder(), ...fields });

const withPrice = (m: HttpMapping, price: HttpMapping['price']): HttpMapping => ({ ...m, price });
const withQuantity = (m: HttpMapping, quantity: HttpMapping['quantity']): HttpMapping => ({ ...m, quantity });

describe('mappedRequest', () => {
  const reference = shippedMapping('reference-engine');
  const example = shippedMapping('example-exchange');
  const ctx = { clientId: 7, symbolName: 'SYM2', tickSize: 5 };
  const limit = order({ kind: CommandKind.NewOrder, symbolId: 2, clientOrderId: 17, side: Side.Sell, orderType: OrderType.Limit,
    timeInForce: TimeInForce.FOK, price: 10_025, quantity: 30 });
  const market = order({ kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: 3, side: Side.Buy, orderType: OrderType.Market,
    timeInForce: TimeInForce.IOC, quantity: 4 });

  it('the reference mapping builds the same requests as the built-in docs/HTTP.md ones', () => {
    const orders = [limit, market, order({ kind: CommandKind.Cancel, symbolId: 2, clientOrderId: 17 }),
      order({ kind: CommandKind.Replace, symbolId: 1, clientOrderId: 9, price: 9_990, quantity: 12 })];
    for (const o of orders) {
      const built = httpOrderRequest(o, 7);
      const mapped = mappedRequest(reference, o, ctx);
      expect(mapped?.method).toBe(built.method);
      expect(mapped?.path).toBe(built.path);
      expect(mapped?.body === '' ? '' : JSON.parse(mapped?.body ?? '')).toEqual(built.body === '' ? '' : JSON.parse(built.body));
    }
  });

  it('the example exchange: names, decimal-string prices, upper-case enums, nested fields, a constant, order ids in the query', () => {
    const r = mappedRequest(example, limit, ctx);
    expect(r?.method).toBe('POST');
    expect(r?.path).toBe('/order');
    expect(JSON.parse(r?.body ?? '')).toEqual({ account: 7, symbol: 'SYM2', client_order_id: 17, source: 'matchbench',
      order: { side: 'SELL', type: 'LIMIT', time_in_force: 'FILL_OR_KILL', price: '100.25', qty: '30' } });
    expect(JSON.parse(mappedRequest(example, market, ctx)?.body ?? '').order).toEqual({ side: 'BUY', type: 'MARKET',
      time_in_force: 'IMMEDIATE_OR_CANCEL', qty: '4' });
    const cancel = mappedRequest(example, order({ kind: CommandKind.Cancel, symbolId: 2, clientOrderId: 17 }), { ...ctx, orderId: 'EX 4/2' });
    expect(cancel).toEqual({ method: 'DELETE', path: '/cancel?symbol=SYM2&order_id=EX%204%2F2', body: '' });
    expect(mappedRequest(example, order({ kind: CommandKind.Replace, symbolId: 2, clientOrderId: 17, price: 1, quantity: 1 }), ctx)).toBeNull();
  });

  it('encodes prices as integer units, ticks, decimal numbers or decimal strings', () => {
    expect(encodePrice(withPrice(example, { encoding: 'integer', decimals: 0, tickSize: null }), 10_025, 5)).toBe(10_025);
    expect(encodePrice(withPrice(example, { encoding: 'ticks', decimals: 0, tickSize: null }), 10_025, 5)).toBe(2_005);
    expect(encodePrice(withPrice(example, { encoding: 'ticks', decimals: 0, tickSize: 25 }), 10_025, 5)).toBe(401);
    expect(encodePrice(withPrice(example, { encoding: 'decimal-number', decimals: 3, tickSize: null }), 10_025, 5)).toBe(10.025);
    expect(encodePrice(withPrice(example, { encoding: 'decimal-string', decimals: 4, tickSize: null }), 7, 5)).toBe('0.0007');
    expect(encodePrice(withPrice(example, { encoding: 'decimal-string', decimals: 0, tickSize: null }), 7, 5)).toBe('7');
  });

  it('decodes what it encodes, for every encoding (property, seed 8)', () => {
    const encodings = ['integer', 'ticks', 'decimal-number', 'decimal-string'] as const;
    fc.assert(fc.property(fc.constantFrom(...encodings), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 1_000_000_000 }),
      (encoding, decimals, ticks) => {
        const m = withPrice(example, { encoding, decimals, tickSize: null });
        const units = ticks * 5;
        expect(decodePrice(m, encodePrice(m, units, 5), 5)).toBe(units);
      }), { seed: 8, numRuns: 500 });
  });

  it('encodes quantities as units (number or string), whole lots, decimal numbers or decimal strings', () => {
    const q = (encoding: HttpMapping['quantity']['encoding'], decimals: number, lotSize: number): HttpMapping =>
      withQuantity(example, { encoding, decimals, lotSize });
    expect(encodeQuantity(q('number', 0, 1), 1_500)).toBe(1_500);
    expect(encodeQuantity(q('string', 0, 1), 1_500)).toBe('1500');
    expect(encodeQuantity(q('lots', 0, 100), 1_500)).toBe(15);
    expect(encodeQuantity(q('decimal-number', 3, 1), 1_500)).toBe(1.5);
    expect(encodeQuantity(q('decimal-string', 8, 1), 7)).toBe('0.00000007');
    expect(JSON.parse(mappedRequest(q('decimal-string', 3, 1), limit, ctx)?.body ?? '').order.qty).toBe('0.030');
    expect(isWholeLots(q('decimal-string', 3, 10), 30)).toBe(true);
    expect(isWholeLots(q('decimal-string', 3, 10), 35)).toBe(false);
    expect(decodeQuantity(q('lots', 0, 100), '15')).toBe(1_500);
    expect(decodeQuantity(q('decimal-string', 3, 1), '1,234.567 BTC')).toBe(1_234_567);
  });

  it('decodes what it encodes, for every quantity encoding (property, seed 9)', () => {
    const encodings = ['number', 'string', 'lots', 'decimal-number', 'decimal-string'] as const;
    fc.assert(fc.property(fc.constantFrom(...encodings), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 1_000 }),
      fc.integer({ min: 1, max: 1_000_000 }), (encoding, decimals, lotSize, lots) => {
        const m = withQuantity(example, { encoding, decimals, lotSize });
        const units = lots * lotSize;
        expect(isWholeLots(m, units)).toBe(true);
        expect(decodeQuantity(m, encodeQuantity(m, units))).toBe(units);
      }), { seed: 9, numRuns: 500 });
  });

  it('reads prices with currency signs, codes and thousands separators', () => {
    expect(looseNumber('$101.25')).toBe(101.25);
    expect(looseNumber('101.25 USD')).toBe(101.25);
    expect(looseNumber('€1,234.5')).toBe(1234.5);
    expect(looseNumber('-0.75')).toBe(-0.75);
    expect(looseNumber('n/a')).toBeNaN();
    expect(decodePrice(example, '$1,101.25', 1)).toBe(110_125);
  });
});
