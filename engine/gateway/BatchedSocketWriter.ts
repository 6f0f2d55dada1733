/** The part of a socket a {@link BatchedSocketWriter} writes to; `net.Socket` has it. */
export interface BatchedWriteTarget {
  readonly destroyed: boolean;
  /** Bytes handed to `write` and not yet passed to the kernel. */
  readonly writableLength: number;
  write(chunk: Uint8Array): boolean;
}

/** Options of {@link BatchedSocketWriter}; each documents its default. */
export interface BatchedSocketWriterOptions {
  /** Size of each staging chunk frames are copied into, in bytes. Default 64 KiB. */
  readonly chunkBytes?: number;
}

export const BATCHED_SOCKET_WRITER_DEFAULTS = {
  chunkBytes: 64 * 1024,
} as const;

/**
 * Coalesces the frames sent to one socket within one event-loop turn into one `socket.write`.
 *
 * Why hand-written: the engine publishes a whole outbound-ring batch of execution reports in one
 * turn; one `socket.write` per 48–88-byte frame cost about a third of the main thread in the
 * engine benchmark (a syscall, a WriteWrap and stream bookkeeping each). Node's `cork()` would
 * still keep one buffered chunk per frame and hand a writev of hundreds of tiny buffers over.
 *
 * Frames are copied into a staging chunk (a bump allocator: the bytes already handed to
 * `socket.write` are never touched again, and Node may hold them until the kernel has them); the
 * staged span is written at the end of the current turn (process.nextTick), when the chunk is
 * full, or at once by {@link flush}. Order is kept: frames reach the socket in `send` order.
 */
export class BatchedSocketWriter {
  private readonly chunkBytes: number;
  private chunk: Buffer;
  /** Start of the span staged but not yet written, in `chunk`. */
  private stagedFrom = 0;
  /** End of what is staged, in `chunk`. */
  private stagedTo = 0;
  private scheduled = false;

  /** @throws RangeError if `chunkBytes` is not an integer ≥ 1,024. */
  constructor(private readonly socket: BatchedWriteTarget, options: BatchedSocketWriterOptions = {}) {
    const chunkBytes = options.chunkBytes ?? BATCHED_SOCKET_WRITER_DEFAULTS.chunkBytes;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1024) {
      throw new RangeError(`chunkBytes must be an integer ≥ 1024, got ${chunkBytes}`);
    }
    this.chunkBytes = chunkBytes;
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** Bytes sent but not yet taken by the kernel: staged here plus Node's socket buffer. */
  get unreadBytes(): number {
    return this.stagedTo - this.stagedFrom + this.socket.writableLength;
  }

  /** Queues `frame` (copied: the caller may reuse it) behind everything sent before. Dropped once the socket is destroyed. */
  send(frame: Uint8Array): void {
    this.sendCopy(frame, frame.length);
  }

  /** {@link send} of `bytes[0 .. length)`. */
  sendCopy(bytes: Uint8Array, length: number): void {
    if (this.socket.destroyed) return;
    if (this.stagedTo + length > this.chunk.length) {
      this.flush();
      // A frame longer than a chunk (never with the protocol's 64 KiB frame limit and default chunk) gets its own.
      this.chunk = Buffer.allocUnsafe(Math.max(this.chunkBytes, length));
      this.stagedFrom = 0;
      this.stagedTo = 0;
    }
    // Frames are 36–88 bytes: a byte loop beats set(subarray(..)), which allocates a view per frame.
    const chunk = this.chunk;
    for (let i = 0, at = this.stagedTo; i < length; i++, at++) chunk[at] = bytes[i] as number;
    this.stagedTo += length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushScheduled);
    }
  }

  /** Writes everything staged now (call before `socket.end()`, so the last frames go first). */
  flush(): void {
    if (this.stagedTo === this.stagedFrom) return;
    const span = this.chunk.subarray(this.stagedFrom, this.stagedTo);
    this.stagedFrom = this.stagedTo;
    if (!this.socket.destroyed) this.socket.write(span);
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
