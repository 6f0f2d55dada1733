import { describe, expect, it } from 'vitest';
import { applyCommand, CommandKind, type Command } from '../../engine/book/Command.js';
import { Matcher } from '../../engine/book/Matcher.js';
import { symbolConfig } from '../../engine/book/SymbolConfig.js';
import { EventPublisher } from '../../engine/EventPublisher.js';
import type { Unstamped } from '../../engine/gateway/GatewaySession.js';
import type { ExecutionReport } from '../../engine/gateway/OrderEntrySession.js';
import type { FinalState } from '../../engine/matcherWorkerProtocol.js';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { differentialCheck } from './differentialCheck.js';
import { SessionTranscripts, type SessionTranscriptData } from './SessionTranscript.js';

const SYMBOLS = [symbolConfig({ symbolId: 1, name: 'A', tickSize: 1, minPrice: 1, maxPrice: 1000, maxQuantity: 1000 })];

function order(owner: number, clientOrderId: number, side: number, price: number, quantity: number, tif: number = TimeInForce.GTC): Command {
  return { kind: CommandKind.NewOrder, symbolId: 1, owner, clientOrderId, side, orderType: OrderType.Limit, timeInForce: tif, price, quantity,
    timestampNs: 0 };
}
function cancel(owner: number, clientOrderId: number): Command {
  return { kind: CommandKind.Cancel, symbolId: 1, owner, clientOrderId, side: 0, orderType: 0, timeInForce: 0, price: 0, quantity: 0, timestampNs: 0 };
}
function replace(owner: number, clientOrderId: number, price: number, quantity: number): Command {
  return { kind: CommandKind.Replace, symbolId: 1, owner, clientOrderId, side: 0, orderType: 0, timeInForce: 0, price, quantity, timestampNs: 0 };
}

/** Two sessions; the order matters: client 2's IOC buy takes client 1's replaced ask, client 1's late cancel finds nothing. */
const COMMANDS: Command[] = [
  order(1, 1, Side.Sell, 100, 10),
  order(2, 1, Side.Buy, 99, 5),
  replace(1, 1, 101, 8),
  cancel(2, 1),
  order(2, 2, Side.Buy, 102, 8, TimeInForce.IOC),
  cancel(1, 1),
  order(1, 2, Side.Buy, 50, 1),
];

interface Simulated {
  transcripts: SessionTranscriptData[];
  engineBooks: FinalState;
}

/**
 * Plays `commands` in this order through the engine's fast books, as an engine would, and records
 * what each session sent and got; `tamper` may rewrite or drop (undefined) a report, `stamp` its engine timestamp.
 */
function simulate(commands: readonly Command[], opts: {
  tamper?: (r: Unstamped<ExecutionReport>, index: number) => Unstamped<ExecutionReport> | undefined;
  stamp?: (index: number) => number;
  before?: readonly Command[];
} = {}): Simulated {
  const transcripts = new SessionTranscripts();
  const matcher = new Matcher(SYMBOLS);
  let reportIndex = 0;
  let live = false;
  const publisher = new EventPublisher({
    report: (owner, report) => {
      if (!live) return;
      const i = reportIndex++;
      const r = opts.tamper === undefined ? report : opts.tamper(report, i);
      if (r !== undefined) transcripts.report(owner, { ...r, sequence: 0, timestampNs: opts.stamp?.(i) ?? 1_000 + i } as ExecutionReport);
    },
  }, { trade: () => {}, levelUpdate: () => {}, quote: () => {}, flush: () => {} });
  const play = (c: Command): void => {
    applyCommand(matcher, c);
    publisher.publish(matcher.events);
    matcher.events.clear();
  };
  for (const c of opts.before ?? []) play(c);
  live = true;
  commands.forEach((c, i) => {
    const sent = { ...c, timestampNs: 10_000 + i };
    transcripts.sent(c.owner, sent, sent.timestampNs);
    play(sent);
  });
  return { transcripts: transcripts.data(), engineBooks: { stateHash: matcher.stateHash(), books: matcher.allBooks().map((b) => b.state()) } };
}

