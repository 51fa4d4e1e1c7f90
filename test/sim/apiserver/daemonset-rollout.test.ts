// The DaemonSet controller's rolling update: outdated pods replaced node by node within
// maxUnavailable, each node's new pod created only once its old one is gone, status counting only
// pods of the current template; OnDelete leaving outdated pods alone.
import { afterEach, describe, expect, test } from '@jest/globals';
import { startControllers } from './controllers/index.ts';
import { MemoryStore } from './store.ts';
import type { ApiServerTiming, KubeObject } from './types.ts';

const TIMING: ApiServerTiming = { podStartMs: 50, podStopMs: 400, jobRunMs: 50, crdEstablishMs: 20, namespaceFinalizeMs: 50 };
const NODES = ['n1', 'n2', 'n3'];

interface DsStatus {
  observedGeneration?: number;
  desiredNumberScheduled: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

function cluster(): MemoryStore {
  const store = new MemoryStore();
  NODES.forEach((name, i) => store.put({
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: `172.18.0.${i + 2}` }], conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  stop = startControllers({ store, timing: TIMING, podStartup: undefined }).stop;
  return store;
}

function agent(image: string, updateStrategy?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      ...(updateStrategy ? { updateStrategy } : {}),
      template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'agent', image }] } },
    },
  };
}

