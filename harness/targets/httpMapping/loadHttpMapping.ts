import { HttpMappingError } from './HttpMappingError.js';
import { loadYamlFile, parseYamlWith } from '../../scenario/loadScenario.js';
import type { HttpMapping } from './HttpMapping.js';
import type { MappingEnv } from './resolveMappingHeaders.js';
import { resolveHttpMapping } from './resolveHttpMapping.js';

/**
 * A mapping file, loaded: the mapping, or every problem found, each a line such as
 * `operations.cancel.request: {order} is not a value this request can carry; … (line 31)`.
 */
export type LoadedHttpMapping =
  | { readonly ok: true; readonly mapping: HttpMapping }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses and validates a mapping file's text (docs/HTTP_MAPPING.md); never throws for bad input.
 * `env`: where `${env:NAME}` header values come from (default none).
 */
export function parseHttpMapping(text: string, env: MappingEnv = {}): LoadedHttpMapping {
  const parsed = parseYamlWith(text, (value) => resolveHttpMapping(value, env));
  return parsed.ok ? { ok: true, mapping: parsed.value } : parsed;
}

/** Reads and validates a mapping file; a file that cannot be read is a problem like any other. */
export async function loadHttpMapping(path: string, env: MappingEnv = {}): Promise<LoadedHttpMapping> {
  const loaded = await loadYamlFile(path, 'HTTP mapping', (value) => resolveHttpMapping(value, env));
  return loaded.ok ? { ok: true, mapping: loaded.value } : loaded;
}

/** {@link loadHttpMapping}, throwing an {@link HttpMappingError} with every problem when the file cannot be used. */
export async function requireHttpMapping(path: string, env: MappingEnv = {}): Promise<HttpMapping> {
  const loaded = await loadHttpMapping(path, env);
  if (!loaded.ok) throw new HttpMappingError(loaded.problems);
  return loaded.mapping;
}
