import { describe, expect, it } from 'vitest';
import { applyCommand, CommandKind, type Command } from '../book/Command.js';
import { EventKind, type MatchEvent } from '../book/EventBuffer.js';
import { Matcher } from '../book/Matcher.js';
import { symbolConfig } from '../book/SymbolConfig.js';
import type { MarketDataSink } from '../EngineCore.js';
import { EventPublisher } from '../EventPublisher.js';
import { CancelReason, codeName, Liquidity, OrderType, RejectReason, Side, TimeInForce } from '../protocol/codes.js';
import { Rng } from '../../harness/generate/Rng.js';
import { PendingOrders, type OrderOutcome } from './PendingOrders.js';

const SEED = 20260501;
const symbols = [symbolConfig({ symbolId: 1, name: 'A', maxPrice: 2_000 }), symbolConfig({ symbolId: 2, name: 'B', maxPrice: 2_000 })];
const quiet: MarketDataSink = { trade() {}, levelUpdate() {}, quote() {}, flush() {} };

/** What a request's answer must be, computed from its own slice of the event stream (known boundaries). */
function expectedOutcome(command: Command, events: readonly MatchEvent[]): OrderOutcome {
  const first = events[0]!;
  if (first.kind === EventKind.Rejected) return { outcome: 'rejected', reason: codeName(RejectReason, first.reason) };
  if (first.kind === EventKind.Canceled) return { outcome: 'cancelled', orderId: first.orderId, cancelledQuantity: first.canceledQuantity };
  const mine = (e: MatchEvent): boolean => 'owner' in e && e.owner === command.owner && e.clientOrderId === command.clientOrderId;
  const fills = events.filter((e) => e.kind === EventKind.Fill && e.liquidity === Liquidity.Taker && mine(e))
    .map((e) => e.kind === EventKind.Fill ? { tradeId: e.tradeId, price: e.price, quantity: e.quantity } : { tradeId: 0, price: 0, quantity: 0 });
  const filled = fills.reduce((sum, f) => sum + f.quantity, 0);
  const canceled = events.find((e) => e.kind === EventKind.Canceled && mine(e));
  const cancelled = canceled?.kind === EventKind.Canceled ? canceled.canceledQuantity : 0;
  if (first.kind === EventKind.Replaced) {
    const leaves = first.leavesQuantity - filled;
    return { outcome: 'replaced', orderId: first.orderId, status: leaves === 0 ? 'filled' : 'resting', price: command.price,
      filledQuantity: filled, remainingQuantity: leaves, fills };
  }
  if (first.kind !== EventKind.Accepted) throw new Error(`a command cannot start with ${first.kind}`);
  const leaves = command.quantity - filled - cancelled;
  return { outcome: 'accepted', orderId: first.orderId, status: cancelled > 0 ? 'cancelled' : leaves === 0 ? 'filled' : 'resting',
    quantity: command.quantity, filledQuantity: filled, remainingQuantity: leaves, cancelledQuantity: cancelled,
    cancelReason: canceled?.kind === EventKind.Canceled ? codeName(CancelReason, canceled.reason) : null, fills };
}

/** A seeded flow of new orders, replaces and cancels by a few owners on two symbols, prices near 1,000. */
function flow(rng: Rng, count: number): Command[] {
  const commands: Command[] = [];
  const live: Array<{ symbolId: number; owner: number; clientOrderId: number }> = [];
  for (let i = 0; i < count; i++) {
    const symbolId = rng.int(1, 2);
    const owner = rng.int(1, 4);
    const roll = rng.int(0, 99);
    const timestampNs = 1_000 + i;
    const target = live.length > 0 ? live[rng.int(0, live.length - 1)]! : undefined;
    if (roll < 10 && target !== undefined) {
      commands.push({ kind: CommandKind.Cancel, ...target, side: 0, orderType: 0, timeInForce: 0, price: 0, quantity: 0, timestampNs });
    } else if (roll < 25 && target !== undefined) {
      commands.push({ kind: CommandKind.Replace, ...target, side: 0, orderType: 0, timeInForce: 0,
        price: rng.int(990, 1_010), quantity: rng.int(1, 60), timestampNs });
    } else {
      const market = roll >= 95;
      const clientOrderId = rng.int(1, 40);
      const side = rng.int(1, 2);
      commands.push({ kind: CommandKind.NewOrder, symbolId, owner, clientOrderId, side,
        orderType: market ? OrderType.Market : OrderType.Limit, timeInForce: rng.int(0, 9) < 7 ? TimeInForce.GTC : rng.int(2, 3),
        // Now and then a price off the band, to see REJECTs.
        price: market ? 0 : roll === 90 ? 5_000 : side === Side.Buy ? rng.int(985, 1_005) : rng.int(995, 1_015),
        quantity: rng.int(1, 80), timestampNs });
      live.push({ symbolId, owner, clientOrderId });
    }
  }
  return commands;
}

