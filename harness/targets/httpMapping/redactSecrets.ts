/** What a secret is shown as. */
export const REDACTED = '***';

/**
 * `text` with every secret (a header value taken from the environment, resolveMappingHeaders.ts)
 * replaced by `***`: for messages that quote an engine's answer, which may echo a token back.
 * Longer secrets first, so that one inside another is not left half shown.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret !== '') out = out.split(secret).join(REDACTED);
  return out;
}
