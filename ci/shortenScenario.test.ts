import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../harness/scenario/loadScenario.js';
import { shortenScenario, TIMING_THRESHOLD } from './shortenScenario.js';

const scenarios = fileURLToPath(new URL('../scenarios', import.meta.url));
const library = readdirSync(scenarios).filter((f) => f.endsWith('.yaml')).sort();

describe('shortenScenario (--quick)', () => {
  it.each(library)('turns %s into a valid scenario of at most 3 s with at most 2 subscribers per group', (file) => {
    const original = parseScenario(readFileSync(path.join(scenarios, file), 'utf8'), file);
    const shortened = parseScenario(shortenScenario(readFileSync(path.join(scenarios, file), 'utf8')), file);
    if (!original.ok) throw new Error(`${file} does not load`);
    if (!shortened.ok) throw new Error(`shortened ${file}: ${shortened.problems.join('; ')}`);
    const s = shortened.scenario;
    const totalMs = s.phases.reduce((n, p) => n + p.durationMs, 0);
    expect(totalMs).toBeLessThanOrEqual(3_000 + s.phases.length);
    expect(s.phases.map((p) => [p.name, p.rate.kind])).toEqual(original.scenario.phases.map((p) => [p.name, p.rate.kind]));
    for (const group of s.clients.marketData) expect(group.count).toBeLessThanOrEqual(2);
    expect(s.thresholds.map((t) => t.source)).toEqual(original.scenario.thresholds.map((t) => t.source).filter((t) => !TIMING_THRESHOLD.test(t)));
  });

  it('keeps a spike inside its phase, scaled with it, and keeps correctness thresholds', () => {
    const text = readFileSync(path.join(scenarios, 'smoke.yaml'), 'utf8');
    const loaded = parseScenario(shortenScenario(text, { totalSeconds: 1.4, maxSubscribersPerGroup: 1 }), 'smoke.yaml');
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    expect(loaded.scenario.phases.map((p) => p.durationMs)).toEqual([300, 700, 400]);
    expect(loaded.scenario.phases[2]?.rate).toMatchObject({ kind: 'spike', atMs: 100, widthMs: 100, peak: 2000 });
    expect(loaded.scenario.thresholds.map((t) => t.source)).toEqual(['feed_gaps.fast == 0', 'achieved_rate.ratio >= 0.95', 'errors.count == 0',
      'invariant_violations == 0']);
  });

  it('leaves a scenario already shorter than the limit as long as it is', () => {
    const text = 'version: 1\nname: t\nphases:\n  - { name: a, duration: 500ms, rate: 100 }\n';
    expect(shortenScenario(text)).toContain('duration: 500ms');
  });
});
