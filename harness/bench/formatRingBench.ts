import type { RingBenchResult } from './ringBench.js';

const millions = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
const count = (x: number): string => x.toLocaleString('en-US');

/** The ring benchmark's result as the table the README quotes. */
export function formatRingBench(result: RingBenchResult, machine: string): string {
  const r = result.ring;
  const rows = result.transports.map((t) => [
    t.name,
    count(t.messages),
    millions(t.msgsPerSecond),
    t.runsMsgsPerSecond.map((x) => (x / 1e6).toFixed(2)).join(' '),
    Number.isFinite(t.ratioToPostMessage) ? `${t.ratioToPostMessage.toFixed(t.ratioToPostMessage < 10 ? 2 : 0)}x` : '-',
    t.meanConsumerBatch === undefined ? '-' : t.meanConsumerBatch.toFixed(0),
  ]);
  const header = ['transport', 'messages/run', 'msgs/s (median)', 'runs (M msgs/s)', 'vs postMessage', 'consumer batch'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  return [
    `ring benchmark: median of ${result.repetitions} runs after ${result.warmups} warm-up run(s) per transport; ${machine}`,
    `ring: ${count(r.capacity)} slots of ${r.slotBytes} bytes; producers claim and publish ${r.batch} slots at a time and, ` +
      `refused ${r.busySpins} times in a row (ring full), sleep ${r.busySleepMs} ms; the consumer waits by ${r.waitStrategy}`,
    `every message is (producer, index, value), three doubles; postMessage and MessageChannel send the same three numbers ` +
      `as an array, ${count(result.portMessages)} per run (they are too slow for ${count(result.messages)})`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    result.problems.length === 0
      ? 'check: every run delivered every message exactly once and in order per producer; per-producer checksums match'
      : `check FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
    'timing: the consumer\'s clock from the start gate (Atomics.notify to every worker) to its last message; ' +
      'consumer batch = messages per consumer batch (one gating-sequence store each)',
  ].join('\n');
}
