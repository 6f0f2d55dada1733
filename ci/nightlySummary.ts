import { formatNs } from '../reports/writers/summaryText.js';
import { ExitCode } from '../harness/exitCodes.js';
import type { NightlyCompareRow, NightlyEntry, NightlyManifest, NightlyScenarioEntry } from './NightlyManifest.js';

/** What each exit code means, in the words the summary uses (README, "Exit codes"). */
export const EXIT_MEANING: Readonly<Record<number, string>> = {
  [ExitCode.Ok]: 'passed',
  [ExitCode.Error]: 'a crash or I/O error',
  [ExitCode.Usage]: 'a usage error, nothing run',
  [ExitCode.Invariant]: 'a correctness check failed',
  [ExitCode.Thresholds]: 'a threshold failed',
  [ExitCode.Target]: 'the target could not be used',
  [ExitCode.Regression]: 'a significant regression',
};

/** The texts the summary quotes, read from the night's directory by the caller. */
export interface NightlySummaryTexts {
  /** Run directory (as in the manifest) → its summary.md (written by writeRunDirectory). */
  readonly runSummaries: ReadonlyMap<string, string>;
  /** The fuzzer's fuzz-report.md, when it wrote one. */
  readonly fuzzReport?: string;
}

const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;
const exitText = (code: number): string => `exit ${code}: ${EXIT_MEANING[code] ?? 'failed'}`;

function value(row: NightlyCompareRow, v: number): string {
  return row.unit === 'ns' ? formatNs(v) : row.unit === 'per-second' ? `${v.toFixed(1)}/s` : v.toFixed(1);
}

function comparisonCell(entry: NightlyScenarioEntry): string {
  const c = entry.comparison;
  switch (c.state) {
    case 'no-baseline': return c.baselineDir === null ? 'no baseline given' : 'no baseline yet (first night)';
    case 'no-candidate': return 'no run to compare';
    case 'failed': return `compare failed (${exitText(c.exitCode)})`;
    case 'compared':
      if (c.regressions.length > 0) return `**REGRESSION**: ${c.regressions.join('; ')}`;
      return c.decided ? 'no significant regression' : `too little data (need ${c.runsNeeded} runs a side)`;
  }
}

function verdictsCell(entry: NightlyScenarioEntry): string {
  const counts = new Map<string, number>();
  for (const r of entry.runs) {
    const key = r.verdict ?? `exit ${r.exitCode}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** The summary.md of one run to quote: the first that did not pass, else the first. */
function quotedRun(entry: NightlyScenarioEntry, texts: NightlySummaryTexts): { dir: string; text: string } | undefined {
  const order = [...entry.runs.filter((r) => r.verdict !== 'passed'), ...entry.runs.filter((r) => r.verdict === 'passed')];
  for (const r of order) {
    const text = texts.runSummaries.get(r.dir);
    if (text !== undefined) return { dir: r.dir, text };
  }
  return undefined;
}

/** Longest quoted line: a fuzz failure's bytes run to megabytes, and GitHub refuses a job summary over 1 MiB. */
export const MAX_QUOTED_LINE_CHARS = 400;

/** Quoted Markdown sits under the entry's heading: its own headings go two levels down, long lines are cut. */
const demote = (text: string): string => text.replace(/^(#{1,4}) /gm, '$1## ').trimEnd().split('\n')
  .map((l) => (l.length <= MAX_QUOTED_LINE_CHARS ? l : `${l.slice(0, MAX_QUOTED_LINE_CHARS)}… (${l.length} characters; in full in the file)`)).join('\n');

function scenarioSection(entry: NightlyScenarioEntry, texts: NightlySummaryTexts): string[] {
  const out = [`## ${entry.name} — ${entry.exitCode === 0 ? 'passed' : `FAILED (${exitText(entry.exitCode)})`}`, '',
    `scenario file \`${entry.file}\``, '', '| repeat | seed | verdict | exit | run directory |', '|---:|---:|---|---:|---|'];
  for (const r of entry.runs) {
    out.push(`| ${r.repeat} | ${r.seed} | ${r.verdict ?? '–'} | ${r.exitCode} | \`${r.dir}\` |`);
  }
  for (const r of entry.runs) if (r.problem !== null) out.push('', `run ${r.repeat}: ${r.problem}`);
  const c = entry.comparison;
  out.push('');
  if (c.state === 'compared') {
    out.push(`Compared with the baseline \`${c.baselineDir}\` (${runs(c.baselineRuns)}) against ${runs(c.candidateRuns)}: ` +
      `${comparisonCell(entry)} · [compare.html](${c.html})`, '');
    out.push('| metric | baseline | candidate | change | p (Holm) | verdict | gate |', '|---|---:|---:|---:|---:|---|---|');
    for (const row of c.rows) {
      out.push(`| ${row.name} | ${value(row, row.baseline)} | ${value(row, row.candidate)} | ` +
        `${row.changePct === null ? '–' : `${row.changePct > 0 ? '+' : ''}${row.changePct.toFixed(1)}%`} | ` +
        `${row.pAdjusted === null ? '–' : row.pAdjusted.toPrecision(2)} | ` +
        `${row.regression === null ? row.verdict : `**REGRESSION** (${row.verdict})`} | ${row.gate ?? '–'} |`);
    }
    for (const note of c.notes) out.push('', `note: ${note}`);
  } else if (c.state === 'failed') {
    out.push(`Compared with the baseline \`${c.baselineDir}\`: ${comparisonCell(entry)}`, '', '```', c.problem, '```');
  } else {
    out.push(`Comparison: ${comparisonCell(entry)}.`);
  }
  const quoted = quotedRun(entry, texts);
  if (quoted !== undefined) {
    out.push('', `<details><summary>summary.md of <code>${quoted.dir}</code></summary>`, '', demote(quoted.text), '', '</details>');
  }
  return out;
}

