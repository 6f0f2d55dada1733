import type { CommandModule } from 'yargs';
import { loadFeedLayout } from '../feeds/loadFeedLayout.js';
import { playMoldFeed, playMoldFeedProblems, type PlayMoldFeedOptions } from '../feeds/mold/playMoldFeed.js';
import { parseHostPort } from '../scenario/parseTarget.js';
import { ExitCode } from '../exitCodes.js';
import { flagProblem } from './flagProblem.js';

interface PublishArgs {
  layout: string;
  to: string;
  'retransmit-port': number;
  type: string | undefined;
  messages: number;
  'per-packet': number;
  'packets-per-second': number;
  drop: number;
  duplicate: number;
  seed: number;
  'linger-ms': number;
  'multicast-interface': string | undefined;
  json: boolean;
}

/**
 * `matchbench publish <layout> --to host:port`: a seeded MoldUDP64 test feed for `matchbench feed
 * --mold` (harness/feeds/mold/playMoldFeed.ts): drops and duplicates packets by seed, answers
 * re-requests, ends the session, and prints what it did so the reader's report can be checked.
 */
export const publishCommand: CommandModule<object, PublishArgs> = {
  command: 'publish <layout>',
  describe: 'Publish a seeded MoldUDP64 test feed (packets dropped and sent twice, re-requests answered) for matchbench feed --mold',
  builder: (y) => y
    .positional('layout', { type: 'string', demandOption: true, describe: 'A layout file with framing moldudp64 (e.g. feeds/examples/itch-mold.yaml)' })
    .option('to', { type: 'string', demandOption: true, describe: 'host:port the packets go to (the reader\'s --mold address, or a multicast group)' })
    .option('retransmit-port', { type: 'number', default: 0, describe: 'Port of the re-request server on 127.0.0.1; 0: any free port (printed)' })
    .option('type', { type: 'string', describe: 'Message type to publish [default: the first that records latency]' })
    .option('messages', { type: 'number', default: 20_000, describe: 'Messages in all' })
    .option('per-packet', { type: 'number', default: 10, describe: 'Messages per packet' })
    .option('packets-per-second', { type: 'number', default: 2_000, describe: 'Packets sent per second' })
    .option('drop', { type: 'number', default: 0.01, describe: 'Share of packets not sent (to be re-requested)' })
    .option('duplicate', { type: 'number', default: 0.01, describe: 'Share of packets sent twice' })
    .option('seed', { type: 'number', default: 42, describe: 'Seed of the drops and duplicates' })
    .option('linger-ms', { type: 'number', default: 2_000, describe: 'How long re-requests are answered after the end of session, ms' })
    .option('multicast-interface', { type: 'string', describe: 'Local interface to send a multicast group on' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as one JSON object on stdout' }),
  handler: async (a) => {
    const fail = (lines: readonly string[]): void => {
      process.stderr.write(`matchbench publish: ${lines.join('\n  ')}\n`);
      process.exitCode = ExitCode.Usage;
    };
    const to = parseHostPort(a.to);
    const loaded = await loadFeedLayout(a.layout);
    const problems = [...(to.ok ? [] : to.problems.map((p) => `--to: ${p}`)), ...(loaded.ok ? [] : loaded.problems.map((p) => `${a.layout}: ${p}`))];
    const options: PlayMoldFeedOptions | undefined = !loaded.ok ? undefined : {
      layout: loaded.layout, to: to.ok ? to.value : { host: '127.0.0.1', port: 1 }, retransmitPort: a['retransmit-port'], messages: a.messages,
      perPacket: a['per-packet'], packetsPerSecond: a['packets-per-second'], drop: a.drop, duplicate: a.duplicate, seed: a.seed, lingerMs: a['linger-ms'],
      ...(a.type === undefined ? {} : { type: a.type }),
      ...(a['multicast-interface'] === undefined ? {} : { multicastInterface: a['multicast-interface'] }),
      onReady: (port) => process.stderr.write(`publishing to ${a.to}; re-requests to 127.0.0.1:${port}\n`),
    };
    if (options !== undefined) {
      const flagged = new Set(['messages', 'perPacket', 'packetsPerSecond', 'retransmitPort', 'lingerMs', 'drop', 'duplicate']);
      problems.push(...playMoldFeedProblems(options).map((p) => flagProblem(p, flagged)));
    }
    if (problems.length > 0 || options === undefined) {
      fail(problems);
      return;
    }
    let result;
    try {
      result = await playMoldFeed(options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || error instanceof RangeError) {
        fail([(error as Error).message]);
        return;
      }
      throw error;
    }
    if (a.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`published session ${result.session}: ${result.messages} ${result.type} messages in ${result.packets} packets; ` +
        `${result.dropped} packets dropped, ${result.duplicated} sent twice (seed ${a.seed}); ${result.requests} re-requests received\n`);
    }
  },
};
