import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { buildHistory, HISTORY_DEFAULTS, type HistoryRun } from '../../reports/history/buildHistory.js';
import { findRunDirectories, RUN_SEARCH_DEPTH } from '../../reports/history/findRunDirectories.js';
import { readRunDirectory, RunDirectoryError } from '../../reports/readRunDirectory.js';
import { HISTORY_HTML_FILE, historyHtml } from '../../reports/writers/historyHtml.js';
import { historyText } from '../../reports/writers/historyText.js';
import { ExitCode } from '../exitCodes.js';

interface HistoryArgs {
  dir: string;
  metric: string[] | undefined;
  scenario: string[] | undefined;
  html: string | undefined;
  alpha: number;
  permutations: number;
  seed: number;
  'min-nights': number;
  'warmup-seconds': number;
  'fail-on-regression': boolean;
  json: boolean;
}

const EPILOG = [
  'Layout: every run directory (holding result.json) up to three levels under <dir>. A run in a subdirectory of <dir> ' +
  '(<dir>/<night>/<run>, <dir>/<night>/<scenario>/<run>) belongs to the night named by that subdirectory; a run right under ' +
  '<dir> to the UTC date it started. Runs are grouped by scenario name and nights ordered by their first start; a night\'s ' +
  'value is the median of its runs (repeats), each read as compare reads it (warm-up left out).',
  'Change points: E-divisive means (Matteson & James 2014, as MongoDB and Hunter use on nightly results) over each metric\'s ' +
  'nightly values, each accepted by a seeded permutation test at --alpha; a steady drift is caught once its cumulative shift ' +
  'stands out of the night-to-night noise (20 nights at 2% noise: 0.5%/night). Each series takes its own seeded stream: the ' +
  'same runs, options and --seed give the same change points.',
  'Exit codes: 0 done (and, with --fail-on-regression, no metric\'s latest segment is a regression); 2 usage error ' +
  '(no such directory, no runs, an unknown --metric or --scenario, a bad option); 6 with --fail-on-regression, a metric\'s ' +
  'latest segment is significantly worse than the one before it.',
].join('\n');

/** `matchbench history <dir>`: trend tables and charts across nightly runs, with change points. */
export const historyCommand: CommandModule<object, HistoryArgs> = {
  command: 'history <dir>',
  describe: 'Trend table and chart per metric across nightly runs, with change points (E-divisive means)',
  builder: (y) => y
    .positional('dir', { type: 'string', demandOption: true, describe: 'Directory of nightly run directories' })
    .option('metric', { type: 'string', array: true, describe: 'Only these metrics, repeatable: a name (order_rtt.p99, throughput) or a prefix (order_rtt, feed_gaps)' })
    .option('scenario', { type: 'string', array: true, describe: 'Only these scenarios, repeatable' })
    .option('html', { type: 'string', describe: `Where to write the history page (default: <dir>/${HISTORY_HTML_FILE})` })
    .option('alpha', { type: 'number', default: HISTORY_DEFAULTS.alpha, describe: 'Significance level of each change point\'s permutation test' })
    .option('permutations', { type: 'number', default: HISTORY_DEFAULTS.permutations, describe: 'Permutations per candidate change point (smallest p: 1/(1 + permutations))' })
    .option('seed', { type: 'number', default: HISTORY_DEFAULTS.seed, describe: 'Seed of the permutations' })
    .option('min-nights', { type: 'number', default: HISTORY_DEFAULTS.minNights, describe: 'Fewest nights on either side of a change point' })
    .option('warmup-seconds', { type: 'number', default: HISTORY_DEFAULTS.warmupSeconds, describe: 'Seconds left out at the start of every run (as compare)' })
    .option('fail-on-regression', { type: 'boolean', default: false, describe: 'Exit 6 when a metric\'s latest segment is a significant regression' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the history as one JSON object' })
    .epilog(EPILOG),
  handler: (a) => {
    const problems: string[] = [];
    if (!(a.alpha > 0 && a.alpha < 1)) problems.push(`--alpha must be a number above 0 and below 1, got ${a.alpha}`);
    if (!(Number.isInteger(a.permutations) && a.permutations >= 1 && a.permutations <= 100_000)) {
      problems.push(`--permutations must be a whole number from 1 to 100000, got ${a.permutations}`);
    } else if (a.alpha > 0 && 1 / (1 + a.permutations) > a.alpha) {
      problems.push(`--permutations ${a.permutations} cannot reach --alpha ${a.alpha}: the smallest p is 1/(1 + permutations); ` +
        `use at least ${Math.ceil(1 / a.alpha - 1)}`);
    }
    if (!Number.isSafeInteger(a.seed)) problems.push(`--seed must be a whole number, got ${a.seed}`);
    if (!(Number.isInteger(a['min-nights']) && a['min-nights'] >= 2)) problems.push(`--min-nights must be a whole number from 2, got ${a['min-nights']}`);
    if (!(a['warmup-seconds'] >= 0 && Number.isFinite(a['warmup-seconds']))) {
      problems.push(`--warmup-seconds must be a number of seconds from 0, got ${a['warmup-seconds']}`);
    }
    if (a.html !== undefined && a.html.trim() === '') problems.push('--html must name a file');
    const fail = (lines: readonly string[]): void => {
      process.stderr.write(lines.map((p) => `matchbench history: ${p}\n`).join(''));
      process.exitCode = ExitCode.Usage;
    };
    if (!existsSync(a.dir) || !statSync(a.dir).isDirectory()) problems.push(`${a.dir}: no such directory`);
    if (problems.length > 0) return fail(problems);

    const runs: HistoryRun[] = [];
    const skipped: string[] = [];
    for (const found of findRunDirectories(a.dir)) {
      try {
        runs.push({ run: readRunDirectory(found.dir), night: found.night });
      } catch (error) {
        if (!(error instanceof RunDirectoryError)) throw error;
        skipped.push(...error.problems.map((p) => `${found.dir}: ${p}`));
      }
    }
    if (runs.length === 0) {
      return fail([`${a.dir}: no readable run directory (a directory holding result.json) up to ${RUN_SEARCH_DEPTH} levels down`,
        ...skipped]);
    }
    // A broken run (a night that crashed half-way) is said and left out, so one bad night does not hide the history.
    if (skipped.length > 0) process.stderr.write(skipped.map((p) => `matchbench history: skipped ${p}\n`).join(''));
    const built = buildHistory(runs, { alpha: a.alpha, permutations: a.permutations, seed: a.seed, minNights: a['min-nights'],
      warmupSeconds: a['warmup-seconds'], ...(a.metric === undefined ? {} : { metrics: a.metric }),
      ...(a.scenario === undefined ? {} : { scenarios: a.scenario }) });
    if (!built.ok) return fail(built.problems);
    const history = built.history;
    const html = a.html ?? path.join(a.dir, HISTORY_HTML_FILE);
    writeFileSync(html, historyHtml(history, a.dir));
    if (a.json) process.stdout.write(`${JSON.stringify({ dir: a.dir, html, skipped, ...history })}\n`);
    else process.stdout.write(`${historyText(history, a.dir)}\nhistory.html: ${html}\n`);
    process.exitCode = a['fail-on-regression'] && history.regressions.length > 0 ? ExitCode.Regression : ExitCode.Ok;
  },
};
