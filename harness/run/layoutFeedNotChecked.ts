import type { FeedLayout } from '../feeds/FeedLayout.js';
import type { SubscriberGroup } from '../scenario/Scenario.js';

/**
 * What a run checks and measures on matchbench's own feed but cannot on a feed read with
 * `layout` (target option `md-layout=`), one plain sentence each, for the run's report: the
 * checks that need book semantics or BOOK_SNAPSHOT always, the subscriber groups that were not
 * run (`skippedGroups`: every class but fast; for MoldUDP64 also the fast subscribers beyond the
 * first), and what this layout lacks (timestamp, sequence, heartbeat).
 */
export function layoutFeedNotChecked(layout: FeedLayout, skippedGroups: readonly SubscriberGroup[]): string[] {
  const out = [
    `BOOK_SNAPSHOT checks (not crossed, level order, level totals, equal to the book rebuilt from the feed): layout feed ${layout.name} ` +
      'has no BOOK_SNAPSHOT, and a layout describes frames, not book updates',
    'books rebuilt from the feed, compared with the engine\u2019s and with the differential replay\u2019s: no book is rebuilt from a layout feed',
    'resync after a gap: a layout reader does not ask for snapshots and does not reconnect',
  ];
  const mold = layout.framing.kind === 'moldudp64';
  const moldExtra = mold ? skippedGroups.filter((g) => g.class === 'fast').reduce((n, g) => n + g.count, 0) : 0;
  if (moldExtra > 0) {
    out.push(`fast subscribers beyond the first (${moldExtra} not run): a MoldUDP64 feed arrives on one UDP port, which one socket reads`);
  }
  const skipped = skippedGroups.filter((g) => g.class !== 'fast');
  const skippedCount = skipped.reduce((n, g) => n + g.count, 0);
  if (skippedCount > 0) {
    const classes = [...new Set(skipped.map((g) => g.class))].join(', ');
    out.push(`${classes} subscribers (${skippedCount} not run): a layout reader reads at full speed and does not reconnect, so the ` +
      'engine\u2019s handling of slow, stalled and churning consumers (their drops and disconnects) is not measured; ' +
      'the run\u2019s drops are the frames the fast readers missed for good');
  }
  if (layout.timestamp === null) out.push(`feed latency: layout ${layout.name} has no timestamp`);
  else if (layout.timestamp.clock === 'monotonic' && !layout.messages.some((m) => m.clockSync)) {
    out.push(`feed latency across hosts: layout ${layout.name}'s timestamps are on the sender's monotonic clock and no message type ` +
      'is marked clockSync, so the offset is taken as 0 (right only for a sender in this process)');
  }
  if (!mold && layout.messages.every((m) => m.sequenceField === null)) out.push(`gaps and drops: layout ${layout.name} has no sequence field`);
  // MoldUDP64 has heartbeat packets of its own (the reader assumes 1 s × 3 when the layout declares none).
  if (!mold && layout.heartbeat === null) out.push(`heartbeat silences: layout ${layout.name} declares no heartbeat interval`);
  return out;
}
