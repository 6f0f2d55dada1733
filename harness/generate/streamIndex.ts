/**
 * Which `Rng.stream(seed, index)` each member of a run draws from. Every member gets its own
 * stream, derived from the run seed and the member's own index only, so adding symbols or clients
 * never changes what the others draw, and no two members ever share a stream:
 *
 * ```
 * index = 4·k + lane
 *   lane 0  run-level streams: k = 0 is the seed's main stream (matcher benchmark flow);
 *           k ≥ 1 are free for other run members (e.g. market-data subscribers, issue 4)
 *   lane 1  mid path of symbol k (symbol ids start at 1)
 *   lane 2  arrival times of order-entry client k (client indices start at 0)
 *   lane 3  order contents of order-entry client k (symbol, kind, side, price, quantity, cancel delays)
 * ```
 *
 * A client's arrival times and its order contents are separate streams so that the schedule (what
 * the KS check tests) does not depend on the order mix, and the mix does not shift the schedule.
 */
export const streamIndex = {
  /** Stream of symbol `symbolId`'s mid path. */
  symbolPath: (symbolId: number): number => 4 * symbolId + 1,
  /** Stream of client `clientIndex`'s arrival times. */
  clientArrivals: (clientIndex: number): number => 4 * clientIndex + 2,
  /** Stream of client `clientIndex`'s order contents. */
  clientOrders: (clientIndex: number): number => 4 * clientIndex + 3,
} as const;
