import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { COMPARE_DEFAULTS, compareRuns, DEFAULT_GATES, parseGateRules, type CompareRow } from '../../reports/compareRuns.js';
import { readRunDirectory, RunDirectoryError, type RunDirectory } from '../../reports/readRunDirectory.js';
import { COMPARE_HTML_FILE, compareHtml, formatDifferenceNs } from '../../reports/writers/compareHtml.js';
import { formatNs } from '../../reports/writers/summaryText.js';
import { ExitCode } from '../exitCodes.js';

interface CompareArgs {
  baseline: string;
  candidate: string;
  gate: string[] | undefined;
  'gate-file': string | undefined;
  alpha: number;
  'warmup-seconds': number;
  html: string;
  json: boolean;
}

/** A run directory, or a directory of run directories (repeats): every subdirectory holding result.json. */
function runDirs(dir: string): string[] {
  if (existsSync(path.join(dir, 'result.json')) || !existsSync(dir)) return [dir];
  const subs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'result.json')))
    .map((e) => path.join(dir, e.name)).sort();
  return subs.length === 0 ? [dir] : subs;
}

function show(row: CompareRow, value: number): string {
  return row.unit === 'ns' ? formatNs(value) : row.unit === 'per-second' ? `${value.toFixed(1)}/s` : value.toFixed(1);
}

/** How significance and the gate are decided: the help's epilog (compareRuns documents the same rule). */
const DECISION_RULE = [
  'How a change is decided:',
  '  The samples are the runs: one value per run and metric, so give each side a directory of repeated runs (same scenario, ' +
  'different seeds). A two-sided Mann-Whitney U test (exact for small samples) compares them, and p-values are Holm-adjusted ' +
  'within the gated metrics and within the others, so the chance of any false alarm in either family is at most --alpha. ' +
  'Per-second values inside one run are never the samples: they ignore the variation between runs.',
  '  When the runs are too few for even completely separated samples to reach significance, a metric reads "too little data" ' +
  'and the output says how many runs a side would do: at alpha 0.05, 4 a side for one gated metric, 6 for the default gates ' +
  '(p99 of every histogram and throughput).',
  '  A regression is a gated metric that is significantly worse, beyond its gate and, for p99, whose bootstrap 95% interval ' +
  'of the difference excludes zero. The first --warmup-seconds (whole seconds) of every run are left out; throughput is ' +
  'answers per second over the full seconds after them.',
  'Exit codes: 0 no significant regression beyond a gate (also when there is too little data to decide, which is said on ' +
  'stderr); 2 usage error, nothing compared; 6 a significant regression beyond a gate.',
].join('\n');

