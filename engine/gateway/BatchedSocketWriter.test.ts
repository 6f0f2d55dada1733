import { describe, expect, it } from 'vitest';
import { BatchedSocketWriter, type BatchedWriteTarget } from './BatchedSocketWriter.js';

/** A socket that records its writes (copies) and holds `writableLength` bytes as told. */
class FakeSocket implements BatchedWriteTarget {
  destroyed = false;
  writableLength = 0;
  readonly writes: number[][] = [];
  write(chunk: Uint8Array): boolean {
    this.writes.push([...chunk]);
    return true;
  }
}

const frame = (n: number, length = 40): Uint8Array => new Uint8Array(length).fill(n);
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BatchedSocketWriter', () => {
  it('turns the frames sent in one turn into one write, in order, copying them', async () => {
    const socket = new FakeSocket();
    const writer = new BatchedSocketWriter(socket);
    const reused = new Uint8Array(40);
    for (let n = 1; n <= 100; n++) {
      reused.fill(n);
      writer.sendCopy(reused, n % 2 === 0 ? 40 : 36);
    }
    expect(socket.writes).toHaveLength(0);
    expect(writer.unreadBytes).toBe(50 * 40 + 50 * 36);
    await nextTurn();
    expect(socket.writes).toHaveLength(1);
    const expected = Array.from({ length: 100 }, (_, k) => Array<number>(k % 2 === 1 ? 40 : 36).fill(k + 1)).flat();
    expect(socket.writes[0]).toEqual(expected);
    expect(writer.unreadBytes).toBe(0);
  });

  it('writes what it staged when a chunk fills, keeping order across chunks and turns', async () => {
    const socket = new FakeSocket();
    const writer = new BatchedSocketWriter(socket, { chunkBytes: 1024 });
    for (let n = 0; n < 60; n++) writer.send(frame(n));
    await nextTurn();
    writer.send(frame(60));
    await nextTurn();
    expect(socket.writes.flat()).toEqual(Array.from({ length: 61 }, (_, n) => Array<number>(40).fill(n)).flat());
    expect(socket.writes.length).toBeGreaterThan(2);
    expect(socket.writes.every((w) => w.length <= 1024)).toBe(true);
  });

  it('flushes at once on request, counts Node-buffered bytes as unread, and drops frames once destroyed', async () => {
    const socket = new FakeSocket();
    const writer = new BatchedSocketWriter(socket);
    writer.send(frame(1));
    writer.flush();
    expect(socket.writes).toEqual([Array<number>(40).fill(1)]);
    socket.writableLength = 500;
    writer.send(frame(2));
    expect(writer.unreadBytes).toBe(540);
    socket.destroyed = true;
    writer.send(frame(3));
    await nextTurn();
    expect(socket.writes).toHaveLength(1);
  });

  it('refuses a chunk size below 1 KiB', () => {
    expect(() => new BatchedSocketWriter(new FakeSocket(), { chunkBytes: 100 })).toThrow(/chunkBytes/);
  });
});
