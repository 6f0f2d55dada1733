/**
 * `matchbench feed <layout> --mold host:port`: the MoldUDP64 half of feedCommand.ts, with its
 * flags, their checks and the exit code. feedCommand calls it for layouts with `moldudp64` framing.
 */
import { isIPv4 } from 'node:net';
import { ExitCode } from '../exitCodes.js';
import type { FeedLayout } from '../feeds/FeedLayout.js';
import { formatMoldFeedResult } from '../feeds/mold/formatMoldFeedResult.js';
import { MoldFeedReader, moldFeedLostAnything, type MoldFeedResult } from '../feeds/mold/MoldFeedReader.js';
import { parseHostPort } from '../scenario/parseTarget.js';
import type { HostPort } from '../scenario/Scenario.js';

/** The Mold flags of `matchbench feed`. */
export interface MoldFeedArgs {
  mold: string | undefined;
  'mold-retransmit': string | undefined;
  'mold-group': string | undefined;
  'mold-interface': string | undefined;
}

/** The checked Mold flags: where to listen, whom to ask, which group to join. */
export interface MoldFeedFlags {
  readonly listen: HostPort;
  readonly retransmit: HostPort | undefined;
  readonly group: string | undefined;
  readonly interface: string | undefined;
}

/** The exit code for a Mold reader's result: 5 cannot bind or not speaking the layout, 3 messages lost or corrupt, 1 stalled. */
export function moldFeedExitCode(r: MoldFeedResult): ExitCode {
  if (r.verdict === 'bind-failed' || r.verdict === 'protocol-error') return ExitCode.Target;
  if (moldFeedLostAnything(r)) return ExitCode.Invariant;
  return r.verdict === 'stopped' || r.verdict === 'end-of-session' ? ExitCode.Ok : ExitCode.Error;
}

/**
 * Checks the Mold flags against the layout; every problem is pushed to `problems`. Undefined when
 * there is nothing to read (no --mold).
 */
export function checkMoldFlags(a: MoldFeedArgs, layout: FeedLayout | undefined, md: boolean, problems: string[]): MoldFeedFlags | undefined {
  const isMold = layout?.framing.kind === 'moldudp64';
  if (a.mold === undefined) {
    for (const flag of ['mold-retransmit', 'mold-group', 'mold-interface'] as const) if (a[flag] !== undefined) problems.push(`--${flag} needs --mold`);
    if (md && isMold) problems.push('the layout\'s framing is moldudp64 (UDP): read it with --mold host:port, not --md');
    return undefined;
  }
  if (md) problems.push('--md and --mold: give one (--md reads a TCP feed, --mold a MoldUDP64 one)');
  if (layout !== undefined && !isMold) problems.push(`--mold: the layout's framing is ${layout.framing.kind}, not moldudp64`);
  // Port 0: any free port (printed when listening), as in the tests.
  const anyPort = /:0$/.test(a.mold.trim());
  const parsed = parseHostPort(anyPort ? a.mold.trim().replace(/:0$/, ':1') : a.mold);
  const listen = parsed.ok && anyPort ? { ok: true as const, value: { ...parsed.value, port: 0 } } : parsed;
  if (!listen.ok) problems.push(...listen.problems.map((p) => `--mold: ${p}`));
  const retransmit = a['mold-retransmit'] === undefined ? undefined : parseHostPort(a['mold-retransmit']);
  if (retransmit !== undefined && !retransmit.ok) problems.push(...retransmit.problems.map((p) => `--mold-retransmit: ${p}`));
  const group = a['mold-group'];
  const first = Number(group?.split('.')[0]);
  const multicast = group !== undefined && isIPv4(group) && first >= 224 && first <= 239;
  if (group !== undefined && !multicast) problems.push(`--mold-group: "${group}" is not an IPv4 multicast address (224.0.0.0 to 239.255.255.255)`);
  const iface = a['mold-interface'];
  if (iface !== undefined && !isIPv4(iface)) problems.push(`--mold-interface: "${iface}" is not an IPv4 address`);
  if (iface !== undefined && group === undefined) problems.push('--mold-interface needs --mold-group');
  if (multicast && listen.ok && listen.value.host !== '0.0.0.0' && listen.value.host !== group) {
    problems.push(`--mold: with --mold-group, listen on 0.0.0.0:PORT or ${group}:PORT (a socket bound to ${listen.value.host} receives no multicast)`);
  }
  if (!listen.ok || (retransmit !== undefined && !retransmit.ok)) return undefined;
  return { listen: listen.value, retransmit: retransmit?.value, group, interface: iface };
}

/** Reads the feed for `seconds` (or until it ends), prints the result and sets the exit code. */
export async function readMoldFeed(layout: FeedLayout, flags: MoldFeedFlags, options: { seconds: number; json: boolean;
  clockOffsetNs: number | undefined; stallAfterMs: number | undefined }): Promise<void> {
  const reader = new MoldFeedReader({
    layout, host: flags.listen.host, port: flags.listen.port,
    ...(flags.group === undefined ? {} : { group: flags.group }),
    ...(flags.interface === undefined ? {} : { interface: flags.interface }),
    ...(flags.retransmit === undefined ? {} : { retransmit: flags.retransmit }),
    ...(options.clockOffsetNs === undefined ? {} : { clockOffsetNs: options.clockOffsetNs }),
    ...(options.stallAfterMs === undefined ? {} : { stallAfterMs: options.stallAfterMs }),
  });
  const startedMs = performance.now();
  const stop = (): void => {
    void reader.stop();
  };
  process.once('SIGINT', stop);
  const timer = setTimeout(stop, options.seconds * 1_000);
  const bound = await reader.start();
  if (bound !== null) process.stderr.write(`matchbench feed: listening on ${bound.address}:${bound.port}${flags.group === undefined ? '' : `, joined ${flags.group}`}\n`);
  const result = await reader.ended;
  clearTimeout(timer);
  process.removeListener('SIGINT', stop);
  const seconds = (performance.now() - startedMs) / 1_000;
  process.stdout.write(options.json ? `${JSON.stringify({ ...result, seconds })}\n` : `${formatMoldFeedResult(result, layout, seconds)}\n`);
  process.exitCode = moldFeedExitCode(result);
}
