/**
 * A client's own record of its live GTC orders, as a binary min-heap keyed by due time (the time
 * the client means to cancel or replace the order). Cancels and replaces always act on the
 * earliest-due order, so only the top is ever read, removed or re-keyed.
 *
 * Hand-written rather than a library heap: it sits on the order-generation hot path (100k+ orders
 * per second) and may hold hundreds of thousands of entries per client; parallel typed arrays keep
 * that to 21 bytes per order with no object per entry and nothing for the GC to trace.
 *
 * Ties on due time go to the lower client order id, so which order is targeted is fully determined.
 */
export class LiveOrders {
  /** Entries dropped because the record was full (see `capacity`). */
  forgotten = 0;
  private due: Float64Array;
  private ids: Float64Array;
  private symbols: Uint32Array;
  private sides: Uint8Array;
  private count = 0;

  /**
   * @param capacity most entries kept; when a push finds it full, the earliest-due entry is
   *   forgotten first (the client then never cancels that order; it stays with the engine).
   */
  constructor(readonly capacity = 1_000_000, initialSlots = 1024) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    const slots = Math.max(1, Math.min(initialSlots, capacity));
    this.due = new Float64Array(slots);
    this.ids = new Float64Array(slots);
    this.symbols = new Uint32Array(slots);
    this.sides = new Uint8Array(slots);
  }

  /** Live orders on record. */
  get size(): number {
    return this.count;
  }

  /** Due time, ms, of the earliest-due order; NaN when empty. */
  get minDueMs(): number {
    return this.count === 0 ? Number.NaN : (this.due[0] as number);
  }

  /** Client order id of the earliest-due order (0 when empty). */
  get minId(): number {
    return this.count === 0 ? 0 : (this.ids[0] as number);
  }

  /** Symbol of the earliest-due order (0 when empty). */
  get minSymbolId(): number {
    return this.count === 0 ? 0 : (this.symbols[0] as number);
  }

  /** Side code of the earliest-due order (0 when empty). */
  get minSide(): number {
    return this.count === 0 ? 0 : (this.sides[0] as number);
  }

  /** Records a live order. */
  push(dueMs: number, clientOrderId: number, symbolId: number, side: number): void {
    if (this.count === this.capacity) {
      this.popMin();
      this.forgotten++;
    }
    if (this.count === this.due.length) this.grow();
    let i = this.count++;
    // Sift up: move parents down until the new entry's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(dueMs, clientOrderId, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, dueMs, clientOrderId, symbolId, side);
  }

  /** Removes the earliest-due order (no-op when empty). */
  popMin(): void {
    if (this.count === 0) return;
    const last = --this.count;
    if (last === 0) return;
    this.siftDown(this.due[last] as number, this.ids[last] as number, this.symbols[last] as number, this.sides[last] as number);
  }

  /** Gives the earliest-due order a new due time (after a replace), keeping it on record. */
  rekeyMin(dueMs: number): void {
    if (this.count === 0) return;
    this.siftDown(dueMs, this.ids[0] as number, this.symbols[0] as number, this.sides[0] as number);
  }

  /** Places an entry at the root and sifts it down. */
  private siftDown(dueMs: number, id: number, symbolId: number, side: number): void {
    const n = this.count;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.lessAt(right, left) ? right : left;
      if (!this.lessAt2(child, dueMs, id)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, dueMs, id, symbolId, side);
  }

  private less(dueMs: number, id: number, at: number): boolean {
    const d = this.due[at] as number;
    return dueMs < d || (dueMs === d && id < (this.ids[at] as number));
  }

  private lessAt(a: number, b: number): boolean {
    return this.less(this.due[a] as number, this.ids[a] as number, b);
  }

  /** Entry `at` sorts before (dueMs, id). */
  private lessAt2(at: number, dueMs: number, id: number): boolean {
    const d = this.due[at] as number;
    return d < dueMs || (d === dueMs && (this.ids[at] as number) < id);
  }

  private move(from: number, to: number): void {
    this.due[to] = this.due[from] as number;
    this.ids[to] = this.ids[from] as number;
    this.symbols[to] = this.symbols[from] as number;
    this.sides[to] = this.sides[from] as number;
  }

  private set(at: number, dueMs: number, id: number, symbolId: number, side: number): void {
    this.due[at] = dueMs;
    this.ids[at] = id;
    this.symbols[at] = symbolId;
    this.sides[at] = side;
  }

  private grow(): void {
    const slots = Math.min(this.capacity, this.due.length * 2);
    const due = new Float64Array(slots);
    due.set(this.due);
    const ids = new Float64Array(slots);
    ids.set(this.ids);
    const symbols = new Uint32Array(slots);
    symbols.set(this.symbols);
    const sides = new Uint8Array(slots);
    sides.set(this.sides);
    this.due = due;
    this.ids = ids;
    this.symbols = symbols;
    this.sides = sides;
  }
}
