/**
 * What a chunk waiting in the queue costs beyond its bytes: its Buffer object and its list slot,
 * in bytes (a V8 typed-array view is about 80). Charged against the cap so that a backlog of
 * tiny batches is bounded in memory, not only in payload.
 */
export const PENDING_CHUNK_OVERHEAD_BYTES = 96;

/** The part of a socket an {@link OutboundQueue} writes to; `net.Socket` has it. */
export interface OutboundTarget {
  /** Bytes handed to `write` and not yet passed to the kernel. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
}

/**
 * A bounded, whole-chunk queue in front of one socket: what the engine holds for one subscriber.
 *
 * ```
 *  offer(batch) ──► socket idle (nothing queued)? ──yes──► socket.write(batch)            one write per batch
 *                        │ no
 *                        ├── queued + batch ≤ cap ──► pending[] (references, no copy)
 *                        └── otherwise ──► refused (false): the caller drops the whole batch
 *  write done ──► pending non-empty? ──► socket.write(concat(pending))                   one write for the backlog
 * ```
 * At most one write is in Node's socket buffer at a time; everything behind it waits in `pending`
 * as references to the broadcaster's shared, never-changed batch buffers. What this subscriber
 * pins, `queuedBytes` = Node's `writableLength` + pending bytes + {@link PENDING_CHUNK_OVERHEAD_BYTES}
 * per pending chunk, stays at or below the cap, or at one chunk when a single chunk is larger
 * than the cap (an empty queue always takes a chunk, so a big batch cannot starve a subscriber).
 * Chunks are taken or refused whole: a frame is never cut.
 *
 * Why not plain `socket.write` with a `writableLength` check: that also bounds the bytes, but
 * each queued write costs Node a bookkeeping object, and a slow subscriber would get thousands of
 * small writes instead of one large one when it catches up.
 */
export class OutboundQueue {
  /** The most this queue takes unless it is empty (see the class comment). */
  readonly capBytes: number;
  readonly #target: OutboundTarget;
  #pending: Buffer[] = [];
  /** Bytes of the pending chunks, without their overhead. */
  #pendingBytes = 0;
  #maxQueuedBytes = 0;
  #writes = 0;
  #bytesWritten = 0;
  /** One callback for every write (created once, not per write). */
  readonly #afterWrite = (): void => this.#writePending();

  /** @throws RangeError if `capBytes` is not a positive integer. */
  constructor(target: OutboundTarget, capBytes: number) {
    if (!Number.isInteger(capBytes) || capBytes < 1) throw new RangeError(`capBytes must be a positive integer, got ${capBytes}`);
    this.#target = target;
    this.capBytes = capBytes;
  }

  /** What this subscriber makes the engine hold: bytes in Node's socket buffer, plus pending chunks with their overhead. */
  get queuedBytes(): number {
    return this.#target.writableLength + this.#pendingBytes + this.#pending.length * PENDING_CHUNK_OVERHEAD_BYTES;
  }

  /** The highest {@link queuedBytes} seen right after taking a chunk. */
  get maxQueuedBytes(): number {
    return this.#maxQueuedBytes;
  }

  /** Calls of the socket's `write`. */
  get writes(): number {
    return this.#writes;
  }

  /** Bytes handed to the socket's `write`. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /**
   * Queues `chunk` (whole frames; never changed afterwards by anyone) unless that would take the
   * queue above the cap. Returns false, keeping nothing, when refused or when the socket is gone.
   */
  offer(chunk: Buffer): boolean {
    if (!this.fits(chunk.length)) return false;
    return this.#take(chunk);
  }

  /** Whether {@link offer} would take a chunk of `bytes` now: it fits under the cap, or the queue is empty. */
  fits(bytes: number): boolean {
    const queued = this.queuedBytes;
    return queued === 0 || queued + bytes + PENDING_CHUNK_OVERHEAD_BYTES <= this.capBytes;
  }

  /**
   * Queues `chunk` whatever the cap: for a session's last frame (SESSION_ERROR, LOGOUT), which
   * must follow what was queued before it. One frame, so the bound moves by at most 40 bytes
   * and its overhead.
   */
  force(chunk: Buffer): boolean {
    return this.#take(chunk);
  }

  /**
   * Hands everything pending to the socket now, in order, not waiting for the write in flight:
   * call before `socket.end()`, which sends only what the socket already has.
   */
  flush(): void {
    if (this.#pendingBytes === 0 || !this.#writable()) return;
    this.#write(this.#takePending());
  }

  /** Forgets what is pending (the socket is gone). */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #writable(): boolean {
    const target = this.#target;
    return !target.destroyed && !target.writableEnded;
  }

  #take(chunk: Buffer): boolean {
    if (!this.#writable()) return false;
    if (this.#pendingBytes === 0 && this.#target.writableLength === 0) {
      this.#write(chunk);
    } else {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
    // Read after the write: a write the kernel took at once leaves nothing queued.
    const queued = this.queuedBytes;
    if (queued > this.#maxQueuedBytes) this.#maxQueuedBytes = queued;
    return true;
  }

  /** A write finished (or failed): if the socket is idle again, write the backlog as one chunk. */
  #writePending(): void {
    if (this.#pendingBytes === 0 || this.#target.writableLength !== 0 || !this.#writable()) return;
    this.#write(this.#takePending());
  }

  #takePending(): Buffer {
    const pending = this.#pending;
    // One copy of the backlog, paid only by a subscriber that fell behind, buys one write for it.
    const chunk = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    return chunk;
  }

  #write(chunk: Buffer): void {
    this.#writes++;
    this.#bytesWritten += chunk.length;
    this.#target.write(chunk, this.#afterWrite);
  }
}
