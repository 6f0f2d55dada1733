/**
 * `matchbench feed <layout> --mold host:port`, as a user runs it (the built CLI in dist/): exit
 * codes for a clean session, lost messages, a stall, a port that cannot be bound, and bad flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../exitCodes.js';
import { encodeLayoutFrame } from '../feeds/encodeLayoutFrame.js';
import { parseFeedLayout } from '../feeds/loadFeedLayout.js';
import { startMoldPublisher, type MoldPublisher, type MoldPublisherOptions } from '../feeds/mold/MoldPublisher.testkit.js';

const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));
const moldFile = fileURLToPath(new URL('../../feeds/examples/itch-mold.yaml', import.meta.url));
const itchFile = fileURLToPath(new URL('../../feeds/examples/itch-like.yaml', import.meta.url));
const loaded = parseFeedLayout(readFileSync(moldFile, 'utf8'));
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const layout = loaded.layout;
const addOrders = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => encodeLayoutFrame(layout, { type: 'AddOrder', values: { orderRef: i } }));

interface Run {
  /** Resolves with the port the CLI listens on, from its "listening on" line. */
  readonly port: Promise<number>;
  readonly done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function feed(...args: string[]): Run {
  const child = spawn(process.execPath, [cli, 'feed', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onPort: (port: number) => void = () => {};
  let noPort: (error: Error) => void = () => {};
  const port = new Promise<number>((resolve, reject) => {
    onPort = resolve;
    noPort = reject;
  });
  port.catch(() => {});
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    const match = /listening on [\d.]+:(\d+)/.exec(stderr);
    if (match !== null) onPort(Number(match[1]));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (status) => {
      clearTimeout(timer);
      noPort(new Error(`matchbench feed exited (${status}) before listening: ${stderr}`));
      resolve({ status, stdout, stderr });
    });
  });
  return { port, done };
}

const publishers: MoldPublisher[] = [];
afterEach(async () => {
  await Promise.all(publishers.splice(0).map((p) => p.close()));
});

/** A publisher (its retransmission server first, so the CLI can be told where it is) that sends to the CLI once it listens. */
async function publisherFor(options: Partial<MoldPublisherOptions> = {}): Promise<{ publisher: MoldPublisher; to: { host: string; port: number } }> {
  const to = { host: '127.0.0.1', port: 0 };
  const publisher = await startMoldPublisher({ to, ...options });
  publishers.push(publisher);
  return { publisher, to };
}

