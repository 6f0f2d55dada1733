const EMPTY = -1;

/**
 * Map from (owner, client order id) to an order slot: an open-addressing hash table with linear
 * probing over typed arrays, deletion by backward shift (no tombstones), doubling at a quarter full.
 *
 * Why not a `Map`: on the matcher's hot path every resting order costs a lookup, an insert and a
 * delete, and a nested `Map<owner, Map<id, slot>>` measured about 60 ns for those three here,
 * plus garbage from its internal rehashing. This table does them without allocating.
 * Keys are safe integers; the hash mixes both 32-bit halves of the id with the owner.
 */
export class OrderIndex {
  private owners: Float64Array;
  private ids: Float64Array;
  private slots: Int32Array;
  private mask: number;
  /** Entries held. */
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 4) capacity *= 2;
    this.owners = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
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
    const slots = this.slots;
    for (let i = this.home(owner, id); ; i = (i + 1) & this.mask) {
      const slot = slots[i] as number;
      if (slot === EMPTY) return EMPTY;
      if (this.ids[i] === id && this.owners[i] === owner) return slot;
    }
  }

  /** Stores a slot for a key that is not present (the caller checked with get). */
  insert(owner: number, id: number, slot: number): void {
    if ((this.size + 1) * 4 > this.slots.length) this.grow();
    const slots = this.slots;
    let i = this.home(owner, id);
    while (slots[i] !== EMPTY) i = (i + 1) & this.mask;
    slots[i] = slot;
    this.ids[i] = id;
    this.owners[i] = owner;
    this.size++;
  }

  /** Removes a key; returns whether it was present. */
  delete(owner: number, id: number): boolean {
    return this.take(owner, id) !== EMPTY;
  }

  /** Removes a key and returns the slot it held, or -1: a lookup and a delete for the price of one probe. */
  take(owner: number, id: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = this.home(owner, id);
    for (;; i = (i + 1) & mask) {
      if (slots[i] === EMPTY) return EMPTY;
      if (this.ids[i] === id && this.owners[i] === owner) break;
    }
    const taken = slots[i] as number;
    // Backward-shift: pull later entries of the probe run into the hole so lookups never stop early.
    let hole = i;
    for (let j = (i + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.home(this.owners[j] as number, this.ids[j] as number);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        slots[hole] = slots[j] as number;
        this.ids[hole] = this.ids[j] as number;
        this.owners[hole] = this.owners[j] as number;
        hole = j;
      }
    }
    slots[hole] = EMPTY;
    this.size--;
    return taken;
  }

  /** Calls `visit` for every entry (order unspecified). */
  forEach(visit: (owner: number, id: number, slot: number) => void): void {
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] as number;
      if (slot !== EMPTY) visit(this.owners[i] as number, this.ids[i] as number, slot);
    }
  }

  private grow(): void {
    const { owners, ids, slots } = this;
    const capacity = slots.length * 2;
    this.owners = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== EMPTY) this.insert(owners[i] as number, ids[i] as number, slots[i] as number);
    }
  }
}
