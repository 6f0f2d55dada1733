/** The `clients.fuzz` section of a scenario file: what the loader accepts, fills in and refuses, and how. */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadScenario, parseScenario } from './loadScenario.js';
import { FUZZ_CLIENT_DEFAULTS } from './scenarioDefaults.js';

const MINIMAL = { version: 1, phases: [{ name: 'only', duration: '1s', rate: 10 }] };

function load(file: unknown): ReturnType<typeof parseScenario> {
  return parseScenario(stringify(file), 'test.yaml');
}

function problemsOf(file: unknown): string[] {
  const loaded = load(file);
  if (loaded.ok) throw new Error('expected problems, the file is valid');
  return loaded.problems.map((problem) => problem.replace(/ \(line \d+\)$/, ''));
}

describe('clients.fuzz', () => {
  it('is absent unless written, and leaves the hash of a scenario without it alone', () => {
    const plain = load(MINIMAL);
    const withEmptyClients = load({ ...MINIMAL, clients: {} });
    if (!plain.ok || !withEmptyClients.ok) throw new Error('valid');
    expect(plain.scenario.clients.fuzz).toBeUndefined();
    expect('fuzz' in plain.scenario.clients).toBe(false);
    expect(withEmptyClients.hash).toBe(plain.hash);
  });

  it('fills in sessions, classes and seed offset around the rate', () => {
    const loaded = load({ ...MINIMAL, clients: { fuzz: { rate: 25 } } });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.scenario.clients.fuzz).toEqual({ sessions: 2, rateHz: 25, classes: [...FUZZ_CLIENT_DEFAULTS.classes], seedOffset: 0 });
    expect(loaded.scenario.clients.fuzz?.classes).not.toContain('churn');
  });

  it('takes every key as written, a class named twice once', () => {
    const loaded = load({ ...MINIMAL, clients: { fuzz: { sessions: 3, rate: 0.5, classes: ['crc', 'churn', 'crc', 'havoc'], seedOffset: 9 } } });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.scenario.clients.fuzz).toEqual({ sessions: 3, rateHz: 0.5, classes: ['crc', 'churn', 'havoc'], seedOffset: 9 });
  });

  it('reports every problem of the section at once, each with its path', () => {
    expect(problemsOf({ ...MINIMAL, clients: { fuzz: { sessions: 0, classes: ['crc', 'crcc'], seedOffset: -1, rat: 5 } } })).toEqual([
      // In the order of the file; a missing key where its map starts.
      'clients.fuzz.rate: required',
      'clients.fuzz.sessions: must be >= 1, got number 0',
      expect.stringMatching(/^clients\.fuzz\.classes\[1\]: must be one of truncation, length, .*, churn, havoc, got the string "crcc"$/),
      'clients.fuzz.seedOffset: must be >= 0, got number -1',
      'clients.fuzz: unknown key "rat" (did you mean "rate"?)',
    ]);
    expect(problemsOf({ ...MINIMAL, clients: { fuzz: { rate: 0, sessions: 65, classes: [] } } })).toEqual([
      'clients.fuzz.rate: must be > 0, got number 0',
      'clients.fuzz.sessions: must be <= 64, got number 65',
      'clients.fuzz.classes: must have at least 1 entry',
    ]);
    expect(problemsOf({ ...MINIMAL, clients: { fuzz: 'yes' } })).toEqual(['clients.fuzz: expected a map, got the string "yes"']);
  });

  it('refuses targets without the binary wire, and symbol ids the fuzz cases use', () => {
    expect(problemsOf({ ...MINIMAL, target: 'inproc', clients: { fuzz: { rate: 5 } } })).toEqual([
      'target: clients.fuzz sends raw frames over TCP, so it needs target embedded or tcp; target inproc has no wire at all: ' +
        'remove clients.fuzz or use another target',
    ]);
    expect(problemsOf({ ...MINIMAL, target: { http: 'http://127.0.0.1:9003' }, clients: { fuzz: { rate: 5 } } })).toEqual([
      'target: clients.fuzz sends raw frames over TCP, so it needs target embedded or tcp; target http has no binary order-entry port: ' +
        'remove clients.fuzz or use another target',
    ]);
    expect(load({ ...MINIMAL, target: { tcp: '127.0.0.1:9001' }, clients: { fuzz: { rate: 5 } } }).ok).toBe(true);
    expect(problemsOf({ ...MINIMAL, symbols: { count: 80 }, clients: { fuzz: { rate: 5 } } })).toEqual([
      'symbols.count: must be below 71 with clients.fuzz: the fuzz cases use symbol ids 71, 72, 99, got 80',
    ]);
  });

  it('loads the library\'s fuzz-under-load scenario', async () => {
    const loaded = await loadScenario(new URL('../../scenarios/fuzz-under-load.yaml', import.meta.url).pathname);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.scenario.clients.fuzz?.sessions).toBeGreaterThan(0);
  });
});
