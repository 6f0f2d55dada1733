import type { CommandModule } from 'yargs';
import { SYMBOL_DEFAULTS, type SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine, type EngineOptions } from '../../engine/Engine.js';
import { loadEngineConfig, type EngineFileOptions } from '../../engine/engineConfig.js';
import { JournalError } from '../../engine/journal/journalFormat.js';
import { MATCHER_THREAD_DEFAULTS } from '../../engine/MatcherThread.js';
import { WAIT_STRATEGY_NAMES, type WaitStrategyName } from '../../engine/matcherWorkerProtocol.js';
import { ExitCode } from '../exitCodes.js';
import { untilStopSignal } from './untilStopSignal.js';

interface EngineArgs {
  host: string | undefined;
  'order-port': number | undefined;
  'md-port': number | undefined;
  'http-port': number | undefined;
  symbols: number;
  config: string | undefined;
  journal: string | undefined;
  durability: 'none' | 'batch' | 'sync' | undefined;
  'md-cap-bytes': number | undefined;
  'md-policy': 'drop' | 'disconnect' | undefined;
  'max-connections': number | undefined;
  'ring-size': number | undefined;
  'wait-strategy': WaitStrategyName | undefined;
  'testkit-journal-lag-ms': number | undefined;
}

/** What `matchbench engine` uses for what neither a flag nor the config file sets. */
export const ENGINE_COMMAND_DEFAULTS = {
  host: '127.0.0.1',
  orderEntryPort: 9001,
  marketDataPort: 9002,
  httpPort: 9003,
  symbols: 1,
  durability: 'batch',
  marketData: { capBytes: 1024 * 1024, policy: 'drop' },
  maxConnections: 1_000,
  ringSize: MATCHER_THREAD_DEFAULTS.inboundCapacity,
  waitStrategy: MATCHER_THREAD_DEFAULTS.waitStrategy,
} as const;

/** `count` default symbols SYM1..SYMn. */
export function defaultSymbols(count: number): SymbolConfig[] {
  return Array.from({ length: count }, (_, i) => ({ ...SYMBOL_DEFAULTS, minPrice: 1, symbolId: i + 1, name: `SYM${i + 1}` }));
}

/**
 * The engine's options: the defaults, overridden by the config file, overridden by the flags given
 * on the command line (a flag left out is undefined here).
 */
export function engineOptions(a: EngineArgs, file: EngineFileOptions): Omit<EngineOptions, 'log'> {
  const d = ENGINE_COMMAND_DEFAULTS;
  const journalPath = a.journal ?? file.journalPath;
  return {
    symbols: file.symbols ?? defaultSymbols(a.symbols),
    host: a.host ?? file.host ?? d.host,
    orderEntryPort: a['order-port'] ?? file.orderEntryPort ?? d.orderEntryPort,
    marketDataPort: a['md-port'] ?? file.marketDataPort ?? d.marketDataPort,
    httpPort: a['http-port'] ?? file.httpPort ?? d.httpPort,
    durability: a.durability ?? file.durability ?? d.durability,
    marketData: { ...d.marketData, ...file.marketData,
      ...(a['md-cap-bytes'] === undefined ? {} : { capBytes: a['md-cap-bytes'] }),
      ...(a['md-policy'] === undefined ? {} : { policy: a['md-policy'] }) },
    maxConnections: a['max-connections'] ?? file.maxConnections ?? d.maxConnections,
    ringSize: a['ring-size'] ?? file.ringSize ?? d.ringSize,
    waitStrategy: a['wait-strategy'] ?? file.waitStrategy ?? d.waitStrategy,
    ...(file.http === undefined ? {} : { http: file.http }),
    ...(journalPath === undefined ? {} : { journalPath }),
    ...(a['testkit-journal-lag-ms'] === undefined ? {} : { testkitJournalLagMs: a['testkit-journal-lag-ms'] }),
  };
}

