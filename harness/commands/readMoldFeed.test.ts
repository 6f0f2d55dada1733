import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeedLayout } from '../feeds/loadFeedLayout.js';
import { checkMoldFlags, type MoldFeedArgs } from './readMoldFeed.js';

const loaded = parseFeedLayout(readFileSync(new URL('../../feeds/examples/itch-mold.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const layout = loaded.layout;

function check(args: Partial<MoldFeedArgs>): { flags: ReturnType<typeof checkMoldFlags>; problems: string[] } {
  const problems: string[] = [];
  const flags = checkMoldFlags({ mold: undefined, 'mold-retransmit': undefined, 'mold-group': undefined, 'mold-interface': undefined, ...args },
    layout, false, problems);
  return { flags, problems };
}

describe('checkMoldFlags', () => {
  it('accepts unicast with a re-request server, any port (0), and a group joined on an interface', () => {
    expect(check({ mold: '127.0.0.1:0', 'mold-retransmit': '127.0.0.1:9001' })).toEqual({ problems: [],
      flags: { listen: { host: '127.0.0.1', port: 0 }, retransmit: { host: '127.0.0.1', port: 9001 }, group: undefined, interface: undefined } });
    expect(check({ mold: '0.0.0.0:26400', 'mold-group': '239.1.1.1', 'mold-interface': '10.0.0.5' })).toMatchObject({ problems: [],
      flags: { listen: { host: '0.0.0.0', port: 26400 }, group: '239.1.1.1', interface: '10.0.0.5' } });
  });

  it('refuses a group the socket would not receive, an interface without a group, and bad addresses', () => {
    expect(check({ mold: '127.0.0.1:26400', 'mold-group': '239.1.1.1' }).problems).toEqual([
      '--mold: with --mold-group, listen on 0.0.0.0:PORT or 239.1.1.1:PORT (a socket bound to 127.0.0.1 receives no multicast)']);
    expect(check({ mold: 'nowhere', 'mold-retransmit': '1.2.3.4:70000', 'mold-interface': 'eth0' }).problems).toEqual([
      '--mold: "nowhere" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001)',
      '--mold-retransmit: "1.2.3.4:70000": port 70000 is not in 1..65535',
      '--mold-interface: "eth0" is not an IPv4 address',
      '--mold-interface needs --mold-group',
    ]);
  });
});
