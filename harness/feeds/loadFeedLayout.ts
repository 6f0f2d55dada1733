import { loadYamlFile, parseYamlWith } from '../scenario/loadScenario.js';
import type { FeedLayout } from './FeedLayout.js';
import { resolveFeedLayout } from './resolveFeedLayout.js';

/**
 * A layout file, loaded: the layout, or every problem found, each a line such as
 * `messages[2].fields[0].offset: price (bytes 60..67) ends beyond the 56-byte frame (line 31)`.
 */
export type LoadedFeedLayout =
  | { readonly ok: true; readonly layout: FeedLayout }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Parses and validates a layout file's text (docs/FEED_LAYOUT.md); never throws for bad input. */
export function parseFeedLayout(text: string): LoadedFeedLayout {
  const parsed = parseYamlWith(text, resolveFeedLayout);
  return parsed.ok ? { ok: true, layout: parsed.value } : parsed;
}

/** Reads and validates a layout file; a file that cannot be read is a problem like any other. */
export async function loadFeedLayout(path: string): Promise<LoadedFeedLayout> {
  const loaded = await loadYamlFile(path, 'layout', resolveFeedLayout);
  return loaded.ok ? { ok: true, layout: loaded.value } : loaded;
}
