// Helpers shared by the controllers: owned objects, conditions with stable timestamps, names.
import { createHash, randomBytes } from 'node:crypto';
import { timestamp } from '../events.ts';
import type { KubeObject, ObjectStore } from '../types.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

/** Sets a condition, keeping lastTransitionTime (and the whole entry) when nothing changed. */
export function setCondition(conditions: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  if (prev && prev.status === next.status && prev.reason === next.reason && prev.message === next.message) return list;
  const entry: Condition = { ...next, lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime! : timestamp() };
  if (i >= 0) list[i] = entry;
  else list.push(entry);
  return list;
}

export function isTrue(conditions: Condition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export function controllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function ownedPods(store: ObjectStore, owner: KubeObject): KubeObject[] {
  return store
    .list('v1', 'Pod', { namespace: owner.metadata.namespace! })
    .filter((p) => ((p.metadata['ownerReferences'] as OwnerReference[] | undefined) ?? []).some((r) => r.uid === owner.metadata.uid));
}

export function controllerKind(pod: KubeObject): string | undefined {
  return ((pod.metadata['ownerReferences'] as OwnerReference[] | undefined) ?? []).find((r) => r.controller)?.kind;
}

/** Short, stable hash of a pod template, like pod-template-hash / controller-revision-hash. */
export function templateHash(template: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(JSON.stringify(template ?? {})).digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function podPhase(pod: KubeObject): string {
  return (pod['status'] as { phase?: string } | undefined)?.phase ?? 'Pending';
}

export function podReady(pod: KubeObject): boolean {
  return isTrue((pod['status'] as { conditions?: Condition[] } | undefined)?.conditions, 'Ready');
}

/** A new pod from a workload's template, owned by the workload. */
export function podFromTemplate(owner: KubeObject, name: string, extraLabels: Record<string, string>): KubeObject {
  const template = ((owner['spec'] as { template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> } }).template) ?? {};
  const spec = structuredClone(template.spec ?? {});
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace!,
      labels: { ...template.metadata?.labels, ...extraLabels },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec,
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}
