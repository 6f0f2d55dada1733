import { readFileSync } from 'node:fs';
import type { HttpMapping } from './HttpMapping.js';
import { parseHttpMapping } from './loadHttpMapping.js';

/** A mapping shipped in mappings/ (`reference-engine`, `example-exchange`), loaded; throws with its problems. */
export function shippedMapping(name: string): HttpMapping {
  const loaded = parseHttpMapping(readFileSync(`mappings/${name}.yaml`, 'utf8'));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.mapping;
}
