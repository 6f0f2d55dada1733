import type { HistoryChangePoint, HistoryResult, HistoryUnit, MetricHistory } from '../history/buildHistory.js';
import { formatNs } from './summaryText.js';

/** A metric's value in its unit: a duration, a rate, or a count. */
export function formatHistoryValue(unit: HistoryUnit, value: number | null): string {
  if (value === null) return '–';
  if (unit === 'ns') return formatNs(value);
  if (unit === 'per-second') return `${value.toFixed(1)}/s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A change point in a few words: `2026-11-20 +12.3% worse (p=0.005)`. */
export function changePointText(c: HistoryChangePoint, unit: HistoryUnit): string {
  const change = c.changePct === null ? `${formatHistoryValue(unit, c.before)} → ${formatHistoryValue(unit, c.after)}`
    : `${c.changePct > 0 ? '+' : '−'}${Math.abs(c.changePct).toFixed(1)}%`;
  return `${c.night} ${change} ${c.regression ? 'worse' : 'better'} (p=${c.pValue.toPrecision(2)})`;
}

/** The trend row's change-point cell: every change point, the one starting a regressed latest segment marked. */
export function changePointsCell(m: MetricHistory): string {
  if (m.changePoints.length === 0) return '–';
  return m.changePoints.map((c) => `${c === m.latestRegression ? 'REGRESSION ' : ''}${changePointText(c, m.unit)}`).join('; ');
}

/**
 * The console form of a history, as Markdown: per scenario its nights (first and last, commits)
 * and the trend table (metric, first, last, min, max, change points), then the regressions.
 */
export function historyText(history: HistoryResult, dir: string): string {
  const out: string[] = [`history of ${dir}: change points by E-divisive means, permutation test (${history.permutations} permutations, ` +
    `alpha ${history.alpha}, seed ${history.seed}), at least ${history.minNights} nights a side; nightly value: median of the night's runs`];
  for (const s of history.scenarios) {
    const first = s.nights[0];
    const last = s.nights[s.nights.length - 1];
    const runs = s.nights.reduce((n, night) => n + night.runs.length, 0);
    out.push('', `## ${s.scenario}: ${s.nights.length} night(s), ${runs} run(s)` +
      (first === undefined || last === undefined ? '' : `, ${first.key} (${first.commits.map((c) => c.slice(0, 12)).join(', ')}) … ` +
        `${last.key} (${last.commits.map((c) => c.slice(0, 12)).join(', ')})`));
    for (const n of s.notes) out.push(`note: ${n}`);
    out.push('', '| metric | first | last | min | max | change points |', '|---|---|---|---|---|---|');
    for (const m of s.metrics) {
      out.push(`| ${m.metric} | ${formatHistoryValue(m.unit, m.first)} | ${formatHistoryValue(m.unit, m.last)} | ` +
        `${formatHistoryValue(m.unit, m.min)} | ${formatHistoryValue(m.unit, m.max)} | ${changePointsCell(m)} |`);
    }
  }
  out.push('', history.regressions.length === 0 ? 'no metric\'s latest segment is a regression'
    : `REGRESSIONS (latest segment worse than the one before): ${history.regressions.join('; ')}`);
  return out.join('\n');
}
