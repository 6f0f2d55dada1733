/**
 * The one place matchbench loads jspurefix (the FIX engine library, docs/FIX.md): the reflect
 * polyfill its dependency injection (tsyringe) needs, loaded before jspurefix itself; the QuickFIX
 * dictionaries it ships; and a session configuration per FIX version and role, built once per
 * process (parsing a dictionary takes ~0.3 s) and scoped per connection.
 */
import './fixReflect.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import net from 'node:net';
import { EmptyLogFactory, MsgTransport, SessionContainer, TcpDuplex, DITokens, type IJsFixConfig, type ISessionDescription } from 'jspurefix';

// The rest of harness/targets/fix takes jspurefix from here, so the polyfill above always loads first.
export { AsciiSession, MsgType, SessionState, type IJsFixConfig, type MsgView } from 'jspurefix';
export type { ILooseObject } from 'jspurefix/dist/collections/collection.js';
import { makeSessionScope } from 'jspurefix/dist/runtime/session-scope.js';

/** FIX versions a `fix://` target speaks. */
export type FixVersion = '4.2' | '4.4';
export const FIX_VERSIONS: readonly FixVersion[] = ['4.2', '4.4'];

const require = createRequire(import.meta.url);
const DATA_DIR = path.join(path.dirname(require.resolve('jspurefix/package.json')), 'data');

/** Session-level settings of one side of a FIX session. */
export interface FixSessionSettings {
  readonly version: FixVersion;
  readonly role: 'initiator' | 'acceptor';
  readonly senderCompId: string;
  /** '*' on an acceptor: whoever logs on (their SenderCompID becomes ours to target). */
  readonly targetCompId: string;
  /** Logon with ResetSeqNumFlag=Y: both sides start again at MsgSeqNum 1. */
  readonly resetSeqNum: boolean;
  readonly heartbeatSeconds: number;
}

const base = new Map<string, Promise<IJsFixConfig>>();
let globalsRegistered = false;

/** The configuration of a session with these settings, on a fresh per-connection scope. */
export async function fixSessionConfig(settings: FixSessionSettings): Promise<IJsFixConfig> {
  const key = `${settings.version}/${settings.role}`;
  let config = base.get(key);
  if (config === undefined) {
    const container = new SessionContainer();
    if (!globalsRegistered) {
      // jspurefix keeps its dictionary parser and logger on tsyringe's global container; no log output.
      container.registerGlobal(new EmptyLogFactory());
      globalsRegistered = true;
    }
    config = container.makeSystem(description(settings)).then((c) => c.resolve<IJsFixConfig>(DITokens.IJsFixConfig));
    base.set(key, config);
  }
  return makeSessionScope(await config, description(settings));
}

function description(s: FixSessionSettings): ISessionDescription {
  // No SenderSubID, TargetSubID, Username or Password: jspurefix leaves out what is undefined (the type insists on them).
  return {
    Name: `matchbench-${s.role}`,
    application: { type: s.role, name: `matchbench-${s.role}`, protocol: 'ascii', reconnectSeconds: 0, resilient: false,
      dictionary: path.join(DATA_DIR, s.version === '4.2' ? 'FIX42.xml' : 'FIX44.xml'), tcp: { host: '127.0.0.1', port: 0 } },
    BeginString: `FIX.${s.version}`, SenderCompId: s.senderCompId, TargetCompID: s.targetCompId,
    ResetSeqNumFlag: s.resetSeqNum, HeartBtInt: s.heartbeatSeconds,
  } as ISessionDescription;
}

let nextTransportId = 1;

/** Puts jspurefix's parser and transmitter on a connected socket (the session then runs on it). */
export function fixTransport(config: IJsFixConfig, socket: net.Socket): MsgTransport {
  socket.setNoDelay(true);
  return new MsgTransport(nextTransportId++, config, new TcpDuplex(socket));
}
