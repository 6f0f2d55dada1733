import { describeSessionViolation, type SessionCheckSummary, type SessionViolation } from './SessionReportChecker.js';

/** The session checks of every driver of a run, together. */
export interface MergedSessionChecks {
  readonly sessions: number;
  readonly reports: number;
  /** Every violation counted. */
  readonly count: number;
  /** The first violation of the run (the earliest report), if any. */
  readonly first: SessionViolation | undefined;
  /** Lines for result.invariants.violations: the kept violations by arrival time, then how many more. */
  readonly lines: string[];
}

/** Adds the drivers' session checks (absent ones skipped); keeps at most `cap` lines. */
export function mergeSessionChecks(summaries: readonly (SessionCheckSummary | undefined)[], cap = 100): MergedSessionChecks {
  let sessions = 0;
  let reports = 0;
  let count = 0;
  const kept: SessionViolation[] = [];
  for (const s of summaries) {
    if (s === undefined) continue;
    sessions += s.sessions;
    reports += s.reports;
    count += s.count;
    kept.push(...s.violations);
  }
  kept.sort((a, b) => a.atMs - b.atMs || a.session - b.session || a.reportIndex - b.reportIndex);
  const lines = kept.slice(0, cap).map(describeSessionViolation);
  if (count > lines.length) lines.push(`session report: … and ${count - lines.length} more`);
  return { sessions, reports, count, first: kept[0], lines };
}
