import type { Scenario } from '../scenario/Scenario.js';
import { describeFeedViolation, type FeedInvariant, type FeedViolation } from './snapshotInvariants.js';
import { runReproCommand, targetFlag, type ViolationRun } from './violationRepro.js';

/** violation.json's `schema` and `version` for a feed (BOOK_SNAPSHOT) violation, the sibling of matchbench.session-violation. */
export const FEED_VIOLATION_SCHEMA = 'matchbench.feed-violation';
export const FEED_VIOLATION_VERSION = 1;

/** violation.json when a BOOK_SNAPSHOT broke a book invariant or differed from the feed-rebuilt book. */
export interface FeedViolationFile {
  readonly schema: typeof FEED_VIOLATION_SCHEMA;
  readonly version: typeof FEED_VIOLATION_VERSION;
  readonly seed: number;
  readonly scenario: { readonly file: string; readonly hash: string; readonly name: string };
  readonly target: string;
  readonly invariant: FeedInvariant;
  readonly symbolId: number;
  /** The market-data subscriber that saw it (LOGIN client id). */
  readonly subscriberClientId: number;
  /** The snapshot's feed sequence: the engine's book as of that feed frame. */
  readonly firstFailingEventIndex: number;
  readonly firstFailingEventIndexOf: 'feed sequence';
  readonly description: string;
  readonly violationCount: number;
  readonly repro: {
    /** Runs the whole scenario again: same seed, same streams, same target. */
    readonly command: string;
    readonly prefix: string;
    readonly commands: readonly [];
  };
}

/** What {@link feedViolationFile} needs besides the violation. */
export interface FeedViolationContext extends ViolationRun {
  readonly scenario: Scenario;
  readonly scenarioHash: string;
  readonly violationCount: number;
}

/** violation.json for the run's first feed violation (lowest feed sequence). */
export function feedViolationFile(v: FeedViolation, ctx: FeedViolationContext): FeedViolationFile {
  return {
    schema: FEED_VIOLATION_SCHEMA, version: FEED_VIOLATION_VERSION, seed: ctx.seed,
    scenario: { file: ctx.scenarioFile, hash: ctx.scenarioHash, name: ctx.scenario.name },
    target: targetFlag(ctx.target), invariant: v.invariant, symbolId: v.symbolId, subscriberClientId: v.clientId,
    firstFailingEventIndex: v.feedSequence, firstFailingEventIndexOf: 'feed sequence', description: describeFeedViolation(v),
    violationCount: ctx.violationCount,
    repro: {
      command: runReproCommand(ctx),
      // The feed is the product of every session's requests in the engine's order: no shorter input is known to give the same frame.
      prefix: 'none: the whole run (every session\u2019s requests, as the engine ordered them, lead to this feed sequence)',
      commands: [],
    },
  };
}
