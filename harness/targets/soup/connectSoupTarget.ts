import type { Scenario, TargetSpec } from '../../scenario/Scenario.js';
import { loadSoupMessageSet } from './loadSoupMessageSet.js';
import { SoupOrderDriver } from './SoupOrderDriver.js';

/**
 * Loads a `soup://` target's message set and logs its sessions in (runScenario's soup branch).
 * Throws a RangeError naming every problem of the message-set file (the CLI's usage exit), or the
 * driver's TargetError when the engine cannot be reached or rejects the login.
 */
export async function connectSoupTarget(target: Extract<TargetSpec, { kind: 'soup' }>, scenario: Scenario, seed: number,
  clientIndexes?: readonly number[]): Promise<SoupOrderDriver> {
  const loaded = await loadSoupMessageSet(target.messages);
  if (!loaded.ok) throw new RangeError(`bad message set for the soup target:\n${loaded.problems.join('\n')}`);
  return SoupOrderDriver.connect({ scenario, seed, host: target.orderEntry.host, port: target.orderEntry.port, messageSet: loaded.messageSet,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(clientIndexes === undefined ? {} : { clientIndexes }) });
}
