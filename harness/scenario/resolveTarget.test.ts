import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenario } from './loadScenario.js';

const MINIMAL = { version: 1, phases: [{ name: 'only', duration: '1s', rate: 10 }] };

/** The target of a scenario file at `file` (its directory is where relative file names are read from), or its problems. */
function targetOf(target: unknown, file = 'scenarios/lab/run.yaml'): unknown {
  const loaded = parseScenario(stringify({ ...MINIMAL, target }), file);
  return loaded.ok ? loaded.scenario.target : loaded.problems.map((p) => p.replace(/ \(line \d+\)$/, ''));
}

describe('a scenario\'s target: the map form says what the string form says', () => {
  it('soup: messages, user and password, the file relative to the scenario', () => {
    const map = targetOf({ soup: '127.0.0.1:7001', messages: '../../targets/soup/ouch42.yaml', user: 'mb', password: 'pw' });
    expect(map).toEqual({ kind: 'soup', orderEntry: { host: '127.0.0.1', port: 7001 }, messages: 'targets/soup/ouch42.yaml',
      username: 'mb', password: 'pw', marketData: null });
    expect(targetOf('soup://127.0.0.1:7001,messages=../../targets/soup/ouch42.yaml,user=mb,password=pw')).toEqual(map);
  });

  it('fix: version (a YAML number), CompIDs, reset (a YAML boolean) and heartbeat, with the string form\'s defaults', () => {
    const map = targetOf({ fix: '127.0.0.1:9878', version: 4.4, sender: 'MBX', target: 'EXCH', reset: false, heartbeat: 10 });
    expect(map).toEqual({ kind: 'fix', orderEntry: { host: '127.0.0.1', port: 9878 }, version: '4.4', senderCompId: 'MBX', targetCompId: 'EXCH',
      resetSeqNum: false, heartbeatSeconds: 10, marketData: null });
    expect(targetOf('fix://127.0.0.1:9878,version=4.4,sender=MBX,target=EXCH,reset=false,heartbeat=10')).toEqual(map);
    expect(targetOf({ fix: 'h:1', version: '4.2' })).toEqual(targetOf('fix://h:1,version=4.2'));
  });

  it('http and tcp: mapping, marketData and mdLayout; relative files against the scenario\'s directory, absolute ones as they are', () => {
    const map = targetOf({ http: 'http://127.0.0.1:8080/', mapping: '../../mappings/example-exchange.yaml', marketData: '127.0.0.1:9002' });
    expect(map).toEqual({ kind: 'http', url: 'http://127.0.0.1:8080', marketData: { host: '127.0.0.1', port: 9002 },
      mapping: 'mappings/example-exchange.yaml' });
    expect(targetOf('http://127.0.0.1:8080,mapping=../../mappings/example-exchange.yaml,md=127.0.0.1:9002')).toEqual(map);
    expect(targetOf({ http: 'http://h:1', mapping: '/etc/mb/m.yaml' })).toMatchObject({ mapping: '/etc/mb/m.yaml' });
    expect(targetOf({ http: 'http://h:1', mapping: 'm.yaml' }, 'run.yaml')).toMatchObject({ mapping: 'm.yaml' });
    expect(targetOf({ tcp: 'h:1', marketData: 'h:2', mdLayout: 'itch.yaml' })).toEqual({ kind: 'tcp', orderEntry: { host: 'h', port: 1 },
      marketData: { host: 'h', port: 2 }, mdLayout: 'scenarios/lab/itch.yaml' });
  });

  it('names every problem at once: options of another kind, each bad value, what a kind needs', () => {
    // In the order of the file: the map's own problems at its line, then its keys' at theirs.
    expect(targetOf({ fix: 'h:0', version: 4.3, heartbeat: 0, mapping: 'x.yaml', user: 'mb' })).toEqual([
      'target: "h:0": port 0 is not in 1..65535',
      'target: version "4.3": 4.2 or 4.4',
      'target: heartbeat "0": whole seconds, 1 to 9999',
      'target.mapping: mapping is for http targets, not fix',
      'target.user: user is for soup targets, not fix',
    ]);
    expect(targetOf({ soup: 'h:1', user: 'toolongname', password: 'pw', marketData: 'h:2' })).toEqual([
      'target: a soup target needs messages: file.yaml, its message set (docs/SOUP.md; e.g. targets/soup/ouch42.yaml)',
      'target: user "toolongname": a SoupBinTCP username is 1 to 6 printable ASCII characters',
      'target.marketData: marketData is for tcp and http targets, not soup',
    ]);
    expect(targetOf({ fix: 'h:1' })).toEqual(['target: a fix target needs version: 4.2 or 4.4']);
    expect(targetOf({ tcp: 'h', mdLayout: 'l.yaml', messages: 'm.yaml' })).toEqual([
      'target.tcp: "h" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001)',
      'target.mdLayout: a layout feed needs marketData: host:port, the feed\'s address',
      'target.messages: messages is for soup targets, not tcp',
    ]);
    expect(targetOf({ soup: 'h:1', fix: 'h:2' })).toEqual(['target: give one of tcp, http, soup, fix, not soup and fix']);
    expect(targetOf({ fix: 'h:1', version: 4.4, sendr: 'X', reset: [] })).toEqual([
      'target: unknown key "sendr" (did you mean "sender"?)',
      'target.reset: expected a string, got a list',
    ]);
  });

  it('never quotes a password', () => {
    const problems = targetOf({ soup: 'h:1', messages: 'm.yaml', password: 'averyverylongsecret' });
    expect(problems).toEqual(['target: password: a SoupBinTCP password is 1 to 10 printable ASCII characters']);
  });
});
