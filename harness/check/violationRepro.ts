import type { ShardSpec } from '../scenario/parseShard.js';
import type { HostPort, TargetSpec } from '../scenario/Scenario.js';

// How every violation file (session, feed, differential) names the command that runs its run again.

/** The run a violation file's `repro.command` runs again (every kind of violation file has these). */
export interface ViolationRun {
  readonly scenarioFile: string;
  readonly seed: number;
  readonly target: TargetSpec;
  /** The shard, when the run was one shard of a sharded run: its rerun is that shard alone. */
  readonly shard?: ShardSpec | undefined;
}

/** The `matchbench run` command line that runs `r` again: same scenario, seed, target and shard. */
export function runReproCommand(r: ViolationRun): string {
  return `matchbench run ${shellWord(r.scenarioFile)} --seed ${r.seed} --target ${shellWord(targetFlag(r.target))}` +
    `${r.shard === undefined ? '' : ` --shard ${r.shard.index}/${r.shard.count}`}`;
}

/** `--target` as typed: the inverse of parseTargetFlag. */
export function targetFlag(t: TargetSpec): string {
  const hp = (x: HostPort): string => (x.host.includes(':') ? `[${x.host}]:${x.port}` : `${x.host}:${x.port}`);
  const layout = (file: string | undefined): string => (file === undefined ? '' : `,md-layout=${file}`);
  switch (t.kind) {
    case 'embedded':
    case 'inproc':
      return t.kind;
    case 'tcp': return `tcp://${hp(t.orderEntry)}${t.marketData === null ? '' : `,md=${hp(t.marketData)}`}${layout(t.mdLayout)}`;
    case 'http': return `${t.url}${t.marketData === null ? '' : `,md=${hp(t.marketData)}`}${layout(t.mdLayout)}` +
      `${t.mapping === undefined ? '' : `,mapping=${t.mapping}`}`;
    case 'soup': return `soup://${hp(t.orderEntry)},messages=${t.messages}${t.username === undefined ? '' : `,user=${t.username}`}`;
    case 'fix': return `fix://${hp(t.orderEntry)},version=${t.version},sender=${t.senderCompId},target=${t.targetCompId},reset=${t.resetSeqNum},heartbeat=${t.heartbeatSeconds}`;
  }
}

/** A shell word: as is when safe, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
