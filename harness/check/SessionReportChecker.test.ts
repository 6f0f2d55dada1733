import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCommand, CommandKind, type Command } from '../../engine/book/Command.js';
import { Matcher } from '../../engine/book/Matcher.js';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import { CancelReason, Liquidity, OrderType, RejectReason, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { InprocSessionChecks } from './InprocSessionChecks.js';
import { SessionReportChecker, SessionViolationLog, describeSessionViolation, type SentCommand } from './SessionReportChecker.js';

const SYM = 1;

/** A session under test: send requests, feed reports, read what broke. */
function session(options: { hiddenMakerFills?: boolean } = {}) {
  const log = new SessionViolationLog();
  const checker = new SessionReportChecker(0, log, options);
  let streamIndex = 0;
  const send = (c: Partial<SentCommand> & Pick<SentCommand, 'kind' | 'clientOrderId'>): void => {
    checker.sent({ symbolId: SYM, side: 0, orderType: 0, timeInForce: 0, price: 0, quantity: 0, ...c }, streamIndex++);
  };
  const api = {
    log,
    checker,
    limit(id: number, side: number, price: number, quantity: number, timeInForce: number = TimeInForce.GTC) {
      send({ kind: CommandKind.NewOrder, clientOrderId: id, side, orderType: OrderType.Limit, timeInForce, price, quantity });
      return api;
    },
    market(id: number, side: number, quantity: number, timeInForce: number = TimeInForce.IOC) {
      send({ kind: CommandKind.NewOrder, clientOrderId: id, side, orderType: OrderType.Market, timeInForce, price: 0, quantity });
      return api;
    },
    cancel(id: number) {
      send({ kind: CommandKind.Cancel, clientOrderId: id });
      return api;
    },
    replace(id: number, price: number, quantity: number) {
      send({ kind: CommandKind.Replace, clientOrderId: id, price, quantity });
      return api;
    },
    report(r: Unstamped<ExecutionReport>) {
      checker.report(r);
      return api;
    },
    ack(id: number) {
      return api.report({ type: MessageType.Ack, symbolId: SYM, clientOrderId: id, orderId: id, echoTimestampNs: 0 });
    },
    reject(id: number, refMessageType: number, reason: number = RejectReason.UnknownOrder) {
      return api.report({ type: MessageType.Reject, symbolId: SYM, clientOrderId: id, echoTimestampNs: 0, reason, refMessageType });
    },
    fill(id: number, price: number, quantity: number, leavesQuantity: number, liquidity: number = Liquidity.Taker) {
      return api.report({ type: MessageType.Fill, symbolId: SYM, clientOrderId: id, orderId: id, tradeId: 1, price, quantity,
        leavesQuantity, side: 0, liquidity, echoTimestampNs: 0 });
    },
    canceled(id: number, canceledQuantity: number, reason: number = CancelReason.User) {
      return api.report({ type: MessageType.Canceled, symbolId: SYM, clientOrderId: id, orderId: id, canceledQuantity, reason,
        echoTimestampNs: 0 });
    },
    replaced(id: number, price: number, leavesQuantity: number) {
      return api.report({ type: MessageType.Replaced, symbolId: SYM, clientOrderId: id, orderId: id, price, leavesQuantity, echoTimestampNs: 0 });
    },
    finish() {
      checker.finish();
      return api;
    },
    /** The invariants broken so far, in order. */
    broken(): string[] {
      return log.violations.map((v) => v.invariant);
    },
  };
  return api;
}

describe('SessionReportChecker: good streams pass', () => {
  it('partial fills down to 0 leaves, then a late cancel answered with REJECT UnknownOrder', () => {
    const s = session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 3, 7, Liquidity.Maker).fill(1, 99, 7, 0).cancel(1)
      .reject(1, MessageType.Cancel).finish();
    expect(s.broken()).toEqual([]);
  });

  it('a GTC order still resting at the end is fine', () => {
    expect(session().limit(1, Side.Sell, 100, 10).ack(1).fill(1, 101, 4, 6).finish().broken()).toEqual([]);
  });

  it('replace: leaves become the new quantity, later fills count from there at the new limit', () => {
    const s = session().limit(1, Side.Sell, 105, 10).ack(1).fill(1, 105, 4, 6).replace(1, 103, 8).replaced(1, 103, 8)
      .fill(1, 103, 8, 0).finish();
    expect(s.broken()).toEqual([]);
  });

  it('a replace of an order that ended meanwhile is rejected, which is no second terminal state', () => {
    const s = session().limit(1, Side.Buy, 100, 5).ack(1).replace(1, 101, 5).fill(1, 100, 5, 0).reject(1, MessageType.Replace).finish();
    expect(s.broken()).toEqual([]);
  });

  it('IOC: partial fill, then the remainder CANCELED IocRemainder', () => {
    const s = session().limit(1, Side.Buy, 100, 10, TimeInForce.IOC).ack(1).fill(1, 98, 4, 6).canceled(1, 6, CancelReason.IocRemainder).finish();
    expect(s.broken()).toEqual([]);
  });

  it('FOK kill: ACK, then CANCELED FokNotFillable with the whole quantity', () => {
    expect(session().limit(1, Side.Sell, 100, 10, TimeInForce.FOK).ack(1).canceled(1, 10, CancelReason.FokNotFillable).finish().broken())
      .toEqual([]);
  });

  it('market orders have no limit: any fill price, remainder CANCELED NoLiquidity', () => {
    const s = session().market(1, Side.Buy, 10).ack(1).fill(1, 1_000_000, 3, 7).canceled(1, 7, CancelReason.NoLiquidity).finish();
    expect(s.broken()).toEqual([]);
  });

  it('a rejected NEW_ORDER is terminal; its id may be used again afterwards', () => {
    const s = session().limit(1, Side.Buy, 0, 10).reject(1, MessageType.NewOrder, RejectReason.InvalidPrice).limit(1, Side.Buy, 100, 10).ack(1)
      .canceled(1, 10, CancelReason.User).finish();
    // The CANCELED User has no CANCEL behind it: that alone is reported.
    expect(s.broken()).toEqual(['report-order']);
    const t = session().limit(1, Side.Buy, 0, 10).reject(1, MessageType.NewOrder, RejectReason.InvalidPrice).limit(1, Side.Buy, 100, 10).ack(1)
      .cancel(1).canceled(1, 10).finish();
    expect(t.broken()).toEqual([]);
  });

  it('a NEW_ORDER reusing a live id is owed a REJECT DuplicateClientOrderId and leaves the live order alone', () => {
    const s = session().limit(1, Side.Buy, 100, 10).ack(1).limit(1, Side.Buy, 101, 3).reject(1, MessageType.NewOrder, RejectReason.DuplicateClientOrderId)
      .fill(1, 100, 10, 0).finish();
    expect(s.broken()).toEqual([]);
  });
});

