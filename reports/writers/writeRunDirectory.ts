import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { percentileDistributionText, intervalLogText } from '../../harness/record/histogramFiles.js';
import { HistogramSet } from '../../harness/record/HistogramSet.js';
import type { IntervalSeries } from '../../harness/record/IntervalSeries.js';
import type { RunResult } from '../RunResult.js';
import { summaryText } from './summaryText.js';

/** The files of a run directory, relative to it. */
export const RUN_FILES = {
  result: 'result.json',
  summary: 'summary.md',
  intervalLog: 'latency.hlog',
  /** One per histogram: `<metric>.hgrm`. */
  hgrmSuffix: '.hgrm',
  /** Only when an execution-report invariant broke: the first violation and its reproduction (harness/check/sessionViolationFile.ts). */
  violation: 'violation.json',
} as const;

/**
 * Writes a run directory: result.json, summary.md, one HdrHistogram percentile file per
 * histogram (`<metric>.hgrm`, values in ms) and the interval log (latency.hlog, one histogram per
 * metric and second), plus `extraFiles` (name → text, e.g. engine.log), and violation.json when
 * `violation` is given (RunOutput.violation). Creates the directory; returns the paths written.
 */
export function writeRunDirectory(dir: string, result: RunResult, intervals: IntervalSeries, startEpochMs: number,
  extraFiles: Readonly<Record<string, string>> = {}, violation?: object): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string): void => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    written.push(file);
  };
  write(RUN_FILES.result, `${JSON.stringify(result, null, 2)}\n`);
  write(RUN_FILES.summary, summaryText(result));
  const histograms = HistogramSet.decode(result.histograms);
  for (const name of histograms.names()) {
    write(`${name}${RUN_FILES.hgrmSuffix}`, percentileDistributionText(histograms.get(name)));
  }
  write(RUN_FILES.intervalLog, intervalLogText(intervals, startEpochMs,
    `matchbench ${result.scenario.name} seed ${result.seed} commit ${result.identity.gitCommit}`));
  for (const [name, text] of Object.entries(extraFiles)) write(name, text);
  if (violation !== undefined) write(RUN_FILES.violation, `${JSON.stringify(violation, null, 2)}\n`);
  return written;
}
