import type { Scenario } from '../scenario/Scenario.js';
import type { DifferentialInvariant, DifferentialViolation } from './differentialCheck.js';
import { MAX_PREFIX_COMMANDS, reproCommand, type ReproCommand } from './sessionViolationFile.js';
import { runReproCommand, targetFlag, type ViolationRun } from './violationRepro.js';

/** violation.json's `schema` and `version` for a differential violation (the sibling of matchbench.session-violation). */
export const DIFFERENTIAL_VIOLATION_SCHEMA = 'matchbench.differential-violation';
export const DIFFERENTIAL_VIOLATION_VERSION = 1;

/**
 * violation.json when the engine disagreed with OrderBookReference: the same core fields as
 * sessionViolationFile.ts (seed, scenario, target, invariant, first failing event index, repro).
 */
export interface DifferentialViolationFile {
  readonly schema: typeof DIFFERENTIAL_VIOLATION_SCHEMA;
  readonly version: typeof DIFFERENTIAL_VIOLATION_VERSION;
  readonly seed: number;
  readonly scenario: { readonly file: string; readonly hash: string; readonly name: string };
  readonly target: string;
  readonly invariant: DifferentialInvariant;
  /** Client index of the session whose reports differ (−1 for the final book). */
  readonly session: number;
  readonly clientId: number;
  readonly symbolId: number;
  /** Position of the command whose reports differ first, in the reconstructed engine order; the command count for the final book. */
  readonly firstFailingEventIndex: number;
  readonly firstFailingEventIndexOf: 'reconstructed command order' | 'end of run';
  /** The first differing report's index in its session's report stream; −1 for the final book. */
  readonly reportIndex: number;
  readonly description: string;
  /** Every differential violation line of the run. */
  readonly violationCount: number;
  readonly repro: {
    /** Runs the whole scenario again: same seed, same streams, same target. */
    readonly command: string;
    readonly prefix: string;
    readonly shrunk: false;
    /** Not replayed: a network engine cannot be replayed in isolation. */
    readonly reproduced: null;
    readonly omittedBefore: number;
    /** Every session's requests in the reconstructed order up to the failing one: replayed through OrderBookReference they give the oracle's reports. */
    readonly commands: readonly ReproCommand[];
  };
}

/** What {@link differentialViolationFile} needs besides the violation. */
export interface DifferentialViolationContext extends ViolationRun {
  readonly scenario: Scenario;
  readonly scenarioHash: string;
  readonly violationCount: number;
}

/** violation.json for the run's first differential violation. */
export function differentialViolationFile(v: DifferentialViolation, ctx: DifferentialViolationContext): DifferentialViolationFile {
  const omittedBefore = Math.max(0, v.commands.length - MAX_PREFIX_COMMANDS);
  const end = v.reportIndex < 0;
  return {
    schema: DIFFERENTIAL_VIOLATION_SCHEMA, version: DIFFERENTIAL_VIOLATION_VERSION, seed: ctx.seed,
    scenario: { file: ctx.scenarioFile, hash: ctx.scenarioHash, name: ctx.scenario.name },
    target: targetFlag(ctx.target), invariant: v.invariant, session: v.clientId - 1, clientId: v.clientId, symbolId: v.symbolId,
    firstFailingEventIndex: v.commandIndex, firstFailingEventIndexOf: end ? 'end of run' : 'reconstructed command order',
    reportIndex: v.reportIndex, description: v.description, violationCount: ctx.violationCount,
    repro: {
      command: runReproCommand(ctx),
      prefix: end ? 'every answered request of every session, in the reconstructed engine order'
        : 'every answered request of every session, in the reconstructed engine order, up to the one whose reports differ first',
      shrunk: false, reproduced: null, omittedBefore, commands: v.commands.slice(omittedBefore).map(reproCommand),
    },
  };
}
