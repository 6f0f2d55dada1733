import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from './loadScenario.js';
import { PHASE_DEFAULTS } from './scenarioDefaults.js';
import { formatMs, SCHEMA_KEYS } from './scenarioSchema.js';
import { KIND_STATS, METRIC_CLASSES, STAT_MEANINGS, THRESHOLD_METRICS } from './thresholdMetrics.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/SCENARIOS.md', import.meta.url)), 'utf8');
const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The doc names `key` in code, alone or as the last part of a dotted path (`jumps.perSecond`). */
function documents(key: string): boolean {
  return new RegExp(`\`(?:[\\w.]+\\.)?${key}\``).test(doc);
}

describe('docs/SCENARIOS.md', () => {
  it('documents every key of the format', () => {
    const missing = Object.entries(SCHEMA_KEYS).flatMap(([where, keys]) => keys.filter((key) => !documents(key)).map((key) => `${where}.${key}`));
    expect(missing).toEqual([]);
  });

  it('lists every threshold metric in the metrics table with its kind and meaning', () => {
    for (const metric of THRESHOLD_METRICS) {
      const name = metric.classes === null ? metric.name : `${metric.name}.<class>`;
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, metric.name).toBeDefined();
      const meaning = `${metric.meaning.charAt(0).toUpperCase()}${metric.meaning.slice(1)}.`;
      expect(row?.replaceAll('`', '')).toBe(`| ${name} | ${metric.kind} | ${meaning} |`);
    }
  });

  it('names every stat of every kind, and every subscriber class', () => {
    for (const [kind, stats] of Object.entries(KIND_STATS)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| ${kind} |`));
      expect(row, kind).toBeDefined();
      for (const [stat, unit] of Object.entries(stats)) expect(row, `${kind}.${stat}`).toContain(`\`${stat}\` (${unit.replace('per_second', 'per second')})`);
    }
    for (const stat of Object.keys(STAT_MEANINGS)) expect(documents(stat.replace(/[<>]/g, '\\$&')), stat).toBe(true);
    for (const className of METRIC_CLASSES) expect(doc).toContain(`\`${className}\``);
  });

  it('shows the built-in phase defaults as the code has them', () => {
    const render = (value: object): string => `{${Object.entries(value).map(([key, member]) => `${key}: ${String(member)}`).join(', ')}}`;
    for (const block of ['price', 'mix', 'offsets', 'quantity'] as const) {
      expect(doc, block).toContain(`| \`${block}\` | \`${render(PHASE_DEFAULTS[block])}\` |`);
    }
    expect(doc).toContain(`| \`cancelAfter\` | \`${formatMs(PHASE_DEFAULTS.cancelAfter.meanMs)}\` |`);
  });

  it('gives each library file the length it has', async () => {
    const rows = [...doc.matchAll(/^\| `([\w-]+)\.yaml` \| .+ \| (\d+) (s|min) \|$/gm)];
    expect(rows.length).toBe(10);
    for (const [, name, length, unit] of rows) {
      const loaded = await loadScenario(`${scenariosDir}${name!}.yaml`);
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      const totalMs = loaded.scenario.phases.reduce((sum, phase) => sum + phase.durationMs, 0);
      expect(totalMs, name).toBe(Number(length) * (unit === 's' ? 1_000 : 60_000));
    }
  });
});
