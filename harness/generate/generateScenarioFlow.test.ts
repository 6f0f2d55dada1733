import { describe, expect, it } from 'vitest';
import { combineStreamHashes } from './combineStreamHashes.js';
import { exampleFlowScenario } from './exampleFlowScenario.js';
import { generateScenarioFlow } from './generateScenarioFlow.js';

const SEED = 8128;
console.log(`generateScenarioFlow tests: seed ${SEED}`);

describe('generateScenarioFlow', () => {
  const scenario = exampleFlowScenario();
  const summary = generateScenarioFlow(scenario, SEED);

  it('generates each phase’s expected arrivals over all clients, within Poisson error', () => {
    expect(summary.phases.map((p) => p.name)).toEqual(['steady', 'spike', 'ramp-down']);
    expect(summary.phases.map((p) => p.expected)).toEqual([40_000, 28_000, 25_000].map((x) => expect.closeTo(x, 6)));
    for (const p of summary.phases) expect(Math.abs(p.orders - p.expected)).toBeLessThan(4 * Math.sqrt(p.expected));
    for (const p of summary.phases) expect(Object.values(p.byKind).reduce((a, b) => a + b, 0)).toBe(p.orders);
    expect(summary.orders).toBe(summary.phases.reduce((a, p) => a + p.orders, 0));
    expect(summary.clientHashes).toHaveLength(20);
    expect(summary.forgotten).toBe(0);
  });

  it('gives the same stream hash for the same seed and a different one for another seed or client count', () => {
    const again = generateScenarioFlow(scenario, SEED);
    expect(again.streamHash).toBe(summary.streamHash);
    expect(again.clientHashes).toEqual(summary.clientHashes);
    expect(generateScenarioFlow(scenario, SEED + 1).streamHash).not.toBe(summary.streamHash);
    const fewer = { ...scenario, clients: { ...scenario.clients, orderEntry: 19 } };
    expect(generateScenarioFlow(fewer, SEED).streamHash).not.toBe(summary.streamHash);
    expect(summary.streamHash).toBe(combineStreamHashes(summary.clientHashes));
  });
});

describe('combineStreamHashes', () => {
  it('depends on client order and refuses anything but hex SHA-256 digests, naming each', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(combineStreamHashes([a, b])).not.toBe(combineStreamHashes([b, a]));
    expect(() => combineStreamHashes([a, 'xyz', 'A'.repeat(64)])).toThrow(/perClient\[1\].*perClient\[2\]/);
  });
});
