import type { CommandModule } from 'yargs';
import { RunDirectoryError } from '../../reports/readRunDirectory.js';
import { writeReport } from '../../reports/writers/reportHtml.js';
import { ExitCode } from '../exitCodes.js';

interface ReportArgs {
  'run-dir': string;
}

/** `matchbench report <run-dir>`: write report.html into a run directory. */
export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run-dir>',
  describe: 'Write report.html (self-contained: charts, verdicts, identity) into a run directory',
  builder: (y) => y.positional('run-dir', { type: 'string', demandOption: true, describe: 'A run directory written by matchbench run' }),
  handler: (a) => {
    try {
      process.stdout.write(`${writeReport(a['run-dir'])}\n`);
    } catch (error) {
      if (error instanceof RunDirectoryError) {
        process.stderr.write(`matchbench report: ${error.message}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      throw error;
    }
  },
};
