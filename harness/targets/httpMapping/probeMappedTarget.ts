import { TargetError } from '../../clients/TargetError.js';
import { HTTP_PROBE_DEFAULTS, type HttpProbeOptions } from '../probeHttpTarget.js';
import type { HttpMapping } from './HttpMapping.js';
import { fillTemplate } from './mappedRequest.js';
import { redactSecrets } from './redactSecrets.js';

/**
 * Checks, before any load, that `baseUrl` answers the mapping's health request (which must have
 * no effect) with an HTTP status the mapping calls accepted. One request through Node's fetch.
 * Throws a {@link TargetError}: `unreachable` when nothing answers, `protocol` for any other status.
 */
export async function probeMappedTarget(baseUrl: string, mapping: HttpMapping, options: HttpProbeOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? HTTP_PROBE_DEFAULTS.timeoutMs;
  const health = fillTemplate(mapping.operations.health, () => undefined);
  const what = `${health.method} ${health.path}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baseUrl}${health.path}`, { method: health.method, headers: mapping.headers, signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new TargetError('unreachable', baseUrl, `${baseUrl} cannot be reached: ${what} failed (${why})`);
  }
  if (mapping.http(response.status) !== 'accepted') {
    // The engine may echo a header back: a token from the environment is never shown.
    const clean = redactSecrets(text, mapping.secrets);
    const shown = JSON.stringify(clean.length > 80 ? `${clean.slice(0, 80)}…` : clean);
    throw new TargetError('protocol', baseUrl, `${baseUrl} answered the mapping ${mapping.name}'s health request ${what} with HTTP ${response.status} ${shown}; ` +
      'the mapping lists it as accepted only for a 2xx-like answer (operations.health, http.accepted)');
  }
}
