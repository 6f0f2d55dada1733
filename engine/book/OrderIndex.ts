const EMPTY = -1;

/**
 * Map from (owner, client order id) to an order slot, for live orders: a chained hash table whose
 * nodes are the slots themselves. Per slot it keeps the key and the next slot in its bucket's
 * chain; per bucket, the first slot. Buckets double when the entries pass half their number; the
 * per-slot arrays grow to fit the highest slot stored.
 *
 * Why not a `Map`: on the matcher's hot path every resting order costs a lookup, an insert and a
 * delete, and a nested `Map<owner, Map<id, slot>>` measured about 60 ns for those three here,
 * plus garbage from its internal rehashing. This table does them without allocating.
 * Why chained on the slots and not open addressing: an insert is two stores into the chain and
 * a delete by slot walks a chain of about one entry, where linear probing probed again on insert
 * and shifted the entries behind a delete, rehashing each (the matcher benchmark ran about 4%
 * faster this way, alternating A/B runs).
 * Keys are safe integers; the hash mixes both 32-bit halves of the id with the owner.
 */
export class OrderIndex {
  /** Per bucket: its first slot, or EMPTY. */
  private buckets: Int32Array;
  private mask: number;
  /** Per slot: the key it is stored under, and the next slot in its chain. Valid for stored slots only. */
  private owners: Float64Array;
  private ids: Float64Array;
  private chain: Int32Array;
  /** Entries held. */
  size = 0;

  /**
   * @param initialCapacity entries expected at first (buckets start at twice that, rounded up to a power of two).
   * @param initialSlots slots expected at first (0 to this - 1); higher slots make the per-slot arrays grow.
   */
  constructor(initialCapacity = 1024, initialSlots = initialCapacity) {
    let buckets = 16;
    while (buckets < initialCapacity * 2) buckets *= 2;
    this.buckets = new Int32Array(buckets).fill(EMPTY);
    this.mask = buckets - 1;
    const slots = Math.max(16, initialSlots);
    this.owners = new Float64Array(slots);
    this.ids = new Float64Array(slots);
    this.chain = new Int32Array(slots);
  }

  private home(owner: number, id: number): number {
    // The high half of the id costs a division, so only ids beyond 32 bits pay for it.
    const high = id > 0xffffffff ? (id / 4294967296) | 0 : 0;
    let h = Math.imul((id | 0) ^ Math.imul(owner | 0, 0x85ebca6b) ^ high, 0x9e3779b1);
    h ^= h >>> 16;
    return h & this.mask;
  }

  /** The slot stored for the key, or -1. */
  get(owner: number, id: number): number {
    const ids = this.ids;
    for (let slot = this.buckets[this.home(owner, id)] as number; slot !== EMPTY; slot = this.chain[slot] as number) {
      if (ids[slot] === id && this.owners[slot] === owner) return slot;
    }
    return EMPTY;
  }

  /**
   * Stores a slot (a non-negative integer) for a key. The caller guarantees that the key is not
   * present (checked with get) and that the slot is not stored under another key.
   */
  insert(owner: number, id: number, slot: number): void {
    if (this.size * 2 >= this.buckets.length) this.growBuckets();
    if (slot >= this.chain.length) this.growSlots(slot + 1);
    const h = this.home(owner, id);
    this.ids[slot] = id;
    this.owners[slot] = owner;
    this.chain[slot] = this.buckets[h] as number;
    this.buckets[h] = slot;
    this.size++;
  }

  /** Removes a key and returns the slot it held, or -1. */
  take(owner: number, id: number): number {
    const h = this.home(owner, id);
    const ids = this.ids;
    const chain = this.chain;
    let previous = EMPTY;
    for (let slot = this.buckets[h] as number; slot !== EMPTY; slot = chain[slot] as number) {
      if (ids[slot] === id && this.owners[slot] === owner) {
        this.unchain(h, previous, slot);
        return slot;
      }
      previous = slot;
    }
    return EMPTY;
  }

  /** Removes the entry of a slot that is stored (the matcher knows the slot of an order that finished). */
  deleteSlot(slot: number): void {
    const h = this.home(this.owners[slot] as number, this.ids[slot] as number);
    const chain = this.chain;
    let previous = EMPTY;
    for (let s = this.buckets[h] as number; s !== EMPTY; s = chain[s] as number) {
      if (s === slot) {
        this.unchain(h, previous, slot);
        return;
      }
      previous = s;
    }
  }

  /** Calls `visit` for every entry (order unspecified). */
  forEach(visit: (owner: number, id: number, slot: number) => void): void {
    for (let b = 0; b < this.buckets.length; b++) {
      for (let slot = this.buckets[b] as number; slot !== EMPTY; slot = this.chain[slot] as number) {
        visit(this.owners[slot] as number, this.ids[slot] as number, slot);
      }
    }
  }

  private unchain(bucket: number, previous: number, slot: number): void {
    if (previous === EMPTY) this.buckets[bucket] = this.chain[slot] as number;
    else this.chain[previous] = this.chain[slot] as number;
    this.size--;
  }

  private growBuckets(): void {
    const stored: number[] = [];
    this.forEach((_owner, _id, slot) => stored.push(slot));
    const buckets = this.buckets.length * 2;
    this.buckets = new Int32Array(buckets).fill(EMPTY);
    this.mask = buckets - 1;
    for (const slot of stored) {
      const h = this.home(this.owners[slot] as number, this.ids[slot] as number);
      this.chain[slot] = this.buckets[h] as number;
      this.buckets[h] = slot;
    }
  }

  private growSlots(needed: number): void {
    let slots = this.chain.length * 2;
    while (slots < needed) slots *= 2;
    const owners = new Float64Array(slots);
    owners.set(this.owners);
    this.owners = owners;
    const ids = new Float64Array(slots);
    ids.set(this.ids);
    this.ids = ids;
    const chain = new Int32Array(slots);
    chain.set(this.chain);
    this.chain = chain;
  }
}
