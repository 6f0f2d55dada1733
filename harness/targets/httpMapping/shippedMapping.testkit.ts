import { readFileSync } from 'node:fs';
import { EXAMPLE_EXCHANGE_TOKEN } from './ExampleExchangePeer.testkit.js';
import type { HttpMapping } from './HttpMapping.js';
import { parseHttpMapping } from './loadHttpMapping.js';

/** The environment the shipped mappings are loaded with in tests: example-exchange's API key, as its peer takes it. */
export const SHIPPED_MAPPING_ENV = { EXCHANGE_TOKEN: EXAMPLE_EXCHANGE_TOKEN } as const;

/** A mapping shipped in mappings/ (`reference-engine`, `example-exchange`), loaded with {@link SHIPPED_MAPPING_ENV}; throws with its problems. */
export function shippedMapping(name: string): HttpMapping {
  const loaded = parseHttpMapping(readFileSync(`mappings/${name}.yaml`, 'utf8'), SHIPPED_MAPPING_ENV);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.mapping;
}