describe('differentialCheck', () => {
  it('an engine that matched like the oracle passes, and the result says what was replayed and compared', () => {
    const { transcripts, engineBooks } = simulate(COMMANDS);
    const result = differentialCheck({ transcripts, symbols: SYMBOLS, engineBooks });
    expect(result.violations).toEqual([]);
    expect(result.checked).toMatch(/^differential replay through OrderBookReference of 7 answered requests of 2 session\(s\) \(4 accepted orders /);
    expect(result.checked).toMatch(/: 9 execution reports compared, final books against the engine’s final books$/);
  });

  it('places a cancel between other sessions\' requests by the engine\'s report timestamps', () => {
    // The same reports, but client 1's late CANCEL (report 7, a REJECT) stamped before client 2's IOC (reports 4–6):
    // replayed there, the cancel would have succeeded, so the engine's REJECT disagrees with the oracle.
    const { transcripts } = simulate(COMMANDS, { stamp: (i) => (i === 7 ? 1_003.5 : 1_000 + i) });
    const result = differentialCheck({ transcripts, symbols: SYMBOLS });
    expect(result.first).toMatchObject({ invariant: 'differential-executions', clientId: 1, commandIndex: 4 });
    expect(result.violations[0]).toMatch(new RegExp('report 2 \\(command 4 of the reconstructed order\\): engine sent FILL order 1 \\(id 1\\) trade 1 8@101 leaves 0 sell maker, ' +
      'OrderBookReference gives CANCELED order 1 \\(id 1\\) 8 User$'));
  });

  it('a trade at the aggressor\'s price, reported consistently to both sides, is a differential-executions violation at its command', () => {
    const { transcripts } = simulate(COMMANDS, { tamper: (r) => (r.type === MessageType.Fill ? { ...r, price: 102 } : r) });
    const result = differentialCheck({ transcripts, symbols: SYMBOLS });
    expect(result.violations[0]).toMatch(/^differential: client 0 report 2 \(command 4 of the reconstructed order\): engine sent FILL order 1 \(id 1\) trade 1 8@102 leaves 0 sell maker, OrderBookReference gives FILL order 1 \(id 1\) trade 1 8@101 leaves 0 sell maker$/);
    expect(result.first).toMatchObject({ invariant: 'differential-executions', clientId: 1, commandIndex: 4, reportIndex: 2 });
    expect(result.first?.commands).toHaveLength(5);
    expect(result.checked).toMatch(/final books not compared \(no engine state and no fast subscriber\)$/);
  });

  it('maker FILLs due after a session\'s last report are not held against the engine (the session had logged out), and it says so', () => {
    // Client 1's ask rests; client 2's buy takes it; client 1 never sees its maker FILL.
    const { transcripts } = simulate([order(1, 1, Side.Sell, 100, 5), order(2, 1, Side.Buy, 100, 5)], {
      tamper: (r) => (r.type === MessageType.Fill && r.liquidity === 1 ? undefined : r) });
    const result = differentialCheck({ transcripts, symbols: SYMBOLS });
    expect(result.violations).toEqual([]);
    expect(result.checked).toMatch(/: 3 execution reports compared \(1 maker FILLs due after a session's last report not seen: it had logged out\), /);
    // A missing maker FILL with later reports behind it is a violation.
    const { transcripts: mid } = simulate([order(1, 1, Side.Sell, 100, 5), order(2, 1, Side.Buy, 100, 5), order(1, 2, Side.Sell, 101, 1)], {
      tamper: (r) => (r.type === MessageType.Fill && r.liquidity === 1 ? undefined : r) });
    expect(differentialCheck({ transcripts: mid, symbols: SYMBOLS }).first).toMatchObject({ invariant: 'differential-executions', clientId: 1, reportIndex: 1 });
  });

  it('a final book that differs from the oracle\'s is a differential-final-book violation at the end of the run', () => {
    const { transcripts, engineBooks } = simulate(COMMANDS);
    const book = engineBooks.books[0]!;
    const wrong: FinalState = { stateHash: engineBooks.stateHash, books: [{ ...book, bids: book.bids.map((l) => ({ ...l, quantity: l.quantity + 1 })) }] };
    const result = differentialCheck({ transcripts, symbols: SYMBOLS, engineBooks: wrong });
    expect(result.violations).toEqual([expect.stringMatching(/^differential: symbol 1's final book is 1\/0:\w+ in the engine, 1\/0:\w+ in OrderBookReference$/)]);
    expect(result.first).toMatchObject({ invariant: 'differential-final-book', commandIndex: 7, reportIndex: -1 });
    const fromFeed = differentialCheck({ transcripts, symbols: SYMBOLS, feedBooks: { 1: { '0/0:00000000': 2 } } });
    expect(fromFeed.violations[0]).toMatch(/^differential: 2 fast subscriber\(s\) rebuilt symbol 1's book from the feed as 0\/0:00000000; OrderBookReference holds 1\/0:/);
  });

  it('cut short by its time budget, it compares the replayed prefix and says the rest was not compared', () => {
    // 3,000 resting orders and one buy that takes an ask, its trade reported at a wrong price; the budget (0 ms) is looked at every 1,024 commands.
    const resting = Array.from({ length: 3_000 }, (_, i) => order(1 + (i % 2), i, i % 2 === 0 ? Side.Buy : Side.Sell, i % 2 === 0 ? 100 : 200, 1));
    const taker = order(1, 9_999, Side.Buy, 200, 1);
    const wrongPrice = (r: Unstamped<ExecutionReport>): Unstamped<ExecutionReport> => (r.type === MessageType.Fill ? { ...r, price: 199 } : r);
    const late = simulate([...resting, taker], { tamper: wrongPrice });
    const cut = differentialCheck({ transcripts: late.transcripts, symbols: SYMBOLS, engineBooks: late.engineBooks, budgetMs: 0 });
    expect(cut.violations).toEqual([]);
    expect(cut.checked).toMatch(/: 1023 execution reports compared, stopped at the 0 s budget after the first 1023 requests: reports compared up to there, final books not compared$/);
    expect(differentialCheck({ transcripts: late.transcripts, symbols: SYMBOLS, engineBooks: late.engineBooks }).first?.commandIndex).toBe(3_000);
    const early = simulate([...resting.slice(0, 10), taker, ...resting.slice(10)], { tamper: wrongPrice });
    expect(differentialCheck({ transcripts: early.transcripts, symbols: SYMBOLS, budgetMs: 0 }).first?.commandIndex).toBe(10);
  });

  it('says why it could not check, and finds nothing, when the engine order cannot be told', () => {
    // Report timestamps against the order ids: stamped backwards.
    const backwards = differentialCheck({ transcripts: simulate(COMMANDS, { stamp: (i) => 1_000_000 - i }).transcripts, symbols: SYMBOLS });
    expect(backwards).toEqual({ violations: [], checked: expect.stringMatching(/not checked \(the engine's report timestamps do not follow its order ids/) });
    // A request never answered.
    const dropped = simulate(COMMANDS, { tamper: (r) => (r.type === MessageType.Canceled && r.clientOrderId === 1 && r.orderId === 2 ? undefined : r) });
    expect(differentialCheck({ transcripts: dropped.transcripts, symbols: SYMBOLS }).checked).toMatch(/not checked \(1 request\(s\) got no answer/);
    // Someone else's order took order id 1.
    const shared = simulate(COMMANDS, { before: [order(9, 1, Side.Buy, 10, 1)] });
    expect(differentialCheck({ transcripts: shared.transcripts, symbols: SYMBOLS }).checked)
      .toMatch(/not checked \(order ids 1–1 went to requests this run did not send/);
    expect(differentialCheck({ transcripts: [], symbols: SYMBOLS, skipReason: 'because' }).checked).toMatch(/not checked \(because\)$/);
  });
});
