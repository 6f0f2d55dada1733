import { describe, expect, it } from 'vitest';
import { applyCommand, CommandKind } from '../../engine/book/Command.js';
import { EventKind } from '../../engine/book/EventBuffer.js';
import { Matcher, type BookFactory } from '../../engine/book/Matcher.js';
import { OrderBook } from '../../engine/book/OrderBook.js';
import { Liquidity, Side } from '../../engine/protocol/codes.js';
import { scenarioSymbols } from '../run/runScenario.js';
import { parseScenario } from '../scenario/loadScenario.js';
import { runInproc } from '../targets/runInproc.js';
import { inprocCommands, replayInproc, shrinkInprocRepro } from './inprocRepro.js';

const YAML = `
version: 1
name: repro
seed: 5
symbols: { count: 2, tickSize: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000, maxQuantity: 100000 }
defaults:
  price: { volatility: 2, drift: 0 }
  mix: { limitGtc: 0.6, limitIoc: 0.1, limitFok: 0.05, market: 0.05, cancel: 0.15, replace: 0.05 }
  offsets: { mean: 1, sd: 4 }
  quantity: { median: 20, sigma: 0.8, min: 1, max: 500 }
  cancelAfter: 100ms
phases:
  - { name: one, duration: 500ms, rate: 800 }
clients:
  orderEntry: 3
  workers: 1
  marketData: []
target: inproc
`;

function scenario() {
  const loaded = parseScenario(YAML, 'repro.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.scenario;
}

/** A book that lies about an order canceled after a partial fill: it then sends that order a FILL too. */
const fillAfterCancel: BookFactory = (config, context) => {
  const book = new OrderBook(config, context, { initialOrderCapacity: 256 });
  const partlyFilled = new Set<string>();
  const watch = (before: number): void => {
    for (let i = before; i < context.events.length; i++) {
      const e = context.events.event(i);
      if (e.kind === EventKind.Fill && e.liquidity === Liquidity.Maker && e.leavesQuantity > 0) partlyFilled.add(`${e.owner}/${e.clientOrderId}`);
    }
  };
  const newOrder = book.newOrder.bind(book);
  book.newOrder = (...args) => {
    const before = context.events.length;
    newOrder(...args);
    watch(before);
  };
  const cancel = book.cancel.bind(book);
  book.cancel = (owner, clientOrderId, timestampNs) => {
    const before = context.events.length;
    cancel(owner, clientOrderId, timestampNs);
    if (context.events.length > before && context.events.kindAt(before) === EventKind.Canceled && partlyFilled.has(`${owner}/${clientOrderId}`)) {
      context.events.fill(config.symbolId, owner, clientOrderId, 0, 0, 1, 1, 0, Side.Buy, Liquidity.Maker, 0);
    }
  };
  return book;
};

describe('inproc reproductions', () => {
  it('inprocCommands is the order runInproc matches: replaying it gives the same final state', async () => {
    const s = scenario();
    const symbols = scenarioSymbols(s);
    const run = await runInproc({ scenario: s, seed: 5, symbols });
    const commands = inprocCommands(s, 5, Number.MAX_SAFE_INTEGER);
    expect(commands.length).toBe(run.sent);
    expect(run.sessionCheck?.count).toBe(0);
    expect(run.sessionCheck?.reports).toBeGreaterThan(run.sent);
    // The reference matcher keeps every session invariant, and the same commands give the same state.
    expect(replayInproc(symbols, 3, commands)).toEqual([]);
    const matcher = new Matcher(symbols);
    for (const c of commands) { applyCommand(matcher, c); matcher.events.clear(); }
    expect(matcher.stateHash()).toBe(run.finalState.stateHash);
  });

  it('a planted fill after cancel is found on replay and shrunk to the few commands it needs', () => {
    const s = scenario();
    const symbols = scenarioSymbols(s);
    const commands = inprocCommands(s, 5, Number.MAX_SAFE_INTEGER);
    const violations = replayInproc(symbols, 3, commands, fillAfterCancel);
    const first = violations[0];
    expect(first?.invariant).toBe('no-fill-after-terminal');
    const prefix = commands.slice(0, (first?.commandIndex ?? 0) + 1);
    expect(prefix.length).toBeGreaterThan(10);
    const repro = shrinkInprocRepro({ symbols, sessions: 3, commands: prefix, invariant: 'no-fill-after-terminal', createBook: fillAfterCancel });
    expect(repro.reproduced).toBe(true);
    expect(repro.complete).toBe(true);
    // Far fewer commands, ending with the cancel of an order among them that another order partly filled.
    expect(repro.commands.length).toBeLessThan(prefix.length / 4);
    const cancel = repro.commands.at(-1);
    expect(cancel?.kind).toBe(CommandKind.Cancel);
    const canceled = repro.commands.find((c) => c.kind === CommandKind.NewOrder && c.owner === cancel?.owner && c.clientOrderId === cancel.clientOrderId);
    expect(repro.commands.some((c) => c.kind === CommandKind.NewOrder && c.side !== canceled?.side)).toBe(true);
    // 1-minimal: without any one of them the lie is not triggered.
    for (let i = 0; i < repro.commands.length; i++) {
      const without = repro.commands.filter((_, j) => j !== i);
      expect(replayInproc(symbols, 3, without, fillAfterCancel).some((v) => v.invariant === 'no-fill-after-terminal')).toBe(false);
    }
  });

  it('a violation the fresh matcher does not repeat keeps the prefix unshrunk and says so', () => {
    const s = scenario();
    const commands = inprocCommands(s, 5, 30);
    const repro = shrinkInprocRepro({ symbols: scenarioSymbols(s), sessions: 3, commands, invariant: 'fill-within-limit' });
    expect(repro).toMatchObject({ reproduced: false, replays: 1 });
    expect(repro.commands).toEqual(commands);
  });
});
