import type { ChaosResult } from './runChaos.js';

const ms = (value: number): string => `${Math.round(value)} ms`;
const yes = (ok: boolean): string => (ok ? 'yes' : '**NO**');

/** The console (Markdown) form of a chaos result: one table of the checks, the kills, then any failures and examples. */
export function formatChaosReport(r: ChaosResult): string {
  const o = r.orders;
  const t = r.truncation;
  const lines = [
    `matchbench chaos: ${r.scenario}, seed ${r.seed}, durability ${r.durability} — ${r.verdict === 'pass' ? 'PASSED' : 'FAILED'}`,
    '',
    '| check | result |',
    '|---|---|',
    `| kills (SIGKILL, restart on the same journal) | ${r.kills.length} of ${r.killsRequested} |`,
    `| recovery time, kill to first LOGIN accepted: median / max | ${ms(r.recoveryMs.median)} / ${ms(r.recoveryMs.max)} |`,
    `| journal replay on the engine's books (fastest of 5) | ${r.replay.records} records in ${(r.replay.seconds * 1000).toFixed(1)} ms ` +
      `(${(r.replay.setupSeconds * 1000).toFixed(1)} ms of it building empty books): ${r.replay.recordsPerSecond.toLocaleString('en-US')} records/s |`,
    `| state hash: restarts and final replay equal the oracle's | ${yes(r.kills.every((k) => k.stateHashMatch) && r.replay.stateHashMatch)} |`,
    `| NEW_ORDERs sent / acknowledged | ${o.newOrdersSent} / ${o.acknowledged} |`,
    `| acknowledged orders lost (must be 0) | ${o.acknowledgedLost === 0 ? '0' : `**${o.acknowledgedLost}**`} |`,
    `| acknowledged orders now resting / filled / canceled | ${o.acknowledgedOutcome.resting} / ${o.acknowledgedOutcome.filled} / ${o.acknowledgedOutcome.canceled} |`,
    `| in-doubt orders (unanswered at a kill) / in the journal | ${o.inDoubt} / ${o.inDoubtLanded} |`,
    `| orders journaled twice (must be 0) | ${o.duplicates === 0 ? '0' : `**${o.duplicates}**`} |`,
    `| sessions told other outcomes than the journal's (must be 0) | ${o.outcomeMismatches === 0 ? '0' : `**${o.outcomeMismatches}**`} |`,
    `| reports cut off by kills (allowed) | ${o.reportsCutByKills} |`,
    `| subscriber resumes (disconnect, login, snapshot) | ${r.subscribers.resumes} of ${r.subscribers.resumesExpected} |`,
    `| subscriber books equal to the journal's at the end | ${r.subscribers.booksEqual} of ${r.subscribers.booksCompared}` +
      `${r.subscribers.booksInexact > 0 ? ` (${r.subscribers.booksInexact} not exact)` : ''} |`,
    `| torn last record: cuts recovered to the record before | ${t.tornTail.recovered} of ${t.tornTail.cuts} |`,
    `| flipped bit in the middle refused | ${t.bitFlip === null ? 'not tried (fewer than 3 records)' :
      `${yes(t.bitFlip.detected)} (record ${t.bitFlip.record}, byte ${t.bitFlip.byteOffset}, bit ${t.bitFlip.bit})`} |`,
    `| final stop (SIGINT) exit code | ${r.finalStopExitCode ?? 'killed'} |`,
  ];
  if (r.kills.length > 0) {
    lines.push('', '| kill | at | in flight | ready after | recovery | records replayed | hash = oracle |', '|---:|---:|---:|---:|---:|---:|---|');
    r.kills.forEach((k, i) => lines.push(`| ${i + 1} | ${(k.atMs / 1000).toFixed(2)} s | ${k.unanswered} | ${ms(k.restartMs)} | ` +
      `${ms(k.recoveryMs)} | ${k.recoveredRecords} | ${yes(k.stateHashMatch)} |`));
  }
  if (t.bitFlip !== null) lines.push('', `Bit flip: ${t.bitFlip.message}`);
  if (r.failures.length > 0) lines.push('', 'Failed:', ...r.failures.map((f) => `- ${f}`));
  if (o.examples.length > 0) lines.push('', 'Examples:', ...o.examples.map((e) => `- ${e}`));
  if (t.tornTail.problems.length > 0) lines.push('', 'Torn-tail problems:', ...t.tornTail.problems.map((p) => `- ${p}`));
  return `${lines.join('\n')}\n`;
}
