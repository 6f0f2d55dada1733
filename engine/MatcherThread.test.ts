/**
 * The matcher worker behind its two rings (built modules in dist/: run `npm run build` first, as
 * `npm test` does), checked against the in-process EngineCore as the oracle. Every wait is bounded.
 *
 *   commands ─► EngineCore (in-process) ─► EventPublisher ─► recorded reports + market data   (oracle)
 *   commands ─► MatcherThread ─► inbound ring ─► worker ─► outbound ring ─► EventPublisher ─► recorded
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandKind, type Command } from './book/Command.js';
import { symbolConfig } from './book/SymbolConfig.js';
import { DepthMirror } from './DepthMirror.js';
import { Engine } from './Engine.js';
import { EngineCore, type MarketDataSink, type ReportSink } from './EngineCore.js';
import { EventPublisher } from './EventPublisher.js';
import { MatcherThread } from './MatcherThread.js';
import { WAIT_STRATEGY_NAMES } from './matcherWorkerProtocol.js';
import { OrderType, RejectReason, Side, TimeInForce } from './protocol/codes.js';
import { encode } from './protocol/encode.js';
import { FrameReader } from './protocol/FrameReader.js';
import { MessageType, type Message } from './protocol/messages.js';

const SEED = 20_261_122;
const symbols = [symbolConfig({ symbolId: 1, name: 'AAA', maxPrice: 1_000 }), symbolConfig({ symbolId: 2, name: 'BBB', maxPrice: 1_000 })];

/** `count` commands from a seeded xorshift: limit orders around 100 (GTC, IOC, FOK), cancels and replaces of earlier ones. */
function commands(seed: number, count: number): Command[] {
  let x = seed | 0 || 1;
  const next = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const out: Command[] = [];
  for (let i = 1; i <= count; i++) {
    const roll = next(10);
    const base = { symbolId: 1 + next(2), owner: 1 + next(4), timestampNs: 1_000 + i, side: 0, orderType: 0, timeInForce: 0 };
    if (roll < 7 || i < 10) {
      out.push({ ...base, kind: CommandKind.NewOrder, clientOrderId: i, side: 1 + next(2), orderType: OrderType.Limit,
        timeInForce: [TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK][next(4)] as number,
        price: 90 + next(21), quantity: 1 + next(50) });
    } else if (roll < 9) {
      out.push({ ...base, kind: CommandKind.Cancel, clientOrderId: 1 + next(i - 1), price: 0, quantity: 0 });
    } else {
      out.push({ ...base, kind: CommandKind.Replace, clientOrderId: 1 + next(i - 1), price: 90 + next(21), quantity: 1 + next(50) });
    }
  }
  return out;
}

/** Sinks that record everything but flushes, in order. */
function recorder(): { reports: ReportSink; marketData: MarketDataSink; seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    reports: { report: (owner, report) => seen.push(['report', owner, report]) },
    marketData: {
      trade: (...a) => seen.push(['trade', ...a]),
      levelUpdate: (...a) => seen.push(['levelUpdate', ...a]),
      quote: (...a) => seen.push(['quote', ...a]),
      flush: () => {},
    },
  };
}

