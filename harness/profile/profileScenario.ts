import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunOptions, RunOutput } from '../run/runScenario.js';
import { runScenario, scenarioSymbols } from '../run/runScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { CLINIC_ENGINE_DEFAULTS, ClinicEngine, type ProfileTool } from './ClinicEngine.js';

/** Options of {@link profileScenario}: those of a run (its target is the engine under clinic), plus these. */
export interface ProfileOptions extends Omit<RunOptions, 'target' | 'inprocStall' | 'inprocDelayPerOrderNs'> {
  readonly tool: ProfileTool;
  /** Where the profile goes: `<profileDir>/<tool>.html` and `<profileDir>/clinic.log` (what clinic, the engine and the run logged). Created. */
  readonly profileDir: string;
  /** How long clinic may analyse after the engine stopped, ms. Default {@link CLINIC_ENGINE_DEFAULTS}.analyseTimeoutMs. */
  readonly analyseTimeoutMs?: number;
}

/** What a profile gives back: the run's output, as `matchbench run` has it, and the profile's files. */
export interface ProfileOutput extends RunOutput {
  /** clinic's HTML report, `<profileDir>/<tool>.html`. */
  readonly htmlFile: string;
  /** What clinic, the engine and the run logged, `<profileDir>/clinic.log`. */
  readonly logFile: string;
}

/** The `matchbench engine` config for a scenario: its symbols, any free ports on 127.0.0.1, room for every client. */
export function profileEngineConfig(scenario: Scenario): object {
  const subscribers = scenario.clients.marketData.reduce((n, g) => n + g.count, 0);
  return {
    host: '127.0.0.1',
    ports: { orderEntry: 0, marketData: 0, http: 0 },
    // As runScenario sizes the embedded engine.
    maxConnections: Math.max(1_000, scenario.clients.orderEntry + subscribers + 16),
    symbols: scenarioSymbols(scenario),
  };
}

/**
 * Runs a scenario against the reference engine running in its own process under a clinic tool,
 * then stops the engine so that clinic writes its report, and puts that report into `profileDir`.
 * Writes no run directory (the CLI does, from the returned output). Throws a ProfileError when
 * clinic or the engine fails, a TargetError when the engine cannot be driven.
 *
 * ```
 *  scenario ─► engine config (symbols, ports 0) ─► ClinicEngine.start ─► "engine ready: …" ─► ports
 *          ─► runScenario(target tcp://127.0.0.1:P, md=127.0.0.1:Q) ─► ClinicEngine.stop ─► <tool>.html
 * ```
 */
export async function profileScenario(options: ProfileOptions): Promise<ProfileOutput> {
  const { tool, profileDir, scenario } = options;
  mkdirSync(profileDir, { recursive: true });
  // clinic's raw data (up to hundreds of MB of V8 logs for flame) stays out of the run directory.
  const workDir = mkdtempSync(path.join(os.tmpdir(), `matchbench-profile-${tool}-`));
  const logFile = path.join(profileDir, 'clinic.log');
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    options.log?.(line);
  };
  let engine: ClinicEngine | undefined;
  try {
    const engineConfigFile = path.join(workDir, 'engine.json');
    writeFileSync(engineConfigFile, `${JSON.stringify(profileEngineConfig(scenario), null, 2)}\n`);
    engine = await ClinicEngine.start({ tool, workDir, engineConfigFile, log });
    const endpoints = engine.endpoints;
    log(`engine under clinic ${tool}: order entry ${endpoints.orderEntry.host}:${endpoints.orderEntry.port}, ` +
      `market data ${endpoints.marketData.host}:${endpoints.marketData.port}`);
    const output = await runScenario({ ...options, log, target: { kind: 'tcp', ...endpoints } });
    const clinicHtml = await engine.stop(options.analyseTimeoutMs ?? CLINIC_ENGINE_DEFAULTS.analyseTimeoutMs);
    engine = undefined;
    const htmlFile = path.join(profileDir, `${tool}.html`);
    copyFileSync(clinicHtml, htmlFile);
    return { ...output, htmlFile, logFile };
  } finally {
    engine?.kill();
    writeFileSync(logFile, lines.map((l) => `${l}\n`).join(''));
    rmSync(workDir, { recursive: true, force: true });
  }
}
