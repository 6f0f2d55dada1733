import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../../engine/protocol/codes.js';
import { SessionReportChecker, SessionViolationLog } from '../../check/SessionReportChecker.js';
import { emptyFlowOrder, type FlowOrder } from '../../generate/FlowOrder.js';
import { MappedHttpSession } from './MappedHttpSession.js';
import { shippedMapping } from './shippedMapping.testkit.js';

const order = (fields: Partial<FlowOrder>): FlowOrder => ({ ...emptyFlowOrder(), ...fields });
const buy = order({ kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: 5, side: Side.Buy, orderType: OrderType.Limit,
  timeInForce: TimeInForce.GTC, price: 10_000, quantity: 10 });
const cancel = order({ kind: CommandKind.Cancel, symbolId: 1, clientOrderId: 5 });
const symbols = new Map([[1, { name: 'SYM1', tickSize: 1 }]]);

function session(): { s: MappedHttpSession; checker: SessionReportChecker; log: SessionViolationLog } {
  const log = new SessionViolationLog();
  return { s: new MappedHttpSession(shippedMapping('example-exchange'), 1, symbols), checker: new SessionReportChecker(0, log, { hiddenMakerFills: true }), log };
}

const sent = (o: FlowOrder) => ({ kind: o.kind, symbolId: o.symbolId, clientOrderId: o.clientOrderId, price: o.price, quantity: o.quantity });
const newAnswer = (data: Record<string, unknown>): string => JSON.stringify({ data: { order_id: 'EX-1', cancelled_qty: '0', trades: [], ...data } });

describe('MappedHttpSession (example exchange)', () => {
  it('cancels by the order id the new order\'s answer gave, skips what the engine cannot take', () => {
    const { s, checker } = session();
    expect(s.request(cancel)).toBe('order-id-unknown');
    expect(s.request(order({ kind: CommandKind.Replace, symbolId: 1, clientOrderId: 5, price: 1, quantity: 1 }))).toBe('replace-not-offered');
    checker.sent(buy, 0);
    s.answer(sent(buy), 201, newAnswer({ status: 'NEW', executed_qty: '0', leaves_qty: '10' }), checker);
    expect(s.request(cancel)).toEqual({ method: 'DELETE', path: '/cancel?symbol=SYM1&order_id=EX-1', body: '' });
    checker.sent(cancel, 1);
    s.answer(sent(cancel), 200, JSON.stringify({ data: { order_id: 'EX-1', status: 'CANCELED', cancelled_qty: '10' } }), checker);
    // The order ended: its id is forgotten.
    expect(s.request(cancel)).toBe('order-id-unknown');
  });

  it('does not send an order or replace whose quantity is not a whole number of lots; a cancel carries none', () => {
    const lots = new MappedHttpSession({ ...shippedMapping('example-exchange'), quantity: { encoding: 'lots', decimals: 0, lotSize: 5 } }, 1, symbols);
    expect(lots.request(buy)).toEqual(expect.objectContaining({ method: 'POST', path: '/order' }));
    expect(JSON.parse((lots.request(buy) as { body: string }).body).order.qty).toBe(2);
    expect(lots.request({ ...buy, quantity: 12 })).toBe('quantity-off-lot');
    expect(lots.request(cancel)).toBe('order-id-unknown');
  });

  it('feeds answers to the session checks: a consistent answer passes, fills beyond the quantity are a violation', () => {
    const ok = session();
    ok.checker.sent(buy, 0);
    ok.s.answer(sent(buy), 201, newAnswer({ status: 'PARTIALLY_FILLED', executed_qty: '4', leaves_qty: '6',
      trades: [{ id: 1, px: '$99.50', qty: '4' }] }), ok.checker);
    expect(ok.log.count).toBe(0);
    expect(ok.log.reports).toBeGreaterThan(0);

    const bad = session();
    bad.checker.sent(buy, 0);
    // Filled above its limit ($100.00): the answer breaks fill-within-limit.
    bad.s.answer(sent(buy), 201, newAnswer({ status: 'FILLED', executed_qty: '10', leaves_qty: '0',
      trades: [{ id: 1, px: '$100.50', qty: '10' }] }), bad.checker);
    expect(bad.log.violations.map((v) => v.invariant)).toContain('fill-within-limit');
  });

  it('leaves an order unjudged when the answer does not say enough (no remaining quantity)', () => {
    const { s, checker, log } = session();
    checker.sent(buy, 0);
    s.answer(sent(buy), 201, JSON.stringify({ data: { order_id: 'EX-1', status: 'NEW' } }), checker);
    checker.finish();
    expect(log.count).toBe(0);
  });
});
