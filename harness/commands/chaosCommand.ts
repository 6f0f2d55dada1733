import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { EngineStartError } from '../chaos/EngineProcess.js';
import { formatChaosReport } from '../chaos/formatChaosReport.js';
import { TargetError } from '../clients/TargetError.js';
import { CHAOS_DEFAULTS, runChaos } from '../chaos/runChaos.js';
import { ExitCode } from '../exitCodes.js';
import { defaultRunDir, scenarioProblemLines } from './scenarioRunEdges.js';
import { loadScenario } from '../scenario/loadScenario.js';

interface ChaosArgs {
  scenario: string;
  seed: number | undefined;
  kills: number;
  durability: 'none' | 'batch' | 'sync';
  out: string | undefined;
  subscribers: number;
  json: boolean;
  'testkit-journal-lag-ms': number | undefined;
}

/**
 * `matchbench chaos`: SIGKILLs the reference engine (a child process) at seeded moments under
 * load, restarts it on its journal, and checks that nothing acknowledged was lost. Exit 0 when
 * every check passed, 3 when one failed, 5 when the engine did not start, 2 for usage errors.
 */
export const chaosCommand: CommandModule<object, ChaosArgs> = {
  command: 'chaos',
  describe: 'Kill the reference engine under load, restart it on its journal, and check that nothing acknowledged was lost',
  builder: (y) => y
    .option('scenario', { type: 'string', default: 'scenarios/smoke.yaml', describe: 'Scenario whose order stream is the load (its subscribers are not used)' })
    .option('seed', { type: 'number', describe: 'Seed of the order stream, the kill moments and the bit flip [default: the scenario\'s]' })
    .option('kills', { type: 'number', default: 3, describe: 'SIGKILLs at seeded moments of the load' })
    .option('durability', { choices: ['none', 'batch', 'sync'] as const, default: 'sync' as const,
      describe: 'The engine\'s --durability (only sync promises an ACKed order is on disk)' })
    .option('out', { type: 'string', describe: 'Directory for the journal, engine.log and chaos.json [default: runs/chaos-<seed>-<time>]' })
    .option('subscribers', { type: 'number', default: CHAOS_DEFAULTS.subscribers as number, describe: 'Feed subscribers that must resume after each restart' })
    .option('json', { type: 'boolean', default: false, describe: 'Print chaos.json on stdout instead of the table' })
    // Test-only, hidden: passed to the engine, which then ACKs before journaling (a deliberately broken engine).
    .option('testkit-journal-lag-ms', { type: 'number', hidden: true })
    .check((a) => {
      const problems: string[] = [];
      if (!Number.isSafeInteger(a.kills) || a.kills < 0 || a.kills > 1_000) problems.push(`--kills must be an integer from 0 to 1000, got ${a.kills}`);
      if (a.seed !== undefined && !Number.isSafeInteger(a.seed)) problems.push(`--seed must be an integer, got ${a.seed}`);
      if (!Number.isSafeInteger(a.subscribers) || a.subscribers < 0 || a.subscribers > 100) problems.push(`--subscribers must be an integer from 0 to 100, got ${a.subscribers}`);
      const lag = a['testkit-journal-lag-ms'];
      if (lag !== undefined && !(Number.isSafeInteger(lag) && lag > 0)) problems.push(`--testkit-journal-lag-ms must be a positive integer, got ${lag}`);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    }),
  handler: async (a) => {
    const loaded = await loadScenario(a.scenario);
    if (!loaded.ok) {
      process.stderr.write(scenarioProblemLines(a.scenario, loaded.problems).map((l) => `matchbench chaos: ${l}\n`).join(''));
      process.exitCode = ExitCode.Usage;
      return;
    }
    const seed = a.seed ?? loaded.scenario.seed;
    const outDir = a.out ?? defaultRunDir(`chaos-${seed}`);
    const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
    const lag = a['testkit-journal-lag-ms'];
    let result;
    try {
      result = await runChaos({
        scenario: loaded.scenario, seed, kills: a.kills, durability: a.durability, outDir, subscribers: a.subscribers,
        engineCommand: [process.execPath, cli, 'engine'],
        ...(lag === undefined ? {} : { engineArgs: ['--testkit-journal-lag-ms', String(lag)] }),
        progress: (line) => process.stderr.write(`chaos: ${line}\n`),
      });
    } catch (error) {
      if (error instanceof EngineStartError || error instanceof TargetError) {
        process.stderr.write(`matchbench chaos: ${error instanceof EngineStartError ? 'the engine did not start: ' : ''}${error.message}\n`);
        process.exitCode = ExitCode.Target;
        return;
      }
      throw error;
    }
    process.stdout.write(a.json ? `${JSON.stringify(result)}\n` : `${formatChaosReport(result)}\nchaos.json: ${path.join(outDir, 'chaos.json')}\n`);
    process.exitCode = result.verdict === 'pass' ? ExitCode.Ok : ExitCode.Invariant;
  },
};
