import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { FrameReader } from '../../engine/protocol/FrameReader.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { ExitCode } from '../exitCodes.js';

const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));

/** Connects, sends `frames`, and collects decoded frames until `done` says so (at most 5 s). */
async function converse(port: number, frames: Message[], done: (received: Message[]) => boolean): Promise<Message[]> {
  const socket = net.connect(port, '127.0.0.1');
  const reader = new FrameReader();
  const received: Message[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out; got ${JSON.stringify(received.map((m) => m.type))}`));
    }, 5_000);
    socket.on('connect', () => socket.write(Buffer.concat(frames.map((f) => encode(f)))));
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let m = reader.next(); m !== undefined; m = reader.next()) received.push(m);
      if (done(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
  });
}

describe('matchbench engine', () => {
  it('listens on 127.0.0.1, trades, publishes market data, and stops cleanly on SIGTERM with its journal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-engine-cli-'));
    const journal = path.join(dir, 'e.journal');
    const child = spawn(process.execPath, [cli, 'engine', '--order-port', '0', '--md-port', '0', '--http-port', '0', '--journal', journal], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`engine did not start: ${out}`)), 10_000);
        child.stdout.on('data', () => {
          const m = out.match(/order entry 127\.0\.0\.1:(\d+), market data 127\.0\.0\.1:(\d+)/);
          if (m !== null) {
            clearTimeout(t);
            resolve(m);
          }
        });
      });
      const orderPort = Number(ready[1]);
      const mdPort = Number(ready[2]);
      const login = (sequence: number, clientId: number): Message =>
        ({ type: MessageType.Login, symbolId: 0, sequence, timestampNs: 1, clientId, heartbeatIntervalMs: 1_000 });
      const order = (sequence: number, side: Side): Message => ({ type: MessageType.NewOrder, symbolId: 1, sequence, timestampNs: 77,
        clientOrderId: sequence, side, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 500, quantity: 10 });
      const reports = await converse(orderPort, [login(1, 4), order(2, Side.Sell), order(3, Side.Buy)],
        (r) => r.filter((m) => m.type === MessageType.Fill).length === 2);
      expect(reports.filter((m) => m.type === MessageType.Ack)).toHaveLength(2);
      const snapshot = await converse(mdPort, [login(1, 5), { type: MessageType.SnapshotRequest, symbolId: 1, sequence: 2, timestampNs: 1, levels: 5 }],
        (r) => r.some((m) => m.type === MessageType.BookSnapshot));
      expect(snapshot[0]).toMatchObject({ type: MessageType.LoginAck });

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/SIGTERM: stopping/);
      expect(out).toMatch(/stopped after 2 commands/);
      const replay = spawnSync(process.execPath, [cli, 'replay', journal, '--json'], { encoding: 'utf8' });
      expect(JSON.parse(replay.stdout)).toMatchObject({ records: 2, restingOrders: 0 });
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes its settings from a YAML config file, flags overriding it, and serves HTTP', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-engine-yaml-'));
    const config = path.join(dir, 'engine.yaml');
    fs.writeFileSync(config, 'ports: { orderEntry: 0, marketData: 0, http: 1 }\nsymbols:\n  - { symbolId: 5, name: XAU-USD }\n  - { symbolId: 6 }\n');
    const child = spawn(process.execPath, [cli, 'engine', '--config', config, '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`engine did not start: ${out}`)), 10_000);
        child.stdout.on('data', () => {
          const m = out.match(/engine ready: (\d+) symbol\(s\);.*http 127\.0\.0\.1:(\d+)/);
          if (m !== null) {
            clearTimeout(t);
            resolve(m);
          }
        });
      });
      expect(ready[1]).toBe('2');
      const response = await fetch(`http://127.0.0.1:${ready[2]}/book/XAU-USD`);
      expect(await response.json()).toEqual({ symbol: 'XAU-USD', symbolId: 5, bids: [], asks: [] });
      child.kill('SIGTERM');
      expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(0);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every problem in a bad configuration file at once and runs nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-engine-cfg-'));
    try {
      const config = path.join(dir, 'engine.json');
      fs.writeFileSync(config, JSON.stringify({ symbols: [{ symbolId: 1, name: 'A', tickSize: 0 }, { name: 'B', maxPrice: -5 }, { symbolId: 1, name: 'C' }] }));
      const r = spawnSync(process.execPath, [cli, 'engine', '--config', config], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status).toBe(ExitCode.Usage);
      expect(r.stderr).toContain('symbols[0].tickSize: must be a positive integer, got 0');
      expect(r.stderr).toContain('symbols[1].symbolId: required');
      expect(r.stderr).toContain('symbols[1].maxPrice: must be a positive integer, got -5');
      expect(r.stderr).toContain('symbols[2].symbolId: 1 is used twice');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
