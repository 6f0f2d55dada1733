import { applyCommand, type Command } from '../../engine/book/Command.js';
import { Matcher, type BookFactory } from '../../engine/book/Matcher.js';
import { OrderBook } from '../../engine/book/OrderBook.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { ClientFlow, type FlowScenario } from '../generate/ClientFlow.js';
import { deltaDebug, type DeltaDebugBudget } from './deltaDebug.js';
import { InprocSessionChecks } from './InprocSessionChecks.js';
import { SessionViolationLog, type SessionInvariant, type SessionViolation } from './SessionReportChecker.js';

/**
 * The first `count` commands the `inproc` target matches for `scenario` and `seed`, in its order:
 * every client's stream merged by intended time, the lower client index first on a tie (as
 * runInproc picks them). Client i is owner i + 1; timestamps are 0 (inproc sends none).
 */
export function inprocCommands(scenario: FlowScenario, seed: number, count: number): Command[] {
  const shared = ClientFlow.shared(scenario, seed);
  const flows = Array.from({ length: scenario.clients.orderEntry }, (_, i) => new ClientFlow(scenario, seed, i, { shared }));
  const next = flows.map((f) => f.next());
  const out: Command[] = [];
  while (out.length < count) {
    let best = -1;
    let bestMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < next.length; i++) {
      const o = next[i];
      if (o !== null && o !== undefined && o.intendedMs < bestMs) { best = i; bestMs = o.intendedMs; }
    }
    const o = next[best];
    if (o === null || o === undefined) break;
    out.push({ kind: o.kind, symbolId: o.symbolId, owner: best + 1, clientOrderId: o.clientOrderId, side: o.side, orderType: o.orderType,
      timeInForce: o.timeInForce, price: o.price, quantity: o.quantity, timestampNs: 0 });
    next[best] = flows[best]?.next() ?? null;
  }
  return out;
}

/** The fast book with small pools (they double when full): a shrink makes hundreds of fresh matchers. */
export const replayBook: BookFactory = (config, context) => new OrderBook(config, context, { initialOrderCapacity: 256 });

/**
 * Matches `commands` on a fresh matcher with every session's reports checked, then the end-of-run
 * check; returns the violations (the first 100). `createBook` swaps the book (tests plant faulty ones).
 */
export function replayInproc(symbols: readonly SymbolConfig[], sessions: number, commands: readonly Command[],
  createBook: BookFactory = replayBook): SessionViolation[] {
  const matcher = new Matcher(symbols, createBook);
  const log = new SessionViolationLog();
  const checks = new InprocSessionChecks(sessions, log);
  const streamIndexes = new Array<number>(sessions).fill(0);
  commands.forEach((c, i) => {
    log.commandIndex = i;
    const streamIndex = streamIndexes[c.owner - 1] ?? 0;
    streamIndexes[c.owner - 1] = streamIndex + 1;
    checks.sent(c.owner, c, streamIndex);
    applyCommand(matcher, c);
    checks.afterCommand(matcher.events);
    matcher.events.clear();
  });
  log.commandIndex = null;
  checks.finish();
  return log.violations;
}

/** What {@link shrinkInprocRepro} found. */
export interface InprocRepro {
  /** The commands that reproduce the violation (shrunk), or the whole prefix when it did not reproduce. */
  readonly commands: Command[];
  /** The prefix alone broke the same invariant again on a fresh matcher. */
  readonly reproduced: boolean;
  /** The shrink ran to the end (1-minimal) rather than stopping at its budget. */
  readonly complete: boolean;
  /** Replays made. */
  readonly replays: number;
}

/**
 * Shrinks a command prefix that broke `invariant` on the inproc target: replays it on a fresh
 * matcher, and if the same invariant breaks again, delta-debugs the prefix (any session's
 * commands may go) while it still does.
 */
export function shrinkInprocRepro(options: {
  readonly symbols: readonly SymbolConfig[];
  readonly sessions: number;
  readonly commands: readonly Command[];
  readonly invariant: SessionInvariant;
  readonly createBook?: BookFactory;
  readonly budget?: DeltaDebugBudget;
}): InprocRepro {
  const fails = (commands: readonly Command[]): boolean =>
    replayInproc(options.symbols, options.sessions, commands, options.createBook).some((v) => v.invariant === options.invariant);
  if (!fails(options.commands)) return { commands: [...options.commands], reproduced: false, complete: true, replays: 1 };
  const shrunk = deltaDebug(options.commands, fails, options.budget);
  return { commands: shrunk.items, reproduced: true, complete: shrunk.complete, replays: shrunk.tests + 1 };
}
