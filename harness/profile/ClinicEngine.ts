import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtModuleUrl } from '../../engine/ring/builtModule.js';
import type { HostPort } from '../scenario/Scenario.js';
import { ProfileError } from './ProfileError.js';

/** The clinic tools `matchbench profile` can run. */
export const PROFILE_TOOLS = ['doctor', 'flame', 'bubbleprof'] as const;
export type ProfileTool = (typeof PROFILE_TOOLS)[number];

/** Options of {@link ClinicEngine.start}; each documents its default. */
export interface ClinicEngineOptions {
  readonly tool: ProfileTool;
  /** An empty directory of its own: clinic's working directory (doctor and flame write trace logs there) and `--dest`. */
  readonly workDir: string;
  /** The `matchbench engine` config file (symbols, ports 0 on 127.0.0.1). */
  readonly engineConfigFile: string;
  /** How long the engine may take to say where it listens, ms. Default 60 000 (clinic's start is slow on a loaded machine). */
  readonly readyTimeoutMs?: number;
  /** Every line clinic and the engine print. Default: dropped. */
  readonly log?: (line: string) => void;
}

/** Defaults of {@link ClinicEngineOptions} and {@link ClinicEngine.stop}. */
export const CLINIC_ENGINE_DEFAULTS = {
  readyTimeoutMs: 60_000,
  /** flame turns hundreds of MB of V8 tick logs into a flame graph; on 2 busy cores that takes minutes. */
  analyseTimeoutMs: 600_000,
} as const;

/** The line `matchbench engine` prints once it listens (harness/commands/engineCommand.ts). */
const READY_LINE = /engine ready: .*order entry (\S+):(\d+), market data (\S+):(\d+)/;
/** Lines of clinic's output quoted in an error. */
const TAIL_LINES = 15;

/** Where the engine under clinic listens. */
export interface EngineEndpoints {
  readonly orderEntry: HostPort;
  readonly marketData: HostPort;
}

/** Where the engine listens, from its ready line; undefined until the line has been printed. */
export function parseEngineReady(output: string): EngineEndpoints | undefined {
  const m = READY_LINE.exec(output);
  if (m === null) return undefined;
  return { orderEntry: { host: m[1] ?? '', port: Number(m[2]) }, marketData: { host: m[3] ?? '', port: Number(m[4]) } };
}

/** The clinic CLI script, or a `clinic-missing` error. */
function clinicBin(): string {
  try {
    return createRequire(import.meta.url).resolve('clinic/bin.js');
  } catch {
    throw new ProfileError('clinic-missing', 'the clinic package is not installed here (it is a dependency of matchbench: run npm ci)');
  }
}

/**
 * The reference engine (`matchbench engine`, built in dist/) in its own process under a clinic tool:
 *
 * ```
 *  this process ──spawn, own process group──► clinic <tool> --dest workDir ──spawn + injected sampler──► node cli.js engine
 *       │  ◄──────────── stdout/stderr (clinic's messages and the engine's log, "engine ready: …") ─────────┘
 *       └─ stop(): SIGINT to the whole group, as Ctrl-C in a terminal ─► engine stops, clinic analyses, writes <pid>.clinic-<tool>.html
 * ```
 *
 * The whole group gets the signal because the tools disagree on who forwards it: doctor and
 * bubbleprof relay it to the engine, flame (0x) does not and relies on the terminal.
 */
export class ClinicEngine {
  #output = '';
  #exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exited = false;
  #endpoints: EngineEndpoints | undefined;
  readonly #killOnExit = (): void => this.#signalGroup('SIGKILL');

