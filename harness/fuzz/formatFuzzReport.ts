import type { FuzzReport } from './runFuzz.js';

/** Failures printed in full; the rest are counted (the JSON report has all of them). */
export const PRINTED_FAILURES = 20;

/**
 * The console and Markdown form of a fuzz report: a table per class, then each failure with what
 * was expected, what happened, the bytes and the command that replays it.
 *
 * @param replayPrefix the command before `--case <id>`, e.g. `matchbench fuzz --target tcp://h:p`.
 */
export function formatFuzzReport(report: FuzzReport, replayPrefix: string): string {
  const lines = [
    `matchbench fuzz: ${report.target} — ${report.failed === 0 ? 'PASSED' : 'FAILED'} ` +
      `(${report.cases} cases, ${report.failed} failed${report.skipped > 0 ? `, ${report.skipped} not started: deadline` : ''}, ` +
      `${(report.durationMs / 1000).toFixed(1)} s)`,
    '',
    '| class | cases | passed | failed |',
    '|---|---:|---:|---:|',
    ...report.classes.map((c) => `| ${c.class} | ${c.cases} | ${c.passed} | ${c.failed} |`),
    `| **all** | ${report.cases} | ${report.passed} | ${report.failed} |`,
  ];
  if (report.failures.length > 0) lines.push('', 'Failures:');
  for (const f of report.failures.slice(0, PRINTED_FAILURES)) {
    lines.push(
      '',
      `- ${f.id}: ${f.description}`,
      `  expected: ${f.expected}`,
      `  observed: ${f.observed}`,
      `  bytes${f.login ? ' (after LOGIN)' : ''}: ${f.hex}`,
      `  replay:   ${replayPrefix} --case ${f.id}`,
    );
  }
  if (report.failures.length > PRINTED_FAILURES) {
    lines.push('', `… and ${report.failures.length - PRINTED_FAILURES} more failures (--json or --out has all of them)`);
  }
  return `${lines.join('\n')}\n`;
}
