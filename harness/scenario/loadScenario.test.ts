import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadScenario, parseScenario, type LoadedScenario } from './loadScenario.js';
import type { Scenario } from './Scenario.js';
import { PHASE_DEFAULTS } from './scenarioDefaults.js';

const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The smallest valid file. */
const MINIMAL = { version: 1, phases: [{ name: 'only', duration: '1s', rate: 10 }] };

function load(file: unknown): LoadedScenario {
  return parseScenario(typeof file === 'string' ? file : stringify(file), 'test.yaml');
}

function scenarioOf(file: unknown): Scenario {
  const loaded = load(file);
  if (!loaded.ok) throw new Error(`expected a valid scenario, got:\n${loaded.problems.join('\n')}`);
  return loaded.scenario;
}

/** Every problem, without the trailing `(line N)`. */
function problemsOf(file: unknown): string[] {
  const loaded = load(file);
  if (loaded.ok) throw new Error('expected problems, the file is valid');
  return loaded.problems.map((problem) => problem.replace(/ \(line \d+\)$/, ''));
}

/** `MINIMAL` with its one phase changed. */
function withPhase(phase: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { ...MINIMAL, ...extra, phases: [{ ...MINIMAL.phases[0], ...phase }] };
}

describe('parseScenario: a valid file', () => {
  it('fills every default into the smallest file', () => {
    const scenario = scenarioOf(MINIMAL);
    expect(scenario).toEqual({
      version: 1, name: 'test', description: '', seed: 1,
      symbols: { count: 1, namePrefix: 'SYM', tickSize: 1, startMid: 10_000, minPrice: 1, maxPrice: 20_000, maxQuantity: 1_000_000_000,
        popularity: { kind: 'uniform' } },
      phases: [{ name: 'only', durationMs: 1_000, rate: { kind: 'constant', perSecond: 10 }, ...PHASE_DEFAULTS }],
      clients: { orderEntry: 1, marketData: [], workers: 0 },
      thresholds: [], target: { kind: 'embedded' }, knee: null,
    });
  });

  it('normalises durations and the short forms of rate, cancelAfter, popularity and target', () => {
    const scenario = scenarioOf({
      ...MINIMAL,
      symbols: { tickSize: 5, popularity: { zipf: 1.5 } },
      phases: [
        { name: 'a', duration: '2m', rate: { perSecond: 7 }, cancelAfter: '250ms' },
        { name: 'b', duration: '1.5s', rate: { kind: 'ramp', from: 0, to: 100 }, cancelAfter: { mean: '1h' } },
        { name: 'c', duration: '10s', rate: { kind: 'spike', base: 10, peak: 90, at: '0ms', width: '2s' } },
      ],
      clients: { marketData: [{ class: 'churning', count: 2 }] },
      target: 'tcp://127.0.0.1:9001,md=127.0.0.1:9002',
    });
    expect(scenario.symbols).toMatchObject({ tickSize: 5, startMid: 50_000, minPrice: 5, maxPrice: 100_000, popularity: { kind: 'zipf', exponent: 1.5 } });
    expect(scenario.phases.map((phase) => [phase.durationMs, phase.rate, phase.cancelAfter.meanMs])).toEqual([
      [120_000, { kind: 'constant', perSecond: 7 }, 250],
      [1_500, { kind: 'ramp', from: 0, to: 100 }, 3_600_000],
      [10_000, { kind: 'spike', base: 10, peak: 90, atMs: 0, widthMs: 2_000 }, 2_000],
    ]);
    expect(scenario.clients.marketData).toEqual([{ class: 'churning', count: 2, meanConnectedMs: 5_000, minBackoffMs: 100, maxBackoffMs: 5_000 }]);
    expect(scenario.target).toEqual({ kind: 'tcp', orderEntry: { host: '127.0.0.1', port: 9001 }, marketData: { host: '127.0.0.1', port: 9002 } });
  });

  it('reads the target maps and the knee', () => {
    const http = scenarioOf({ ...MINIMAL, target: { http: 'http://127.0.0.1:8080', marketData: '127.0.0.1:9002' } });
    expect(http.target).toEqual({ kind: 'http', url: 'http://127.0.0.1:8080', marketData: { host: '127.0.0.1', port: 9002 } });
    expect(scenarioOf({ ...MINIMAL, target: { tcp: 'h:1' } }).target).toEqual({ kind: 'tcp', orderEntry: { host: 'h', port: 1 }, marketData: null });
    expect(scenarioOf({ ...MINIMAL, target: 'inproc' }).target).toEqual({ kind: 'inproc' });
    const knee = scenarioOf({ ...MINIMAL, phases: [MINIMAL.phases[0], { name: 'two', duration: '1s', rate: 20 }],
      knee: { metric: 'feed_latency.fast', p99Limit: '500us' }, clients: { marketData: [{ class: 'fast', count: 1 }] } });
    expect(knee.knee).toEqual({ metric: 'feed_latency.fast', p99LimitMs: 0.5 });
  });
});

