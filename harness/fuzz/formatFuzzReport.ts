import type { FuzzReport } from './runFuzz.js';

/** Failures printed in full; the rest are counted (the JSON report has all of them). */
export const PRINTED_FAILURES = 20;
/** Hex digits of a failure's bytes printed (a flood case's run to hundreds of KB; the JSON report has them all). */
export const PRINTED_HEX_CHARS = 1_024;

/**
 * The console and Markdown form of a fuzz report: a table per class, then each failure with what
 * was expected, what happened, the bytes and the command that replays it.
 *
 * @param replayPrefix the command before `--case <id>`, e.g. `matchbench fuzz --target tcp://h:p`.
 */
export function formatFuzzReport(report: FuzzReport, replayPrefix: string): string {
  const stream = report.havocStream;
  const passed = report.failed === 0 && (stream?.failures.length ?? 0) === 0;
  const lines = [
    `matchbench fuzz: ${report.target} — ${passed ? 'PASSED' : 'FAILED'} ` +
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
      `  bytes${f.login ? ' (after LOGIN)' : ''}: ${f.hex.length > PRINTED_HEX_CHARS ? `${f.hex.slice(0, PRINTED_HEX_CHARS)}… (${f.hex.length / 2} bytes; --json or --out has all)` : f.hex}`,
      `  replay:   ${replayPrefix} --case ${f.id}`,
    );
  }
  if (report.failures.length > PRINTED_FAILURES) {
    lines.push('', `… and ${report.failures.length - PRINTED_FAILURES} more failures (--json or --out has all of them)`);
  }
  if (stream !== undefined) {
    const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);
    const ends = Object.entries(stream.sessionEnds).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push('', `Streaming havoc (seed ${stream.seed}): ${stream.frames} frames on ${stream.connections} connections in ` +
      `${(stream.durationMs / 1000).toFixed(1)} s${stream.stoppedEarly === null ? '' : ` (stopped early: ${stream.stoppedEarly === 'deadline' ? 'the deadline' : 'too many failures'})`}, ` +
      `${stream.probes} liveness probes, ${stream.failures.length === 0 ? 'no failures' : `${stream.failures.length} failures`}`,
    `  sessions ended: ${ends || 'none'}`,
    stream.rss.sampled
      ? `  RSS: ${mib(stream.rss.afterWarmupBytes)} MiB after the warm-up, at most ${mib(stream.rss.maxBytes)} MiB: grew ${mib(stream.rss.growthBytes)} MiB ` +
        `(bound ${mib(stream.rss.boundBytes)} MiB, ${stream.rss.samples} samples)`
      : `  RSS: ${stream.rss.note}`);
    for (const f of stream.failures.slice(0, PRINTED_FAILURES)) {
      lines.push('', `- ${f.id}: ${f.problem}`, ...(f.hex === undefined ? [] : [`  bytes (after LOGIN): ${f.hex}`,
        `  replay:   ${replayPrefix} --case ${f.id}`]));
    }
  }
  return `${lines.join('\n')}\n`;
}
