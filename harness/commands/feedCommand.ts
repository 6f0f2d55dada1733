import type { CommandModule } from 'yargs';
import { ExitCode } from '../exitCodes.js';
import { formatFeedLayout, formatLayoutFeedResult } from '../feeds/formatLayoutFeedResult.js';
import { LayoutFeedReader, type LayoutFeedResult } from '../feeds/LayoutFeedReader.js';
import { loadFeedLayout } from '../feeds/loadFeedLayout.js';
import { parseHostPort } from '../scenario/parseTarget.js';
import { checkMoldFlags, readMoldFeed, type MoldFeedArgs } from './readMoldFeed.js';

interface FeedArgs extends MoldFeedArgs {
  layout: string;
  md: string | undefined;
  seconds: number;
  'clock-offset-ns': number | undefined;
  'stall-after-ms': number | undefined;
  'max-bytes': number | undefined;
  json: boolean;
}

/** The exit code for a reader's result: 5 unreachable or not speaking the layout, 3 frames lost or corrupt, 1 the feed ended by itself. */
export function feedExitCode(r: LayoutFeedResult): ExitCode {
  if (r.verdict === 'connect-failed' || r.verdict === 'protocol-error') return ExitCode.Target;
  if (r.counts.gaps > 0 || r.counts.checksumFailures > 0 || r.counts.sequenceRegressions > 0) return ExitCode.Invariant;
  return r.verdict === 'stopped' ? ExitCode.Ok : ExitCode.Error;
}

/** `matchbench feed <layout> [--md host:port]`: check a layout file, and read a feed with it. */
export const feedCommand: CommandModule<object, FeedArgs> = {
  command: 'feed <layout>',
  describe: 'Check a feed layout file (docs/FEED_LAYOUT.md) and, with --md (TCP) or --mold (MoldUDP64 over UDP), read a feed with it',
  builder: (y) => y
    .positional('layout', { type: 'string', demandOption: true, describe: 'Layout file (YAML), e.g. feeds/examples/matchbench.yaml' })
    .option('md', { type: 'string', describe: 'Feed host:port to read; without it the layout is only checked' })
    .option('seconds', { type: 'number', default: 10, describe: 'Read for this long, then stop' })
    .option('clock-offset-ns', { type: 'number', describe: 'Monotonic timestamp clocks: the sender\'s clock minus ours, ns (default: estimated at subscribe if the layout has a clockSync type, else 0)' })
    .option('stall-after-ms', { type: 'number', describe: 'No frame for this long ends the read as stalled (default from the layout\'s heartbeat)' })
    .option('max-bytes', { type: 'number', describe: 'Stop after this many bytes (a flood guard)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as one JSON object' })
    .option('mold', { type: 'string', describe: 'MoldUDP64 layouts: local host:port to receive the feed on (0.0.0.0:PORT with --mold-group)' })
    .option('mold-retransmit', { type: 'string', describe: 'MoldUDP64: re-request server host:port (default the layout\'s framing.retransmit)' })
    .option('mold-group', { type: 'string', describe: 'MoldUDP64: multicast group to join' })
    .option('mold-interface', { type: 'string', describe: 'MoldUDP64: local interface address to join the group on' }),
  handler: async (a) => {
    const loaded = await loadFeedLayout(a.layout);
    const problems = loaded.ok ? [] : [...loaded.problems];
    const md = a.md === undefined ? undefined : parseHostPort(a.md);
    if (md !== undefined && !md.ok) problems.push(...md.problems.map((p) => `--md: ${p}`));
    const mold = checkMoldFlags(a, loaded.ok ? loaded.layout : undefined, a.md !== undefined, problems);
    if (!(a.seconds > 0 && a.seconds <= 86_400)) problems.push(`--seconds must be in (0, 86400], got ${a.seconds}`);
    if (a['clock-offset-ns'] !== undefined && !Number.isSafeInteger(a['clock-offset-ns'])) problems.push(`--clock-offset-ns must be an integer, got ${a['clock-offset-ns']}`);
    if (!loaded.ok || problems.length > 0) {
      for (const p of problems) process.stderr.write(`matchbench feed: ${p}\n`);
      process.exitCode = ExitCode.Usage;
      return;
    }
    const layout = loaded.layout;
    if (mold !== undefined) {
      await readMoldFeed(layout, mold, { seconds: a.seconds, json: a.json, clockOffsetNs: a['clock-offset-ns'], stallAfterMs: a['stall-after-ms'] });
      return;
    }
    if (md === undefined || !md.ok) {
      process.stdout.write(a.json ? `${JSON.stringify({ layout: layout.name, ok: true })}\n` : `${formatFeedLayout(layout)}\n`);
      return;
    }
    const reader = new LayoutFeedReader({
      layout, host: md.value.host, port: md.value.port,
      ...(a['clock-offset-ns'] === undefined ? {} : { clockOffsetNs: a['clock-offset-ns'] }),
      ...(a['stall-after-ms'] === undefined ? {} : { stallAfterMs: a['stall-after-ms'] }),
      ...(a['max-bytes'] === undefined ? {} : { maxBytes: a['max-bytes'] }),
    });
    const startedMs = performance.now();
    const stop = (): void => {
      void reader.stop();
    };
    process.once('SIGINT', stop);
    const timer = setTimeout(stop, a.seconds * 1_000);
    reader.start();
    const result = await reader.ended;
    clearTimeout(timer);
    process.removeListener('SIGINT', stop);
    const seconds = (performance.now() - startedMs) / 1_000;
    process.stdout.write(a.json ? `${JSON.stringify({ ...result, seconds })}\n` : `${formatLayoutFeedResult(result, layout, seconds)}\n`);
    process.exitCode = feedExitCode(result);
  },
};
