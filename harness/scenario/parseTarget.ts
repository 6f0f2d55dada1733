import { parseSoupTarget } from '../targets/soup/parseSoupTarget.js';
import { parseFixTarget } from '../targets/fix/parseFixTarget.js';
import type { HostPort, TargetSpec } from './Scenario.js';

/** Result of a target parse: the value, or every problem with it. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

/** The `--target` forms, for messages and help text. */
export const TARGET_FLAG_FORMS = 'embedded | inproc | tcp://host:port[,md=host:port[,md-layout=file.yaml]] | http://host:port[,md=host:port[,md-layout=file.yaml]][,mapping=file.yaml] | soup://host:port,messages=file.yaml[,user=U,password=P] | fix://host:port,version=4.2|4.4[,sender=S,target=T,reset=true|false,heartbeat=N]';

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]/]+)):(\d+)$/;

/** `host:port` (IPv6 in brackets: `[::1]:9000`), port 1..65535. */
export function parseHostPort(text: string): Parsed<HostPort> {
  const match = HOST_PORT.exec(text.trim());
  if (match === null) return { ok: false, problems: [`"${text}" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001)`] };
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (!(port >= 1 && port <= 65_535)) return { ok: false, problems: [`"${text}": port ${match[3]} is not in 1..65535`] };
  return { ok: true, value: { host, port } };
}

/**
 * An HTTP order API base URL: http or https, a host and a port, no credentials, query or fragment.
 * Returned normalised (lowercase scheme and host, no trailing slash) so that equal targets hash equal.
 */
export function parseHttpUrl(text: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, problems: [`"${text}" is not a URL (e.g. http://127.0.0.1:8080)`] };
  }
  const problems: string[] = [];
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`"${text}": the scheme must be http or https, not ${url.protocol.slice(0, -1)}`);
  if (url.username !== '' || url.password !== '') problems.push(`"${text}": credentials in the URL are not supported`);
  if (url.search !== '' || url.hash !== '') problems.push(`"${text}": a base URL has no query or fragment`);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/**
 * Parses the CLI's `--target`: `embedded`, `inproc`, `tcp://host:port[,md=host:port]` or
 * `http://host:port[,md=host:port][,mapping=file.yaml]` (`md`: the market-data port, if the engine has one;
 * `md-layout`: a feed layout file, docs/FEED_LAYOUT.md, for a feed at `md` that is not matchbench's protocol;
 * `mapping`: an HTTP mapping file, docs/HTTP_MAPPING.md, for an engine whose API is not docs/HTTP.md). The same
 * forms are accepted as a string `target:` in a scenario file. Messages do not name the flag; the
 * caller prefixes them.
 */
export function parseTargetFlag(text: string): Parsed<TargetSpec> {
  const trimmed = text.trim();
  if (trimmed === 'embedded') return { ok: true, value: { kind: 'embedded' } };
  if (trimmed === 'inproc') return { ok: true, value: { kind: 'inproc' } };
  if (trimmed.startsWith('soup://')) return parseSoupTarget(trimmed);
  if (trimmed.startsWith('fix://')) return parseFixTarget(trimmed);
  const [main = '', ...options] = trimmed.split(',');
  const problems: string[] = [];
  let marketData: HostPort | null = null;
  let mapping: string | undefined;
  let mdLayout: string | undefined;
  for (const option of options) {
    const [key, value, ...extra] = option.split('=');
    if (key === 'mapping' && value !== undefined && value !== '' && extra.length === 0) {
      mapping = value;
      continue;
    }
    if (key === 'md-layout') {
      if (value !== undefined && value !== '' && extra.length === 0) mdLayout = value;
      else problems.push(`"${option}": md-layout names a feed layout file, e.g. md-layout=feeds/examples/itch-like.yaml`);
      continue;
    }
    if ((key !== 'md' && key !== 'marketData') || value === undefined || extra.length > 0) {
      problems.push(`unknown option "${option}" (options: md=host:port, md-layout=file.yaml, and for http:// mapping=file.yaml)`);
      continue;
    }
    const parsed = parseHostPort(value);
    if (parsed.ok) marketData = parsed.value;
    else problems.push(...parsed.problems.map((problem) => `md: ${problem}`));
  }
  // A layout file says how to read the feed at md=; without md= there is no feed to read.
  if (mdLayout !== undefined && marketData === null) problems.push(`md-layout=${mdLayout}: a layout feed needs md=host:port, the feed's address`);
  const layoutOption = mdLayout === undefined ? {} : { mdLayout };
  const scheme = /^([a-z]+):\/\//.exec(main)?.[1];
  if (scheme === 'tcp') {
    const orderEntry = parseHostPort(main.slice('tcp://'.length).replace(/\/$/, ''));
    if (!orderEntry.ok) problems.push(...orderEntry.problems);
    if (mapping !== undefined) problems.push(`mapping=${mapping}: a mapping file is for http:// targets only`);
    if (!orderEntry.ok || problems.length > 0) return { ok: false, problems };
    return { ok: true, value: { kind: 'tcp', orderEntry: orderEntry.value, marketData, ...layoutOption } };
  }
  if (scheme === 'http' || scheme === 'https') {
    const url = parseHttpUrl(main);
    if (!url.ok) problems.push(...url.problems);
    if (!url.ok || problems.length > 0) return { ok: false, problems };
    return { ok: true, value: { kind: 'http', url: url.value, marketData, ...(mapping === undefined ? {} : { mapping }), ...layoutOption } };
  }
  return { ok: false, problems: [`"${text}" is not a target; forms: ${TARGET_FLAG_FORMS}`, ...problems] };
}
