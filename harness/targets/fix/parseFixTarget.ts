import { parseHostPort, type Parsed } from '../../scenario/parseTarget.js';
import type { TargetSpec } from '../../scenario/Scenario.js';
import { splitTargetOptions, type TargetOption } from '../../scenario/targetOptions.js';

const OPTIONS = 'fix:// options: version=4.2|4.4, sender=CompID, target=CompID, reset=true|false, heartbeat=seconds';

/**
 * `fix://host:port,version=4.4[,sender=MB,target=ENGINE,reset=true,heartbeat=30]`: a FIX order-entry
 * acceptor (docs/FIX.md). Every problem at once; messages do not name the flag.
 */
export function parseFixTarget(text: string): Parsed<Extract<TargetSpec, { kind: 'fix' }>> {
  const { main, options } = splitTargetOptions(text);
  return fixTarget(main.slice('fix://'.length).replace(/\/$/, ''), options, `"${text}" names no FIX version: add ,version=4.2 or ,version=4.4`);
}

/**
 * A fix target from its `host:port` and options (version, sender, target, reset, heartbeat), as the
 * string form and a scenario's `target:` map give them; `noVersion` is the message when version is
 * missing. Every problem at once.
 */
export function fixTarget(hostPort: string, options: readonly TargetOption[], noVersion: string): Parsed<Extract<TargetSpec, { kind: 'fix' }>> {
  const problems: string[] = [];
  const orderEntry = parseHostPort(hostPort);
  if (!orderEntry.ok) problems.push(...orderEntry.problems);
  let version: '4.2' | '4.4' | undefined;
  let senderCompId = 'MB';
  let targetCompId = 'ENGINE';
  let resetSeqNum = true;
  let heartbeatSeconds = 30;
  for (const { key, value, shown } of options) {
    if (value === '') {
      problems.push(`option "${shown}" has no value (${OPTIONS})`);
      continue;
    }
    switch (key) {
      case 'version':
        if (value === '4.2' || value === '4.4') version = value;
        else problems.push(`version "${value}": 4.2 or 4.4`);
        break;
      case 'sender':
      case 'target':
        if (!/^[\x21-\x7e]+$/.test(value) || value.includes('|')) problems.push(`${key} "${value}": a CompID is printable ASCII without spaces`);
        else if (key === 'sender') senderCompId = value;
        else targetCompId = value;
        break;
      case 'reset':
        if (value === 'true' || value === 'false') resetSeqNum = value === 'true';
        else problems.push(`reset "${value}": true or false`);
        break;
      case 'heartbeat':
        if (/^[1-9]\d{0,3}$/.test(value)) heartbeatSeconds = Number(value);
        else problems.push(`heartbeat "${value}": whole seconds, 1 to 9999`);
        break;
      default:
        problems.push(`unknown option "${shown}" (${OPTIONS})`);
    }
  }
  if (version === undefined && !problems.some((p) => p.startsWith('version'))) problems.push(noVersion);
  if (!orderEntry.ok || version === undefined || problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { kind: 'fix', orderEntry: orderEntry.value, version, senderCompId, targetCompId, resetSeqNum, heartbeatSeconds, marketData: null } };
}
