import { describe, expect, it } from 'vitest';
import { CommandKind } from '../../engine/book/Command.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { checkHttpAnswer } from './checkHttpAnswer.js';
import { SessionReportChecker, SessionViolationLog } from './SessionReportChecker.js';

function httpSession() {
  const log = new SessionViolationLog();
  const checker = new SessionReportChecker(0, log, { hiddenMakerFills: true });
  let n = 0;
  return {
    log,
    checker,
    post(id: number, side: number, price: number, quantity: number, timeInForce: number = TimeInForce.GTC, status = 200, answer: Record<string, unknown> = {}) {
      checker.sent({ kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: id, side, orderType: OrderType.Limit, timeInForce, price, quantity }, n++);
      checkHttpAnswer(checker, { kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: id }, status, answer);
    },
    delete(id: number, status: number, answer: Record<string, unknown>) {
      checker.sent({ kind: CommandKind.Cancel, symbolId: 1, clientOrderId: id, side: 0, orderType: 0, timeInForce: 0, price: 0, quantity: 0 }, n++);
      checkHttpAnswer(checker, { kind: CommandKind.Cancel, symbolId: 1, clientOrderId: id }, status, answer);
    },
    patch(id: number, price: number, quantity: number, answer: Record<string, unknown>) {
      checker.sent({ kind: CommandKind.Replace, symbolId: 1, clientOrderId: id, side: 0, orderType: 0, timeInForce: 0, price, quantity }, n++);
      checkHttpAnswer(checker, { kind: CommandKind.Replace, symbolId: 1, clientOrderId: id }, 200, answer);
    },
    broken: () => log.violations.map((v) => v.invariant),
  };
}

const accepted = (status: string, filled: Array<[number, number]>, remaining: number, cancelled = 0, cancelReason: string | null = null) => ({
  outcome: 'accepted', orderId: 7, status, remainingQuantity: remaining, cancelledQuantity: cancelled, cancelReason,
  fills: filled.map(([price, quantity], i) => ({ tradeId: i + 1, price, quantity })),
});

describe('checkHttpAnswer', () => {
  it('answers as docs/HTTP.md gives them keep every invariant', () => {
    const s = httpSession();
    s.post(1, Side.Buy, 100, 10, TimeInForce.GTC, 200, accepted('resting', [[99, 4]], 6));
    // A maker fill the HTTP client never saw: the cancel removes less than 6.
    s.delete(1, 200, { outcome: 'cancelled', orderId: 7, cancelledQuantity: 2 });
    s.post(2, Side.Sell, 100, 10, TimeInForce.IOC, 200, accepted('cancelled', [[101, 3]], 0, 7, 'IocRemainder'));
    s.post(3, Side.Sell, 100, 10, TimeInForce.FOK, 200, accepted('cancelled', [], 0, 10, 'FokNotFillable'));
    s.post(4, Side.Buy, 100, 10, TimeInForce.GTC, 200, accepted('resting', [], 10));
    s.patch(4, 102, 5, { outcome: 'replaced', orderId: 8, status: 'filled', price: 102, filledQuantity: 5, remainingQuantity: 0,
      fills: [{ tradeId: 9, price: 101, quantity: 2 }, { tradeId: 10, price: 102, quantity: 3 }] });
    s.delete(4, 422, { outcome: 'rejected', reason: 'UnknownOrder' });
    s.post(5, Side.Buy, 100, 10, TimeInForce.GTC, 422, { outcome: 'rejected', reason: 'PriceOffTick' });
    s.checker.finish();
    expect(s.broken()).toEqual([]);
  });

  it('fills that do not add up to the quantity, a worse price, or a cancel of more than was open are violations', () => {
    const short = httpSession();
    short.post(1, Side.Buy, 100, 10, TimeInForce.GTC, 200, accepted('resting', [[100, 4]], 5));
    expect(short.broken()).toEqual(['leaves-consistent']);
    const resting = httpSession();
    resting.post(1, Side.Buy, 100, 10, TimeInForce.GTC, 200, accepted('resting', [], 9));
    expect(resting.broken()).toEqual(['leaves-consistent']);
    const price = httpSession();
    price.post(1, Side.Sell, 100, 10, TimeInForce.IOC, 200, accepted('filled', [[99, 10]], 0));
    expect(price.broken()).toEqual(['fill-within-limit']);
    const cancel = httpSession();
    cancel.post(1, Side.Buy, 100, 10, TimeInForce.GTC, 200, accepted('resting', [], 10));
    cancel.delete(1, 200, { outcome: 'cancelled', orderId: 7, cancelledQuantity: 11 });
    expect(cancel.broken()).toEqual(['leaves-consistent']);
  });

  it('a 200 without the numbers docs/HTTP.md gives (another engine\'s shape) is not judged', () => {
    const s = httpSession();
    s.post(1, Side.Buy, 100, 10, TimeInForce.IOC, 200, { outcome: 'accepted', status: 'filled', fills: [{ px: '100.5' }] });
    s.checker.finish();
    expect(s.broken()).toEqual([]);
  });

  it('an answer that may or may not have taken effect stops tracking the order', () => {
    const s = httpSession();
    s.post(1, Side.Buy, 100, 10, TimeInForce.IOC, 503, { errors: ['no answer within 5 s'] });
    // It rested after all: its cancel's answer is not judged either.
    s.delete(1, 200, { outcome: 'cancelled', orderId: 7, cancelledQuantity: 10 });
    s.checker.finish();
    expect(s.broken()).toEqual([]);
    expect(s.checker.openOrders).toBe(0);
    // The id sent anew is judged again.
    s.post(1, Side.Buy, 100, 10, TimeInForce.GTC, 200, accepted('resting', [], 9));
    expect(s.broken()).toEqual(['leaves-consistent']);
  });
});
