/** Atomics.waitAsync (ES2024; Node ≥ 16), typed here because the project's lib is ES2023. */
type WaitAsync = (words: Int32Array, index: number, value: number, timeoutMs: number) =>
  { readonly async: false; readonly value: 'not-equal' | 'timed-out' } | { readonly async: true; readonly value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { readonly waitAsync: WaitAsync }).waitAsync;

/** Int32 words of the doorbell. */
const BELL = 0;
const WAITING = 1;
/** Bytes of the SharedArrayBuffer a doorbell lives in. */
export const EVENT_DOORBELL_BYTES = 8;

/**
 * How the matcher worker wakes the main thread's event loop when it has published event records,
 * without the main thread spinning on the outbound ring.
 *
 * Why: on a 2-core machine a main thread that polls the outbound ring on every event-loop turn
 * (setImmediate) keeps a core busy even with nothing to do, and then the matcher worker and the
 * load client share the other one: the scheduler's time slices (milliseconds) showed up as
 * multi-millisecond round trips at a fraction of the maximum load. Atomics.waitAsync parks the
 * event loop instead (measured ~12 µs p50 from notify to the promise's callback on this machine)
 * and keeps it free for socket I/O meanwhile.
 *
 * The handshake (no lost wake-up), with sequentially consistent Atomics:
 * ```
 *  main thread (waiter)                       matcher worker (ringer)
 *  v = load(BELL); store(WAITING, 1)          publish records (ring cursor store)
 *  poll the ring again ── found some? go on   if load(WAITING): add(BELL, 1); notify(BELL)
 *  else waitAsync(BELL, v)
 * ```
 * Either the second poll sees the publish, or the worker sees WAITING and bumps BELL, so the wait
 * either returns at once ('not-equal') or is notified.
 */
export class EventDoorbell {
  private readonly words: Int32Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 2);
  }

  /** A new doorbell; send {@link buffer} to the other thread and {@link attach} it there. */
  static create(): EventDoorbell {
    return new EventDoorbell(new SharedArrayBuffer(EVENT_DOORBELL_BYTES));
  }

  /** The same doorbell on another thread. */
  static attach(buffer: SharedArrayBuffer): EventDoorbell {
    if (buffer.byteLength < EVENT_DOORBELL_BYTES) throw new RangeError(`a doorbell needs ${EVENT_DOORBELL_BYTES} bytes, got ${buffer.byteLength}`);
    return new EventDoorbell(buffer);
  }

  /** Waiter, step 1: announces the wait and returns the bell's value to wait on. Then look once more for work. */
  arm(): number {
    const value = Atomics.load(this.words, BELL);
    Atomics.store(this.words, WAITING, 1);
    return value;
  }

  /** Waiter: no longer waiting (found work after {@link arm}, or woke up). */
  disarm(): void {
    Atomics.store(this.words, WAITING, 0);
  }

  /**
   * Waiter, step 2: resolves once the bell rang after {@link arm} returned `value`, or after
   * `timeoutMs`. Never blocks the event loop.
   */
  wait(value: number, timeoutMs: number): Promise<unknown> {
    const result = waitAsync(this.words, BELL, value, timeoutMs);
    return result.async ? result.value : Promise.resolve(result.value);
  }

  /** Ringer: wakes the waiter if it is waiting; one Atomics.load when it is not. */
  ring(): void {
    if (Atomics.load(this.words, WAITING) === 0) return;
    Atomics.add(this.words, BELL, 1);
    Atomics.notify(this.words, BELL);
  }
}