describe('PendingOrders', () => {
  it(`answers every tracked request exactly as its own slice of the event stream says (seed ${SEED}, 4,000 commands in batches)`, async () => {
    const rng = new Rng(SEED);
    const commands = flow(rng, 4_000);
    // Ground truth: the matcher run one command at a time, each command's events kept apart.
    const oracle = new Matcher(symbols);
    const slices = commands.map((command) => {
      applyCommand(oracle, command);
      const events = oracle.events.events();
      oracle.events.clear();
      return events;
    });
    // Under test: the same commands in batches of up to 50, events published as one stream. Owner 4
    // stands for a TCP client: its requests are not tracked, and no report of theirs may be claimed.
    const pending = new PendingOrders(quiet);
    const unclaimed: number[] = [];
    const publisher = new EventPublisher({ report: (owner, report) => {
      if (!pending.report(owner, report)) unclaimed.push(report.echoTimestampNs);
    } }, pending);
    const matcher = new Matcher(symbols);
    const answers = new Map<Command, Promise<OrderOutcome | undefined>>();
    for (let at = 0; at < commands.length;) {
      const batch = commands.slice(at, at + rng.int(1, 50));
      at += batch.length;
      for (const command of batch) {
        if (command.owner !== 4) answers.set(command, pending.track(command));
        applyCommand(matcher, command);
      }
      publisher.publish(matcher.events);
      matcher.events.clear();
      // Answered from the batch's own events: none waits for the next command's first report.
      expect(pending.size, `after the batch ending at command ${at - 1}`).toBe(0);
    }
    let checked = 0;
    for (const [i, command] of commands.entries()) {
      const answer = answers.get(command);
      if (answer === undefined) continue;
      expect(await answer, `command ${i}: ${JSON.stringify(command)}`).toEqual(expectedOutcome(command, slices[i]!));
      checked++;
    }
    expect(checked).toBeGreaterThan(2_500);
    // Every report of an untracked (TCP) command went on to the sessions; tracked requests' own
    // reports did not, except maker FILLs caused by other requests (those echo 0).
    const tracked = new Set([...answers.keys()].map((c) => c.timestampNs));
    expect(unclaimed.filter((ts) => tracked.has(ts))).toEqual([]);
    const outcomes = await Promise.all(answers.values());
    const kinds = new Set(outcomes.map((o) => (o?.outcome === 'accepted' ? `accepted ${o.status}` : o?.outcome)));
    expect([...kinds].sort()).toEqual(['accepted cancelled', 'accepted filled', 'accepted resting', 'cancelled', 'rejected', 'replaced']);
  });

  it('forget and abandonAll resolve with undefined, and a late report of a forgotten request is not claimed', async () => {
    const pending = new PendingOrders(quiet);
    const command: Command = { kind: CommandKind.Cancel, symbolId: 1, owner: 9, clientOrderId: 1, side: 0, orderType: 0,
      timeInForce: 0, price: 0, quantity: 0, timestampNs: 77 };
    const answer = pending.track(command);
    expect(() => pending.track({ ...command })).toThrow(/already tracked/);
    pending.forget(command);
    expect(await answer).toBeUndefined();
    const matcher = new Matcher(symbols);
    applyCommand(matcher, command);
    const claimed: boolean[] = [];
    new EventPublisher({ report: (owner, report) => claimed.push(pending.report(owner, report)) }, quiet).publish(matcher.events);
    expect(claimed).toEqual([false]);
    const other = pending.track({ ...command, timestampNs: 78 });
    pending.abandonAll();
    expect(await other).toBeUndefined();
    expect(pending.size).toBe(0);
  });
});
