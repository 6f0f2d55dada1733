import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { parseIntervalLog } from '../harness/record/histogramFiles.js';
import { HistogramSet } from '../harness/record/HistogramSet.js';
import type { IntervalSeries } from '../harness/record/IntervalSeries.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, type RunResult } from './RunResult.js';
import { RUN_FILES } from './writers/writeRunDirectory.js';

/** A run directory read back from disk: what `matchbench report` and `matchbench compare` work from. */
export interface RunDirectory {
  /** The directory, as given. */
  readonly dir: string;
  readonly result: RunResult;
  /** The whole-run histograms of result.json, decoded (values in ns). */
  readonly histograms: HistogramSet;
  /** The per-second histograms of latency.hlog (interval k = second [k, k+1) since the start). */
  readonly intervals: IntervalSeries;
}

/** A run directory that cannot be read; `problems` lists everything wrong with it at once. */
export class RunDirectoryError extends Error {
  constructor(readonly dir: string, readonly problems: readonly string[]) {
    super(`${dir}: not a readable run directory:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'RunDirectoryError';
  }
}

const latencySummary = z.object({
  count: z.number(), minNs: z.number(), meanNs: z.number(), p50Ns: z.number(), p90Ns: z.number(), p99Ns: z.number(),
  p999Ns: z.number(), p9999Ns: z.number(), maxNs: z.number(),
});
const latencyRecord = z.record(z.string(), latencySummary);

/**
 * The parts of result.json that reports and comparisons read, checked field by field so that a
 * hand-edited or truncated file is refused with the path of each bad field rather than drawn wrong.
 * Objects are loose: a newer writer's extra optional fields pass through.
 */
const runResultShape = z.looseObject({
  verdict: z.enum(['passed', 'thresholds-failed', 'invariant-failed', 'error']),
  identity: z.looseObject({
    matchbenchVersion: z.string(), gitCommit: z.string(), nodeVersion: z.string(), cpuModel: z.string(), cpuCount: z.number(),
    platform: z.string(), totalMemoryBytes: z.number(), command: z.string(),
  }),
  scenario: z.looseObject({ name: z.string(), file: z.string(), hash: z.string(), description: z.string() }),
  seed: z.number(),
  streamHash: z.string(),
  target: z.looseObject({ kind: z.string(), description: z.string() }),
  finalStateHash: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number().nonnegative(),
  interrupted: z.boolean(),
  phases: z.array(z.looseObject({
    name: z.string(), startMs: z.number(), durationMs: z.number(), offered: z.number(), offeredRate: z.number(),
    sent: z.number(), achievedRate: z.number(), latency: latencyRecord,
  })),
  orders: z.looseObject({
    generated: z.number(), sent: z.number(), byKind: z.record(z.string(), z.number()), acked: z.number(), fills: z.number(),
    canceled: z.number(), replaced: z.number(), rejected: z.number(), rejectsByReason: z.record(z.string(), z.number()),
    unanswered: z.number(), backpressured: z.number(),
  }),
  arrivals: z.looseObject({ samples: z.number(), ksStatistic: z.number(), pValue: z.number(), passed: z.boolean(), note: z.string(),
    intended: z.looseObject({ samples: z.number(), ksStatistic: z.number(), pValue: z.number(), passed: z.boolean() }).optional() }),
  latency: latencyRecord,
  histograms: z.record(z.string(), z.string()),
  feed: z.record(z.string(), z.looseObject({
    subscribers: z.number(), frames: z.number(), bytes: z.number(), gaps: z.number(), gapFrames: z.number(), drops: z.number(),
    disconnects: z.number(), reconnects: z.number(), snapshots: z.number(), protocolErrors: z.number(),
    checksumFailures: z.number().optional(), heartbeats: z.number().optional(), heartbeatSilences: z.number().optional(),
    sequenceRegressions: z.number().optional(),
  })),
  feedLayout: z.looseObject({ file: z.string(), name: z.string(), framesByType: z.record(z.string(), z.number()),
    verdicts: z.record(z.string(), z.number()), notChecked: z.array(z.string()),
    mold: z.looseObject(Object.fromEntries(['packets', 'bytes', 'heartbeats', 'heartbeatSilences', 'malformedPackets', 'otherSessionPackets',
      'gaps', 'gapMessages', 'recoveredMessages', 'lostMessages', 'missingMessages', 'duplicateMessages', 'requestsSent', 'requestRetries']
      .map((k) => [k, z.number()]))).optional() }).optional(),
  invariants: z.looseObject({ checked: z.string(), violations: z.array(z.string()) }),
  thresholds: z.array(z.looseObject({ source: z.string(), actual: z.number().nullable(), passed: z.boolean() })),
  knee: z.looseObject({
    metric: z.string(), p99LimitMs: z.number(), kneePhase: z.string().nullable(),
    rows: z.array(z.looseObject({ phase: z.string(), offeredRate: z.number(), achievedRate: z.number(), p50Ms: z.number(),
      p99Ms: z.number(), p999Ms: z.number() })),
  }).nullable(),
  processCpu: z.looseObject({ userMs: z.number(), systemMs: z.number(), coresUsed: z.number(), engineInProcess: z.boolean() }),
  errors: z.array(z.string()),
  shard: z.looseObject({ index: z.number().int().nonnegative().nullable(), count: z.number().int().positive(),
    timeZeroEpochMs: z.number(), clientStreamHashes: z.record(z.string(), z.string()) }).optional(),
});

/**
 * Checks a parsed result.json: the schema name and version first (a version this build does not
 * know is refused, never guessed at), then every field reports read. Returns the problems, each
 * with its JSON path; none means `value` is a {@link RunResult}.
 */
export function runResultProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${RUN_FILES.result}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`];
  }
  const record = value as Record<string, unknown>;
  if (record['schema'] !== RUN_RESULT_SCHEMA) {
    return [`${RUN_FILES.result}: schema is ${JSON.stringify(record['schema'])}, expected "${RUN_RESULT_SCHEMA}" (is this a matchbench run directory?)`];
  }
  if (record['version'] !== RUN_RESULT_VERSION) {
    return [`${RUN_FILES.result}: schema version ${JSON.stringify(record['version'])} is not one this build reads ` +
      `(it reads version ${RUN_RESULT_VERSION}); use the matchbench that wrote it`];
  }
  const parsed = runResultShape.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${RUN_FILES.result}: ${issue.path.length === 0 ? '(top)' : issue.path.join('.')}: ${issue.message}`);
}

/**
 * Reads a run directory written by `matchbench run`: result.json (validated, see
 * {@link runResultProblems}), its encoded histograms and the interval log. Throws a
 * {@link RunDirectoryError} listing every problem found.
 */
export function readRunDirectory(dir: string): RunDirectory {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunDirectoryError(dir, ['no such directory']);
  const problems: string[] = [];
  const resultFile = path.join(dir, RUN_FILES.result);
  const logFile = path.join(dir, RUN_FILES.intervalLog);
  let result: RunResult | undefined;
  if (!existsSync(resultFile)) {
    problems.push(`${RUN_FILES.result} is missing`);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch (error) {
      problems.push(`${RUN_FILES.result}: not valid JSON (${(error as Error).message})`);
    }
    if (parsed !== undefined) {
      const found = runResultProblems(parsed);
      if (found.length === 0) result = parsed as RunResult;
      problems.push(...found);
    }
  }
  let histograms: HistogramSet | undefined;
  if (result !== undefined) {
    try {
      histograms = HistogramSet.decode(result.histograms);
    } catch (error) {
      problems.push(`${RUN_FILES.result}: histograms: not encoded HdrHistograms (${(error as Error).message})`);
    }
  }
  let intervals: IntervalSeries | undefined;
  if (!existsSync(logFile)) {
    problems.push(`${RUN_FILES.intervalLog} is missing (the per-second histograms)`);
  } else {
    try {
      intervals = parseIntervalLog(readFileSync(logFile, 'utf8'));
    } catch (error) {
      problems.push(`${RUN_FILES.intervalLog}: not an HdrHistogram interval log (${(error as Error).message})`);
    }
  }
  if (problems.length > 0 || result === undefined || histograms === undefined || intervals === undefined) {
    throw new RunDirectoryError(dir, problems);
  }
  return { dir, result, histograms, intervals };
}
