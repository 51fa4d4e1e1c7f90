// The DaemonSet controller: one pod per eligible node, and template changes rolled out as the real
// controller does without surge. RollingUpdate replaces the outdated pod of a node by deleting it
// gracefully and creating the new one only once the old one is gone, while at most maxUnavailable
// nodes (default 1) lack a Ready pod; OnDelete leaves outdated pods until someone deletes them.
import { recordEvent, timestamp } from '../events.ts';
import type { KubeObject, ObjectStore } from '../types.ts';
import { unfitReason, type PodSpec, type Toleration } from './scheduling.ts';
import { ownedPods, podFromTemplate, podPhase, podReady, randomSuffix, templateHash } from './shared.ts';

interface DaemonSetSpec {
  template?: { metadata?: Record<string, unknown>; spec?: PodSpec };
  updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
}

function spec(ds: KubeObject): DaemonSetSpec {
  return (ds['spec'] as DaemonSetSpec | undefined) ?? {};
}

const HASH_LABEL = 'controller-revision-hash';

/** Tolerations the DaemonSet controller adds to every daemon pod. */
function daemonTolerations(podSpec: PodSpec): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (podSpec.hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/** The node a daemon pod is pinned to through its metadata.name node affinity. */
function daemonNodeOf(pod: KubeObject): string | undefined {
  const terms = (pod['spec'] as PodSpec).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.flatMap((t) => (t as { matchFields?: Array<{ key: string; values?: string[] }> }).matchFields ?? []).find((f) => f.key === 'metadata.name')?.values?.[0];
}

const terminating = (pod: KubeObject): boolean => pod.metadata['deletionTimestamp'] !== undefined;

/** maxUnavailable as a node count: percentages of the desired count round up, and never below 1 (no surge). */
function maxUnavailable(ds: KubeObject, desired: number): number {
  const value = spec(ds).updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const count = typeof value === 'number' ? value : Math.ceil((desired * Number.parseInt(value, 10)) / 100);
  return Math.max(1, count);
}

function createDaemonPod(store: ObjectStore, ds: KubeObject, node: string, hash: string, extra: Toleration[]): void {
  const pod = podFromTemplate(ds, `${ds.metadata.name}-${randomSuffix()}`, {
    [HASH_LABEL]: hash,
    'pod-template-generation': String(ds.metadata['generation'] ?? 1),
  });
  const podSpec = pod['spec'] as PodSpec;
  podSpec.tolerations = [...(podSpec.tolerations ?? []), ...extra];
  podSpec.affinity = {
    ...podSpec.affinity,
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } },
  };
  store.put(pod);
  recordEvent(store, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'daemonset-controller');
}

/** At once: pods on nodes that must not run one, failed pods, extra pods of a node. */
function deleteNow(store: ObjectStore, ds: KubeObject, pod: KubeObject): void {
  store.delete('v1', 'Pod', pod.metadata.namespace, pod.metadata.name);
  recordEvent(store, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'daemonset-controller');
}

/** Gracefully: the kubelet stops the pod and removes it (controllers/pods.ts). */
function deleteGracefully(store: ObjectStore, ds: KubeObject, pod: KubeObject): void {
  const grace = (pod['spec'] as PodSpec)['terminationGracePeriodSeconds'] ?? 30;
  store.put({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: timestamp(), deletionGracePeriodSeconds: grace } });
  recordEvent(store, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'daemonset-controller');
}

function reconcileDaemonSet(store: ObjectStore, ds: KubeObject, nodes: KubeObject[]): void {
  const template = spec(ds).template?.spec ?? {};
  const hash = templateHash(spec(ds).template);
  const extra = daemonTolerations(template);
  const eligible = nodes.filter((n) => unfitReason(template, n, extra) === undefined).map((n) => n.metadata.name);
  /** Per eligible node: its live pod, and whether a terminating one still holds the node. */
  const live = new Map<string, KubeObject>();
  const stopping = new Set<string>();
  for (const pod of ownedPods(store, ds)) {
    const node = daemonNodeOf(pod);
    if (terminating(pod)) {
      if (node) stopping.add(node);
    } else if (!node || !eligible.includes(node) || live.has(node) || podPhase(pod) === 'Failed') deleteNow(store, ds, pod);
    else live.set(node, pod);
  }
  // A node gets its new pod only once the old one is gone, as without surge.
  for (const node of eligible) {
    if (live.has(node) || stopping.has(node)) continue;
    createDaemonPod(store, ds, node, hash, extra);
  }
  if (spec(ds).updateStrategy?.type !== 'OnDelete') rollOneStep(store, ds, eligible, live, hash);
  writeStatus(store, ds, eligible, hash);
}

/**
 * Replaces outdated pods while the nodes without a Ready pod stay within maxUnavailable; an outdated
 * pod that is not Ready anyway is replaced without counting against it.
 */
function rollOneStep(store: ObjectStore, ds: KubeObject, eligible: string[], live: Map<string, KubeObject>, hash: string): void {
  const unavailable = eligible.filter((node) => {
    const pod = live.get(node);
    return pod === undefined || !podReady(pod);
  }).length;
  let budget = maxUnavailable(ds, eligible.length) - unavailable;
  for (const node of eligible) {
    const pod = live.get(node);
    if (!pod || pod.metadata.labels?.[HASH_LABEL] === hash) continue;
    if (!podReady(pod)) deleteGracefully(store, ds, pod);
    else if (budget > 0) {
      deleteGracefully(store, ds, pod);
      budget--;
    }
  }
}

function writeStatus(store: ObjectStore, ds: KubeObject, eligible: string[], hash: string): void {
  const current = ownedPods(store, ds).filter((p) => !terminating(p) && (p['spec'] as PodSpec).nodeName);
  const ready = current.filter(podReady).length;
  store.put({
    ...ds,
    status: {
      observedGeneration: ds.metadata['generation'],
      desiredNumberScheduled: eligible.length,
      currentNumberScheduled: current.length,
      updatedNumberScheduled: current.filter((p) => p.metadata.labels?.[HASH_LABEL] === hash).length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
    },
  });
}

export function reconcileDaemonSets(store: ObjectStore): void {
  const nodes = store.list('v1', 'Node');
  for (const ds of store.list('apps/v1', 'DaemonSet')) reconcileDaemonSet(store, ds, nodes);
}