/** What the in-process EngineCore publishes for `list`, in batches of 7, and its final matcher. */
function oracle(list: readonly Command[]): { seen: unknown[]; core: EngineCore } {
  const r = recorder();
  const core = new EngineCore({ symbols, reports: r.reports, marketData: r.marketData });
  for (let i = 0; i < list.length; i += 7) core.process(list.slice(i, i + 7));
  return { seen: r.seen, core };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Submits every command, retrying (on a later turn) while the inbound ring is full; at most 5 s. */
async function submitAll(thread: MatcherThread, list: readonly Command[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (const command of list) {
    while (!thread.submit(command)) {
      if (Date.now() > deadline) throw new Error('the inbound ring stayed full for 5 s');
      await turn();
    }
  }
}

describe('MatcherThread', () => {
  it.each(WAIT_STRATEGY_NAMES)('publishes through the rings exactly the reports and market data the in-process EngineCore gives (%s)', async (waitStrategy) => {
    const list = commands(SEED, 3_000);
    const expected = oracle(list);
    const r = recorder();
    const mirror = new DepthMirror(r.marketData);
    // Tiny rings: the main thread meets a full inbound ring and the worker a full outbound one.
    const { thread, recovered } = await MatcherThread.start({ symbols, publisher: new EventPublisher(r.reports, mirror),
      inboundCapacity: 64, outboundCapacity: 16, waitStrategy });
    mirror.load(recovered.books);
    try {
      await submitAll(thread, list);
    } finally {
      expect(await thread.stop()).toBe(list.length);
    }
    console.log(`seed ${SEED}, ${waitStrategy}: ${list.length} commands, ${expected.seen.length} reports and market-data calls`);
    expect(r.seen.length).toBe(expected.seen.length);
    expect(r.seen).toEqual(expected.seen);
    for (const { symbolId } of symbols) {
      const book = expected.core.matcher.book(symbolId)?.depth(1_000);
      expect(mirror.depth(symbolId, 1_000)).toEqual(book);
    }
  });

  it('drains on stop() and leaves a journal that replays to the same state hash', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-matcher-thread-'));
    const journalPath = path.join(dir, 'engine.journal');
    try {
      const list = commands(SEED + 1, 500);
      const expected = oracle(list);
      const r = recorder();
      // Paused: every command waits in the ring, so stop() has all of them to drain.
      const first = await MatcherThread.start({ symbols, publisher: new EventPublisher(r.reports, r.marketData), journalPath,
        durability: 'sync', inboundCapacity: 512, startPaused: true });
      expect(first.recovered.records).toBe(0);
      for (const command of list) expect(first.thread.submit(command)).toBe(true);
      expect(await first.thread.stop()).toBe(list.length);
      expect(first.thread.submit(list[0] as Command)).toBe(false);
      expect(r.seen).toEqual(expected.seen);

      const second = await MatcherThread.start({ symbols, publisher: new EventPublisher(recorder().reports, recorder().marketData),
        journalPath });
      await second.thread.stop();
      expect(second.recovered.records).toBe(list.length);
      expect(second.recovered.stateHash).toBe(expected.core.matcher.stateHash());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers REJECT EngineBusy over TCP while the inbound ring is full, and matches the queued orders once resumed', async () => {
    const engine = await Engine.start({ symbols, ringSize: 4, startPaused: true });
    const socket = net.connect(engine.orderEntry.port, '127.0.0.1');
    const reader = new FrameReader();
    const received: Message[] = [];
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let m = reader.next(); m !== undefined; m = reader.next()) received.push(m);
    });
    const until = async (predicate: () => boolean): Promise<void> => {
      const deadline = Date.now() + 3_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`condition not met; received ${JSON.stringify(received.map((m) => m.type))}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const of = (type: number): Message[] => received.filter((m) => m.type === type);
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let sequence = 1;
      const send = (m: Record<string, unknown> & { type: number }): boolean =>
        socket.write(encode({ symbolId: 0, timestampNs: 1_000 + sequence, ...m, sequence: sequence++ } as Message));
      send({ type: MessageType.Login, clientId: 7, heartbeatIntervalMs: 1_000 });
      for (let i = 1; i <= 6; i++) {
        send({ type: MessageType.NewOrder, symbolId: 1, clientOrderId: i, side: Side.Buy, orderType: OrderType.Limit,
          timeInForce: TimeInForce.GTC, price: 100 - i, quantity: 10 });
      }
      // Four fit the ring (the worker holds them, paused); the fifth and sixth come back at once.
      await until(() => of(MessageType.Reject).length === 2);
      expect(of(MessageType.Reject)).toMatchObject([
        { clientOrderId: 5, reason: RejectReason.EngineBusy }, { clientOrderId: 6, reason: RejectReason.EngineBusy }]);
      expect(of(MessageType.Ack)).toEqual([]);
      engine.resume();
      await until(() => of(MessageType.Ack).length === 4);
      expect(of(MessageType.Ack).map((m) => (m as { clientOrderId: number }).clientOrderId)).toEqual([1, 2, 3, 4]);
    } finally {
      socket.destroy();
      await engine.stop();
    }
    expect(engine.processed).toBe(4);
  });
});
