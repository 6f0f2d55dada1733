import { createHash } from 'node:crypto';

/**
 * The run's stream hash: SHA-256 over the clients' stream hashes (hex SHA-256 each, see
 * StreamHasher) as 32 raw bytes each, in client order (client 0 first). Fixed-size parts, so no
 * separator is needed; the client count is part of the input length.
 */
export function combineStreamHashes(perClientHex: readonly string[]): string {
  const problems: string[] = [];
  perClientHex.forEach((h, i) => {
    if (!/^[0-9a-f]{64}$/.test(h)) problems.push(`perClient[${i}]: not a hex SHA-256 (64 lower-case hex digits): ${JSON.stringify(h)}`);
  });
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const hash = createHash('sha256');
  hash.update('matchbench-run-v1\n', 'utf8');
  for (const h of perClientHex) hash.update(Buffer.from(h, 'hex'));
  return hash.digest('hex');
}
