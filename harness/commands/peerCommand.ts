import type { CommandModule } from 'yargs';
import type { SymbolConfig } from '../../engine/book/SymbolConfig.js';
import { ExitCode } from '../exitCodes.js';
import { scenarioSymbols } from '../run/runScenario.js';
import { loadScenario } from '../scenario/loadScenario.js';
import type { FixPeerMode } from '../targets/fix/FixTestPeer.testkit.js';
import type { SoupPeerMode } from '../targets/soup/SoupTestPeer.testkit.js';
import { defaultSymbols } from './engineCommand.js';
import { scenarioProblemLines } from './scenarioRunEdges.js';
import { untilStopSignal } from './untilStopSignal.js';

/** The engines `matchbench peer` can stand in for. */
export const PEER_KINDS = ['soup', 'fix', 'example-exchange'] as const;
export type PeerKind = (typeof PEER_KINDS)[number];

/** Misbehaviours of each peer (its `mode`); `normal` answers as an honest engine does. */
const SOUP_MODES: readonly SoupPeerMode[] = ['normal', 'silent', 'close-mid-session', 'reject-login', 'reject-orders', 'flood-heartbeats', 'overfill',
  'fill-after-cancel'];
const FIX_MODES: readonly FixPeerMode[] = ['normal', 'silent', 'close-mid-session', 'reject-logon', 'business-reject', 'session-reject',
  'flood-heartbeats', 'overfill', 'fill-after-cancel'];
export const PEER_MODES: Readonly<Record<PeerKind, readonly string[]>> = { soup: SOUP_MODES, fix: FIX_MODES, 'example-exchange': ['normal'] };

interface PeerArgs {
  kind: PeerKind;
  scenario: string | undefined;
  symbols: number;
  port: number;
  mode: string;
  messages: string;
  password: string | undefined;
  'fix-version': '4.2' | '4.4';
  token: string | undefined;
}

/** A running peer: where it listens, how to point `matchbench run` at it, and what it saw. */
interface RunningPeer {
  readonly target: string;
  counts(): string;
  stop(): Promise<void>;
}

async function startPeer(a: PeerArgs, symbols: readonly SymbolConfig[]): Promise<RunningPeer> {
  // Each peer is loaded only when asked for: the FIX one brings the FIX engine (jspurefix).
  if (a.kind === 'soup') {
    const { loadSoupMessageSet } = await import('../targets/soup/loadSoupMessageSet.js');
    const { SoupTestPeer } = await import('../targets/soup/SoupTestPeer.testkit.js');
    const loaded = await loadSoupMessageSet(a.messages);
    if (!loaded.ok) throw new PeerUsageError(`${a.messages}:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}`);
    const peer = await SoupTestPeer.start({ messageSet: loaded.messageSet, symbols, port: a.port,
      mode: a.mode as SoupPeerMode, ...(a.password === undefined ? {} : { password: a.password }) });
    return { target: `soup://127.0.0.1:${peer.port},messages=${a.messages}${a.password === undefined ? '' : `,user=mb,password=${a.password}`}`,
      counts: () => JSON.stringify(peer.counts), stop: () => peer.stop() };
  }
  if (a.kind === 'fix') {
    const { FixTestPeer } = await import('../targets/fix/FixTestPeer.testkit.js');
    const peer = await FixTestPeer.start({ version: a['fix-version'], symbols, port: a.port,
      mode: a.mode as FixPeerMode });
    return { target: `fix://127.0.0.1:${peer.port},version=${a['fix-version']}`, counts: () => JSON.stringify(peer.counts), stop: () => peer.stop() };
  }
  const { ExampleExchangePeer, EXAMPLE_EXCHANGE_TOKEN } = await import('../targets/httpMapping/ExampleExchangePeer.testkit.js');
  const token = a.token ?? EXAMPLE_EXCHANGE_TOKEN;
  const peer = await ExampleExchangePeer.start({ symbols, port: a.port, token });
  return { target: `${peer.url},mapping=mappings/example-exchange.yaml (with EXCHANGE_TOKEN=${token})`,
    counts: () => JSON.stringify({ orders: peer.orders, authorized: peer.authorized }), stop: () => peer.stop() };
}

