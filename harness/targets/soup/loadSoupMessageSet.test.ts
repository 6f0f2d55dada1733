import { describe, expect, it } from 'vitest';
import { loadSoupMessageSet, parseSoupMessageSet } from './loadSoupMessageSet.js';
import { SoupMessageCodec } from './SoupMessageCodec.js';

const MINIMAL = `
version: 1
name: tiny
toEngine:
  - type: O
    name: Enter
    role: enterOrder
    size: 20
    fields:
      - { name: token, offset: 1, size: 8, type: alpha, role: token }
      - { name: side, offset: 9, size: 1, type: alpha, role: side, values: { buy: B, sell: S } }
      - { name: qty, offset: 10, size: 4, type: uint, role: quantity, endianness: little }
      - { name: px, offset: 14, size: 4, type: price, decimals: 2, role: price }
      - { name: tag, offset: 18, size: 2, type: alpha, value: 'MB', pad: left }
  - type: X
    name: Cancel
    role: cancelOrder
    size: 9
    fields:
      - { name: token, offset: 1, size: 8, type: alpha, role: token }
fromEngine:
  - { type: A, name: Accepted, role: accepted, size: 9, fields: [ { name: token, offset: 1, size: 8, type: alpha, role: token } ] }
  - { type: J, name: Rejected, role: rejected, size: 10, fields: [ { name: token, offset: 1, size: 8, type: alpha, role: token }, { name: why, offset: 9, size: 1, type: alpha, role: reason, values: { halted: H } } ] }
  - { type: C, name: Canceled, role: canceled, size: 9, fields: [ { name: token, offset: 1, size: 8, type: alpha, role: token } ] }
  - name: Executed
    type: E
    role: executed
    size: 25
    fields:
      - { name: token, offset: 1, size: 8, type: alpha, role: token }
      - { name: qty, offset: 9, size: 4, type: uint, role: quantity }
      - { name: px, offset: 13, size: 4, type: price, role: price }
      - { name: match, offset: 17, size: 8, type: uint, role: matchNumber }
`;

