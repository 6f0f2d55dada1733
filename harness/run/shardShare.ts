import { RateSchedule } from '../executors/RateSchedule.js';
import type { Phase, RateShape, Scenario, SubscriberGroup } from '../scenario/Scenario.js';
import type { ShardSpec } from '../scenario/parseShard.js';

/**
 * A shard's share of a run (`run --shard i/N`). Order-entry client c belongs to shard c mod N;
 * since each client's flow is seeded from (run seed, c) with the shared mid paths, the shards
 * together send exactly the orders of the unsharded run. Subscribers of each group are dealt the
 * same way (counts as even as possible).
 */

/** The global order-entry client indexes shard `shard` runs: c with c mod N = i. */
export function shardClientIndexes(clientCount: number, shard: ShardSpec): number[] {
  const out: number[] = [];
  for (let c = shard.index; c < clientCount; c += shard.count) out.push(c);
  return out;
}

/** Each subscriber group's share for this shard (the first count mod N shards take one more); empty groups dropped. */
export function shardSubscriberGroups(groups: readonly SubscriberGroup[], shard: ShardSpec): SubscriberGroup[] {
  const out: SubscriberGroup[] = [];
  for (const g of groups) {
    const count = Math.floor(g.count / shard.count) + (shard.index < g.count % shard.count ? 1 : 0);
    if (count > 0) out.push({ ...g, count });
  }
  return out;
}

/** Subscribers of shards before this one: client ids of shards stay disjoint on a shared engine. */
export function subscribersBefore(groups: readonly SubscriberGroup[], shard: ShardSpec): number {
  let n = 0;
  for (let i = 0; i < shard.index; i++) n += shardSubscriberGroups(groups, { index: i, count: shard.count }).reduce((s, g) => s + g.count, 0);
  return n;
}

function scaleRate(rate: RateShape, factor: number): RateShape {
  switch (rate.kind) {
    case 'constant': return { ...rate, perSecond: rate.perSecond * factor };
    case 'ramp': return { ...rate, from: rate.from * factor, to: rate.to * factor };
    case 'spike': return { ...rate, base: rate.base * factor, peak: rate.peak * factor };
  }
}

/**
 * The phases at the rate `clients` of `clientCount` clients offer together: each rate times
 * `clients`, for a `new RateSchedule(shardPhases(…), clientCount)` (which divides by the client
 * count), so a shard's arrival check and offered rates use its own share of the load.
 */
export function shardPhases(phases: readonly Pick<Phase, 'durationMs' | 'rate'>[], clients: number): Pick<Phase, 'durationMs' | 'rate'>[] {
  return phases.map((p) => ({ durationMs: p.durationMs, rate: scaleRate(p.rate, clients) }));
}

/**
 * The scenario as shard `shard` runs it: the same order-entry client count (each client's rate is
 * the phase rate / clients.orderEntry, as unsharded), this shard's share of the subscribers, and
 * the fuzz clients on shard 0 only.
 *
 * @throws RangeError when the shard would have no order-entry client (more shards than clients).
 */
export function shardScenario(scenario: Scenario, shard: ShardSpec | undefined): Scenario {
  if (shard === undefined) return scenario;
  if (shard.count > scenario.clients.orderEntry) {
    throw new RangeError(`--shard ${shard.index}/${shard.count}: the scenario has ${scenario.clients.orderEntry} order-entry client(s), ` +
      `so at most ${scenario.clients.orderEntry} shard(s) (each shard needs at least one client)`);
  }
  // Fuzz clients (if any) run on shard 0 alone: every shard running them would multiply their rate by N.
  const { fuzz: _fuzz, ...clients } = scenario.clients;
  return { ...scenario, clients: { ...(shard.index === 0 ? scenario.clients : clients),
    marketData: shardSubscriberGroups(scenario.clients.marketData, shard) } };
}

/** The offered rate of this shard's clients together (the whole run's when unsharded): for its arrival check and offered rates. */
export function shardSchedule(phases: readonly Pick<Phase, 'durationMs' | 'rate'>[], clientCount: number, shard: ShardSpec | undefined): RateSchedule {
  if (shard === undefined) return new RateSchedule(phases, 1);
  return new RateSchedule(shardPhases(phases, shardClientIndexes(clientCount, shard).length), clientCount);
}

/** First client id of this shard's subscribers: shards' subscribers stay disjoint on a shared engine. */
export function shardFirstSubscriberId(firstId: number, allGroups: readonly SubscriberGroup[], shard: ShardSpec | undefined): number {
  return shard === undefined ? firstId : firstId + subscribersBefore(allGroups, shard);
}

/** The subscribers' seed (churn timings): the run's for shard 0 and unsharded runs, derived from the shard index for the others. */
export function shardSubscriberSeed(seed: number, shard: ShardSpec | undefined): number {
  return shard === undefined || shard.index === 0 ? seed : (seed ^ Math.imul(shard.index, 0x9e3779b1)) | 0;
}
