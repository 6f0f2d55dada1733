import { applyCommand } from '../book/Command.js';
import { Matcher } from '../book/Matcher.js';
import { symbolConfig, type SymbolConfig } from '../book/SymbolConfig.js';
import { JournalError } from './journalFormat.js';
import { readJournal, type JournalContents } from './readJournal.js';

/** The configuration a journal header holds for the engine. */
export interface JournalConfig {
  readonly symbols: readonly SymbolConfig[];
}

/** What a replay rebuilt. */
export interface ReplayResult extends JournalContents {
  readonly matcher: Matcher;
  /** {@link Matcher.stateHash} after the last record. */
  readonly stateHash: string;
}

/**
 * Rebuilds the books from a journal: a fresh matcher for the header's symbols, every record
 * applied in order. The same journal always gives the same state hash.
 */
export function replayJournal(path: string): ReplayResult {
  let matcher: Matcher | undefined;
  const contents = readJournal(path, {
    header: (config) => {
      matcher = new Matcher(journalConfig(config).symbols);
    },
    record: (command) => {
      const m = matcher as Matcher;
      applyCommand(m, command);
      m.events.clear();
    },
  });
  const rebuilt = matcher as Matcher;
  return { ...contents, matcher: rebuilt, stateHash: rebuilt.stateHash() };
}

/** Validates a journal header's configuration. */
export function journalConfig(config: unknown): JournalConfig {
  const symbols = (config as { symbols?: unknown } | null)?.symbols;
  if (!Array.isArray(symbols)) throw new JournalError('journal header has no symbols list', 8);
  return { symbols: symbols.map((s) => symbolConfig(s as SymbolConfig)) };
}