describe('parseScenario: defaults inheritance', () => {
  const file = {
    ...MINIMAL,
    defaults: {
      price: { volatility: 5, drift: 1, jumps: { perSecond: 2, mean: -3, sd: 1 } },
      mix: { limitGtc: 0.8, cancel: 0.2, buyFraction: 0.6 },
      offsets: { mean: 4 },
      quantity: { median: 10, max: 100 },
      cancelAfter: '3s',
    },
    phases: [
      { name: 'inherits', duration: '1s', rate: 10 },
      { name: 'overrides', duration: '1s', rate: 10, price: { volatility: 50, jumps: null }, mix: { market: 1 }, offsets: { sd: 9 },
        quantity: { min: 5 }, cancelAfter: { mean: '100ms' } },
      { name: 'buyers', duration: '1s', rate: 10, mix: { buyFraction: 0.9 } },
    ],
  };

  it('gives a phase that states nothing the file defaults over the built-in ones', () => {
    const [inherits] = scenarioOf(file).phases;
    expect(inherits).toMatchObject({
      price: { volatility: 5, drift: 1, jumps: { perSecond: 2, mean: -3, sd: 1 }, regimeSwitch: null },
      mix: { limitGtc: 0.8, limitIoc: 0, limitFok: 0, market: 0, cancel: 0.2, replace: 0, buyFraction: 0.6 },
      offsets: { mean: 4, sd: PHASE_DEFAULTS.offsets.sd },
      quantity: { median: 10, sigma: PHASE_DEFAULTS.quantity.sigma, min: 1, max: 100 },
      cancelAfter: { meanMs: 3_000 },
    });
  });

  it('merges a stated block key by key, takes jumps and a mix\'s fractions whole, and buyFraction on its own', () => {
    const [, overrides, buyers] = scenarioOf(file).phases;
    expect(overrides).toMatchObject({
      price: { volatility: 50, drift: 1, jumps: null },
      mix: { limitGtc: 0, cancel: 0, market: 1, buyFraction: 0.6 },
      offsets: { mean: 4, sd: 9 },
      quantity: { median: 10, min: 5, max: 100 },
      cancelAfter: { meanMs: 100 },
    });
    expect(buyers?.mix).toEqual({ limitGtc: 0.8, limitIoc: 0, limitFok: 0, market: 0, cancel: 0.2, replace: 0, buyFraction: 0.9 });
  });

  it('does not change the parsed input (a second parse gives the same result)', () => {
    const text = stringify(file);
    expect(load(text)).toEqual(load(text));
  });
});