/** `matchbench engine`: run the reference engine until SIGINT or SIGTERM. */
export const engineCommand: CommandModule<object, EngineArgs> = {
  command: 'engine',
  describe: 'Run the reference engine (binary order entry and market data over TCP, JSON over HTTP)',
  builder: (y) => y
    .option('config', { type: 'string', describe: 'YAML (or JSON) engine config file, see engine.example.yaml; flags override it' })
    .option('host', { type: 'string', describe: `Address to listen on [default: ${ENGINE_COMMAND_DEFAULTS.host}]` })
    .option('order-port', { type: 'number', describe: `Order-entry port, 0: any free port [default: ${ENGINE_COMMAND_DEFAULTS.orderEntryPort}]` })
    .option('md-port', { type: 'number', describe: `Market-data port, 0: any free port [default: ${ENGINE_COMMAND_DEFAULTS.marketDataPort}]` })
    .option('http-port', { type: 'number', describe: `HTTP JSON port (docs/HTTP.md), 0: any free port [default: ${ENGINE_COMMAND_DEFAULTS.httpPort}]` })
    .option('symbols', { type: 'number', default: ENGINE_COMMAND_DEFAULTS.symbols as number,
      describe: 'Number of default symbols SYM1..SYMn (when the config file lists none)' })
    .option('journal', { type: 'string', describe: 'Journal file (replayed at start if it exists)' })
    .option('durability', { choices: ['none', 'batch', 'sync'] as const, describe: 'When journal records reach the disk [default: batch]' })
    .option('md-cap-bytes', { type: 'number', describe: 'Bytes the engine holds for one market-data subscriber [default: 1048576]' })
    .option('md-policy', { choices: ['drop', 'disconnect'] as const, describe: 'What happens to a subscriber over its cap [default: drop]' })
    .option('max-connections', { type: 'number', describe: 'Connections per port [default: 1000]' })
    .option('ring-size', { type: 'number',
      describe: `Inbound ring slots (commands in flight before REJECT EngineBusy), a power of two; the outbound ring gets 4x [default: ${ENGINE_COMMAND_DEFAULTS.ringSize}]` })
    .option('wait-strategy', { choices: WAIT_STRATEGY_NAMES,
      describe: `How the matcher worker waits for commands (busy-spin holds a core while idle) [default: ${ENGINE_COMMAND_DEFAULTS.waitStrategy}]` })
    // Test-only, hidden: a broken engine that ACKs before its journal writes (tests of `matchbench chaos`).
    .option('testkit-journal-lag-ms', { type: 'number', hidden: true })
    .check((a) => {
      const problems: string[] = [];
      for (const name of ['order-port', 'md-port', 'http-port'] as const) {
        const value = a[name];
        if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65_535)) problems.push(`--${name} must be a port number, got ${value}`);
      }
      if (!Number.isInteger(a.symbols) || a.symbols < 1 || a.symbols > 10_000) problems.push(`--symbols must be 1..10000, got ${a.symbols}`);
      const cap = a['md-cap-bytes'];
      if (cap !== undefined && !(cap >= 1024)) problems.push(`--md-cap-bytes must be at least 1024, got ${cap}`);
      const connections = a['max-connections'];
      if (connections !== undefined && (!Number.isInteger(connections) || connections < 1)) {
        problems.push(`--max-connections must be a positive integer, got ${connections}`);
      }
      const ring = a['ring-size'];
      if (ring !== undefined && (!Number.isInteger(ring) || ring < 2 || ring > 2 ** 22 || (ring & (ring - 1)) !== 0)) {
        problems.push(`--ring-size must be a power of two from 2 to 4194304, got ${ring}`);
      }
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    const file = a.config === undefined ? { options: {}, problems: [] } : loadEngineConfig(a.config);
    if (file.problems.length > 0) {
      process.stderr.write(`matchbench engine: bad configuration:\n${file.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exitCode = ExitCode.Usage;
      return;
    }
    const options = engineOptions(a, file.options);
    const { symbols, host } = options;
    const log = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };
    let engine: Engine;
    try {
      engine = await Engine.start({ ...options, log });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof JournalError || code === 'EADDRINUSE' || code === 'EACCES') {
        process.stderr.write(`matchbench engine: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      throw error;
    }
    log(`engine ready: ${symbols.length} symbol(s); order entry ${host}:${engine.orderEntry.port}, market data ${host}:${engine.marketData.port}, ` +
      `http ${host}:${engine.http?.port ?? '-'}`);
    await untilStopSignal((signal) => {
      log(`${signal}: stopping (journal flushed, subscribers sent LOGOUT)`);
      return engine.stop();
    });
    log(`stopped after ${engine.processed} commands`);
  },
};