/** `matchbench compare <baseline> <candidate>`: per-metric changes with significance, and a regression gate. */
export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'Compare runs (a run directory or a directory of repeated runs per side) and gate on significant regressions',
  builder: (y) => y
    .positional('baseline', { type: 'string', demandOption: true, describe: 'Run directory, or a directory of run directories' })
    .positional('candidate', { type: 'string', demandOption: true, describe: 'Run directory, or a directory of run directories' })
    .option('gate', { type: 'string', array: true, describe: `Regression gate, repeatable: "p99 +10%", "order_rtt.p50 +5%", "throughput -5%" (default: ${DEFAULT_GATES.map((g) => `"${g}"`).join(', ')})` })
    .option('gate-file', { type: 'string', describe: 'File of regression gates, one per line (# comments); adds to --gate' })
    .option('alpha', { type: 'number', default: COMPARE_DEFAULTS.alpha, describe: 'Family-wise significance level (Holm), from 0 to 0.5' })
    .option('warmup-seconds', { type: 'number', default: COMPARE_DEFAULTS.warmupSeconds, describe: 'Seconds left out at the start of every run' })
    .option('html', { type: 'string', default: COMPARE_HTML_FILE, describe: 'Where to write the comparison page (overlaid percentile curves, the table), relative to the current directory' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as one JSON object' })
    .epilog(DECISION_RULE),
  handler: (a) => {
    const problems: string[] = [];
    if (!(a.alpha > 0 && a.alpha <= 0.5)) problems.push(`--alpha must be a number above 0 and at most 0.5, got ${a.alpha}`);
    if (!(a['warmup-seconds'] >= 0 && Number.isFinite(a['warmup-seconds']))) {
      problems.push(`--warmup-seconds must be a number of seconds from 0, got ${a['warmup-seconds']}`);
    }
    if (a.html.trim() === '') problems.push('--html must name a file');
    const sources: string[] = [...(a.gate ?? [])];
    if (a['gate-file'] !== undefined) {
      try {
        sources.push(...readFileSync(a['gate-file'], 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== ''));
      } catch (error) {
        problems.push(`--gate-file ${a['gate-file']}: ${(error as Error).message}`);
      }
    }
    const gates = parseGateRules(sources.length === 0 ? DEFAULT_GATES : sources);
    if (!gates.ok) problems.push(...gates.problems);
    const read = (dir: string): RunDirectory[] => runDirs(dir).flatMap((d) => {
      try {
        return [readRunDirectory(d)];
      } catch (error) {
        if (!(error instanceof RunDirectoryError)) throw error;
        problems.push(...error.problems.map((p) => `${d}: ${p}`));
        return [];
      }
    });
    const baseline = read(a.baseline);
    const candidate = read(a.candidate);
    if (problems.length > 0 || !gates.ok) {
      process.stderr.write(problems.map((p) => `matchbench compare: ${p}\n`).join(''));
      process.exitCode = ExitCode.Usage;
      return;
    }
    const result = compareRuns(baseline, candidate, { gates: gates.rules, alpha: a.alpha, warmupSeconds: a['warmup-seconds'] });
    writeFileSync(a.html, compareHtml(result, baseline, candidate));
    if (a.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const out = [`baseline: ${result.baseline.join(', ')}`, `candidate: ${result.candidate.join(', ')}`,
        `gates: ${result.gates.join(', ')} · significance: Mann-Whitney U over runs, Holm-adjusted, alpha ${result.alpha}`,
        ...result.notes.map((n) => `note: ${n}`), '',
        '| metric | baseline | candidate | change | p | p (Holm) | verdict | runs | p99 diff 95% CI |', '|---|---|---|---|---|---|---|---|---|'];
      for (const r of result.rows) {
        out.push(`| ${r.name} | ${show(r, r.baseline)} | ${show(r, r.candidate)} | ` +
          `${r.changePct === null ? '–' : `${r.changePct > 0 ? '+' : ''}${r.changePct.toFixed(1)}%`} | ` +
          `${r.pValue === null ? '–' : r.pValue.toPrecision(2)} | ${r.pAdjusted === null ? '–' : r.pAdjusted.toPrecision(2)} | ` +
          `${r.regression === null ? r.verdict : `**REGRESSION** (${r.verdict})`}${r.gate === null ? '' : ` [gate ${r.gate}]`} | ` +
          `${r.baselineRuns.length}/${r.candidateRuns.length} | ` +
          `${r.p99DifferenceCi === null ? '' : `${formatDifferenceNs(r.p99DifferenceCi.lowNs)} … ${formatDifferenceNs(r.p99DifferenceCi.highNs)}`} |`);
      }
      out.push('', result.regressions.length > 0 ? `REGRESSIONS: ${result.regressions.join('; ')}`
        : result.decided ? 'no significant regression beyond the gates' : 'too little data to decide: no gated metric could be tested',
      `compare.html: ${a.html}`);
      process.stdout.write(`${out.join('\n').replace(/ -(\d)/g, ' −$1')}\n`);
    }
    if (!result.decided) {
      process.stderr.write(`matchbench compare: too little data to decide; repeat each side at least ${result.runsNeeded} times\n`);
    }
    process.exitCode = result.regressions.length === 0 ? ExitCode.Ok : ExitCode.Regression;
  },
};
