import type { ScenarioPath } from '../../scenario/scenarioProblem.js';

/** The environment a mapping's `${env:NAME}` header values are read from (the CLI passes process.env). */
export type MappingEnv = Readonly<Record<string, string | undefined>>;

/** Headers the connection itself sets: a mapping may not set them. */
const CONNECTION_HEADERS = ['content-length', 'transfer-encoding', 'host', 'connection'];

/** An HTTP header name: a token (RFC 9110). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a header value may hold: printable ASCII, spaces and tabs (no line breaks: autocannon writes headers as raw text). */
const VALUE = /^[\t\x20-\x7e]*$/;
/** A placeholder in a value: `${env:NAME}`. */
const PLACEHOLDER = /\$\{([^}]*)\}/g;
const ENV_NAME = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/** Headers sent with every request of a mapping, resolved; `secrets` are the values taken from the environment. */
export interface ResolvedMappingHeaders {
  readonly headers: Readonly<Record<string, string>>;
  /** Kept out of every message and report (redactSecrets.ts). */
  readonly secrets: readonly string[];
}

/**
 * A mapping's `headers:` (name → value, with `${env:NAME}` placeholders), resolved against `env`.
 * Each problem is added under `headers.<name>` and names what is wrong (a variable that is not set
 * is named; its value, when set, never appears in a message).
 */
export function resolveMappingHeaders(raw: Readonly<Record<string, string>>, env: MappingEnv,
  add: (path: ScenarioPath, message: string) => void): ResolvedMappingHeaders {
  const headers: Record<string, string> = {};
  const secrets = new Set<string>();
  const seen = new Map<string, string>();
  for (const [name, template] of Object.entries(raw)) {
    const at: ScenarioPath = ['headers', name];
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) { add(at, `"${name}" is not a header name (letters, digits and !#$%&'*+.^_\`|~- only)`); continue; }
    if (CONNECTION_HEADERS.includes(lower)) { add(at, `${name} is set by the connection, not the mapping`); continue; }
    const other = seen.get(lower);
    if (other !== undefined) { add(at, `${name} is ${other} again (header names ignore case)`); continue; }
    seen.set(lower, name);
    if (!VALUE.test(template)) { add(at, 'a header value is one line of printable ASCII'); continue; }
    let ok = true;
    const value = template.replace(PLACEHOLDER, (_match, inner: string) => {
      const variable = ENV_NAME.exec(inner)?.[1];
      if (variable === undefined) {
        add(at, `"\${${inner}}" is not a placeholder; a value from the environment is written \${env:NAME}`);
        ok = false;
        return '';
      }
      const got = env[variable];
      if (got === undefined || got === '') {
        add(at, `environment variable ${variable} is ${got === undefined ? 'not set' : 'empty'}`);
        ok = false;
        return '';
      }
      if (!VALUE.test(got)) {
        add(at, `environment variable ${variable} holds a line break or control character, which a header value cannot carry`);
        ok = false;
        return '';
      }
      secrets.add(got);
      return got;
    });
    if (ok) headers[name] = value;
  }
  return { headers, secrets: [...secrets] };
}
