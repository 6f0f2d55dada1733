import { describe, expect, it } from 'vitest';
import { parseHostPort, parseHttpUrl, parseTargetFlag } from './parseTarget.js';

describe('parseTargetFlag', () => {
  it('reads every --target form', () => {
    expect(parseTargetFlag('embedded')).toEqual({ ok: true, value: { kind: 'embedded' } });
    expect(parseTargetFlag('inproc')).toEqual({ ok: true, value: { kind: 'inproc' } });
    expect(parseTargetFlag('tcp://127.0.0.1:9001')).toEqual({ ok: true,
      value: { kind: 'tcp', orderEntry: { host: '127.0.0.1', port: 9001 }, marketData: null } });
    expect(parseTargetFlag('tcp://engine.local:9001,md=engine.local:9002')).toEqual({ ok: true,
      value: { kind: 'tcp', orderEntry: { host: 'engine.local', port: 9001 }, marketData: { host: 'engine.local', port: 9002 } } });
    expect(parseTargetFlag('http://127.0.0.1:8080/,md=[::1]:9002')).toEqual({ ok: true,
      value: { kind: 'http', url: 'http://127.0.0.1:8080', marketData: { host: '::1', port: 9002 } } });
    expect(parseTargetFlag('http://127.0.0.1:8080,mapping=mappings/reference-engine.yaml,md=127.0.0.1:9002')).toEqual({ ok: true,
      value: { kind: 'http', url: 'http://127.0.0.1:8080', marketData: { host: '127.0.0.1', port: 9002 }, mapping: 'mappings/reference-engine.yaml' } });
  });

  it('reads md-layout=file.yaml: the feed at md= is read with that layout file', () => {
    expect(parseTargetFlag('tcp://127.0.0.1:9001,md=127.0.0.1:9002,md-layout=feeds/examples/itch-like.yaml')).toEqual({ ok: true,
      value: { kind: 'tcp', orderEntry: { host: '127.0.0.1', port: 9001 }, marketData: { host: '127.0.0.1', port: 9002 },
        mdLayout: 'feeds/examples/itch-like.yaml' } });
    expect(parseTargetFlag('http://h:8080,md-layout=itch.yaml,mapping=m.yaml,md=h:9002')).toEqual({ ok: true,
      value: { kind: 'http', url: 'http://h:8080', marketData: { host: 'h', port: 9002 }, mapping: 'm.yaml', mdLayout: 'itch.yaml' } });
    expect(parseTargetFlag('tcp://h:1,md-layout=itch.yaml')).toEqual({ ok: false,
      problems: ['md-layout=itch.yaml: a layout feed needs md=host:port, the feed\'s address'] });
    expect(parseTargetFlag('http://h:1,md=h:2,md-layout=')).toEqual({ ok: false,
      problems: ['"md-layout=": md-layout names a feed layout file, e.g. md-layout=feeds/examples/itch-like.yaml'] });
    expect(parseTargetFlag('tcp://h:1,md=h:0,md-layout=a=b')).toEqual({ ok: false, problems: [
      'md: "h:0": port 0 is not in 1..65535', '"md-layout=a=b": md-layout names a feed layout file, e.g. md-layout=feeds/examples/itch-like.yaml'] });
  });

  it('names what is wrong with a bad target, every problem at once', () => {
    expect(parseTargetFlag('udp://x:1')).toEqual({ ok: false, problems: [expect.stringMatching(/^"udp:\/\/x:1" is not a target; forms: embedded \| inproc \| tcp:/)] });
    expect(parseTargetFlag('tcp://localhost')).toEqual({ ok: false, problems: ['"localhost" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001)'] });
    expect(parseTargetFlag('tcp://h:70000,md=h:0')).toEqual({ ok: false,
      problems: ['md: "h:0": port 0 is not in 1..65535', '"h:70000": port 70000 is not in 1..65535'] });
    expect(parseTargetFlag('tcp://h:1,mx=h:2')).toEqual({ ok: false, problems: ['unknown option "mx=h:2" (options: md=host:port, md-layout=file.yaml, and for http:// mapping=file.yaml)'] });
    expect(parseTargetFlag('tcp://h:1,mapping=m.yaml')).toEqual({ ok: false, problems: ['mapping=m.yaml: a mapping file is for http:// targets only'] });
    expect(parseTargetFlag('http://u:p@h:1?x=1')).toEqual({ ok: false, problems: [
      '"http://u:p@h:1?x=1": credentials in the URL are not supported', '"http://u:p@h:1?x=1": a base URL has no query or fragment'] });
  });
});

describe('parseHostPort and parseHttpUrl', () => {
  it('accept IPv6 in brackets and normalise URLs', () => {
    expect(parseHostPort('[::1]:80')).toEqual({ ok: true, value: { host: '::1', port: 80 } });
    expect(parseHostPort('::1:80').ok).toBe(false);
    expect(parseHttpUrl('HTTP://Example.COM:8080/api/')).toEqual({ ok: true, value: 'http://example.com:8080/api' });
    expect(parseHttpUrl('ftp://h:1')).toEqual({ ok: false, problems: ['"ftp://h:1": the scheme must be http or https, not ftp'] });
    expect(parseHttpUrl('not a url')).toEqual({ ok: false, problems: ['"not a url" is not a URL (e.g. http://127.0.0.1:8080)'] });
  });
});
