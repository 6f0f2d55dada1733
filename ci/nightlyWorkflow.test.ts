import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FUZZ_ENTRY, NIGHTLY_DEFAULTS } from './nightlyPlan.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const workflowText = readFileSync(path.join(repo, 'ci/nightly.yml'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Step { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; name?: string }
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: { inputs?: Record<string, { default?: string }> } };
  jobs: Record<string, { strategy?: { matrix?: { scenario?: string } }; steps: Step[] }>;
}
const workflow = parse(workflowText) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const runLines = steps.flatMap((s) => (s.run === undefined ? [] : s.run.split('\n').map((l) => l.trim()).filter((l) => l !== '')));

/** The matrix's entries: the JSON array of the dispatch input's default, and the schedule's fallback in the expression. */
function matrixLists(): string[][] {
  const expression = Object.values(workflow.jobs)[0]?.strategy?.matrix?.scenario ?? '';
  const fallback = /'(\[.*\])'/.exec(expression)?.[1];
  const input = workflow.on.workflow_dispatch?.inputs?.scenarios?.default;
  return [fallback, input].map((text) => JSON.parse(text ?? 'null') as string[]);
}

describe('ci/nightly.yml', () => {
  it('runs on a schedule and on manual dispatch with scenarios, repeats and target inputs', () => {
    expect(workflow.on.schedule?.[0]?.cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(Object.keys(workflow.on.workflow_dispatch?.inputs ?? {}).sort()).toEqual(['repeats', 'scenarios', 'target']);
    expect(workflow.on.workflow_dispatch?.inputs?.repeats?.default).toBe(String(NIGHTLY_DEFAULTS.repeats));
  });

  it('runs only npm scripts that package.json defines, and the nightly one with its baseline and promotion', () => {
    const npm = runLines.filter((l) => l.startsWith('npm '));
    expect(npm.length).toBe(runLines.length);
    for (const line of npm) {
      const script = /^npm run ([\w:-]+)/.exec(line)?.[1];
      if (line === 'npm ci') continue;
      expect(script, line).toBeDefined();
      expect(pkg.scripts[script!], `package.json has no script "${script}"`).toBeDefined();
    }
    const nightly = npm.find((l) => l.startsWith('npm run nightly'));
    expect(nightly).toMatch(/--baseline baseline .*--promote/);
    expect(pkg.scripts.nightly).toBe('npm run build --silent && node dist/ci/nightly.js');
  });

  it('refers only to files that exist (the entry of the nightly script, and any file named in a step)', () => {
    const files = [...(pkg.scripts.nightly ?? '').matchAll(/dist\/(\S+)\.js/g)].map((m) => `${m[1]}.ts`);
    files.push(...runLines.flatMap((l) => [...l.matchAll(/\b((?:ci|scenarios|harness|reports)\/[\w./-]+)/g)].map((m) => m[1]!)));
    expect(files).toContain('ci/nightly.ts');
    for (const f of files) expect(existsSync(path.join(repo, f)), `${f} does not exist`).toBe(true);
  });

  it('runs a matrix of scenarios that exist in scenarios/, with fuzz as the special entry, the same list as the pipeline\'s', () => {
    for (const list of matrixLists()) {
      expect(list).toEqual([...NIGHTLY_DEFAULTS.scenarios]);
      for (const name of list.filter((n) => n !== FUZZ_ENTRY)) {
        expect(existsSync(path.join(repo, 'scenarios', `${name}.yaml`)), `scenarios/${name}.yaml`).toBe(true);
      }
    }
  });

  it('restores the baseline per scenario, uploads the night, and saves the baseline only when the job passed', () => {
    const uses = steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.run);
    expect(uses).toEqual(['actions/checkout', 'actions/setup-node', 'npm ci', 'actions/cache/restore', expect.stringMatching(/^npm run nightly/),
      'actions/upload-artifact', 'actions/cache/save']);
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node'));
    expect(setup?.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    const restore = steps.find((s) => s.uses?.startsWith('actions/cache/restore'));
    const save = steps.find((s) => s.uses?.startsWith('actions/cache/save'));
    expect(String(restore?.with?.['restore-keys'])).toContain('nightly-baseline-${{ matrix.scenario }}-');
    expect(save?.with?.key).toBe(restore?.with?.key);
    expect(save?.if).toBe('success()');
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.if).toBe('always()');
  });

  it('passes dispatch inputs to the shell through the environment, never pasted into a script', () => {
    for (const line of runLines) expect(line).not.toMatch(/\$\{\{/);
  });
});