describe('parseScenario: problems', () => {
  it('reports a YAML syntax error with its line and column, and nothing else', () => {
    const unclosed = load('version: 1\nphases:\n  - name: a\n    duration: [1s\n');
    expect(unclosed.ok).toBe(false);
    expect(unclosed.ok ? [] : unclosed.problems).toContainEqual(expect.stringMatching(/^yaml syntax error at [45]:\d+: /));
    expect(load('version: 1\nversion: 1\n')).toEqual({ ok: false, problems: [expect.stringMatching(/^yaml syntax error at 2:1: Map keys must be unique/)] });
    expect(load('a: b: c\n')).toEqual({ ok: false, problems: [expect.stringMatching(/^yaml syntax error at 1:\d+: /)] });
  });

  it('expands YAML anchors, but refuses a file that multiplies them beyond reason', () => {
    const shared = 'version: 1\nphases:\n  - &p {name: a, duration: 1s, rate: 10, mix: &m {limitGtc: 1}}\n  - {name: b, duration: 2s, rate: 5, mix: *m}\n';
    expect(scenarioOf(shared).phases.map((phase) => phase.mix.limitGtc)).toEqual([1, 1]);
    const laughs = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(load(laughs)).toEqual({ ok: false, problems: [expect.stringMatching(/^yaml: Excessive alias count/)] });
  });

  it('requires version 1 and refuses another version without checking the rest', () => {
    expect(problemsOf({ phases: MINIMAL.phases })).toEqual(['version: required: this build reads scenario format version 1 (write "version: 1")']);
    expect(problemsOf({ version: 2, phses: 1 })).toEqual(['version: this build reads scenario format version 1 only, the file is version 2']);
  });

  it('refuses a file that is not a map', () => {
    expect(problemsOf('- 1\n- 2\n')).toEqual(['a scenario file is a map of keys (version, phases, ...), got a list']);
    expect(problemsOf('')).toEqual(['a scenario file is a map of keys (version, phases, ...), got nothing']);
  });

  it('rejects unknown keys everywhere, suggesting the closest known key or listing the valid ones', () => {
    expect(problemsOf({ version: 1, phses: [] })).toEqual([
      'phases: required',
      'unknown key "phses" (did you mean "phases"?)',
    ]);
    expect(problemsOf(withPhase({ rat: 1 }))).toEqual(['phases[0]: unknown key "rat" (did you mean "rate"?)']);
    expect(problemsOf(withPhase({ price: { volatilty: 1 } }))).toEqual(['phases[0].price: unknown key "volatilty" (did you mean "volatility"?)']);
    expect(problemsOf({ ...MINIMAL, symbols: { zzz: 1 } })).toEqual([
      'symbols: unknown key "zzz"; valid keys: count, namePrefix, tickSize, startMid, minPrice, maxPrice, maxQuantity, popularity']);
    expect(problemsOf({ ...MINIMAL, defaults: { mix: { limitGTC: 1 } } })).toEqual(['defaults.mix: unknown key "limitGTC" (did you mean "limitGtc"?)']);
    expect(problemsOf({ ...MINIMAL, clients: { marketData: [{ class: 'fast', count: 1, bytesPerSecond: 5 }] } })).toEqual([
      'clients.marketData[0]: unknown key "bytesPerSecond" (class fast takes only class and count); valid keys: class, count']);
    expect(problemsOf({ ...MINIMAL, target: { tcp: 'h:1', marketdata: 'h:2' } })).toEqual(['target: unknown key "marketdata" (did you mean "marketData"?)']);
  });

  it('tells a constant rate from a ramp only by kind', () => {
    expect(problemsOf(withPhase({ rate: { from: 1, to: 2 } }))).toEqual([
      'phases[0].rate.perSecond: required',
      'phases[0].rate: unknown key "from" (for a ramp or a spike, set kind); valid keys: kind, perSecond',
      'phases[0].rate: unknown key "to" (for a ramp or a spike, set kind); valid keys: kind, perSecond',
    ]);
  });

  it('gives each problem the line it is on, in the order of the file', () => {
    const loaded = load('version: 1\nphases:\n  - name: a\n    duration: 1s\n    rate: 0\n');
    expect(loaded).toEqual({ ok: false, problems: ['phases[0].rate.perSecond: must be > 0, got number 0 (line 5)'] });
    expect(load('version: 1\nphases:\n  - name: a\n    duration: 1s\n    rate: 1\n    colour: red\n'))
      .toEqual({ ok: false, problems: ['phases[0]: unknown key "colour"; valid keys: name, duration, rate, price, mix, offsets, quantity, cancelAfter (line 6)'] });
    expect(load('version: 1\nclients: {orderEntry: 0}\nseed: -1\nphases:\n  - {name: a, duration: 1s, rate: 1}\n'))
      .toEqual({ ok: false, problems: ['clients.orderEntry: must be >= 1, got number 0 (line 2)', 'seed: must be >= 0, got number -1 (line 3)'] });
  });

  it('reports every problem of a file at once, across sections', () => {
    const problems = problemsOf({
      version: 1, seed: -1,
      symbols: { tickSize: 10, startMid: 10_005 },
      defaults: { mix: { limitGtc: 0.5 } },
      phases: [{ name: 'a', duration: '0s', rate: -1 }, { name: 'a', duration: '1s', rate: 1 }],
      clients: { orderEntry: 0, marketData: [{ class: 'slow', count: 1 }] },
      thresholds: ['order_rtt.p99 < 2'],
      target: 'nowhere',
    });
    expect(problems).toEqual([
      'seed: must be >= 0, got number -1',
      'symbols.startMid: 10005 is not a multiple of tickSize 10',
      expect.stringMatching(/^defaults.mix: the fractions must sum to 1, they sum to 0.5 /),
      'phases[0].duration: must be longer than 0',
      'phases[0].rate.perSecond: must be > 0, got number -1',
      'phases[1].name: "a" is already the name of phases[0]; names must be unique',
      'clients.orderEntry: must be >= 1, got number 0',
      'clients.marketData[0].bytesPerSecond: required for class slow',
      'thresholds[0]: "order_rtt.p99 < 2": 2: a latency needs a unit, one of ns, us, µs, ms, s (e.g. 2ms)',
      expect.stringMatching(/^target: "nowhere" is not a target; forms: /),
    ]);
  });

  describe('each rule, with its path', () => {
    const cases: [string, unknown, string | RegExp][] = [
      ['name must be a non-empty string', { ...MINIMAL, name: '' }, 'name: must not be empty'],
      ['seed an integer', { ...MINIMAL, seed: 1.5 }, 'seed: must be an integer, got number 1.5'],
      ['phases a non-empty list', { version: 1, phases: [] }, 'phases: must have at least 1 entry'],
      ['phases at most 1,000', { version: 1, phases: Array.from({ length: 1_001 }, (_, i) => ({ name: `p${i}`, duration: '1s', rate: 1 })) },
        'phases: must have at most 1000 entries'],
      ['a phase a map', { version: 1, phases: [5] }, 'phases[0]: expected a map, got number 5'],
      ['a phase has a name', { version: 1, phases: [{ duration: '1s', rate: 1 }] }, 'phases[0].name: required'],
      ['a duration has a unit', withPhase({ duration: 30 }), /^phases\[0\].duration: a duration needs a unit \(e.g. "30s" or "500ms"; units: ms, s, m, h\), got the bare number 30$/],
      ['a duration is a duration', withPhase({ duration: 'soon' }), /^phases\[0\].duration: "soon" is not a duration/],
      ['a duration has a known unit', withPhase({ duration: '3d' }), /^phases\[0\].duration: "3d": unknown duration unit "d"/],
      ['a duration in whole ms', withPhase({ duration: '1.5ms' }), 'phases[0].duration: must be a whole number of milliseconds, got 1.5ms'],
      ['a phase at most 24 h', withPhase({ duration: '25h' }), 'phases[0].duration: must be at most 24h, got 25h'],
      ['the run at most 7 days', { version: 1, phases: Array.from({ length: 8 }, (_, i) => ({ name: `d${i}`, duration: '24h', rate: 1 })) },
        'phases: the phases last 192h in all, more than 168h'],
      ['a rate is a number or a map', withPhase({ rate: 'fast' }), /^phases\[0\].rate: expected a number \(orders per second\) or a map \{kind: constant \| ramp \| spike, ...\}, got the string "fast"$/],
      ['a rate kind is known', withPhase({ rate: { kind: 'warp' } }), 'phases[0].rate.kind: must be one of constant, ramp, spike'],
      ['a rate at most 1,000,000/s', withPhase({ rate: 2_000_000 }), 'phases[0].rate.perSecond: must be <= 1000000, got number 2000000'],
      ['a ramp sends something', withPhase({ rate: { kind: 'ramp', from: 0, to: 0 } }), 'phases[0].rate: a ramp from 0 to 0 sends nothing; give from or to a rate above 0'],
      ['a ramp has its keys', withPhase({ rate: { kind: 'ramp', from: 1 } }), 'phases[0].rate.to: required'],
      ['a spike sends something', withPhase({ rate: { kind: 'spike', base: 0, peak: 0, at: '0s', width: '1s' } }), /^phases\[0\].rate: a spike with base 0 and peak 0 sends nothing/],
      ['a spike ends inside its phase', withPhase({ duration: '10s', rate: { kind: 'spike', base: 1, peak: 9, at: '9s', width: '2s' } }),
        'phases[0].rate.width: the spike (at 9s, width 2s) ends after the phase does (duration 10s)'],
      ['volatility is not negative', withPhase({ price: { volatility: -1 } }), 'phases[0].price.volatility: must be >= 0, got number -1'],
      ['a number is finite', withPhase({ price: { drift: '.inf' } }), /^phases\[0\].price.drift: expected a number, got the string ".inf"$/],
      ['jumps move the price', withPhase({ price: { jumps: { perSecond: 1 } } }), 'phases[0].price.jumps: jumps of mean 0 and sd 0 do not move the price; give mean or sd'],
      ['jumps arrive', withPhase({ price: { jumps: { perSecond: 0, sd: 1 } } }), 'phases[0].price.jumps.perSecond: must be > 0, got number 0'],
      ['a regime switch can end', withPhase({ price: { regimeSwitch: { enterPerSecond: 1, exitPerSecond: 0 } } }),
        'phases[0].price.regimeSwitch.exitPerSecond: must be > 0, got number 0'],
      ['mix fractions are fractions', withPhase({ mix: { limitGtc: 1.5 } }), 'phases[0].mix.limitGtc: must be <= 1, got number 1.5'],
      ['mix fractions sum to 1', withPhase({ mix: { limitGtc: 0.7, cancel: 0.2, market: 0.2 } }),
        'phases[0].mix: the fractions must sum to 1, they sum to 1.1 (limitGtc 0.7 + market 0.2 + cancel 0.2; a mix that states any fraction states them all, the unstated ones are 0)'],
      ['offsets sd not negative', withPhase({ offsets: { sd: -2 } }), 'phases[0].offsets.sd: must be >= 0, got number -2'],
      ['quantity min an integer', withPhase({ quantity: { min: 0.5 } }), 'phases[0].quantity.min: must be an integer, got number 0.5'],
      ['quantity min <= max', withPhase({ quantity: { min: 10, max: 5 } }), 'phases[0].quantity.min: min 10 is above max 5'],
      ['quantity median inside', withPhase({ quantity: { median: 2_000 } }), 'phases[0].quantity.median: must lie within min 1 and max 1000, got 2000'],
      ['quantity within maxQuantity', withPhase({ quantity: { max: 500 } }, { symbols: { maxQuantity: 100 } }),
        'phases[0].quantity.max: 500 is above symbols.maxQuantity 100: such orders would be rejected'],
      ['inherited quantity within maxQuantity', { ...MINIMAL, symbols: { maxQuantity: 100 } },
        'defaults.quantity.max: the built-in default 1000 is above symbols.maxQuantity 100; set defaults.quantity.max (and min, median) within it'],
      ['cancelAfter positive', withPhase({ cancelAfter: '0ms' }), 'phases[0].cancelAfter.mean: must be longer than 0'],
      ['symbols count at most 1,000', { ...MINIMAL, symbols: { count: 1_001 } }, 'symbols.count: must be <= 1000, got number 1001'],
      ['tick size an integer', { ...MINIMAL, symbols: { tickSize: 0.5 } }, 'symbols.tickSize: must be an integer, got number 0.5'],
      ['prices multiples of the tick', { ...MINIMAL, symbols: { tickSize: 3, startMid: 30_000, minPrice: 10, maxPrice: 49_998 } },
        'symbols.minPrice: 10 is not a multiple of tickSize 3'],
      ['minPrice < startMid < maxPrice', { ...MINIMAL, symbols: { startMid: 100, minPrice: 200, maxPrice: 300 } },
        'symbols.startMid: must lie strictly between minPrice 200 and maxPrice 300, got 100'],
      ['band within MAX_BAND_TICKS', { ...MINIMAL, symbols: { startMid: 10_000, minPrice: 1, maxPrice: 5_000_000 } },
        /^symbols.maxPrice: the band minPrice..maxPrice holds 5000000 ticks, more than the 4194304 one book accepts/],
      ['all bands within the ladder budget', { ...MINIMAL, symbols: { count: 20, startMid: 10_000, minPrice: 1, maxPrice: 1_000_000 } },
        /^symbols.count: 20 symbols × 1000000 ticks of band = 20000000 ticks of price ladder \(about 763 MB in the engine\), more than 16777216/],
      ['notional within 2^53', { ...MINIMAL, symbols: { startMid: 10_000, maxPrice: 1_000_000, maxQuantity: 10_000_000_000 } },
        /^symbols.maxQuantity: maxPrice × maxQuantity = 10000000000000000 is above 2\^53-1/],
      ['popularity uniform or zipf', { ...MINIMAL, symbols: { popularity: 'pareto' } }, 'symbols.popularity: must be "uniform" or {zipf: <exponent>}'],
      ['zipf exponent positive', { ...MINIMAL, symbols: { popularity: { zipf: 0 } } }, 'symbols.popularity.zipf: must be > 0, got number 0'],
      ['name prefix characters', { ...MINIMAL, symbols: { namePrefix: 'a b' } }, 'symbols.namePrefix: must be letters, digits, "_", "." or "-"'],
      ['order-entry sessions at most 1,000', { ...MINIMAL, clients: { orderEntry: 5_000 } },
        "clients.orderEntry: must be at most 1000 (the reference engine's connection limit)"],
      ['workers an integer in 0..64', { ...MINIMAL, clients: { workers: 65 } }, 'clients.workers: must be <= 64, got number 65'],
      ['subscriber count positive integer', { ...MINIMAL, clients: { marketData: [{ class: 'fast', count: 0 }] } },
        'clients.marketData[0].count: must be >= 1, got number 0'],
      ['subscriber class known', { ...MINIMAL, clients: { marketData: [{ class: 'sloow', count: 1 }] } },
        'clients.marketData[0].class: must be one of fast, slow, stalled, churning'],
      ['slow has bytesPerSecond', { ...MINIMAL, clients: { marketData: [{ class: 'fast', count: 1 }, { class: 'slow', count: 1 }] } },
        'clients.marketData[1].bytesPerSecond: required for class slow'],
      ['churning backoff ordered', { ...MINIMAL, clients: { marketData: [{ class: 'churning', count: 1, minBackoff: '2s', maxBackoff: '1s' }] } },
        'clients.marketData[0].maxBackoff: 1s is below minBackoff 2s'],
      ['at most 100,000 subscribers', { ...MINIMAL, clients: { marketData: [{ class: 'fast', count: 60_000 }, { class: 'stalled', count: 50_000 }] } },
        'clients.marketData: 110000 subscribers in all, more than 100000'],
      ['thresholds are strings', { ...MINIMAL, thresholds: [3] }, 'thresholds[0]: a threshold is a string such as "order_rtt.p99 < 2ms", got number 3'],
      ['thresholds name known metrics', { ...MINIMAL, thresholds: ['latency.p99 < 1ms'] }, /^thresholds\[0\]: "latency.p99 < 1ms": unknown metric "latency"; metrics: /],
      ['per-class thresholds need that class', { ...MINIMAL, thresholds: ['feed_gaps.slow == 0'] },
        'thresholds[0]: "feed_gaps.slow == 0": the scenario has no slow subscribers (clients.marketData), so the rule could never be measured'],
      ['target known', { ...MINIMAL, target: 5 }, /^target: must be one of embedded \| inproc/],
      ['target tcp host:port', { ...MINIMAL, target: { tcp: 'localhost' } }, 'target.tcp: "localhost" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001)'],
      ['target tcp or http', { ...MINIMAL, target: { tcp: 'h:1', http: 'http://h:2' } }, 'target: give one of tcp, http, soup, fix, not tcp and http'],
      ['target map needs one', { ...MINIMAL, target: { marketData: 'h:1' } }, 'target: a target map needs one of tcp: host:port, http: url, soup: host:port or fix: host:port'],
      ['target http a URL', { ...MINIMAL, target: { http: 'ftp://h:1' } }, 'target.http: "ftp://h:1": the scheme must be http or https, not ftp'],
      ['inproc has no feed', { ...MINIMAL, target: 'inproc', clients: { marketData: [{ class: 'fast', count: 3 }] } },
        'target: target inproc has no market-data feed, but clients.marketData has 3 subscribers; remove them or use another target'],
      ['subscribers need a feed address', { ...MINIMAL, target: { tcp: 'h:1' }, clients: { marketData: [{ class: 'fast', count: 3 }] } },
        'target: clients.marketData has 3 subscribers, but the tcp target names no marketData host:port'],
      ['knee on a latency metric', { ...MINIMAL, phases: [MINIMAL.phases[0], { name: 'b', duration: '1s', rate: 2 }], knee: { metric: 'errors', p99Limit: '5ms' } },
        /^knee.metric: "errors" is not a latency metric; the knee is found on one of order_rtt, /],
      ['knee limit a duration', { ...MINIMAL, phases: [MINIMAL.phases[0], { name: 'b', duration: '1s', rate: 2 }], knee: { metric: 'order_rtt', p99Limit: 5 } },
        /^knee.p99Limit: a duration needs a unit \(e.g. "30s" or "500ms"; units: ns, us, µs, ms, s\)/],
      ['knee across phases', { ...MINIMAL, knee: { metric: 'order_rtt', p99Limit: '5ms' } },
        'knee: a knee is found across phases stepping the rate up; the scenario has 1 phase'],
    ];
    it.each(cases)('%s', (_rule, file, expected) => {
      expect(problemsOf(file)).toEqual([typeof expected === 'string' ? expected : expect.stringMatching(expected)]);
    });
  });
});

