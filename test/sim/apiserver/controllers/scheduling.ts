// Node fitness the way the scheduler and the DaemonSet controller judge it: nodeSelector, required
// node affinity, taints (NoSchedule/NoExecute) against tolerations, unschedulable nodes.
import type { KubeObject } from '../types.ts';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
  containers?: Array<{ name: string; image?: string; ports?: Array<{ name?: string; containerPort: number; protocol?: string }> }>;
  restartPolicy?: string;
  [key: string]: unknown;
}

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

export function nodeReady(node: KubeObject): boolean {
  const conditions = (node['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** spec.taints plus the taints the node lifecycle controller keeps for NotReady and cordoned nodes. */
export function effectiveTaints(node: KubeObject): Taint[] {
  const spec = node['spec'] as { taints?: Taint[]; unschedulable?: boolean } | undefined;
  const taints = [...(spec?.taints ?? [])];
  const has = (key: string, effect: string): boolean => taints.some((t) => t.key === key && t.effect === effect);
  if (!nodeReady(node) && !has(NOT_READY_TAINT, 'NoSchedule')) taints.push({ key: NOT_READY_TAINT, effect: 'NoSchedule' });
  if (spec?.unschedulable && !has('node.kubernetes.io/unschedulable', 'NoSchedule')) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  return taints;
}

export function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
  );
}

export function matchesNodeSelection(spec: PodSpec, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms === undefined || terms.some((t) => termMatches(t, node));
}

/**
 * Why the pod cannot go to this node, in the scheduler's words; undefined when it fits. Taints are
 * checked before node affinity, as the scheduler's filters run, so a node failing both names its taint.
 */
export function unfitReason(spec: PodSpec, node: KubeObject, extraTolerations: Toleration[] = []): string | undefined {
  const tolerations = [...(spec.tolerations ?? []), ...extraTolerations];
  const untolerated = effectiveTaints(node).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t));
  if (untolerated) return 'node(s) had untolerated taint(s)';
  if (!matchesNodeSelection(spec, node)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

/**
 * "0/3 nodes are available: 1 node(s) didn't match ..., 2 node(s) had untolerated taint(s). no new
 * claims to deallocate, preemption: ...", as kube-scheduler 1.34 words it; with no nodes at all it
 * says only that.
 */
export function unschedulableMessage(reasons: string[], nodeCount: number): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${n} ${r}`);
  return `0/${nodeCount} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}. no new claims to deallocate, preemption: 0/${nodeCount} nodes are available: ${nodeCount} Preemption is not helpful for scheduling.`;
}
