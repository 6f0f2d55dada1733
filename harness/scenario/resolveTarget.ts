/**
 * A scenario's `target:` section (docs/SCENARIOS.md#target), in either form: the `--target` string
 * (`soup://h:p,messages=ouch.yaml`, parseTarget.ts) or a map whose kind key names the engine and
 * whose other keys are the string form's options (`{soup: "h:p", messages: ouch.yaml}`). Both forms
 * check each value with the same parser. Files a target names (an HTTP mapping, a SoupBinTCP
 * message set, a feed layout) are read relative to the scenario file's directory.
 */
import path from 'node:path';
import { fixTarget } from '../targets/fix/parseFixTarget.js';
import { soupTarget } from '../targets/soup/parseSoupTarget.js';
import { describeValue } from './describeValue.js';
import { parseHostPort, parseHttpUrl, parseTargetFlag, TARGET_FLAG_FORMS } from './parseTarget.js';
import type { HostPort, TargetSpec } from './Scenario.js';
import type { ScenarioPath, ScenarioProblem } from './scenarioProblem.js';
import { parseInto, targetMapSchema, type TargetMapFile } from './scenarioSchema.js';
import type { TargetOption } from './targetOptions.js';

/** The keys that name the engine; a target map has exactly one. */
const KIND_KEYS = ['tcp', 'http', 'soup', 'fix'] as const;
type KindKey = (typeof KIND_KEYS)[number];

/** Each option key of a target map and the kinds that take it. */
const OPTION_KINDS: Readonly<Record<Exclude<keyof TargetMapFile, KindKey>, readonly KindKey[]>> = {
  marketData: ['tcp', 'http'], mdLayout: ['tcp', 'http'], mapping: ['http'],
  messages: ['soup'], user: ['soup'], password: ['soup'],
  version: ['fix'], sender: ['fix'], target: ['fix'], reset: ['fix'], heartbeat: ['fix'],
};

/** The map forms, for messages. */
const MAP_FORMS = '{tcp: host:port, marketData: host:port}, {http: url, mapping: file.yaml, marketData: host:port}, ' +
  '{soup: host:port, messages: file.yaml, user: U, password: P}, {fix: host:port, version: 4.4, sender: S, target: T, reset: true, heartbeat: 30}';

/**
 * Reads `input` (the file's `target:`; absent: embedded). Every problem is added under `target`;
 * undefined when there is any.
 *
 * @param sourceName the scenario file's path: relative file names in the target are resolved against its directory.
 */
export function resolveTarget(input: unknown, sourceName: string, problems: ScenarioProblem[]): TargetSpec | undefined {
  if (input === undefined || input === null) return { kind: 'embedded' };
  const before = problems.length;
  const add = (at: ScenarioPath, messages: readonly string[]): void => {
    for (const message of messages) problems.push({ path: ['target', ...at], message });
  };
  const file = (name: string): string => (path.isAbsolute(name) ? name : path.join(path.dirname(sourceName), name));
  if (typeof input === 'string') {
    const parsed = parseTargetFlag(input);
    if (parsed.ok) return withFilesResolved(parsed.value, file);
    add([], parsed.problems);
    return undefined;
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    add([], [`must be one of ${TARGET_FLAG_FORMS}, or a map: ${MAP_FORMS}; got ${describeValue(input)}`]);
    return undefined;
  }
  const map = parseInto(targetMapSchema, input, ['target'], problems);
  if (map === undefined) return undefined;
  const kinds = KIND_KEYS.filter((k) => map[k] !== undefined);
  const kind = kinds[0];
  if (kind === undefined || kinds.length > 1) {
    add([], [kind === undefined ? 'a target map needs one of tcp: host:port, http: url, soup: host:port or fix: host:port'
      : `give one of ${KIND_KEYS.join(', ')}, not ${kinds.join(' and ')}`]);
    return undefined;
  }
  for (const [key, takers] of Object.entries(OPTION_KINDS)) {
    if (map[key as keyof typeof OPTION_KINDS] !== undefined && !takers.includes(kind)) {
      add([key], [`${key} is for ${takers.join(' and ')} targets, not ${kind}`]);
    }
  }
  const options = (keys: readonly (keyof typeof OPTION_KINDS)[]): TargetOption[] => keys.flatMap((key) => {
    const value = map[key];
    if (value === undefined) return [];
    const resolved = key === 'messages' ? file(value) : value;
    return [{ key, value: resolved, shown: `${key}: ${key === 'password' ? '…' : value}` }];
  });
  const hostPort = (key: 'tcp' | 'marketData', text: string | undefined): HostPort | null | undefined => {
    if (text === undefined) return null;
    const parsed = parseHostPort(text);
    if (parsed.ok) return parsed.value;
    add([key], parsed.problems);
    return undefined;
  };
  let spec: TargetSpec | undefined;
  if (kind === 'soup') {
    const parsed = soupTarget(map.soup ?? '', options(['messages', 'user', 'password']),
      'a soup target needs messages: file.yaml, its message set (docs/SOUP.md; e.g. targets/soup/ouch42.yaml)');
    if (parsed.ok) spec = parsed.value;
    else add([], parsed.problems);
  } else if (kind === 'fix') {
    const parsed = fixTarget(map.fix ?? '', options(['version', 'sender', 'target', 'reset', 'heartbeat']), 'a fix target needs version: 4.2 or 4.4');
    if (parsed.ok) spec = parsed.value;
    else add([], parsed.problems);
  } else {
    const marketData = hostPort('marketData', map.marketData);
    const mdLayout = map.mdLayout === undefined ? {} : { mdLayout: file(map.mdLayout) };
    // A layout file says how to read the feed at marketData; without marketData there is no feed to read.
    if (map.mdLayout !== undefined && map.marketData === undefined) add(['mdLayout'], ['a layout feed needs marketData: host:port, the feed\'s address']);
    if (kind === 'tcp') {
      const orderEntry = hostPort('tcp', map.tcp);
      if (orderEntry !== undefined && orderEntry !== null && marketData !== undefined) spec = { kind: 'tcp', orderEntry, marketData, ...mdLayout };
    } else {
      const url = parseHttpUrl(map.http ?? '');
      if (!url.ok) add(['http'], url.problems);
      else if (marketData !== undefined) spec = { kind: 'http', url: url.value, marketData, ...mdLayout, ...(map.mapping === undefined ? {} : { mapping: file(map.mapping) }) };
    }
  }
  return problems.length === before ? spec : undefined;
}

/** `spec` with the files it names (mapping, messages, mdLayout) resolved by `file`. */
function withFilesResolved(spec: TargetSpec, file: (name: string) => string): TargetSpec {
  switch (spec.kind) {
    case 'soup': return { ...spec, messages: file(spec.messages) };
    case 'tcp': return spec.mdLayout === undefined ? spec : { ...spec, mdLayout: file(spec.mdLayout) };
    case 'http': return { ...spec, ...(spec.mdLayout === undefined ? {} : { mdLayout: file(spec.mdLayout) }),
      ...(spec.mapping === undefined ? {} : { mapping: file(spec.mapping) }) };
    default: return spec;
  }
}
