import type { FeedLayout } from './FeedLayout.js';
import type { LayoutFeedResult } from './LayoutFeedReader.js';

const ms = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;

/** A layout in a few lines: what the reader will expect. */
export function formatFeedLayout(layout: FeedLayout): string {
  const f = layout.framing;
  const framing = f.kind === 'fixed' ? 'fixed size per message type'
    : f.kind === 'moldudp64' ? `MoldUDP64 message blocks over UDP (session ${f.session ?? 'from the first packet'}; `
      + `re-requests ${f.retransmit === null ? 'not configured' : `to ${f.retransmit.host}:${f.retransmit.port}`})`
    : `length-prefixed (${f.lengthField.name}, ${f.lengthField.type}, counts the ${f.lengthCounts === 'frame' ? 'whole frame' : 'bytes after it'})`;
  const c = layout.checksum;
  const lines = [
    `layout ${layout.name}${layout.description === '' ? '' : `: ${layout.description}`}`,
    `framing: ${framing}; frames ${layout.minFrameBytes}..${layout.maxFrameBytes} bytes; header ${layout.headerBytes} bytes`,
    `checksum: ${c.algorithm}${c.algorithm === 'none' ? '' : ` at ${c.offset}, covering ${c.from}..${c.to}`}`,
    `message types: ${layout.messages.map((m) => `${m.name} (${m.code}, ${m.minBytes === m.maxBytes ? m.minBytes : `${m.minBytes}..${m.maxBytes}`} bytes${m.heartbeat ? ', heartbeat' : ''})`).join(', ')}`,
    `sequence: ${f.kind === 'moldudp64' ? `MoldUDP64's, per message, from ${f.firstSequence ?? 'the first packet seen'}`
      : layout.messages.some((m) => m.sequenceField !== null) ? `checked${layout.firstSequence === null ? '' : ` from ${layout.firstSequence}`}` : 'none: gaps cannot be detected'}`,
    `timestamp: ${layout.timestamp === null ? 'none: feed latency cannot be measured' : `${layout.timestamp.clock} clock, ${layout.timestamp.unitNs} ns per unit`}`,
    `heartbeat: ${layout.heartbeat === null ? 'none declared' : `every ${layout.heartbeat.intervalMs} ms, silent after ${layout.heartbeat.missingAfterIntervals} intervals`}`,
    `subscribe: ${layout.subscribe === null ? 'nothing sent' : `${layout.subscribe.template.length} bytes after connecting`}${layout.keepalive === null ? '' : `; keepalive every ${layout.keepalive.everyMs} ms`}`,
  ];
  return lines.join('\n');
}

/** What a reader measured, for the console. Says so when latency or gaps could not be measured. */
export function formatLayoutFeedResult(result: LayoutFeedResult, layout: FeedLayout, seconds: number): string {
  const k = result.counts;
  const lines = [
    `feed ${result.layout}: ${result.verdict}${result.detail === '' ? '' : ` — ${result.detail}`}`,
    `${k.frames} frames, ${k.bytes} bytes in ${seconds.toFixed(1)} s; last sequence ${result.lastSequence < 0 ? 'none' : result.lastSequence}`,
    `by type: ${Object.entries(result.framesByType).map(([name, n]) => `${name} ${n}`).join(', ')}`,
    layout.messages.some((m) => m.sequenceField !== null)
      ? `gaps: ${k.gaps} (${k.gapFrames} frames missed, largest ${k.maxGapFrames}); sequence regressions: ${k.sequenceRegressions}`
      : 'gaps: not checked (the layout has no sequence field)',
    `checksum failures: ${k.checksumFailures}; unknown types: ${k.unknownTypes}; protocol errors: ${k.protocolErrors}`,
    `heartbeats: ${k.heartbeats}; silences: ${k.heartbeatSilences}${layout.heartbeat === null ? ' (no heartbeat interval declared: silences not checked)' : ''}`,
    result.latency === null ? 'feed latency: not measured (the layout has no timestamp)'
      : `feed latency: ${result.latency.count} frames, p50 ${ms(result.latency.p50Ns)}, p99 ${ms(result.latency.p99Ns)}, max ${ms(result.latency.maxNs)}`
        + `${k.negativeLatencies > 0 ? `; ${k.negativeLatencies} negative (recorded as 0)` : ''}${k.implausibleLatencies > 0 ? `; ${k.implausibleLatencies} implausible (over 1 h, not recorded)` : ''}`
        + `${layout.timestamp?.clock !== 'monotonic' ? '' : result.clockOffsetBoundNs === null ? `; clock offset ${result.clockOffsetNs} ns (given)`
          : `; clock offset ${result.clockOffsetNs} ns ± ${result.clockOffsetBoundNs} ns (estimated at subscribe: latencies below the bound mean nothing)`}`,
    ...result.errors.map((e) => `  ${e}`),
  ];
  return lines.join('\n');
}