describe('the scenario hash', () => {
  const text = stringify({ ...MINIMAL, thresholds: ['order_rtt.p99 < 2ms'] });
  const hash = (source: string): string => {
    const loaded = parseScenario(source, 'test.yaml');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    return loaded.hash;
  };

  it('is a sha256 that comments, layout, key order and spelled-out defaults do not change', () => {
    expect(hash(text)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(`# a comment\n${text}\n# another\n`)).toBe(hash(text));
    expect(hash('thresholds: ["order_rtt.p99 < 2ms"]\nphases: [{rate: 10, duration: 1s, name: only}]\nversion: 1\n')).toBe(hash(text));
    expect(hash(`${text}seed: 1\ntarget: embedded\nsymbols: {count: 1}\n`)).toBe(hash(text));
    expect(hash(text.replace('1s', '1000ms'))).toBe(hash(text));
  });

  it('changes when a value does', () => {
    expect(hash(text.replace('rate: 10', 'rate: 11'))).not.toBe(hash(text));
    expect(hash(`${text}seed: 2\n`)).not.toBe(hash(text));
    expect(hash(text.replace('2ms', '3ms'))).not.toBe(hash(text));
  });
});

describe('loadScenario', () => {
  it('reports a missing file as a problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'matchbench-scenario-'));
    expect(await loadScenario(join(dir, 'nope.yaml'))).toEqual({ ok: false, problems: [`cannot read scenario ${join(dir, 'nope.yaml')}: no such file`] });
    expect(await loadScenario(dir)).toEqual({ ok: false, problems: [`cannot read scenario ${dir}: it is a directory`] });
    writeFileSync(join(dir, 'my-run.yml'), stringify(MINIMAL));
    expect(await loadScenario(join(dir, 'my-run.yml'))).toMatchObject({ ok: true, scenario: { name: 'my-run' } });
  });
});

