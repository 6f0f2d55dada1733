import { describe, expect, it } from 'vitest';
import { parseTargetFlag } from '../../scenario/parseTarget.js';

describe('--target soup://', () => {
  it('reads host:port, the message set and the login', () => {
    expect(parseTargetFlag('soup://127.0.0.1:7001,messages=targets/soup/ouch42.yaml,user=mb,password=pw')).toEqual({ ok: true, value: {
      kind: 'soup', orderEntry: { host: '127.0.0.1', port: 7001 }, messages: 'targets/soup/ouch42.yaml', username: 'mb', password: 'pw', marketData: null } });
    expect(parseTargetFlag('soup://[::1]:7001,messages=m.yaml')).toMatchObject({ ok: true, value: { orderEntry: { host: '::1', port: 7001 } } });
  });

  it('names every problem at once', () => {
    const parsed = parseTargetFlag('soup://host:99999,md=1.2.3.4:5,user=toolongname,password=');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      '"host:99999": port 99999 is not in 1..65535',
      'unknown option "md=1.2.3.4:5" (soup:// options: messages=file.yaml, user=name, password=secret)',
      'unknown option "password=" (soup:// options: messages=file.yaml, user=name, password=secret)',
      '"soup://host:99999,md=1.2.3.4:5,user=toolongname,password=" names no message set: add ,messages=file.yaml (e.g. targets/soup/ouch42.yaml)',
      'user "toolongname": a SoupBinTCP username is 1 to 6 printable ASCII characters',
    ]);
  });
});
