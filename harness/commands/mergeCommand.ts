import type { CommandModule } from 'yargs';
import { mergeRuns } from '../../reports/mergeRuns.js';
import { readRunDirectory, RunDirectoryError, type RunDirectory } from '../../reports/readRunDirectory.js';
import { writeReport } from '../../reports/writers/reportHtml.js';
import { summaryText } from '../../reports/writers/summaryText.js';
import { writeRunDirectory } from '../../reports/writers/writeRunDirectory.js';
import { ExitCode } from '../exitCodes.js';
import { defaultRunDir } from './scenarioRunEdges.js';
import { VERDICT_EXIT } from './runCommand.js';

interface MergeArgs {
  'shard-dirs': string[];
  out: string | undefined;
  json: boolean;
}

/** `matchbench merge <shard-dirs…>`: combine the run directories of `run --shard i/N` into one run directory. */
export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <shard-dirs..>',
  describe: 'Combine the run directories of the shards of a sharded run (run --shard i/N) into one run directory',
  builder: (y) => y
    .positional('shard-dirs', { type: 'string', array: true, demandOption: true, describe: 'One run directory per shard, all N of them' })
    .option('out', { type: 'string', describe: 'Merged run directory (default runs/<scenario>-<seed>-merged-<time>)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the merged result.json on stdout instead of the summary' }),
  handler: (a) => {
    const fail = (lines: readonly string[]): void => {
      process.stderr.write(lines.map((l) => `matchbench merge: ${l}\n`).join(''));
      process.exitCode = ExitCode.Usage;
    };
    const shards: RunDirectory[] = [];
    const problems: string[] = [];
    for (const dir of a['shard-dirs']) {
      try {
        shards.push(readRunDirectory(dir));
      } catch (error) {
        if (!(error instanceof RunDirectoryError)) throw error;
        problems.push(...error.problems.map((p) => `${dir}: ${p}`));
      }
    }
    if (problems.length > 0) {
      fail([`${problems.length} problem(s) reading the shards, nothing was written:`, ...problems.map((p) => `  ${p}`)]);
      return;
    }
    const outcome = mergeRuns(shards, ['matchbench', ...process.argv.slice(2)].join(' '));
    if (!outcome.ok) {
      fail([`these are not the shards of one run, nothing was written:`, ...outcome.problems.map((p) => `  ${p}`)]);
      return;
    }
    const { result, intervals, startEpochMs } = outcome.merged;
    const out = a.out ?? defaultRunDir(`${result.scenario.name}-${result.seed}-merged`);
    writeRunDirectory(out, result, intervals, startEpochMs);
    // Drawn from the directory just written, as `matchbench report` would.
    writeReport(out);
    if (a.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${summaryText(result)}\nmerged ${shards.length} shard(s) into run directory: ${out}\n`);
    process.exitCode = VERDICT_EXIT[result.verdict];
  },
};
