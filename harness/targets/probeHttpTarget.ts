import { TargetError } from '../clients/TargetError.js';

/** Options of {@link probeHttpTarget}; each documents its default. */
export interface HttpProbeOptions {
  /** How long to wait for the answer, ms. Default 3,000. */
  readonly timeoutMs?: number;
}

export const HTTP_PROBE_DEFAULTS = { timeoutMs: 3_000 } as const;

/**
 * Checks, before any load, that `baseUrl` serves the HTTP order API of docs/HTTP.md: it sends one
 * `POST /orders` with the body `{}`, which such an engine refuses (400, a JSON `errors` list) without
 * any effect on its books. One request through Node's own fetch: the load itself goes through
 * autocannon.
 *
 * Throws a {@link TargetError}: `unreachable` when nothing answers at the address (refused, no
 * route, no answer within timeoutMs), `protocol` when something answers but not as the API does
 * (404/405, a 2xx to an empty order, a body that is not JSON).
 */
export async function probeHttpTarget(baseUrl: string, options: HttpProbeOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? HTTP_PROBE_DEFAULTS.timeoutMs;
  const url = `${baseUrl}/orders`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
      signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new TargetError('unreachable', baseUrl, `${baseUrl} cannot be reached: POST /orders failed (${why})`);
  }
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  const speaksIt = `it does not serve the HTTP order API of docs/HTTP.md (an empty order should be refused with 400 and a JSON errors list)`;
  if (response.status < 400 || response.status >= 500 || response.status === 404 || response.status === 405) {
    throw new TargetError('protocol', baseUrl, `${baseUrl} answered POST /orders {} with HTTP ${response.status} ${shown}: ${speaksIt}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TargetError('protocol', baseUrl,
      `${baseUrl} answered POST /orders {} with HTTP ${response.status} and a body that is not JSON ${shown}: ${speaksIt}`);
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { errors?: unknown }).errors)) {
    throw new TargetError('protocol', baseUrl,
      `${baseUrl} answered POST /orders {} with HTTP ${response.status} and JSON without an errors list ${shown}: ${speaksIt}`);
  }
}
