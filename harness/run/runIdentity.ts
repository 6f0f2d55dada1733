import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { RunIdentity } from '../../reports/RunResult.js';

/** The git commit of `cwd` (HEAD, with `-dirty` when the tree has changes), or 'unknown' outside a repository. */
export function gitCommit(cwd: string): string {
  try {
    const run = (args: string[]): string =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    const head = run(['rev-parse', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

function packageVersion(): string {
  // This file is <repo>/harness/run/ (sources) or <repo>/dist/harness/run/ (built).
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'matchbench' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

/** Who ran what where: recorded in every result so a run can be reproduced and compared fairly. */
export function runIdentity(command: string, cwd: string = process.cwd()): RunIdentity {
  const cpus = os.cpus();
  return {
    matchbenchVersion: packageVersion(),
    gitCommit: gitCommit(cwd),
    nodeVersion: process.version,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryBytes: os.totalmem(),
    command,
  };
}