describe('message-set files', () => {
  it('loads the shipped OUCH 4.2-style set', async () => {
    const loaded = await loadSoupMessageSet('targets/soup/ouch42.yaml');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const set = loaded.messageSet;
    expect(set.enterOrder.sizeBytes).toBe(49);
    expect(set.replaceOrder?.name).toBe('ReplaceOrder');
    expect(set.fromEngine.map((m) => m.name)).toContain('Executed');
  });

  it('encodes by the description: type byte, padding, byte order, constants; and decodes back by role', () => {
    const loaded = parseSoupMessageSet(MINIMAL);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const set = loaded.messageSet;
    const packet = new SoupMessageCodec(set, 'fromEngine').encode(set.enterOrder, { token: '17', side: 'sell', quantity: 0x0102, price: 12345 });
    // SoupBinTCP Unsequenced Data: length 21 (type U + 20), then the message.
    expect([...packet.subarray(0, 4)]).toEqual([0, 21, 0x55, 0x4f]);
    const m = packet.subarray(3);
    expect(String.fromCharCode(...m.subarray(1, 10))).toBe('17      S');
    expect([...m.subarray(10, 14)]).toEqual([0x02, 0x01, 0, 0]);
    expect([...m.subarray(14, 18)]).toEqual([0, 0, 0x30, 0x39]);
    expect(String.fromCharCode(...m.subarray(18, 20))).toBe('MB');
    const back = new SoupMessageCodec(set, 'toEngine').decode(m);
    expect(back).toMatchObject({ ok: true, values: { token: '17', side: 'sell', quantity: 0x0102, price: 12345 } });
    const engine = new SoupMessageCodec(set, 'toEngine');
    const rejected = set.fromEngine.find((x) => x.role === 'rejected')!;
    const r = engine.encode(rejected, { token: '9', reason: 'halted' });
    expect(new SoupMessageCodec(set, 'fromEngine').decode(r.subarray(3))).toMatchObject({ ok: true, values: { token: '9', reason: 'halted' } });
    const odd = r.slice(3);
    odd[9] = 0x51;
    expect(new SoupMessageCodec(set, 'fromEngine').decode(odd)).toMatchObject({ ok: true, values: { reason: '?Q' } });
    expect(new SoupMessageCodec(set, 'fromEngine').decode(Uint8Array.from([0x5a]))).toEqual({ ok: false, problem: "unknown message type 'Z'" });
    expect(new SoupMessageCodec(set, 'fromEngine').decode(r.subarray(3, 8))).toMatchObject({ ok: false, problem: expect.stringMatching(/Rejected is 5 bytes; the message set says 10/) });
  });

  it('reports every problem at once, with its path and line', () => {
    const bad = MINIMAL
      .replace('size: 4, type: uint, role: quantity, endianness: little', 'size: 3, type: uint, role: quantity')
      .replace("{ buy: B, sell: S }", '{ buy: B, short: S }')
      .replace('{ name: px, offset: 14, size: 4, type: price, decimals: 2, role: price }', '{ name: px, offset: 18, size: 4, type: price, role: price }')
      .replace('  - { type: C, name: Canceled, role: canceled, size: 9, fields: [ { name: token, offset: 1, size: 8, type: alpha, role: token } ] }\n', '')
      .replace('name: tiny', 'name: tiny\nendian: big');
    const loaded = parseSoupMessageSet(bad);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = loaded.problems.join('\n');
    expect(text).toMatch(/unknown key "endian"; valid keys: version, name, description, endianness/);
    expect(text).not.toMatch(/needs a field with role/);
    expect(text).toMatch(/toEngine\[0\]\.fields\[1\]\.values: unknown key "short" in side's values.*\(line \d+\)/);
    expect(text).toMatch(/toEngine\[0\]\.fields\[1\]\.values: a side field sent to the engine needs values for sell/);
    expect(text).toMatch(/toEngine\[0\]\.fields\[2\]\.size: a uint is 1, 2, 4 or 8 bytes, not 3 \(line \d+\)/);
    expect(text).toMatch(/toEngine\[0\]\.fields\[3\]\.offset: px \(bytes 18\.\.21\) ends beyond the 20-byte message/);
    expect(text).toMatch(/fromEngine: no message has role canceled/);
    expect(loaded.problems.length).toBeGreaterThanOrEqual(6);
  });

  it('names a missing file and a YAML syntax error', async () => {
    expect(await loadSoupMessageSet('no/such/set.yaml')).toEqual({ ok: false, problems: ['cannot read message set no/such/set.yaml: no such file'] });
    const syntax = parseSoupMessageSet('version: 1\nname: [x\n');
    expect(syntax.ok ? '' : syntax.problems[0]).toMatch(/yaml syntax error at \d+:\d+/);
  });

  it('lets fok share ioc\'s code only beside a minimumQuantity field, and encodes FOK as that code with the whole quantity', () => {
    const tif = "      - { name: tag, offset: 18, size: 2, type: alpha, value: 'MB', pad: left }";
    const withTif = (values: string, minimum: boolean): string => MINIMAL.replace('size: 20\n', 'size: 26\n').replace(tif,
      `${tif}\n      - { name: tif, offset: 20, size: 1, type: alpha, role: timeInForce, values: ${values} }` +
      (minimum ? '\n      - { name: minQty, offset: 21, size: 4, type: uint, role: minimumQuantity }' : ''));
    const problems = (text: string): string => { const l = parseSoupMessageSet(text); return l.ok ? '' : l.problems.join('\n'); };
    expect(problems(withTif('{ gtc: D, ioc: I, fok: I }', false)))
      .toMatch(/toEngine\[0\]\.fields: tif: fok has ioc's code "I", so the engine could not tell FOK from IOC: add a field with role minimumQuantity .*\(line \d+\)/);
    expect(problems(withTif('{ gtc: D, ioc: I, fok: D }', true))).toMatch(/tif: fok has gtc's code "D"; FOK is an immediate order/);
    expect(problems(withTif('{ gtc: D, ioc: I, fok: F }', false))).toBe('');
    const loaded = parseSoupMessageSet(withTif('{ gtc: D, ioc: I, fok: I }', true));
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const m = new SoupMessageCodec(loaded.messageSet, 'fromEngine')
      .encode(loaded.messageSet.enterOrder, { token: '1', side: 'buy', quantity: 300, price: 1, timeInForce: 'fok', minimumQuantity: 300 }).subarray(3);
    expect(String.fromCharCode(m[20]!)).toBe('I');
    expect([...m.subarray(21, 25)]).toEqual([0, 0, 0x01, 0x2c]);
  });

  it('refuses overlapping fields, token roles that are not alpha, and a constant on a role', () => {
    const bad = MINIMAL
      .replace("{ name: tag, offset: 18, size: 2, type: alpha, value: 'MB', pad: left }", "{ name: tag, offset: 17, size: 2, type: alpha, value: 'MB', role: price }")
      .replace('{ name: token, offset: 1, size: 8, type: alpha, role: token } ] }\n  - { type: J', '{ name: token, offset: 1, size: 8, type: uint, role: token } ] }\n  - { type: J');
    const loaded = parseSoupMessageSet(bad);
    const text = loaded.ok ? '' : loaded.problems.join('\n');
    expect(text).toMatch(/tag has role price: its value comes from the order/);
    expect(text).toMatch(/a token is alpha \(the order token\), not uint/);
  });
});
