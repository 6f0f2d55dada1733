import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEngineConfig, parseEngineConfig } from './engineConfig.js';

const exampleFile = new URL('../engine.example.yaml', import.meta.url);

describe('engine config file', () => {
  it('reads the shipped example: every setting the flags cover', () => {
    const { options, problems } = loadEngineConfig(exampleFile.pathname);
    expect(problems).toEqual([]);
    expect(options).toMatchObject({
      host: '127.0.0.1', orderEntryPort: 9001, marketDataPort: 9002, httpPort: 9003, maxConnections: 1_000,
      ringSize: 16_384, waitStrategy: 'spin-then-park', durability: 'batch', journalPath: 'engine.journal',
      marketData: { capBytes: 1_048_576, policy: 'drop', disconnectAfterDrops: 100, disconnectAfterMs: 1_000 },
      http: { maxBodyBytes: 4_096, answerTimeoutMs: 5_000 },
    });
    expect(options.symbols?.map((s) => [s.symbolId, s.name, s.tickSize, s.minPrice])).toEqual([[1, 'BTC-USD', 1, 1], [2, 'ETH-USD', 5, 5]]);
  });

  it('fills symbol defaults and leaves out what the file does not set', () => {
    const { options, problems } = parseEngineConfig('symbols:\n  - symbolId: 3\n', 'e.yaml');
    expect(problems).toEqual([]);
    expect(options).toEqual({ symbols: [{ symbolId: 3, name: 'SYM3', tickSize: 1, minPrice: 1, maxPrice: 1_000_000, maxQuantity: 1_000_000_000, priceDecimals: 2 }] });
  });

  it('names every problem with its path at once', () => {
    const text = [
      'host: ""',
      'ports: { orderEntry: 70000, http: -1, tcp: 5 }',
      'ring: { size: 1000, waitStrategy: nap }',
      'marketData: { capBytes: 10, policy: ignore }',
      'journal: { durability: sometimes }',
      'maxConnections: 0',
      'colour: blue',
      'symbols:',
      '  - { symbolId: 1, name: A, tickSize: 0 }',
      '  - { name: B, maxPrice: -5 }',
      '  - { symbolId: 1, name: C, maxQuantity: "many" }',
    ].join('\n');
    const { problems } = parseEngineConfig(text, 'e.yaml');
    expect(problems).toEqual(expect.arrayContaining([
      'host: must be an address',
      'ports.orderEntry: must be a port number, 0 to 65535',
      'ports.http: must be a port number, 0 to 65535',
      'ports.tcp: unknown setting',
      'ring.size: must be a power of two from 2 to 4194304',
      'ring.waitStrategy: must be one of busy-spin, spin-then-park, blocking',
      'marketData.capBytes: must be an integer of at least 1024',
      'marketData.policy: must be drop or disconnect',
      'journal.durability: must be none, batch or sync',
      'maxConnections: must be a positive integer',
      'colour: unknown setting',
      'symbols[0].tickSize: must be a positive integer, got 0',
      'symbols[0].minPrice: must be a positive integer, got 0',
      'symbols[1].symbolId: required',
      'symbols[1].maxPrice: must be a positive integer, got -5',
      'symbols[2].maxQuantity: must be a positive integer',
      'symbols[2].symbolId: 1 is used twice',
    ]));
    expect(problems).toHaveLength(17);
  });

  it('reports YAML syntax errors and unreadable files', () => {
    expect(parseEngineConfig('ports: [1, 2\n', 'bad.yaml').problems[0]).toMatch(/^bad\.yaml: /);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-config-'));
    try {
      expect(loadEngineConfig(path.join(dir, 'missing.yaml')).problems).toEqual([expect.stringMatching(/missing\.yaml: ENOENT/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(parseEngineConfig('[1, 2]', 'list.yaml').problems).toEqual(['(top level): must be a mapping of engine settings']);
  });
});