function update(store: MemoryStore, image: string): void {
  const ds = structuredClone(store.get('apps/v1', 'DaemonSet', 'kube-system', 'agent')!);
  (ds['spec'] as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image = image;
  store.put(ds);
}

const statusOf = (store: MemoryStore): DsStatus => store.get('apps/v1', 'DaemonSet', 'kube-system', 'agent')!['status'] as DsStatus;

function rolledOut(store: MemoryStore): boolean {
  const ds = store.get('apps/v1', 'DaemonSet', 'kube-system', 'agent');
  const s = ds?.['status'] as DsStatus | undefined;
  return !!s && s.observedGeneration === ds!.metadata['generation'] && s.desiredNumberScheduled > 0 && s.updatedNumberScheduled === s.desiredNumberScheduled && s.numberAvailable === s.desiredNumberScheduled;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const imageOf = (pod: KubeObject): string => ((pod['spec'] as { containers: Array<{ image: string }> }).containers[0]!.image);
const nodeOf = (pod: KubeObject): string => String((pod['spec'] as { nodeName?: string }).nodeName ?? '');
const ready = (pod: KubeObject): boolean => ((pod['status'] as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The rollout as it happens: `stop <node>` when an old pod starts terminating, `ready <node>` when a new one is Ready; and the most nodes without a Ready pod at once. */
function watchRollout(store: MemoryStore): { steps: string[]; maxUnavailable: () => number } {
  let max = 0;
  const steps: string[] = [];
  const note = (step: string) => steps.includes(step) || steps.push(step);
  store.onChange(({ type, object }) => {
    if (object.kind !== 'Pod') return;
    if (type === 'MODIFIED' && object.metadata['deletionTimestamp']) note(`stop ${nodeOf(object)}`);
    if (imageOf(object) === 'agent:2' && ready(object)) note(`ready ${nodeOf(object)}`);
    const pods = store.list('v1', 'Pod', { namespace: 'kube-system' });
    const unavailable = NODES.filter((n) => !pods.some((p) => nodeOf(p) === n && !p.metadata['deletionTimestamp'] && ready(p))).length;
    max = Math.max(max, unavailable);
  });
  return { steps, maxUnavailable: () => max };
}

describe('DaemonSet rolling update', () => {
  test('replaces one node at a time: the next old pod goes only once the new one is Ready; status counts the new template only', async () => {
    const store = cluster();
    store.put(agent('agent:1'));
    await until(() => rolledOut(store), 'first rollout');
    const watch = watchRollout(store);
    const started = Date.now();
    update(store, 'agent:2');
    await until(() => statusOf(store).observedGeneration === 2, 'generation 2 observed');
    expect(statusOf(store).updatedNumberScheduled).toBe(0);
    await until(() => rolledOut(store), 'second rollout');
    const took = Date.now() - started;

    expect(watch.maxUnavailable()).toBe(1);
    expect(watch.steps).toEqual(['stop n1', 'ready n1', 'stop n2', 'ready n2', 'stop n3', 'ready n3']);
    const pods = store.list('v1', 'Pod', { namespace: 'kube-system' });
    expect(pods.map(imageOf)).toEqual(['agent:2', 'agent:2', 'agent:2']);
    expect(pods.map((p) => p.metadata.labels?.['pod-template-generation'])).toEqual(['2', '2', '2']);
    expect(pods.map(nodeOf).sort()).toEqual(NODES);
    // Per node: the old pod's stop (podStopMs) then the new one's start (podStartMs).
    expect(took).toBeGreaterThanOrEqual(3 * (TIMING.podStopMs + TIMING.podStartMs));
    expect(took).toBeLessThan(3 * (TIMING.podStopMs + TIMING.podStartMs) + 1000);
  });

  test('maxUnavailable 2 replaces two nodes at once', async () => {
    const store = cluster();
    store.put(agent('agent:1', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }));
    await until(() => rolledOut(store), 'first rollout');
    const watch = watchRollout(store);
    update(store, 'agent:2');
    await until(() => rolledOut(store), 'second rollout');
    expect(watch.maxUnavailable()).toBe(2);
    expect(watch.steps.slice(0, 2)).toEqual(['stop n1', 'stop n2']);
    expect(watch.steps).toHaveLength(6);
  });

  test('a terminating pod is not Ready and holds its node until it is gone', async () => {
    const store = cluster();
    store.put(agent('agent:1'));
    await until(() => rolledOut(store), 'first rollout');
    update(store, 'agent:2');
    await until(() => store.list('v1', 'Pod', { namespace: 'kube-system' }).some((p) => p.metadata['deletionTimestamp'] && !ready(p)), 'a terminating, unready pod');
    const onN1 = store.list('v1', 'Pod', { namespace: 'kube-system' }).filter((p) => nodeOf(p) === 'n1');
    expect(onN1).toHaveLength(1);
    expect(onN1[0]!.metadata['deletionTimestamp']).toBeDefined();
    expect(statusOf(store)).toMatchObject({ numberAvailable: 2, updatedNumberScheduled: 0, numberUnavailable: 1 });
  });

  test('OnDelete leaves outdated pods in place; a deleted one comes back from the new template', async () => {
    const store = cluster();
    store.put(agent('agent:1', { type: 'OnDelete' }));
    await until(() => rolledOut(store), 'first rollout');
    update(store, 'agent:2');
    await until(() => statusOf(store).observedGeneration === 2, 'generation 2 observed');
    await new Promise((r) => setTimeout(r, TIMING.podStopMs + 200));
    let pods = store.list('v1', 'Pod', { namespace: 'kube-system' });
    expect(pods.map(imageOf)).toEqual(['agent:1', 'agent:1', 'agent:1']);
    expect(statusOf(store)).toMatchObject({ updatedNumberScheduled: 0, numberAvailable: 3 });
    const onN2 = pods.find((p) => nodeOf(p) === 'n2')!;
    store.delete('v1', 'Pod', 'kube-system', onN2.metadata.name);
    await until(() => statusOf(store).updatedNumberScheduled === 1 && statusOf(store).numberAvailable === 3, 'n2 replaced');
    pods = store.list('v1', 'Pod', { namespace: 'kube-system' });
    expect(pods.find((p) => nodeOf(p) === 'n2')!.metadata.labels?.['pod-template-generation']).toBe('2');
    expect(pods.filter((p) => imageOf(p) === 'agent:1').map(nodeOf).sort()).toEqual(['n1', 'n3']);
  });
});
