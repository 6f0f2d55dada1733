import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { compareRuns, DEFAULT_GATES, parseGateRules, type CompareRow } from '../../reports/compareRuns.js';
import { readRunDirectory, RunDirectoryError, type RunDirectory } from '../../reports/readRunDirectory.js';
import { formatNs } from '../../reports/writers/summaryText.js';
import { ExitCode } from '../exitCodes.js';

interface CompareArgs {
  baseline: string;
  candidate: string;
  gate: string[] | undefined;
  'gate-file': string | undefined;
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

/** `matchbench compare <baseline> <candidate>`: per-metric changes with significance, and a regression gate. */
export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'Compare runs (a run directory or a directory of repeated runs per side) and gate on significant regressions',
  builder: (y) => y
    .positional('baseline', { type: 'string', demandOption: true, describe: 'Run directory, or a directory of run directories' })
    .positional('candidate', { type: 'string', demandOption: true, describe: 'Run directory, or a directory of run directories' })
    .option('gate', { type: 'string', array: true, describe: `Regression gate, repeatable (default: ${DEFAULT_GATES.map((g) => `"${g}"`).join(', ')})` })
    .option('gate-file', { type: 'string', describe: 'File of regression gates, one per line (# comments)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as one JSON object' }),
  handler: (a) => {
    const problems: string[] = [];
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
    const result = compareRuns(baseline, candidate, { gates: gates.rules });
    if (a.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const out = [`baseline: ${result.baseline.join(', ')}`, `candidate: ${result.candidate.join(', ')}`,
        `gates: ${result.gates.join(', ')} · significance: Mann-Whitney U, p < ${result.alpha}`, ...result.notes.map((n) => `note: ${n}`), '',
        '| metric | baseline | candidate | change | p | verdict | p99 diff 95% CI |', '|---|---|---|---|---|---|---|'];
      for (const r of result.rows) {
        out.push(`| ${r.name} | ${show(r, r.baseline)} | ${show(r, r.candidate)} | ${r.changePct === null ? '–' : `${r.changePct > 0 ? '+' : ''}${r.changePct.toFixed(1)}%`} | ` +
          `${r.pValue === null ? '–' : r.pValue.toPrecision(2)} | ${r.regression === null ? r.verdict : `**REGRESSION** (${r.verdict})`} (${r.samples} ${r.sampleCounts.join('/')}) | ` +
          `${r.p99DifferenceCi === null ? '' : `${formatNs(r.p99DifferenceCi.lowNs)} … ${formatNs(r.p99DifferenceCi.highNs)}`} |`);
      }
      out.push('', result.regressions.length === 0 ? 'no significant regression beyond the gates' : `REGRESSIONS: ${result.regressions.join('; ')}`);
      process.stdout.write(`${out.join('\n').replace(/ -(\d)/g, ' −$1')}\n`);
    }
    process.exitCode = result.regressions.length === 0 ? ExitCode.Ok : ExitCode.Regression;
  },
};
