#!/usr/bin/env node
/**
 * The `matchbench` command: turns argv into typed options and hands them to the modules that do
 * the work. Console output and exit codes live here and nowhere else.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/benchCommand.js';
import { chaosCommand } from './commands/chaosCommand.js';
import { compareCommand } from './commands/compareCommand.js';
import { engineCommand } from './commands/engineCommand.js';
import { feedCommand } from './commands/feedCommand.js';
import { fuzzCommand } from './commands/fuzzCommand.js';
import { historyCommand } from './commands/historyCommand.js';
import { mergeCommand } from './commands/mergeCommand.js';
import { peerCommand } from './commands/peerCommand.js';
import { profileCommand } from './commands/profileCommand.js';
import { publishCommand } from './commands/publishCommand.js';
import { replayCommand } from './commands/replayCommand.js';
import { reportCommand } from './commands/reportCommand.js';
import { runCommand } from './commands/runCommand.js';
import { ExitCode } from './exitCodes.js';

await yargs(hideBin(process.argv))
  .scriptName('matchbench')
  .usage('$0 <command> [options]\n\nLoad-testing and benchmark harness for exchange matching engines.')
  .command(benchCommand)
  .command(chaosCommand)
  .command(compareCommand)
  .command(engineCommand)
  .command(feedCommand)
  .command(fuzzCommand)
  .command(historyCommand)
  .command(mergeCommand)
  .command(peerCommand)
  .command(profileCommand)
  .command(publishCommand)
  .command(replayCommand)
  .command(reportCommand)
  .command(runCommand)
  .strict()
  .demandCommand(1, 'Name a command; see --help for the list.')
  .recommendCommands()
  .fail((message, error) => {
    // yargs calls this for its own usage errors (message set) and for errors thrown by a handler.
    if (error !== undefined && error !== null && message === null) throw error;
    process.stderr.write(`matchbench: ${message ?? String(error)}\nRun 'matchbench --help' for usage.\n`);
    process.exit(ExitCode.Usage);
  })
  .help()
  .alias('h', 'help')
  .version()
  .parseAsync();
