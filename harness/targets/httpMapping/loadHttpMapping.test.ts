import { describe, expect, it } from 'vitest';
import { loadHttpMapping, parseHttpMapping, requireHttpMapping } from './loadHttpMapping.js';
import { SHIPPED_MAPPING_ENV } from './shippedMapping.testkit.js';

/** A small valid mapping with `extra` lines added at its top level. */
const withLines = (extra: string): string => `version: 1
name: small
price: { encoding: integer }
operations:
  health: { request: GET /ping }
  new: { request: POST /order, body: { qty: quantity } }
answer: {}
${extra}`;

describe('loadHttpMapping', () => {
  it('loads both shipped mappings', async () => {
    const reference = await loadHttpMapping('mappings/reference-engine.yaml');
    if (!reference.ok) throw new Error(reference.problems.join('\n'));
    expect(reference.mapping.operations.cancel?.method).toBe('DELETE');
    expect(reference.mapping.http(503)).toBe('busy');
    expect(reference.mapping.http(400)).toBe('error');
    const example = await loadHttpMapping('mappings/example-exchange.yaml', SHIPPED_MAPPING_ENV);
    if (!example.ok) throw new Error(example.problems.join('\n'));
    expect(example.mapping.headers).toEqual({ Authorization: `Bearer ${SHIPPED_MAPPING_ENV.EXCHANGE_TOKEN}` });
    expect(example.mapping.secrets).toEqual([SHIPPED_MAPPING_ENV.EXCHANGE_TOKEN]);
    expect(example.mapping.operations.replace).toBeNull();
    expect(example.mapping.price).toEqual({ encoding: 'decimal-string', decimals: 2, tickSize: null });
    expect(example.mapping.statuses.get('EXPIRED')).toBe('cancelled');
    expect(example.mapping.http(429)).toBe('busy');
    expect(example.mapping.http(204)).toBe('accepted');
  });

  it('names every problem of a bad file at once, with its path and line', () => {
    const loaded = parseHttpMapping(`version: 1
name: broken
price: { encoding: decimal-string, tickSize: 5 }
spellings:
  side: { buy: B, sel: S }
operations:
  health: { request: GET /ping }
  new:
    request: SEND /order
    body: { px: prize, qty: quantity }
  cancel: { request: "DELETE /cancel?id={orderId}" }
  replace: { request: "PUT /order/{levels}" }
answer:
  status: state
statuses:
  resting: [NEW]
  filled: [NEW]
reasons: { PX: WrongPrice }
http:
  busy: [503, 503]
`);
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^price\.decimals: required for the decimal-string encoding .*\(line 3\)$/),
      'price.tickSize: only the ticks encoding uses a tick size (line 3)',
      'spellings.side.sell: required (line 5)',
      'spellings.side: unknown key "sel" (did you mean "sell"?) (line 5)',
      'operations.new.request: method SEND is not one of GET, POST, PUT, PATCH, DELETE (line 9)',
      expect.stringMatching(/^operations\.new\.body\.px: "prize" is not a value this request can carry .*\(line 10\)$/),
      expect.stringMatching(/^operations\.replace\.request: \{levels\} is not a value this request can carry.*\(line 12\)$/),
      expect.stringMatching(/^answer\.orderId: required: the cancel or replace request uses \{orderId\}.* \(line 14\)$/),
      'statuses.filled[0]: "NEW" is already a spelling of resting (line 17)',
      expect.stringMatching(/^reasons\.PX: "WrongPrice" is not a matchbench reject reason; one of UnknownSymbol, .*\(line 18\)$/),
      'http.busy[1]: 503 is already listed under busy (line 20)',
    ]);
  });

  it('fills header values from the environment, and names a variable that is not set (the run stops before any request)', async () => {
    const loaded = parseHttpMapping(withLines('headers:\n  Authorization: Bearer ${env:MB_TOKEN}\n  X-Desk: "7"\n'), { MB_TOKEN: 's3cret' });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.mapping.headers).toEqual({ Authorization: 'Bearer s3cret', 'X-Desk': '7' });
    expect(loaded.mapping.secrets).toEqual(['s3cret']);
    const missing = await loadHttpMapping('mappings/example-exchange.yaml', {});
    expect(missing).toEqual({ ok: false, problems: [expect.stringMatching(
      /^mappings\/example-exchange\.yaml: headers\.Authorization: environment variable EXCHANGE_TOKEN is not set \(line \d+\)$/)] });
    const error = await requireHttpMapping('mappings/example-exchange.yaml', { EXCHANGE_TOKEN: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain('headers.Authorization: environment variable EXCHANGE_TOKEN is empty');
  });

  it('names every bad header and quantity setting at once, never quoting a value from the environment', () => {
    const loaded = parseHttpMapping(withLines(`quantity: { encoding: decimal-string, lotSize: 0 }
headers:
  Content-Length: "5"
  "X Bad": a
  X-Key: \${KEY}
  X-Token: \${env:TOKEN}
  x-token: again
`), { TOKEN: 'line\nbreak-secret' });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems.map((p) => p.replace(/ \(line \d+\)$/, ''));
    expect(problems).toEqual([
      'quantity.lotSize: must be >= 1, got number 0',
      'headers.Content-Length: Content-Length is set by the connection, not the mapping',
      'headers.X Bad: "X Bad" is not a header name (letters, digits and !#$%&\'*+.^_`|~- only)',
      'headers.X-Key: "${KEY}" is not a placeholder; a value from the environment is written ${env:NAME}',
      'headers.X-Token: environment variable TOKEN holds a line break or control character, which a header value cannot carry',
      'headers.x-token: x-token is X-Token again (header names ignore case)',
    ]);
    expect(problems.join('\n')).not.toContain('break-secret');
    const quantity = parseHttpMapping(withLines('quantity: { encoding: decimal-number }\n'));
    expect(quantity.ok ? [] : quantity.problems).toEqual([expect.stringMatching(/^quantity\.decimals: required for the decimal-number encoding/)]);
    const lots = parseHttpMapping(withLines('quantity: { encoding: lots, decimals: 2 }\n'));
    expect(lots.ok ? [] : lots.problems.map((p) => p.replace(/ \(line \d+\)$/, ''))).toEqual([
      'quantity.lotSize: required for the lots encoding (quantity units per lot)',
      'quantity.decimals: only the decimal-number and decimal-string encodings use decimals',
    ]);
  });

  it('throws an HttpMappingError (a RangeError: bad input, exit code 2) naming the file', async () => {
    const error = await requireHttpMapping('mappings/no-such.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain('cannot read HTTP mapping mappings/no-such.yaml: no such file');
  });
});
