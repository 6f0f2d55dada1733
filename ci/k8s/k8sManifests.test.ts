/**
 * The Kubernetes manifests cannot be applied here (no cluster): these checks read them with the
 * `yaml` package and hold them to what a sharded run needs, so that an edit to one file that the
 * others do not follow (N in one place only, a path the merge does not read) fails here first.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadScenario } from '../../harness/scenario/loadScenario.js';
import { parseTargetFlag } from '../../harness/scenario/parseTarget.js';

interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string } } }
interface Container { name: string; image: string; command?: string[]; args: string[]; env?: EnvVar[]; volumeMounts?: { name: string; mountPath: string }[] }
interface PodSpec { restartPolicy: string; containers: Container[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] }
interface Manifest {
  apiVersion: string; kind: string; metadata: { name: string };
  spec: { completionMode?: string; completions?: number; parallelism?: number; backoffLimit?: number; accessModes?: string[];
    template: { spec: PodSpec } };
  data?: Record<string, string>;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const read = (file: string): Manifest[] => parseAllDocuments(readFileSync(here(file), 'utf8')).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Manifest;
});
const single = (file: string): Manifest => {
  const docs = read(file);
  expect(docs).toHaveLength(1);
  return docs[0] as Manifest;
};
const flag = (args: readonly string[], name: string): string => {
  const i = args.indexOf(name);
  expect(i, `${name} in ${args.join(' ')}`).toBeGreaterThanOrEqual(0);
  return args[i + 1] as string;
};
/** Every $(VAR) in args must be the container's env: Kubernetes leaves an unknown one as literal text. */
const undefinedVars = (c: Container): string[] => {
  const defined = new Set((c.env ?? []).map((e) => e.name));
  return [...c.args.join(' ').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1] as string).filter((v) => !defined.has(v));
};
/** The volume mount of the PVC, checked to be one: its claim name and mount path. */
const pvcMount = (pod: PodSpec, c: Container): { claim: string; mountPath: string } => {
  const volume = pod.volumes?.find((v) => v.persistentVolumeClaim !== undefined);
  const mount = c.volumeMounts?.find((m) => m.name === volume?.name);
  expect(volume?.persistentVolumeClaim?.claimName).toBeTypeOf('string');
  expect(mount?.mountPath).toBeTypeOf('string');
  return { claim: volume?.persistentVolumeClaim?.claimName as string, mountPath: mount?.mountPath as string };
};

describe('ci/k8s manifests', () => {
  const shards = single('shard-job.yaml');
  const merge = single('merge-job.yaml');
  const pvc = single('pvc.yaml');
  const config = single('run-config.yaml');
  const shardPod = shards.spec.template.spec;
  const shardContainer = shardPod.containers[0] as Container;
  const mergeContainer = merge.spec.template.spec.containers[0] as Container;

  it('runs the shards as one Indexed Job, pod i running shard i of N = completions = parallelism', () => {
    expect(shards).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed', backoffLimit: 0 } });
    const n = shards.spec.completions as number;
    expect(n).toBeGreaterThan(1);
    expect(shards.spec.parallelism).toBe(n);
    expect(shardPod.restartPolicy).toBe('Never');
    const args = shardContainer.args;
    expect(args[0]).toBe('run');
    expect(flag(args, '--shard')).toBe(`$(JOB_COMPLETION_INDEX)/${n}`);
    expect(shardContainer.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath)
      .toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    expect(flag(args, '--start-at')).toBe('$(START_AT)');
    expect(undefinedVars(shardContainer)).toEqual([]);
    // The shell wrapper passes the args through ("$@") to the CLI.
    expect(shardContainer.command?.join(' ')).toMatch(/node \/app\/dist\/harness\/cli\.js "\$@"/);
  });

  it('drives a shared network target with a scenario that has a client for every shard', async () => {
    const target = parseTargetFlag(flag(shardContainer.args, '--target'));
    expect(target.ok && (target.value.kind === 'tcp' || target.value.kind === 'http')).toBe(true);
    const scenario = await loadScenario(fileURLToPath(new URL(`../../${shardContainer.args[1]}`, import.meta.url)));
    expect(scenario.ok).toBe(true);
    if (scenario.ok) expect(scenario.scenario.clients.orderEntry).toBeGreaterThanOrEqual(shards.spec.completions as number);
  });

  it('merges exactly the N shard directories the shards write, on the same shared volume', () => {
    const n = shards.spec.completions as number;
    const shardVolume = pvcMount(shardPod, shardContainer);
    const mergeVolume = pvcMount(merge.spec.template.spec, mergeContainer);
    expect(pvc).toMatchObject({ kind: 'PersistentVolumeClaim', metadata: { name: shardVolume.claim } });
    expect(pvc.spec.accessModes).toContain('ReadWriteMany');
    expect(mergeVolume.claim).toBe(shardVolume.claim);

    const out = flag(shardContainer.args, '--out');
    expect(out.startsWith(`${shardVolume.mountPath}/`)).toBe(true);
    const expected = Array.from({ length: n }, (_, i) => out.replaceAll('$(JOB_COMPLETION_INDEX)', String(i))
      .replace(shardVolume.mountPath, mergeVolume.mountPath));
    const args = mergeContainer.args;
    expect(args[0]).toBe('merge');
    expect(args.slice(1, args.indexOf('--out'))).toEqual(expected);
    expect(flag(args, '--out').startsWith(`${mergeVolume.mountPath}/`)).toBe(true);
    expect(expected).not.toContain(flag(args, '--out'));
    expect(undefinedVars(mergeContainer)).toEqual([]);
  });

  it('takes the run id and start time from the run ConfigMap, whose keys exist', () => {
    expect(config.kind).toBe('ConfigMap');
    for (const c of [shardContainer, mergeContainer]) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref === undefined) continue;
        expect(ref.name).toBe(config.metadata.name);
        expect(Object.keys(config.data ?? {})).toContain(ref.key);
      }
    }
    expect(shardContainer.image).toBe(mergeContainer.image);
  });
});
