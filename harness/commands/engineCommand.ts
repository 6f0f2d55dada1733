import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { symbolConfigProblems, SYMBOL_DEFAULTS, type SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { Engine } from '../../engine/Engine.js';
import { JournalError } from '../../engine/journal/journalFormat.js';
import { MATCHER_THREAD_DEFAULTS } from '../../engine/MatcherThread.js';
import { WAIT_STRATEGY_NAMES, type WaitStrategyName } from '../../engine/matcherWorkerProtocol.js';
import { ExitCode } from '../exitCodes.js';

interface EngineArgs {
  host: string;
  'order-port': number;
  'md-port': number;
  symbols: number;
  config: string | undefined;
  journal: string | undefined;
  durability: 'none' | 'batch' | 'sync';
  'md-cap-bytes': number;
  'md-policy': 'drop' | 'disconnect';
  'max-connections': number;
  'ring-size': number;
  'wait-strategy': WaitStrategyName;
}

/**
 * The symbols to trade: from `--config` (JSON `{ "symbols": [ {symbolId, name, tickSize, minPrice,
 * maxPrice, maxQuantity, priceDecimals}, … ] }`, defaults filled in) or `--symbols N` default ones.
 * Returns every problem with its path, or the configs.
 */
export function engineSymbols(configPath: string | undefined, count: number): { symbols: SymbolConfig[]; problems: string[] } {
  if (configPath === undefined) {
    const symbols = Array.from({ length: count }, (_, i) => ({ ...SYMBOL_DEFAULTS, minPrice: 1, symbolId: i + 1, name: `SYM${i + 1}` }));
    return { symbols, problems: [] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  } catch (error) {
    return { symbols: [], problems: [`${configPath}: ${(error as Error).message}`] };
  }
  const list = (parsed as { symbols?: unknown } | null)?.symbols;
  if (!Array.isArray(list) || list.length === 0) return { symbols: [], problems: ['symbols: must be a non-empty list'] };
  const problems: string[] = [];
  const symbols = list.map((raw, i) => {
    const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<SymbolConfig>;
    const tickSize = fields.tickSize ?? SYMBOL_DEFAULTS.tickSize;
    const config = { ...SYMBOL_DEFAULTS, minPrice: tickSize, name: `SYM${String(fields.symbolId ?? i + 1)}`, ...fields } as SymbolConfig;
    if (fields.symbolId === undefined) problems.push(`symbols[${i}].symbolId: required`);
    for (const problem of symbolConfigProblems(config)) problems.push(`symbols[${i}].${problem}`);
    return config;
  });
  const ids = symbols.map((s) => s.symbolId);
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) problems.push(`symbols[${i}].symbolId: ${id} is used twice`);
  });
  return { symbols, problems };
}

/** `matchbench engine`: run the reference engine until SIGINT or SIGTERM. */
export const engineCommand: CommandModule<object, EngineArgs> = {
  command: 'engine',
  describe: 'Run the reference engine (binary order entry and market data over TCP)',
  builder: (y) => y
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
    .option('order-port', { type: 'number', default: 9001, describe: 'Order-entry port (0: any free port)' })
    .option('md-port', { type: 'number', default: 9002, describe: 'Market-data port (0: any free port)' })
    .option('symbols', { type: 'number', default: 1, describe: 'Number of default symbols SYM1..SYMn (ignored with --config)' })
    .option('config', { type: 'string', describe: 'JSON file with the symbols to trade' })
    .option('journal', { type: 'string', describe: 'Journal file (replayed at start if it exists)' })
    .option('durability', { choices: ['none', 'batch', 'sync'] as const, default: 'batch' as const, describe: 'When journal records reach the disk' })
    .option('md-cap-bytes', { type: 'number', default: 1024 * 1024, describe: 'Bytes the engine holds for one market-data subscriber' })
    .option('md-policy', { choices: ['drop', 'disconnect'] as const, default: 'drop' as const, describe: 'What happens to a subscriber over its cap' })
    .option('max-connections', { type: 'number', default: 1_000, describe: 'Connections per port' })
    .option('ring-size', { type: 'number', default: MATCHER_THREAD_DEFAULTS.inboundCapacity as number,
      describe: 'Inbound ring slots (commands in flight before REJECT EngineBusy), a power of two; the outbound ring gets 4x' })
    .option('wait-strategy', { choices: WAIT_STRATEGY_NAMES, default: MATCHER_THREAD_DEFAULTS.waitStrategy as WaitStrategyName,
      describe: 'How the matcher worker waits for commands (busy-spin holds a core while idle)' })
    .check((a) => {
      const problems: string[] = [];
      for (const name of ['order-port', 'md-port'] as const) {
        if (!Number.isInteger(a[name]) || a[name] < 0 || a[name] > 65_535) problems.push(`--${name} must be a port number, got ${a[name]}`);
      }
      if (!Number.isInteger(a.symbols) || a.symbols < 1 || a.symbols > 10_000) problems.push(`--symbols must be 1..10000, got ${a.symbols}`);
      if (!(a['md-cap-bytes'] >= 1024)) problems.push(`--md-cap-bytes must be at least 1024, got ${a['md-cap-bytes']}`);
      if (!Number.isInteger(a['max-connections']) || a['max-connections'] < 1) problems.push(`--max-connections must be a positive integer, got ${a['max-connections']}`);
      const ring = a['ring-size'];
      if (!Number.isInteger(ring) || ring < 2 || ring > 2 ** 22 || (ring & (ring - 1)) !== 0) {
        problems.push(`--ring-size must be a power of two from 2 to 4194304, got ${ring}`);
      }
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    const { symbols, problems } = engineSymbols(a.config, a.symbols);
    if (problems.length > 0) {
      process.stderr.write(`matchbench engine: bad configuration:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exitCode = ExitCode.Usage;
      return;
    }
    const log = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };
    let engine: Engine;
    try {
      engine = await Engine.start({
        symbols, host: a.host, orderEntryPort: a['order-port'], marketDataPort: a['md-port'], durability: a.durability,
        marketData: { capBytes: a['md-cap-bytes'], policy: a['md-policy'] }, maxConnections: a['max-connections'], log,
        ringSize: a['ring-size'], waitStrategy: a['wait-strategy'],
        ...(a.journal === undefined ? {} : { journalPath: a.journal }),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof JournalError || code === 'EADDRINUSE' || code === 'EACCES') {
        process.stderr.write(`matchbench engine: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      throw error;
    }
    log(`engine ready: ${symbols.length} symbol(s); order entry ${a.host}:${engine.orderEntry.port}, market data ${a.host}:${engine.marketData.port}`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log(`${signal}: stopping (journal flushed, subscribers sent LOGOUT)`);
        void engine.stop().then(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    log(`stopped after ${engine.processed} commands`);
  },
};
