import { describe, expect, it } from 'vitest';
import { loadHttpMapping, parseHttpMapping, requireHttpMapping } from './loadHttpMapping.js';

describe('loadHttpMapping', () => {
  it('loads both shipped mappings', async () => {
    const reference = await loadHttpMapping('mappings/reference-engine.yaml');
    if (!reference.ok) throw new Error(reference.problems.join('\n'));
    expect(reference.mapping.operations.cancel?.method).toBe('DELETE');
    expect(reference.mapping.http(503)).toBe('busy');
    expect(reference.mapping.http(400)).toBe('error');
    const example = await loadHttpMapping('mappings/example-exchange.yaml');
    if (!example.ok) throw new Error(example.problems.join('\n'));
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

  it('throws an HttpMappingError (a RangeError: bad input, exit code 2) naming the file', async () => {
    const error = await requireHttpMapping('mappings/no-such.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain('cannot read HTTP mapping mappings/no-such.yaml: no such file');
  });
});
