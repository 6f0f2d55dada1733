import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';

const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const compare = (...args: string[]) => spawnSync(process.execPath, [cli, 'compare', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('matchbench compare', () => {
  it('reports every usage problem at once with exit code 2', () => {
    const r = compare('/nonexistent/a', '/nonexistent/b', '--gate', 'p99 ten%');
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/gate "p99 ten%"/);
    expect(r.stderr).toMatch(/\/nonexistent\/a: no such directory/);
    expect(r.stderr).toMatch(/\/nonexistent\/b: no such directory/);
  });
});
