import { loadYamlFile, parseYamlWith } from '../../scenario/loadScenario.js';
import { resolveSoupMessageSet } from './resolveSoupMessageSet.js';
import type { SoupMessageSet } from './SoupMessageSet.js';

/**
 * A message-set file, loaded: the set, or every problem found, each a line such as
 * `toEngine[0].fields[3].size: a uint is 1, 2, 4 or 8 bytes, not 3 (line 22)`.
 */
export type LoadedSoupMessageSet =
  | { readonly ok: true; readonly messageSet: SoupMessageSet }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Parses and validates a message-set file's text (docs/SOUP.md); never throws for bad input. */
export function parseSoupMessageSet(text: string): LoadedSoupMessageSet {
  const parsed = parseYamlWith(text, resolveSoupMessageSet);
  return parsed.ok ? { ok: true, messageSet: parsed.value } : parsed;
}

/** Reads and validates a message-set file; a file that cannot be read is a problem like any other. */
export async function loadSoupMessageSet(path: string): Promise<LoadedSoupMessageSet> {
  const loaded = await loadYamlFile(path, 'message set', resolveSoupMessageSet);
  return loaded.ok ? { ok: true, messageSet: loaded.value } : loaded;
}
