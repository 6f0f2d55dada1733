import { describe, expect, it } from 'vitest';
import { parseTargetFlag } from '../scenario/parseTarget.js';
import { runReproCommand, targetFlag } from './violationRepro.js';

describe('the repro command of a violation file', () => {
  it('--target text is the inverse of parseTargetFlag', () => {
    expect(targetFlag({ kind: 'embedded' })).toBe('embedded');
    expect(targetFlag({ kind: 'tcp', orderEntry: { host: '::1', port: 9001 }, marketData: { host: '10.0.0.2', port: 9002 } }))
      .toBe('tcp://[::1]:9001,md=10.0.0.2:9002');
    expect(targetFlag({ kind: 'http', url: 'http://127.0.0.1:9003', marketData: null })).toBe('http://127.0.0.1:9003');
    // A mapped engine's repro command must name its mapping, or it would drive the wrong API.
    for (const text of ['http://127.0.0.1:9003,md=127.0.0.1:9002,mapping=mappings/example-exchange.yaml', 'soup://127.0.0.1:7001,messages=targets/soup/ouch42.yaml,user=mb',
      // …and a layout feed's file, or the rerun would read the feed as matchbench's protocol.
      'tcp://127.0.0.1:9001,md=127.0.0.1:9002,md-layout=feeds/examples/itch-like.yaml',
      'http://127.0.0.1:9003,md=127.0.0.1:9002,md-layout=feeds/examples/itch-like.yaml,mapping=mappings/reference-engine.yaml',
      'fix://127.0.0.1:9878,version=4.4,sender=MB,target=EX,reset=false,heartbeat=5']) {
      const parsed = parseTargetFlag(text);
      if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
      expect(targetFlag(parsed.value)).toBe(text);
    }
  });

  it('reruns a shard of a sharded run as that shard alone', () => {
    const target = { kind: 'tcp', orderEntry: { host: '10.0.0.5', port: 9001 }, marketData: null } as const;
    expect(runReproCommand({ scenarioFile: 'scenarios/my run.yaml', seed: 7, target })).toBe(
      "matchbench run 'scenarios/my run.yaml' --seed 7 --target tcp://10.0.0.5:9001");
    expect(runReproCommand({ scenarioFile: 'scenarios/steady.yaml', seed: 7, target, shard: { index: 2, count: 4 } })).toBe(
      'matchbench run scenarios/steady.yaml --seed 7 --target tcp://10.0.0.5:9001 --shard 2/4');
  });
});