  private constructor(private readonly child: ChildProcess, private readonly options: ClinicEngineOptions) {
    this.#exit = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.#exited = true;
      process.off('exit', this.#killOnExit);
      resolve({ code, signal });
    }));
    for (const stream of [child.stdout, child.stderr]) {
      // Whole lines to the log: a chunk may end inside one.
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        this.#output += text;
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') options.log?.(line);
      });
      stream?.on('end', () => {
        if (pending.trim() !== '') options.log?.(pending);
      });
    }
    // The group is detached from ours: make sure it does not outlive this process.
    process.once('exit', this.#killOnExit);
  }

  /** Starts clinic and the engine under it; resolves once the engine listens. */
  static async start(options: ClinicEngineOptions): Promise<ClinicEngine> {
    const bin = clinicBin();
    // clinic insists that the profiled command is literally `node`.
    const node = /^node(\.exe)?$/.test(path.basename(process.execPath)) ? process.execPath : 'node';
    const args = [bin, options.tool, '--open=false', '--dest', options.workDir, '--',
      node, fileURLToPath(builtModuleUrl('harness/cli.ts')), 'engine', '--config', options.engineConfigFile];
    const shim = `--import=${builtModuleUrl('harness/profile/clinicWorkerShim.ts').href}`;
    const child = spawn(process.execPath, args, {
      cwd: options.workDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: [process.env.NODE_OPTIONS, shim].filter((o) => o !== undefined && o !== '').join(' '),
        // Without NO_INSIGHT clinic asks whether it may send usage statistics; with no terminal to
        // answer, it then exits 0 without profiling anything. Neither it nor the update check may phone out.
        NO_INSIGHT: '1',
        NO_UPDATE_NOTIFIER: '1',
      },
    });
    const engine = new ClinicEngine(child, options);
    engine.#endpoints = await engine.#waitReady(options.readyTimeoutMs ?? CLINIC_ENGINE_DEFAULTS.readyTimeoutMs);
    return engine;
  }

  /** Where the engine listens (known once {@link ClinicEngine.start} resolved). */
  get endpoints(): EngineEndpoints {
    if (this.#endpoints === undefined) throw new Error('ClinicEngine: endpoints are known once start() resolved');
    return this.#endpoints;
  }

  /** Everything clinic and the engine printed so far. */
  get output(): string {
    return this.#output;
  }

  async #waitReady(timeoutMs: number): Promise<EngineEndpoints> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const endpoints = parseEngineReady(this.#output);
      if (endpoints !== undefined) return endpoints;
      if (this.#exited) {
        const { code, signal } = await this.#exit;
        throw new ProfileError('engine-failed', `the engine under clinic ${this.options.tool} exited (${signal ?? `code ${code}`}) ` +
          `before it listened; its output ends:\n${this.#tail()}`);
      }
      if (Date.now() > deadline) {
        this.kill();
        throw new ProfileError('engine-failed', `the engine under clinic ${this.options.tool} did not say where it listens within ` +
          `${timeoutMs / 1_000} s; its output ends:\n${this.#tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Stops the engine as Ctrl-C would and waits for clinic's analysis; returns the HTML file clinic
   * wrote in workDir. Throws `clinic-failed` or `no-html`.
   */
  async stop(analyseTimeoutMs: number = CLINIC_ENGINE_DEFAULTS.analyseTimeoutMs): Promise<string> {
    this.#signalGroup('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), analyseTimeoutMs); });
    const exit = await Promise.race([this.#exit, timedOut]);
    clearTimeout(timer);
    if (exit === 'timeout') {
      this.kill();
      throw new ProfileError('clinic-failed', `clinic ${this.options.tool} did not finish within ${analyseTimeoutMs / 1_000} s ` +
        `of the engine being stopped; its output ends:\n${this.#tail()}`);
    }
    if (exit.code !== 0) {
      throw new ProfileError('clinic-failed', `clinic ${this.options.tool} failed (${exit.signal ?? `exit code ${exit.code}`}); ` +
        `its output ends:\n${this.#tail()}`);
    }
    const suffix = `.clinic-${this.options.tool}.html`;
    const html = readdirSync(this.options.workDir).filter((name) => name.endsWith(suffix));
    if (html.length === 0) {
      throw new ProfileError('no-html', `clinic ${this.options.tool} exited without writing *${suffix} in ${this.options.workDir}; ` +
        `its output ends:\n${this.#tail()}`);
    }
    return path.join(this.options.workDir, html[0] ?? '');
  }

  /** Kills clinic and the engine at once (no profile); for failures. */
  kill(): void {
    this.#signalGroup('SIGKILL');
  }

  #signalGroup(signal: NodeJS.Signals): void {
    // Not skipped once clinic has exited: the engine may outlive it in the group.
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  #tail(): string {
    return this.#output.trimEnd().split('\n').slice(-TAIL_LINES).map((l) => `  ${l}`).join('\n');
  }
}
