import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { Scenario } from './Scenario.js';
import { resolveScenario } from './resolveScenario.js';
import { scenarioHash } from './scenarioHash.js';
import { formatScenarioPath, type ScenarioPath, type ScenarioProblem } from './scenarioProblem.js';

/**
 * A scenario file, loaded: the validated Scenario and its hash, or every problem found, each a
 * line such as `phases[2].rate.perSecond: must be > 0, got number 0 (line 14)`.
 */
export type LoadedScenario =
  | { readonly ok: true; readonly scenario: Scenario; readonly hash: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Aliases a file may expand: enough for sharing blocks, too few for a "billion laughs" file. */
const MAX_ALIAS_COUNT = 1_000;

/**
 * Parses and validates a scenario file's text (docs/SCENARIOS.md). Never throws for bad input:
 * YAML syntax errors come back with line:column, every other problem with its path and line, in the
 * order of the file.
 *
 * @param sourceName the file's name, for the default `name:`.
 */
export function parseScenario(text: string, sourceName: string): LoadedScenario {
  const parsed = parseYamlWith(text, (value) => {
    const resolved = resolveScenario(value, sourceName);
    return resolved.ok ? { ok: true, value: resolved.scenario } : resolved;
  });
  return parsed.ok ? { ok: true, scenario: parsed.value, hash: scenarioHash(parsed.value) } : parsed;
}

/**
 * Parses YAML text and checks it with `resolve`, for any file validated the way scenarios are
 * (scenarios, feed layouts). Never throws for bad input: YAML syntax errors come back with
 * line:column, every problem of `resolve` as `path: message (line N)`, in the order of the file.
 */
export function parseYamlWith<T>(
  text: string,
  resolve: (value: unknown) => { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly ScenarioProblem[] },
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return `yaml syntax error at ${at.line}:${at.col}: ${error.message.split('\n')[0] ?? error.message}`;
      }),
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, problems: [`yaml: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const resolved = resolve(value);
  if (!resolved.ok) {
    // In the order of the file, so that a user can walk down it fixing them.
    const located = resolved.problems.map((problem, index) => ({ problem, index, offset: problemOffset(problem, document) }));
    located.sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity) || a.index - b.index);
    return { ok: false, problems: located.map(({ problem, offset }) => problemLine(problem, offset, lineCounter)) };
  }
  return resolved;
}

/**
 * Reads a text file; a file that cannot be read comes back as a problem like any other,
 * `cannot read <what> <path>: no such file`.
 */
export async function readTextFile(path: string, what: string): Promise<{ readonly ok: true; readonly text: string } | { readonly ok: false; readonly problems: readonly string[] }> {
  try {
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    return { ok: false, problems: [`cannot read ${what} ${path}: ${reason}`] };
  }
}

/**
 * Reads a YAML file and checks it with `resolve` as {@link parseYamlWith} does (feed layouts, HTTP
 * mappings, message sets); every problem is prefixed with the file's path.
 */
export async function loadYamlFile<T>(
  path: string,
  what: string,
  resolve: Parameters<typeof parseYamlWith<T>>[1],
): Promise<{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] }> {
  const read = await readTextFile(path, what);
  if (!read.ok) return read;
  const parsed = parseYamlWith(read.text, resolve);
  return parsed.ok ? parsed : { ok: false, problems: parsed.problems.map((p) => `${path}: ${p}`) };
}

/** Reads and validates a scenario file; a file that cannot be read is a problem like any other. */
export async function loadScenario(path: string): Promise<LoadedScenario> {
  const read = await readTextFile(path, 'scenario');
  if (!read.ok) return read;
  return parseScenario(read.text, path);
}

/** Where in the source `problem` is: the deepest part of its path the file has (for an unknown key, the key itself). */
function problemOffset(problem: ScenarioProblem, document: Document): number | undefined {
  const unknownKey = /^unknown key "(.+?)"/.exec(problem.message)?.[1];
  return sourceOffset(document, unknownKey === undefined ? problem.path : [...problem.path, unknownKey]);
}

/** `path: message (line N)`. */
function problemLine(problem: ScenarioProblem, offset: number | undefined, lineCounter: LineCounter): string {
  const path = formatScenarioPath(problem.path);
  const line = offset === undefined ? '' : ` (line ${lineCounter.linePos(offset).line})`;
  return `${path.length > 0 ? `${path}: ` : ''}${problem.message}${line}`;
}

function sourceOffset(document: Document, path: ScenarioPath): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
