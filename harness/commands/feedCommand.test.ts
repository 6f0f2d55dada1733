import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';
import { encodeLayoutFrame } from '../feeds/encodeLayoutFrame.js';
import { startLayoutFeedPublisher, type LayoutFeedPublisher } from '../feeds/LayoutFeedPublisher.testkit.js';
import { loadFeedLayout } from '../feeds/loadFeedLayout.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const itchFile = fileURLToPath(new URL('../../feeds/examples/itch-like.yaml', import.meta.url));

const feed = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => new Promise((resolve) => {
  const child = spawn(process.execPath, [cli, 'feed', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
});

let publisher: LayoutFeedPublisher | undefined;
afterEach(async () => {
  await publisher?.close();
  publisher = undefined;
});

/** A publisher of ITCH-like frames with the given sequence numbers, then silence with the connection open. */
async function publish(sequences: readonly number[]): Promise<number> {
  const loaded = await loadFeedLayout(itchFile);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const layout = loaded.layout;
  publisher = await startLayoutFeedPublisher(async ({ socket, received }) => {
    await received(7);
    for (const sequence of sequences) socket.write(encodeLayoutFrame(layout, { type: 'AddOrder', values: { sequence } }));
  });
  return publisher.port;
}

describe('matchbench feed', () => {
  it('checks a layout and describes it (exit 0); a bad one gives every problem (exit 2)', async () => {
    const ok = await feed(itchFile);
    expect(ok.status).toBe(ExitCode.Ok);
    expect(ok.stdout).toMatch(/^layout itch-like/);
    expect(ok.stdout).toMatch(/checksum: xor8/);
    const dir = mkdtempSync(join(tmpdir(), 'matchbench-feed-'));
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nname: bad\nframing: { kind: fixed }\nheader: []\ntypeField: t\nmessages: []\n');
    const bad = await feed(join(dir, 'bad.yaml'), '--md', 'nowhere');
    expect(bad.status).toBe(ExitCode.Usage);
    expect(bad.stderr.trim().split('\n')).toEqual([
      `matchbench feed: ${join(dir, 'bad.yaml')}: header: must have at least 1 entry (line 4)`,
      `matchbench feed: ${join(dir, 'bad.yaml')}: messages: must have at least 1 entry (line 6)`,
      'matchbench feed: --md: "nowhere" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001)',
    ]);
  });

  it('reads a feed for --seconds and passes when nothing was lost (exit 0)', async () => {
    const port = await publish([1, 2, 3, 4, 5]);
    const r = await feed(itchFile, '--md', `127.0.0.1:${port}`, '--seconds', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/^feed itch-like: stopped/);
    expect(r.stdout).toMatch(/AddOrder 5/);
    expect(r.stdout).toMatch(/gaps: 0 \(0 frames missed/);
  });

  it('fails a feed with gaps (exit 3), and an unreachable one (exit 5), with --json', async () => {
    const port = await publish([1, 2, 6]);
    const gappy = await feed(itchFile, '--md', `127.0.0.1:${port}`, '--seconds', '1', '--json');
    expect(gappy.status).toBe(ExitCode.Invariant);
    expect(JSON.parse(gappy.stdout)).toMatchObject({ verdict: 'stopped', counts: { gaps: 1, gapFrames: 3 } });
    await publisher?.close();
    const gone = await feed(itchFile, '--md', `127.0.0.1:${port}`, '--seconds', '1', '--json');
    expect(gone.status).toBe(ExitCode.Target);
    expect(JSON.parse(gone.stdout)).toMatchObject({ verdict: 'connect-failed' });
  });
});
