/**
 * The orders of a session that have ended, oldest first, in a ring of `capacity`: when one more
 * ends, the oldest is handed to `forget` (which drops its wire ids: FIX ClOrdIDs, SoupBinTCP
 * tokens), so a protocol's report check keeps the ids of the live orders and of the last
 * `capacity` ended ones, not of every order of a long run. The same memory as
 * SessionReportChecker's (4,096 by default): a report later than that is about an order "that ended
 * long ago" there as here.
 */
export class EndedOrders<T> {
  private readonly ring: (T | undefined)[];
  private at = 0;

  constructor(private readonly forget: (order: T) => void, capacity = 4_096) {
    this.ring = new Array<T | undefined>(Math.max(1, capacity)).fill(undefined);
  }

  /** `order` has ended; call once per order. */
  ended(order: T): void {
    const oldest = this.ring[this.at];
    if (oldest !== undefined) this.forget(oldest);
    this.ring[this.at] = order;
    this.at = this.at + 1 === this.ring.length ? 0 : this.at + 1;
  }
}
