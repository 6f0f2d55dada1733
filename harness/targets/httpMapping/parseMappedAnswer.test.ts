import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../../engine/book/Command.js';
import { parseMappedAnswer } from './parseMappedAnswer.js';
import { shippedMapping } from './shippedMapping.testkit.js';

const reference = shippedMapping('reference-engine');
const example = shippedMapping('example-exchange');
const json = JSON.stringify;

describe('parseMappedAnswer, reference engine (docs/HTTP.md)', () => {
  it('reads an accepted order with fills, a 422 reject, a 503 busy and a 400 error', () => {
    expect(parseMappedAnswer(reference, CommandKind.NewOrder, 200, json({ outcome: 'accepted', orderId: 42, status: 'resting',
      quantity: 300, filledQuantity: 100, remainingQuantity: 200, cancelledQuantity: 0, cancelReason: null,
      fills: [{ tradeId: 17, price: 10020, quantity: 100 }] }), 1)).toEqual({ outcome: 'accepted', state: 'resting', orderId: 42,
      filledQuantity: 100, remainingQuantity: 200, cancelledQuantity: 0, cancelReason: undefined,
      fills: [{ priceUnits: 10020, quantity: 100, tradeId: 17 }] });
    expect(parseMappedAnswer(reference, CommandKind.NewOrder, 422, json({ outcome: 'rejected', reason: 'PriceOffTick' }), 1))
      .toEqual({ outcome: 'rejected', reason: 'PriceOffTick' });
    expect(parseMappedAnswer(reference, CommandKind.NewOrder, 503, json({ errors: ['engine busy'], reason: 'EngineBusy' }), 1))
      .toEqual({ outcome: 'busy', reason: 'EngineBusy' });
    expect(parseMappedAnswer(reference, CommandKind.Cancel, 400, json({ errors: ['symbol: required'] }), 1))
      .toEqual({ outcome: 'error', message: 'answers with HTTP 400 (e.g. symbol: required)' });
  });

  it('a cancel and a replace take their outcome from the request', () => {
    const cancel = parseMappedAnswer(reference, CommandKind.Cancel, 200, json({ outcome: 'cancelled', orderId: 42, cancelledQuantity: 250 }), 1);
    expect(cancel).toMatchObject({ outcome: 'cancelled', state: 'cancelled', cancelledQuantity: 250, fills: [] });
    const replace = parseMappedAnswer(reference, CommandKind.Replace, 200, json({ outcome: 'replaced', status: 'filled', remainingQuantity: 0,
      fills: [{ tradeId: 1, price: 5, quantity: 2 }] }), 1);
    expect(replace).toMatchObject({ outcome: 'replaced', state: 'filled' });
  });
});

describe('parseMappedAnswer, example exchange', () => {
  it('reads status spellings, string quantities and prices with a currency sign', () => {
    const body = json({ data: { order_id: 'EX-9', status: 'PARTIALLY_FILLED', executed_qty: '5', leaves_qty: '7', cancelled_qty: '0',
      trades: [{ id: 3, px: '$101.25', qty: '2' }, { id: 4, px: '101.30 USD', qty: '3' }] } });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 201, body, 1)).toEqual({ outcome: 'accepted', state: 'partiallyFilled',
      orderId: 'EX-9', filledQuantity: 5, remainingQuantity: 7, cancelledQuantity: 0, cancelReason: undefined,
      fills: [{ priceUnits: 10_125, quantity: 2, tradeId: 3 }, { priceUnits: 10_130, quantity: 3, tradeId: 4 }] });
    for (const [spelled, state] of [['NEW', 'resting'], ['FILLED', 'filled'], ['CANCELED', 'cancelled'], ['EXPIRED', 'cancelled']] as const) {
      expect(parseMappedAnswer(example, CommandKind.NewOrder, 200, json({ data: { status: spelled } }), 1)).toMatchObject({ state });
    }
  });

  it('maps reject codes onto matchbench reasons, keeps unknown codes, and reads a 2xx REJECTED status as a reject', () => {
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 400, json({ error: { code: 'PRICE_BAND', message: 'x' } }), 1))
      .toEqual({ outcome: 'rejected', reason: 'PriceOutsideBand' });
    expect(parseMappedAnswer(example, CommandKind.Cancel, 404, json({ error: { code: 'ORDER_NOT_FOUND' } }), 1))
      .toEqual({ outcome: 'rejected', reason: 'UnknownOrder' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 409, json({ error: { code: 'SELF_TRADE' } }), 1))
      .toEqual({ outcome: 'rejected', reason: 'SELF_TRADE' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 200, json({ data: { status: 'REJECTED' }, error: { code: 'BAD_QTY' } }), 1))
      .toEqual({ outcome: 'rejected', reason: 'InvalidQuantity' });
  });

  it('reads quantities in the mapping\'s encoding (decimals here) back into integer units', () => {
    const decimal = { ...example, quantity: { encoding: 'decimal-string', decimals: 3, lotSize: 1 } } as const;
    const body = json({ data: { order_id: 'EX-2', status: 'PARTIALLY_FILLED', executed_qty: '0.005', leaves_qty: '1.25', cancelled_qty: '0',
      trades: [{ id: 1, px: '$101.25', qty: '0.005' }] } });
    expect(parseMappedAnswer(decimal, CommandKind.NewOrder, 201, body, 1)).toMatchObject({ filledQuantity: 5, remainingQuantity: 1_250,
      cancelledQuantity: 0, fills: [{ priceUnits: 10_125, quantity: 5, tradeId: 1 }] });
  });

  it('never quotes a header value from the environment, even when the engine echoes it', () => {
    const secret = example.secrets[0] ?? '';
    expect(secret.length).toBeGreaterThan(0);
    const unauthorized = parseMappedAnswer(example, CommandKind.NewOrder, 401, json({ error: { message: `API key ${secret} is not valid` } }), 1);
    expect(unauthorized).toEqual({ outcome: 'error', message: 'answers with HTTP 401 (e.g. API key *** is not valid)' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 200, `bad ${secret}`, 1))
      .toEqual({ outcome: 'error', message: 'answers with HTTP 200 and a body that is not a JSON object (e.g. "bad ***")' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 400, json({ error: { code: `KEY_${secret}` } }), 1))
      .toEqual({ outcome: 'rejected', reason: 'KEY_***' });
  });

  it('429 and 503 are busy; 500, garbage JSON, an unlisted status and non-list fills are errors with a clear message', () => {
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 429, '', 1)).toEqual({ outcome: 'busy', reason: 'EngineBusy' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 503, '<html>', 1)).toEqual({ outcome: 'busy', reason: 'EngineBusy' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 500, json({ error: { message: 'db down' } }), 1))
      .toEqual({ outcome: 'error', message: 'answers with HTTP 500 (e.g. db down)' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 200, '{"data": {', 1))
      .toEqual({ outcome: 'error', message: 'answers with HTTP 200 and a body that is not a JSON object (e.g. "{\\"data\\": {")' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 200, json({ data: { status: 'PENDING_NEW' } }), 1))
      .toEqual({ outcome: 'error', message: 'answers with HTTP 200 and a status the mapping does not list (e.g. "PENDING_NEW")' });
    expect(parseMappedAnswer(example, CommandKind.NewOrder, 200, json({ data: { status: 'NEW', trades: 'none' } }), 1))
      .toMatchObject({ outcome: 'error' });
  });
});
