import path from 'node:path';
import type { CommandModule } from 'yargs';
import { summaryText } from '../../reports/writers/summaryText.js';
import { ExitCode } from '../exitCodes.js';
import { PROFILE_TOOLS, type ProfileTool } from '../profile/ClinicEngine.js';
import { ProfileError } from '../profile/ProfileError.js';
import { profileScenario, type ProfileOutput } from '../profile/profileScenario.js';
import { loadScenario } from '../scenario/loadScenario.js';
import { VERDICT_EXIT } from './runCommand.js';
import { defaultRunDir, runErrorExit, scenarioProblemLines, stopLoadOnSignal, writeRunOutput } from './scenarioRunEdges.js';

interface ProfileArgs {
  scenario: string;
  tool: ProfileTool;
  seed: number | undefined;
  out: string | undefined;
  quiet: boolean;
}

/** The profile's directory inside a run directory; report.html links the HTML files in it. */
const PROFILE_SUBDIR = 'profile';

/**
 * `matchbench profile <scenario> --tool doctor|flame|bubbleprof`: the reference engine in its own
 * process under clinic, driven by the scenario; a run directory with clinic's report in profile/.
 */
export const profileCommand: CommandModule<object, ProfileArgs> = {
  command: 'profile <scenario>',
  describe: 'Run a scenario against the reference engine under clinic (doctor, flame, bubbleprof); its HTML goes into the run directory',
  builder: (y) => y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (scenarios/*.yaml)' })
    .option('tool', { choices: PROFILE_TOOLS, default: 'doctor' as ProfileTool,
      describe: 'clinic tool: doctor (event loop, CPU, memory, handles, with advice), flame (where CPU time goes), bubbleprof (async waits)' })
    .option('seed', { type: 'number', describe: "Run seed (default: the scenario's seed)" })
    .option('out', { type: 'string', describe: 'Run directory (default runs/<scenario>-<seed>-<time>-<tool>)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Do not print clinic\'s and the engine\'s output as it comes' })
    .check((a) => {
      if (a.seed !== undefined && !Number.isSafeInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
      return true;
    }),
  handler: async (a) => {
    const fail = (code: ExitCode, lines: readonly string[]): void => {
      process.stderr.write(lines.map((l) => `matchbench profile: ${l}\n`).join(''));
      process.exitCode = code;
    };
    const loaded = await loadScenario(a.scenario);
    if (!loaded.ok) {
      fail(ExitCode.Usage, scenarioProblemLines(a.scenario, loaded.problems));
      return;
    }
    const { scenario } = loaded;
    const seed = a.seed ?? scenario.seed;
    const out = a.out ?? defaultRunDir(`${scenario.name}-${seed}`, `-${a.tool}`);
    // Ctrl-C stops the load; the engine is still stopped properly so that clinic writes its report.
    const interrupt = stopLoadOnSignal('matchbench profile: stopping the load (Ctrl-C again to abort without a profile)');
    let output: ProfileOutput;
    try {
      if (!a.quiet) process.stderr.write(`matchbench profile: starting the engine under clinic ${a.tool}, then ${scenario.name}\n`);
      output = await profileScenario({
        scenario, scenarioHash: loaded.hash, scenarioFile: a.scenario, seed, tool: a.tool, signal: interrupt.signal,
        profileDir: path.join(out, PROFILE_SUBDIR),
        command: ['matchbench', ...process.argv.slice(2)].join(' '),
        ...(a.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
      });
    } catch (error) {
      if (error instanceof ProfileError) {
        fail(ExitCode.Error, [`${error.code}: ${error.message}`]);
        return;
      }
      const exit = runErrorExit(error);
      if (exit === undefined) throw error;
      fail(exit.code, [exit.line]);
      return;
    } finally {
      interrupt.release();
    }
    // The engine's log is the profile's clinic.log (clinic's messages and the engine's, interleaved as printed).
    writeRunOutput(out, output);
    process.stdout.write(`${summaryText(output.result)}\nprofile: ${output.htmlFile} (clinic ${a.tool}; its log: ${output.logFile})\n` +
      `run directory: ${out}\n`);
    process.exitCode = VERDICT_EXIT[output.result.verdict];
  },
};