describe('SessionReportChecker: each rule catches a crafted bad stream', () => {
  it('one-terminal-state: a second terminal state', () => {
    const s = session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 10, 0).canceled(1, 0, CancelReason.IocRemainder);
    expect(s.broken()).toEqual(['one-terminal-state']);
    expect(s.log.violations[0]?.message).toMatch(/after it was filled/);
    expect(session().limit(1, Side.Buy, 100, 10).reject(1, MessageType.NewOrder).ack(1).broken()).toEqual(['one-terminal-state']);
  });

  it('one-terminal-state: an IOC, FOK or market order that never ends', () => {
    expect(session().limit(1, Side.Buy, 100, 10, TimeInForce.IOC).ack(1).fill(1, 100, 4, 6).finish().broken()).toEqual(['one-terminal-state']);
    expect(session().limit(1, Side.Buy, 100, 10, TimeInForce.FOK).ack(1).finish().broken()).toEqual(['one-terminal-state']);
    const m = session().market(1, Side.Sell, 10).ack(1).finish();
    expect(m.broken()).toEqual(['one-terminal-state']);
    expect(m.log.violations[0]?.reportIndex).toBe(-1);
    expect(describeSessionViolation(m.log.violations[0]!)).toMatch(/^session report: client 0 order 1 \(symbol 1\), end of run: one-terminal-state: a market order/);
    // Sent and never answered: the driver counts it as unanswered, the checker does not judge it.
    expect(session().market(1, Side.Sell, 10).finish().broken()).toEqual([]);
  });

  it('no-fill-after-terminal: a FILL after CANCELED, after a full fill, after REJECT', () => {
    const afterCancel = session().limit(1, Side.Buy, 100, 10).ack(1).cancel(1).canceled(1, 10).fill(1, 100, 2, 8);
    expect(afterCancel.broken()).toEqual(['no-fill-after-terminal']);
    expect(afterCancel.log.violations[0]).toMatchObject({ session: 0, clientOrderId: 1, symbolId: 1, reportIndex: 2, orderStreamIndex: 0,
      lastStreamIndex: 1 });
    expect(afterCancel.log.violations[0]?.message).toBe('FILL of 2 at 100 after it was CANCELED User');
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 10, 0).fill(1, 100, 1, 0).broken()).toEqual(['no-fill-after-terminal']);
    expect(session().limit(1, Side.Buy, 100, 10).reject(1, MessageType.NewOrder).fill(1, 100, 1, 9).broken()).toEqual(['no-fill-after-terminal']);
  });

  it('leaves-consistent: leaves not quantity − fills, negative, or a cancel that removes another quantity', () => {
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 3, 8).broken()).toEqual(['leaves-consistent']);
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 3, -1).broken()).toEqual(['leaves-consistent']);
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 3, 7).cancel(1).canceled(1, 10).broken()).toEqual(['leaves-consistent']);
    // One wrong number is one violation: the next fill is judged from what the engine said.
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 3, 8).fill(1, 100, 8, 0).broken()).toEqual(['leaves-consistent']);
  });

  it('leaves-consistent with REPLACED: the new leaves are the quantity the REPLACE sent', () => {
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).replace(1, 100, 6).replaced(1, 100, 7).broken()).toEqual(['leaves-consistent']);
    // After a replace to 6, a fill of 2 leaves 4, not 10 − 2.
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).replace(1, 100, 6).replaced(1, 100, 6).fill(1, 100, 2, 8).broken())
      .toEqual(['leaves-consistent']);
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).replace(1, 101, 6).replaced(1, 102, 6).broken()).toEqual(['replace-as-sent']);
  });

  it('fill-within-limit: buy above its limit, sell below it, and after a replace its new limit', () => {
    const buy = session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 101, 10, 0);
    expect(buy.broken()).toEqual(['fill-within-limit']);
    expect(buy.log.violations[0]?.message).toBe('buy order with limit 100 filled 10 at 101');
    expect(session().limit(1, Side.Sell, 100, 10).ack(1).fill(1, 99, 10, 0).broken()).toEqual(['fill-within-limit']);
    expect(session().limit(1, Side.Sell, 100, 10).ack(1).replace(1, 104, 10).replaced(1, 104, 10).fill(1, 102, 10, 0).broken())
      .toEqual(['fill-within-limit']);
  });

  it('fill-quantity-positive and known-order', () => {
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).fill(1, 100, 0, 10).broken()).toEqual(['fill-quantity-positive']);
    const unknown = session().fill(9, 100, 1, 0);
    expect(unknown.broken()).toEqual(['known-order']);
    expect(unknown.log.violations[0]?.orderStreamIndex).toBe(-1);
    expect(session().ack(3).broken()).toEqual(['known-order']);
  });

  it('report-order: FILL before ACK, CANCELED User or REPLACED with nothing asked', () => {
    expect(session().limit(1, Side.Buy, 100, 10).fill(1, 100, 10, 0).broken()).toEqual(['report-order']);
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).canceled(1, 10).broken()).toEqual(['report-order']);
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).replaced(1, 99, 10).broken()).toEqual(['report-order']);
  });

  it('hidden maker fills (HTTP): a cancel may remove less than the leaves on record, never more', () => {
    expect(session({ hiddenMakerFills: true }).limit(1, Side.Buy, 100, 10).ack(1).cancel(1).canceled(1, 4).broken()).toEqual([]);
    expect(session({ hiddenMakerFills: true }).limit(1, Side.Buy, 100, 10).ack(1).cancel(1).canceled(1, 11).broken()).toEqual(['leaves-consistent']);
    expect(session().limit(1, Side.Buy, 100, 10).ack(1).cancel(1).canceled(1, 4).broken()).toEqual(['leaves-consistent']);
  });

  it('remembers the last terminatedMemory ended orders to name a late report, and reuses the records of forgotten ones', () => {
    const log = new SessionViolationLog();
    const checker = new SessionReportChecker(0, log, { terminatedMemory: 2 });
    const ack = (id: number): void => checker.report({ type: MessageType.Ack, symbolId: 1, clientOrderId: id, orderId: id, echoTimestampNs: 0 });
    const fill = (id: number, quantity: number, leaves: number): void => checker.report({ type: MessageType.Fill, symbolId: 1, clientOrderId: id,
      orderId: id, tradeId: 1, price: 100, quantity, leavesQuantity: leaves, side: Side.Buy, liquidity: Liquidity.Maker, echoTimestampNs: 0 });
    for (let id = 1; id <= 6; id++) {
      checker.sent({ kind: CommandKind.NewOrder, symbolId: 1, clientOrderId: id, side: Side.Buy, orderType: OrderType.Limit,
        timeInForce: TimeInForce.GTC, price: 100, quantity: id }, id - 1);
      ack(id);
      fill(id, id, 0);
    }
    expect(log.count).toBe(0);
    expect(checker.openOrders).toBe(0);
    fill(6, 1, 0);
    fill(1, 1, 0);
    expect(log.violations.map((v) => v.invariant)).toEqual(['no-fill-after-terminal', 'known-order']);
  });

  it('keeps the first violations up to the cap and counts them all', () => {
    const log = new SessionViolationLog(() => 5, 3);
    const checker = new SessionReportChecker(2, log);
    for (let i = 0; i < 10; i++) {
      checker.report({ type: MessageType.Fill, symbolId: 1, clientOrderId: i, orderId: i, tradeId: i, price: 1, quantity: 1, leavesQuantity: 0,
        side: Side.Buy, liquidity: Liquidity.Maker, echoTimestampNs: 0 });
    }
    expect(log.count).toBe(10);
    expect(log.violations.map((v) => v.clientOrderId)).toEqual([0, 1, 2]);
    expect(log.violations[0]).toMatchObject({ session: 2, atMs: 5 });
  });
});