describe('matchbench feed --mold', () => {
  it('reads a session to its end and passes when nothing was lost (exit 0), recovering a dropped packet', async () => {
    const { publisher, to } = await publisherFor();
    const run = feed(moldFile, '--mold', '127.0.0.1:0', '--mold-retransmit', `127.0.0.1:${publisher.retransmitPort}`, '--seconds', '20');
    to.port = await run.port;
    await publisher.publish(addOrders(2));
    publisher.packet(addOrders(3));
    await publisher.publish(addOrders(1));
    await publisher.endOfSession();
    const r = await run.done;
    expect(r.status).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/^feed itch-mold \(MoldUDP64 session "TEST000001"\): end-of-session/);
    expect(r.stdout).toMatch(/AddOrder 6,/);
    expect(r.stdout).toMatch(/gaps: 1 \(3 messages\); recovered 3, lost 0, still missing 0; duplicates 0/);
  });

  it('fails when the port is taken (exit 5, --json), and when a gap cannot be recovered (exit 3)', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    // Both at once: each CLI start takes seconds on a loaded machine.
    const busyRun = feed(moldFile, '--mold', `127.0.0.1:${taken.address().port}`, '--json').done;
    const { publisher, to } = await publisherFor({ retransmit: 'silent' });
    const lossy = feed(moldFile, '--mold', '127.0.0.1:0', '--mold-retransmit', `127.0.0.1:${publisher.retransmitPort}`, '--seconds', '20');
    to.port = await lossy.port;
    await publisher.publish(addOrders(1));
    publisher.packet(addOrders(2));
    await publisher.publish(addOrders(1));
    await publisher.endOfSession();
    const busy = await busyRun;
    taken.close();
    expect(busy.status).toBe(ExitCode.Target);
    expect(JSON.parse(busy.stdout)).toMatchObject({ verdict: 'bind-failed' });
    const r = await lossy.done;
    expect(r.status).toBe(ExitCode.Invariant);
    expect(r.stdout).toMatch(/recovered 0, lost 2/);
    expect(r.stdout).toMatch(/re-requests: 3 \(2 retries\)/);
  });

  it('reads what `matchbench publish` sends: every dropped packet re-requested and recovered, duplicates ignored, nothing lost', async () => {
    // A free UDP port for the publisher's re-request server, so that the reader can be told it first.
    const probe = dgram.createSocket('udp4');
    const retransmitPort = await new Promise<number>((resolve) => probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const reader = feed(moldFile, '--mold', '127.0.0.1:0', '--mold-retransmit', `127.0.0.1:${retransmitPort}`, '--seconds', '20', '--json');
    const port = await reader.port;
    const published = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'publish', moldFile, '--to', `127.0.0.1:${port}`, '--retransmit-port', String(retransmitPort),
        '--messages', '3000', '--packets-per-second', '3000', '--drop', '0.05', '--duplicate', '0.05', '--seed', '7', '--linger-ms', '1500', '--json'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout }); });
    });
    expect(published.status).toBe(ExitCode.Ok);
    const p = JSON.parse(published.stdout) as { messages: number; packets: number; dropped: number; duplicated: number; requests: number };
    expect(p).toMatchObject({ messages: 3000, packets: 300 });
    expect(p.dropped).toBeGreaterThan(0);
    expect(p.duplicated).toBeGreaterThan(0);
    const r = await reader.done;
    expect(r.status).toBe(ExitCode.Ok);
    const result = JSON.parse(r.stdout) as { verdict: string; framesByType: Record<string, number>;
      mold: { gaps: number; recoveredMessages: number; lostMessages: number; duplicateMessages: number; requestsSent: number } };
    expect(result.verdict).toBe('end-of-session');
    expect(result.framesByType['AddOrder']).toBe(3000);
    // A dropped packet at the very end is found by the end of session, not by a gap: both are re-requested.
    expect(result.mold.recoveredMessages).toBe(p.dropped * 10);
    expect(result.mold.lostMessages).toBe(0);
    expect(result.mold.duplicateMessages).toBe(p.duplicated * 10);
    expect(result.mold.requestsSent).toBe(p.requests);
  }, 40_000);

  it('publish refuses a layout that is not MoldUDP64 and bad flags, naming every problem (exit 2), sending nothing', () => {
    const r = spawnSync(process.execPath, [cli, 'publish', itchFile, '--to', '127.0.0.1:99999', '--drop', '2', '--per-packet', '0'],
      { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/--to: .*port 99999 is not in 1\.\.65535/);
    expect(r.stderr).toMatch(/layout itch-like is not framed moldudp64/);
    expect(r.stderr).toMatch(/--per-packet must be an integer from 1 to 1000, got 0/);
    expect(r.stderr).toMatch(/--drop must be in \[0, 1\), got 2/);
  });

  it('ends as stalled when nothing arrives (exit 1)', async () => {
    const r = await feed(moldFile, '--mold', '127.0.0.1:0', '--stall-after-ms', '300', '--json').done;
    expect(r.status).toBe(ExitCode.Error);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'stalled', mold: { packets: 0 } });
  });

  it('refuses flags that do not fit the layout, naming every problem (exit 2)', async () => {
    const [wrong, md] = await Promise.all([feed(itchFile, '--mold', '127.0.0.1:0', '--mold-group', '10.0.0.1').done,
      feed(moldFile, '--md', '127.0.0.1:9', '--mold-retransmit', 'x').done]);
    expect(wrong.status).toBe(ExitCode.Usage);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      'matchbench feed: --mold: the layout\'s framing is fixed, not moldudp64',
      'matchbench feed: --mold-group: "10.0.0.1" is not an IPv4 multicast address (224.0.0.0 to 239.255.255.255)',
    ]);
    expect(md.status).toBe(ExitCode.Usage);
    expect(md.stderr.trim().split('\n')).toEqual([
      'matchbench feed: --mold-retransmit needs --mold',
      'matchbench feed: the layout\'s framing is moldudp64 (UDP): read it with --mold host:port, not --md',
    ]);
  });
});
