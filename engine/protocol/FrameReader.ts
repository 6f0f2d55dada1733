import { checkFrameLength, checkMaxFrameLength, decode } from './decode.js';
import { DEFAULT_MAX_FRAME_LENGTH } from './messageLayouts.js';
import type { Message } from './messages.js';
import type { ProtocolError } from './ProtocolError.js';

/** Options of a {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Longest acceptable frame in bytes, 88..65535. Default 4096 (`DEFAULT_MAX_FRAME_LENGTH`). */
  readonly maxFrameLength?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Cuts a byte stream (a TCP socket's chunks) into frames.
 *
 * ```
 *   push(chunk) ──► [ current chunk | queued chunks ] ──► nextFrame() ──► view of one frame
 *                              │ frame split across chunks                      │
 *                              └──► staging buffer (maxFrameLength bytes) ──────┘
 *                                                          next() = decode(nextFrame())
 * ```
 * A frame that lies inside one chunk is returned as a view of that chunk, without copying. Only a
 * frame split across chunks is copied, once, into a staging buffer allocated up front, so each
 * byte is copied at most once and the reader never holds more than its staging buffer plus the
 * chunks it has not finished: call `next()` until it returns undefined after every `push` and that
 * is one chunk. A length field below 28 or above the maximum is refused as soon as its two bytes
 * arrive, before the body.
 *
 * After the first bad frame the reader is failed: `next()` and `nextFrame()` throw the same
 * ProtocolError again, and `push` ignores its input. The peer gets SESSION_ERROR and is closed.
 */
export class FrameReader {
  /** Longest acceptable frame in bytes. */
  readonly maxFrameLength: number;
  #chunk: Uint8Array = EMPTY;
  #position = 0;
  /** Chunks pushed while `#chunk` still had unread bytes; empty in a push-then-drain loop. */
  readonly #queued: Uint8Array[] = [];
  readonly #staging: Uint8Array;
  /** Bytes of a split frame copied into `#staging` so far. */
  #staged = 0;
  #failure: ProtocolError | undefined;
  /** Where the frame {@link nextFrameSpan} returned lies: a pushed chunk or the staging buffer. */
  frameBytes: Uint8Array = EMPTY;
  /** Offset of that frame in {@link frameBytes}. */
  frameOffset = 0;

  /** @throws RangeError if `maxFrameLength` is not an integer in 88..65535. */
  constructor(options: FrameReaderOptions = {}) {
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    checkMaxFrameLength(this.maxFrameLength);
    this.#staging = new Uint8Array(this.maxFrameLength);
  }

  /**
   * Adds received bytes. The reader keeps a reference to `chunk` (no copy) until it has read past
   * it, so the caller must not overwrite it before then.
   */
  push(chunk: Uint8Array): void {
    if (this.#failure !== undefined || chunk.length === 0) return;
    if (this.#position === this.#chunk.length && this.#queued.length === 0) {
      this.#chunk = chunk;
      this.#position = 0;
    } else {
      this.#queued.push(chunk);
    }
  }

  /**
   * The next complete frame, not decoded and not checksummed (steps 1–3 of the decoding order
   * only), or undefined if more bytes are needed. For fast paths that forward or journal raw
   * frames and decode later.
   *
   * The view shares memory with the pushed chunk, or, for a frame split across chunks, with the
   * staging buffer, which the next `next`/`nextFrame` call may overwrite: copy it (`slice`) to
   * keep it longer.
   *
   * @throws ProtocolError LengthMismatch or FrameTooLarge for a bad length field; afterwards the
   *   reader stays failed.
   */
  nextFrame(): Uint8Array | undefined {
    const length = this.nextFrameSpan();
    if (length === 0) return undefined;
    const at = this.frameOffset;
    return this.frameBytes.subarray(at, at + length);
  }

  /**
   * {@link nextFrame} without the view: returns the next complete frame's length (0 if more bytes
   * are needed) and leaves the frame at `frameBytes[frameOffset .. frameOffset + length)`, valid
   * until the next call. Same checks and throws as {@link nextFrame}.
   *
   * Why: a market-data subscriber reads millions of frames per second per thread, and a view
   * object per frame (subarray) plus the garbage it makes cost it about a fifth of its time.
   */
  nextFrameSpan(): number {
    if (this.#failure !== undefined) throw this.#failure;
    for (;;) {
      const chunk = this.#chunk;
      const position = this.#position;
      const available = chunk.length - position;
      if (available === 0) {
        const queued = this.#queued.shift();
        if (queued === undefined) {
          this.#chunk = EMPTY; // let the caller's buffer go
          this.#position = 0;
          this.frameBytes = EMPTY;
          this.frameOffset = 0;
          return 0;
        }
        this.#chunk = queued;
        this.#position = 0;
        continue;
      }
      const staging = this.#staging;
      const staged = this.#staged;
      if (staged === 0) {
        if (available >= 2) {
          const length = chunk[position]! | (chunk[position + 1]! << 8);
          this.#checkLength(length);
          if (available >= length) {
            this.#position = position + length;
            this.frameBytes = chunk;
            this.frameOffset = position;
            return length;
          }
        }
        // The frame continues in a later chunk; available < length ≤ maxFrameLength, so it fits.
        staging.set(chunk.subarray(position), 0);
        this.#staged = available;
        this.#position = chunk.length;
        continue;
      }
      if (staged === 1) {
        const high = chunk[position]!;
        staging[1] = high;
        this.#staged = 2;
        this.#position = position + 1;
        this.#checkLength(staging[0]! | (high << 8));
        continue;
      }
      const length = staging[0]! | (staging[1]! << 8);
      const take = Math.min(length - staged, available);
      staging.set(chunk.subarray(position, position + take), staged);
      this.#position = position + take;
      if (staged + take === length) {
        this.#staged = 0;
        this.frameBytes = staging;
        this.frameOffset = 0;
        return length;
      }
      this.#staged = staged + take;
    }
  }

  /**
   * The next decoded message, or undefined if more bytes are needed.
   *
   * @throws ProtocolError for a bad frame (any step of the decoding order); afterwards the reader
   *   stays failed.
   */
  next(): Message | undefined {
    const frame = this.nextFrame();
    if (frame === undefined) return undefined;
    try {
      return decode(frame, 0, this.maxFrameLength);
    } catch (error) {
      this.#fail(error as ProtocolError); // decode throws nothing else for any bytes
    }
  }

  /**
   * Copies whatever the reader still holds of pushed chunks (unread bytes of the current chunk
   * and the queued ones) into memory of its own, so the caller may overwrite its buffers. A
   * no-op after a drain loop that ran until `nextFrameSpan` returned 0 (a split frame's start is
   * already in the staging buffer then), so a reader of a socket that reads into one reused
   * buffer (`onread`) calls it after every chunk at no cost in the common case.
   */
  retainUnread(): void {
    if (this.#position < this.#chunk.length) {
      this.#chunk = this.#chunk.slice(this.#position);
      this.#position = 0;
    }
    for (let i = 0; i < this.#queued.length; i++) this.#queued[i] = (this.#queued[i] as Uint8Array).slice();
  }

  /** The error that failed the reader, if any. */
  get failure(): ProtocolError | undefined {
    return this.#failure;
  }

  /** Bytes pushed and not yet returned as frames. */
  get bufferedLength(): number {
    let total = this.#staged + this.#chunk.length - this.#position;
    for (const chunk of this.#queued) total += chunk.length;
    return total;
  }

  #checkLength(length: number): void {
    try {
      checkFrameLength(length, this.maxFrameLength);
    } catch (error) {
      this.#fail(error as ProtocolError);
    }
  }

  #fail(error: ProtocolError): never {
    this.#failure = error;
    this.#chunk = EMPTY;
    this.#position = 0;
    this.#queued.length = 0;
    this.#staged = 0;
    throw error;
  }
}
