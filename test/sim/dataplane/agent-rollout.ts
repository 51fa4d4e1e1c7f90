// Which nodes had their CNI agent replaced by a rollout, and when. A node's agent was replaced when
// the agent pod it runs now (the newest one of the CNI DaemonSet there) comes from a later template
// than the DaemonSet's first (pod-template-generation > 1): it was created in place of an older one.
// The upgrade faults (faults/upgrade-*.ts) key off these moments.
import { cniDaemonSet } from '../cluster/cni.ts';
import type { ClusterSnapshot, SimPod } from './state.ts';

export interface AgentReplacement {
  /** When the new agent pod was created (epoch ms). */
  at: number;
  agent: SimPod;
}

function generation(pod: SimPod): number {
  return Number(pod.labels['pod-template-generation'] ?? 1);
}

/** Node name → the replacement of its agent, for nodes whose agent was replaced. */
export function agentReplacements(state: ClusterSnapshot): Map<string, AgentReplacement> {
  const replaced = new Map<string, AgentReplacement>();
  const ds = cniDaemonSet(state.daemonSets);
  if (!ds) return replaced;
  const newest = new Map<string, SimPod>();
  for (const pod of state.pods) {
    if (pod.namespace !== ds.metadata.namespace || pod.controller?.kind !== 'DaemonSet' || pod.controller.name !== ds.metadata.name || !pod.node) continue;
    const seen = newest.get(pod.node);
    if (!seen || pod.createdAt > seen.createdAt) newest.set(pod.node, pod);
  }
  for (const [node, agent] of newest) if (generation(agent) > 1) replaced.set(node, { at: agent.createdAt, agent });
  return replaced;
}
