import type { FeedLayout } from '../FeedLayout.js';
import type { MoldFeedResult } from './MoldFeedReader.js';

const ms = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;

/** What a MoldUDP64 reader measured, for the console. Says so when latency could not be measured. */
export function formatMoldFeedResult(result: MoldFeedResult, layout: FeedLayout, seconds: number): string {
  const m = result.mold;
  const k = result.counts;
  const lines = [
    `feed ${result.layout} (MoldUDP64${result.session === null ? '' : ` session "${result.session.trimEnd()}"`}): ${result.verdict}`
      + `${result.detail === '' ? '' : ` — ${result.detail}`}`,
    `${m.packets} packets, ${m.bytes} bytes in ${seconds.toFixed(1)} s; ${k.frames} messages decoded; next sequence ${result.nextSequence < 0 ? 'none' : result.nextSequence}`,
    `by type: ${Object.entries(result.framesByType).map(([name, n]) => `${name} ${n}`).join(', ')}`,
    `gaps: ${m.gaps} (${m.gapMessages} messages); recovered ${m.recoveredMessages}, lost ${m.lostMessages}, still missing ${m.missingMessages}; `
      + `duplicates ${m.duplicateMessages}`,
    `re-requests: ${m.requestsSent} (${m.requestRetries} retries)`,
    `malformed packets: ${m.malformedPackets}; other sessions: ${m.otherSessionPackets}; checksum failures: ${k.checksumFailures}; unknown types: ${k.unknownTypes}`,
    `heartbeats: ${m.heartbeats}; silences: ${m.heartbeatSilences}${layout.heartbeat === null ? ' (Mold default: 1 s heartbeats, silent after 3)' : ''}; `
      + `end of session: ${result.endOfSession ? 'yes' : 'no'}`,
    result.latency === null ? 'feed latency: not measured (the layout has no timestamp)'
      : `feed latency (live): ${result.latency.count} messages, p50 ${ms(result.latency.p50Ns)}, p99 ${ms(result.latency.p99Ns)}, max ${ms(result.latency.maxNs)}`
        + `${k.negativeLatencies > 0 ? `; ${k.negativeLatencies} negative (recorded as 0)` : ''}${k.implausibleLatencies > 0 ? `; ${k.implausibleLatencies} implausible (over 1 h, not recorded)` : ''}`,
    ...(result.recoveredLatency === null || result.recoveredLatency.count === 0 ? []
      : [`recovered messages, send to recovery: ${result.recoveredLatency.count}, p50 ${ms(result.recoveredLatency.p50Ns)}, max ${ms(result.recoveredLatency.maxNs)}`]),
    ...result.errors.map((e) => `  ${e}`),
  ];
  return lines.join('\n');
}