// Property: whatever the commands, the reports the reference matcher sends each session never
// break a session invariant. Fixed seed (MATCHBENCH_SEED to explore); fast-check prints a failing case.
const SEED = Number(process.env.MATCHBENCH_SEED ?? 20261207);
const SYMBOLS = [
  symbolConfig({ symbolId: 1, name: 'AAA', tickSize: 1, minPrice: 90, maxPrice: 110, maxQuantity: 50 }),
  symbolConfig({ symbolId: 2, name: 'BBB', tickSize: 5, minPrice: 50, maxPrice: 150, maxQuantity: 50 }),
];
const SESSIONS = 3;

const commandArb: fc.Arbitrary<Command> = fc.record({
  kind: fc.constantFrom<CommandKind>(CommandKind.NewOrder, CommandKind.NewOrder, CommandKind.NewOrder, CommandKind.Cancel, CommandKind.Replace),
  symbolId: fc.constantFrom(1, 2, 3),
  owner: fc.integer({ min: 1, max: SESSIONS }),
  // A small id space: duplicates, cancels of filled orders and replaces of unknown ones all happen.
  clientOrderId: fc.integer({ min: 1, max: 8 }),
  side: fc.constantFrom(Side.Buy, Side.Sell),
  orderType: fc.constantFrom(OrderType.Limit, OrderType.Limit, OrderType.Limit, OrderType.Market),
  timeInForce: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK),
  price: fc.integer({ min: 85, max: 115 }),
  quantity: fc.integer({ min: 0, max: 60 }),
  timestampNs: fc.constant(0),
}).map((c) => (c.orderType === OrderType.Market && c.kind === CommandKind.NewOrder ? { ...c, price: 0 } : c));

describe('SessionReportChecker against the reference matcher', () => {
  it('reports the matcher makes for random commands never break a session invariant', () => {
    fc.assert(fc.property(fc.array(commandArb, { minLength: 1, maxLength: 120 }), (commands) => {
      const matcher = new Matcher(SYMBOLS);
      const log = new SessionViolationLog();
      const checks = new InprocSessionChecks(SESSIONS, log);
      commands.forEach((c, i) => {
        checks.sent(c.owner, c, i);
        applyCommand(matcher, c);
        checks.afterCommand(matcher.events);
        matcher.events.clear();
      });
      checks.finish();
      expect(log.violations.map(describeSessionViolation)).toEqual([]);
      expect(log.reports).toBeGreaterThan(0);
    }), { seed: SEED, numRuns: 400 });
  });
});
