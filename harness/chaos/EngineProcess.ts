import { spawn, type ChildProcess } from 'node:child_process';

/** Options of {@link EngineProcess.start}. */
export interface EngineProcessOptions {
  /** argv that runs `matchbench engine`, e.g. `[process.execPath, 'dist/harness/cli.js', 'engine']`. */
  readonly command: readonly string[];
  /** Flags after it (config, journal, durability; ports are added here). */
  readonly args: readonly string[];
  /** Order-entry and market-data ports; 0 lets the engine pick. */
  readonly orderPort: number;
  readonly mdPort: number;
  /** Longest wait for the engine's ready line, ms. */
  readonly startTimeoutMs: number;
  /** Every line the engine prints (stdout and stderr). */
  readonly onLine?: (line: string) => void;
}

/** What the engine said at start. */
export interface EngineStart {
  readonly orderPort: number;
  readonly mdPort: number;
  /** Journal records it replayed and the state hash they gave (from its start-up line). */
  readonly recoveredRecords: number;
  readonly recoveredStateHash: string;
  readonly tornBytes: number;
  /** performance.now() when the ready line arrived. */
  readonly readyAtMs: number;
}

/** The engine did not start: it exited, or printed no ready line in time. */
export class EngineStartError extends Error {
  override readonly name = 'EngineStartError';
}

const READY = /order entry [\d.]+:(\d+), market data [\d.]+:(\d+)/;
const REPLAYED = /replayed (\d+) journal records(?: \(cut off a torn last record of (\d+) bytes\))?; state hash ([0-9a-f]+)/;

/**
 * `matchbench engine` as a child process, so that it can be killed with SIGKILL: started, read
 * for its start-up lines, killed or stopped, and waited for.
 */
export class EngineProcess {
  private constructor(private readonly child: ChildProcess, readonly started: EngineStart,
    private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>) {}

  /** Starts the engine and resolves once it prints its ready line. */
  static start(o: EngineProcessOptions): Promise<EngineProcess> {
    const [program, ...rest] = o.command;
    if (program === undefined) throw new RangeError('empty engine command');
    const child = spawn(program, [...rest, ...o.args, '--order-port', String(o.orderPort), '--md-port', String(o.mdPort)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })));
    return new Promise<EngineProcess>((resolve, reject) => {
      let replayed: RegExpMatchArray | null = null;
      const tail: string[] = [];
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        child.kill('SIGKILL');
        reject(new EngineStartError(`${why}${tail.length === 0 ? '' : `; it said:\n  ${tail.join('\n  ')}`}`));
      };
      const timer = setTimeout(() => fail(`the engine printed no ready line within ${o.startTimeoutMs} ms`), o.startTimeoutMs);
      const onLine = (line: string): void => {
        o.onLine?.(line);
        tail.push(line);
        if (tail.length > 10) tail.shift();
        replayed ??= REPLAYED.exec(line);
        const ready = READY.exec(line);
        if (ready === null || settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(new EngineProcess(child, {
          orderPort: Number(ready[1]), mdPort: Number(ready[2]),
          recoveredRecords: replayed === null ? 0 : Number(replayed[1]),
          tornBytes: replayed?.[2] === undefined ? 0 : Number(replayed[2]),
          recoveredStateHash: replayed?.[3] ?? '',
          readyAtMs: performance.now(),
        }, exited));
      };
      for (const stream of [child.stdout, child.stderr]) {
        let buffered = '';
        stream?.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
            onLine(buffered.slice(0, end));
            buffered = buffered.slice(end + 1);
          }
        });
      }
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(`cannot run ${o.command.join(' ')}: ${error.message}`);
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        fail(`the engine exited before it was ready (${signal ?? `exit code ${code}`})`);
      });
    });
  }

  /** SIGKILL: no journal flush, no LOGOUT; resolves once the process is gone. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGINT (a clean stop: journal closed, LOGOUT to everyone); resolves with the exit code, or null after a signal. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