function fuzzSection(entry: Extract<NightlyEntry, { kind: 'fuzz' }>, texts: NightlySummaryTexts): string[] {
  const out = [`## fuzz — ${entry.exitCode === 0 ? 'passed' : `FAILED (${exitText(entry.exitCode)})`}`, '',
    `seed ${entry.seed} · ${entry.quick ? 'quick' : 'full'} catalogue · target ${entry.target ?? 'the embedded engine'}`];
  if (entry.problem !== null) out.push('', '```', entry.problem, '```');
  if (texts.fuzzReport !== undefined) out.push('', demote(texts.fuzzReport));
  return out;
}

/**
 * The night's summary.md: the verdict and exit code, how to reproduce it, one table row per
 * matrix entry, then per scenario its runs, the comparison's gated rows and one run's own
 * summary.md (the first failing one), and the fuzzer's report. The same text goes to the GitHub
 * job summary.
 */
export function nightlySummary(manifest: NightlyManifest, texts: NightlySummaryTexts): string {
  const out = [
    `# matchbench nightly — ${manifest.exitCode === 0 ? 'PASSED' : `FAILED (${exitText(manifest.exitCode)})`}`, '',
    `seed ${manifest.seed} · commit ${manifest.gitCommit} · ${manifest.startedAt} · target ${manifest.target ?? 'each scenario\'s own (embedded)'} · ` +
      `${manifest.repeats} repeats${manifest.quick ? ' · quick (shortened scenarios)' : ''} · baseline ${manifest.baseline ?? 'none'}` +
      `${manifest.promoted ? ' (promoted)' : ''}`,
    '',
    `Reproduce: \`git checkout ${manifest.gitCommit.replace(/-dirty$/, '')} && npm ci && ${manifest.reproduce}\``,
    '',
    '| entry | runs | verdicts | comparison | exit |', '|---|---:|---|---|---:|',
  ];
  for (const e of manifest.entries) {
    if (e.kind === 'scenario') {
      out.push(`| ${e.name} | ${e.runs.length} | ${verdictsCell(e)} | ${comparisonCell(e)} | ${e.exitCode} |`);
    } else {
      out.push(`| fuzz | ${e.cases ?? '–'} cases | ${e.failed === null ? '–' : `${e.failed} failed`} | – | ${e.exitCode} |`);
    }
  }
  for (const e of manifest.entries) {
    out.push('', ...(e.kind === 'scenario' ? scenarioSection(e, texts) : fuzzSection(e, texts)));
  }
  return `${out.join('\n')}\n`;
}