describe('the shipped library (scenarios/)', () => {
  const expected = ['fanout-1000', 'flash-crash', 'fuzz-under-load', 'open-burst', 'ramp-to-knee', 'slow-consumer-storm', 'smoke', 'soak', 'steady', 'volatility-spike'];
  const files = readdirSync(scenariosDir).filter((file) => file.endsWith('.yaml')).sort();

  it('holds every scenario the docs name', () => {
    expect(files.map((file) => file.replace(/\.yaml$/, ''))).toEqual(expected);
  });

  it.each(files)('%s validates, is named after its file and opens with a comment saying what it models', async (file) => {
    const loaded = await loadScenario(join(scenariosDir, file));
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    if (!loaded.ok) return;
    expect(loaded.scenario.name).toBe(file.replace(/\.yaml$/, ''));
    const text = readFileSync(join(scenariosDir, file), 'utf8');
    expect(text).toMatch(/^# \S+: /);
    expect(text).toMatch(/\n# Look at: /);
    expect(loaded.scenario.thresholds.some((threshold) => threshold.metric === 'invariant_violations')).toBe(true);
  });

  it('smoke is short and small enough for CI on a 2-core machine', async () => {
    const loaded = await loadScenario(join(scenariosDir, 'smoke.yaml'));
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const { phases, clients, target } = loaded.scenario;
    expect(phases.reduce((sum, phase) => sum + phase.durationMs, 0)).toBeLessThanOrEqual(15_000);
    expect(clients.orderEntry).toBeLessThanOrEqual(8);
    expect(new Set(clients.marketData.map((group) => group.class))).toEqual(new Set(['fast', 'slow', 'stalled', 'churning']));
    expect(clients.marketData.reduce((sum, group) => sum + group.count, 0)).toBeLessThanOrEqual(20);
    const peak = Math.max(...phases.map((phase) => (phase.rate.kind === 'constant' ? phase.rate.perSecond
      : phase.rate.kind === 'ramp' ? Math.max(phase.rate.from, phase.rate.to) : Math.max(phase.rate.base, phase.rate.peak))));
    expect(peak).toBeLessThanOrEqual(2_000);
    expect(target).toEqual({ kind: 'embedded' });
  });

  it('fanout-1000 holds more than 1,000 subscribers and ramp-to-knee steps the rate up to a knee', async () => {
    const fanout = await loadScenario(join(scenariosDir, 'fanout-1000.yaml'));
    const knee = await loadScenario(join(scenariosDir, 'ramp-to-knee.yaml'));
    if (!fanout.ok || !knee.ok) throw new Error('library file invalid');
    expect(fanout.scenario.clients.marketData.reduce((sum, group) => sum + group.count, 0)).toBeGreaterThan(1_000);
    const rates = knee.scenario.phases.map((phase) => (phase.rate.kind === 'constant' ? phase.rate.perSecond : Number.NaN));
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(new Set(rates).size).toBe(rates.length);
    expect(knee.scenario.knee).not.toBeNull();
  });
});