/** A problem with what the user asked for (exit code 2). */
class PeerUsageError extends Error {}

/**
 * `matchbench peer <kind>`: one of the in-repo test engines as a process of its own, on 127.0.0.1,
 * until SIGINT or SIGTERM: the reference matcher behind SoupBinTCP + OUCH, behind a FIX 4.2/4.4
 * acceptor, or behind the made-up REST API of mappings/example-exchange.yaml. For trying the
 * adapters without an engine of one's own, and for reproducing the README's figures for them; a
 * `--mode` makes the peer misbehave on purpose (silent, closes mid-session, rejects, floods).
 */
export const peerCommand: CommandModule<object, PeerArgs> = {
  command: 'peer <kind> [scenario]',
  describe: 'Run an in-repo test engine (SoupBinTCP/OUCH, FIX or the example REST exchange) to point run at',
  builder: (y) => y
    .positional('kind', { choices: PEER_KINDS, demandOption: true, describe: 'Which protocol the peer speaks' })
    .positional('scenario', { type: 'string', describe: 'Trade the symbols of this scenario (as matchbench run sends them)' })
    .option('symbols', { type: 'number', default: 1, describe: 'Without a scenario: symbols SYM1..SYMn' })
    .option('port', { type: 'number', default: 0, describe: 'Port on 127.0.0.1; 0: any free port' })
    .option('mode', { type: 'string', default: 'normal', describe: `Misbehaviour: soup ${PEER_MODES.soup.join('|')}; fix ${PEER_MODES.fix.join('|')}` })
    .option('messages', { type: 'string', default: 'targets/soup/ouch42.yaml', describe: 'soup: the message set (docs/SOUP.md)' })
    .option('password', { type: 'string', describe: 'soup: the password every login must give [default: any]' })
    .option('fix-version', { type: 'string', choices: ['4.2', '4.4'] as const, default: '4.4' as const, describe: 'fix: FIX version' })
    .option('token', { type: 'string', describe: 'example-exchange: the API key orders must carry [default: the test key]' })
    .check((a) => {
      const problems: string[] = [];
      if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65_535) problems.push(`--port must be a port number, got ${a.port}`);
      if (!Number.isInteger(a.symbols) || a.symbols < 1 || a.symbols > 10_000) problems.push(`--symbols must be 1..10000, got ${a.symbols}`);
      const modes = PEER_MODES[a.kind];
      if (!modes.includes(a.mode)) problems.push(`--mode must be one of ${modes.join(', ')} for a ${a.kind} peer, got ${a.mode}`);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    let symbols: SymbolConfig[] = defaultSymbols(a.symbols);
    if (a.scenario !== undefined) {
      const loaded = await loadScenario(a.scenario);
      if (!loaded.ok) {
        process.stderr.write(scenarioProblemLines(a.scenario, loaded.problems).map((l) => `matchbench peer: ${l}\n`).join(''));
        process.exitCode = ExitCode.Usage;
        return;
      }
      symbols = scenarioSymbols(loaded.scenario);
    }
    let peer: RunningPeer;
    try {
      peer = await startPeer(a, symbols);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof PeerUsageError || code === 'EADDRINUSE' || code === 'EACCES') {
        process.stderr.write(`matchbench peer: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      throw error;
    }
    process.stdout.write(`peer ready: ${a.kind} (mode ${a.mode}), ${symbols.length} symbol(s); --target ${peer.target}\n`);
    await untilStopSignal((signal) => {
      process.stdout.write(`${signal}: stopping; saw ${peer.counts()}\n`);
      return peer.stop();
    });
  },
};
