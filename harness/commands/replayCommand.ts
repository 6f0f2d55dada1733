import type { CommandModule } from 'yargs';
import { JournalError } from '../../engine/journal/journalFormat.js';
import { replayJournal } from '../../engine/journal/replayJournal.js';
import { ExitCode } from '../exitCodes.js';

interface ReplayArgs {
  journal: string;
  json: boolean;
}

/** `matchbench replay <journal>`: rebuild the books from an engine journal and print the state hash. */
export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay <journal>',
  describe: 'Rebuild the books from an engine journal and print the state hash',
  builder: (y) => y
    .positional('journal', { type: 'string', demandOption: true, describe: 'Path of the journal file' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as one JSON object' }),
  handler: (a) => {
    const started = process.hrtime.bigint();
    let result;
    try {
      result = replayJournal(a.journal);
    } catch (error) {
      if (error instanceof JournalError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        process.stderr.write(`matchbench replay: ${a.journal}: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      throw error;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = {
      journal: a.journal,
      records: result.records,
      lastSequence: result.lastSequence,
      tornBytes: result.tornBytes,
      restingOrders: result.matcher.allBooks().reduce((n, b) => n + b.orderCount(), 0),
      stateHash: result.stateHash,
      recordsPerSecond: Math.round(result.records / seconds),
    };
    if (a.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    process.stdout.write(`replayed ${summary.records} records (last sequence ${summary.lastSequence}) in ${seconds.toFixed(2)} s\n`);
    if (summary.tornBytes > 0) process.stdout.write(`ignored a torn last record of ${summary.tornBytes} bytes\n`);
    process.stdout.write(`resting orders: ${summary.restingOrders}\nstate hash: ${summary.stateHash}\n`);
  },
};
