#!/usr/bin/env node
/**
 * `npm run nightly`: the nightly pipeline (ci/runNightly.ts) from the command line. ci/nightly.yml
 * calls exactly this, so a night reproduces locally with the seed and commit in its nightly.json.
 * argv, the environment ($GITHUB_STEP_SUMMARY) and the exit code live here.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode } from '../harness/exitCodes.js';
import { TARGET_FLAG_FORMS } from '../harness/scenario/parseTarget.js';
import { defaultNightlySeed, FUZZ_ENTRY, NIGHTLY_DEFAULTS, nightlyProblems, type NightlyOptions } from './nightlyPlan.js';
import { runNightly } from './runNightly.js';
import { EXIT_MEANING } from './nightlySummary.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('npm run nightly --')
  .usage('$0 [options]\n\nRuns the nightly matrix (each scenario --repeats times, compared with --baseline; the fuzzer), ' +
    'writes summary.md and nightly.json to --out and exits with the worst code: 3 invariant or fuzz failure, 6 regression, 4 thresholds.')
  .option('scenarios', { type: 'string', default: NIGHTLY_DEFAULTS.scenarios.join(','),
    describe: `Comma-separated matrix entries: scenario names in --scenario-dir, and "${FUZZ_ENTRY}"` })
  .option('repeats', { type: 'number', describe: `Runs per scenario, each with its own seed (default ${NIGHTLY_DEFAULTS.repeats}, what the default gates need; --quick ${NIGHTLY_DEFAULTS.quickRepeats})` })
  .option('seed', { type: 'number', describe: 'Nightly seed; every run\'s seed derives from it (default: today\'s UTC date, YYYYMMDD)' })
  .option('target', { type: 'string', describe: `Engine for every run: ${TARGET_FLAG_FORMS} (default: each scenario's own, the embedded engine)` })
  .option('fuzz-target', { type: 'string', describe: 'tcp://host:port for the fuzzer (default: the tcp part of --target, or the embedded engine)' })
  .option('baseline', { type: 'string', describe: 'Directory of the last good night (<dir>/<scenario>/…); missing or empty: first night, nothing compared' })
  .option('out', { type: 'string', default: NIGHTLY_DEFAULTS.outDir, describe: 'Directory for this night (each entry\'s subdirectory is replaced)' })
  .option('promote', { type: 'boolean', default: NIGHTLY_DEFAULTS.promote, describe: 'When the night passes, replace the baseline with it' })
  .option('quick', { type: 'boolean', default: NIGHTLY_DEFAULTS.quick, describe: 'Tiny configuration: scenarios shortened to 3 s with ≤ 2 subscribers per group, fuzz --quick' })
  .option('scenario-dir', { type: 'string', default: NIGHTLY_DEFAULTS.scenarioDir, describe: 'Where the scenario files are' })
  .strict()
  .fail((message, error) => {
    if (error !== undefined && error !== null && message === null) throw error;
    process.stderr.write(`nightly: ${message ?? String(error)}\n`);
    process.exit(ExitCode.Usage);
  })
  .help()
  .parseAsync();

const options: NightlyOptions = {
  scenarios: argv.scenarios.split(',').map((s) => s.trim()).filter((s) => s !== ''),
  repeats: argv.repeats ?? (argv.quick ? NIGHTLY_DEFAULTS.quickRepeats : NIGHTLY_DEFAULTS.repeats),
  seed: argv.seed ?? defaultNightlySeed(new Date()),
  target: argv.target,
  fuzzTarget: argv['fuzz-target'],
  baselineDir: argv.baseline,
  outDir: argv.out,
  promote: argv.promote,
  quick: argv.quick,
  scenarioDir: argv['scenario-dir'],
};
const problems = nightlyProblems(options);
if (problems.length > 0) {
  process.stderr.write(problems.map((p) => `nightly: ${p}\n`).join(''));
  process.exit(ExitCode.Usage);
}
const { manifest, summary } = await runNightly(options, {
  cliPath: fileURLToPath(new URL('../harness/cli.js', import.meta.url)),
  cwd: process.cwd(),
  log: (line) => process.stderr.write(`nightly: ${line}\n`),
});
const stepSummary = process.env.GITHUB_STEP_SUMMARY;
if (stepSummary !== undefined && stepSummary !== '') appendFileSync(stepSummary, summary);
// The overview on the console; the per-entry sections (with quoted run summaries) are in summary.md.
process.stdout.write(`${summary.split('\n## ')[0]?.trimEnd() ?? ''}\n`);
process.stderr.write(`nightly: ${manifest.exitCode === 0 ? 'passed' : `FAILED, exit ${manifest.exitCode} (${EXIT_MEANING[manifest.exitCode] ?? 'failed'})`}; ` +
  `summary.md and nightly.json in ${options.outDir}\n`);
process.exit(manifest.exitCode);
