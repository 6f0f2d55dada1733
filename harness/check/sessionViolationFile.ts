import { CommandKind, type Command } from '../../engine/book/Command.js';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { codeName, OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { ClientFlow } from '../generate/ClientFlow.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { DeltaDebugBudget } from './deltaDebug.js';
import { inprocCommands, shrinkInprocRepro } from './inprocRepro.js';
import { describeSessionViolation, type SessionInvariant, type SessionViolation } from './SessionReportChecker.js';
import { runReproCommand, targetFlag, type ViolationRun } from './violationRepro.js';

/** violation.json's `schema` and `version` (a reader refuses other versions, as for result.json). */
export const SESSION_VIOLATION_SCHEMA = 'matchbench.session-violation';
export const SESSION_VIOLATION_VERSION = 1;
/** Most commands written in a prefix (the last ones, when it is longer). */
export const MAX_PREFIX_COMMANDS = 10_000;

/** One request of a reproduction, readable (docs/PROTOCOL.md names). */
export interface ReproCommand {
  /** Client index (logs in as clientId session + 1). */
  readonly session: number;
  readonly kind: 'new' | 'cancel' | 'replace';
  readonly symbolId: number;
  readonly clientOrderId: number;
  readonly side?: 'buy' | 'sell';
  readonly orderType?: 'limit' | 'market';
  readonly timeInForce?: string;
  readonly price?: number;
  readonly quantity?: number;
}

/** violation.json: the first session-report violation of a run and how to get it again. */
export interface SessionViolationFile {
  readonly schema: typeof SESSION_VIOLATION_SCHEMA;
  readonly version: typeof SESSION_VIOLATION_VERSION;
  readonly seed: number;
  readonly scenario: { readonly file: string; readonly hash: string; readonly name: string };
  /** The `--target` the run used. */
  readonly target: string;
  readonly invariant: SessionInvariant;
  readonly session: number;
  readonly clientId: number;
  readonly symbolId: number;
  readonly clientOrderId: number;
  /** The first failing event: the global event index where the target has one (inproc), else the report's index in its session's stream. */
  readonly firstFailingEventIndex: number;
  readonly firstFailingEventIndexOf: 'matcher event sequence' | 'session report stream' | 'end of run';
  readonly reportIndex: number;
  readonly eventIndex: number | null;
  readonly atMs: number;
  /** The violation as one line (as in result.json). */
  readonly description: string;
  /** Every session-report violation of the run (the first ones are listed in result.json). */
  readonly violationCount: number;
  readonly repro: {
    /** Runs the whole scenario again: same seed, same streams, same target. */
    readonly command: string;
    /** What `commands` is: this session's requests up to the failing report, or (inproc) a shrunk prefix of every session's. */
    readonly prefix: string;
    /** Whether `commands` was shrunk, and whether the shrunk list broke the invariant again on a fresh matcher. */
    readonly shrunk: boolean;
    readonly reproduced: boolean | null;
    /** Commands of the prefix left out at its start (it had more than MAX_PREFIX_COMMANDS). */
    readonly omittedBefore: number;
    readonly commands: readonly ReproCommand[];
  };
}

/** What {@link sessionViolationFile} needs besides the violation. */
export interface SessionViolationContext extends ViolationRun {
  readonly scenario: Scenario;
  readonly scenarioHash: string;
  /** The run's symbols (inproc replays need them). */
  readonly symbols: readonly SymbolConfig[];
  /** Every session-report violation counted in the run. */
  readonly violationCount: number;
  /** Limits of the inproc shrink. Default 2,000 replays, 10 s. */
  readonly shrinkBudget?: DeltaDebugBudget;
}

export function reproCommand(c: Command): ReproCommand {
  const base = { session: c.owner - 1, symbolId: c.symbolId, clientOrderId: c.clientOrderId };
  switch (c.kind) {
    case CommandKind.NewOrder:
      return { ...base, kind: 'new', side: c.side === Side.Buy ? 'buy' : 'sell', orderType: c.orderType === OrderType.Market ? 'market' : 'limit',
        timeInForce: codeName(TimeInForce, c.timeInForce), price: c.price, quantity: c.quantity };
    case CommandKind.Cancel:
      return { ...base, kind: 'cancel' };
    default:
      return { ...base, kind: 'replace', price: c.price, quantity: c.quantity };
  }
}

/** The first `count` commands of client `session`'s stream. */
function sessionCommands(scenario: Scenario, seed: number, session: number, count: number): Command[] {
  const flow = new ClientFlow(scenario, seed, session);
  const out: Command[] = [];
  for (let o = flow.next(); o !== null && out.length < count; o = flow.next()) {
    out.push({ kind: o.kind, symbolId: o.symbolId, owner: session + 1, clientOrderId: o.clientOrderId, side: o.side, orderType: o.orderType,
      timeInForce: o.timeInForce, price: o.price, quantity: o.quantity, timestampNs: 0 });
  }
  return out;
}

/**
 * violation.json for the run's first session-report violation `v`: identity, where it happened,
 * the `matchbench run` command line that reproduces it, and the command prefix. For the inproc
 * target the prefix is every session's commands up to the one that broke it, delta-debugged
 * against a fresh matcher; for a network target, the session's own requests up to the failing
 * report (regenerated from the seed; the engine's other inputs were the other sessions').
 */
export function sessionViolationFile(v: SessionViolation, ctx: SessionViolationContext): SessionViolationFile {
  const { scenario, seed } = ctx;
  let commands: Command[];
  let prefix: string;
  let shrunk = false;
  let reproduced: boolean | null = null;
  if (ctx.target.kind === 'inproc') {
    if (v.commandIndex !== null) {
      commands = inprocCommands(scenario, seed, v.commandIndex + 1);
    } else {
      // The end-of-run check: up to the order's own NEW_ORDER.
      const all = inprocCommands(scenario, seed, Number.MAX_SAFE_INTEGER);
      let seen = -1;
      const at = all.findIndex((c) => c.owner === v.session + 1 && ++seen === v.orderStreamIndex);
      commands = at < 0 ? all : all.slice(0, at + 1);
    }
    const repro = shrinkInprocRepro({ symbols: ctx.symbols, sessions: scenario.clients.orderEntry, commands, invariant: v.invariant,
      ...(ctx.shrinkBudget === undefined ? {} : { budget: ctx.shrinkBudget }) });
    commands = repro.commands;
    shrunk = repro.reproduced;
    reproduced = repro.reproduced;
    prefix = repro.reproduced
      ? `every session's commands that still break ${v.invariant} on a fresh matcher, delta-debugged from the first ` +
        `${v.commandIndex === null ? 'commands' : v.commandIndex + 1} (${repro.replays} replays` +
        `${repro.complete ? ', 1-minimal' : ', stopped at the budget'})`
      : 'every session\'s commands in inproc order up to the failing one (a replay on a fresh matcher did not break ' +
        `${v.invariant}, so it was not shrunk)`;
  } else {
    commands = sessionCommands(scenario, seed, v.session, v.lastStreamIndex + 1);
    prefix = `client ${v.session}'s requests (its generated stream) up to the last one it had sent when the failing report arrived`;
  }
  const omittedBefore = Math.max(0, commands.length - MAX_PREFIX_COMMANDS);
  const first = v.eventIndex !== null ? { index: v.eventIndex, of: 'matcher event sequence' as const }
    : v.reportIndex >= 0 ? { index: v.reportIndex, of: 'session report stream' as const } : { index: -1, of: 'end of run' as const };
  return {
    schema: SESSION_VIOLATION_SCHEMA, version: SESSION_VIOLATION_VERSION, seed,
    scenario: { file: ctx.scenarioFile, hash: ctx.scenarioHash, name: scenario.name },
    target: targetFlag(ctx.target),
    invariant: v.invariant, session: v.session, clientId: v.session + 1, symbolId: v.symbolId, clientOrderId: v.clientOrderId,
    firstFailingEventIndex: first.index, firstFailingEventIndexOf: first.of, reportIndex: v.reportIndex, eventIndex: v.eventIndex,
    atMs: v.atMs, description: describeSessionViolation(v), violationCount: ctx.violationCount,
    repro: {
      command: runReproCommand(ctx),
      prefix, shrunk, reproduced, omittedBefore, commands: commands.slice(omittedBefore).map(reproCommand),
    },
  };
}
