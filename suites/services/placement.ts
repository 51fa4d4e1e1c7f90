// Where the services suite puts its pods. NodePort checks need a schedulable node that runs no
// endpoint of the Service (Cluster must forward from there, Local must not answer), so the web
// backends leave one node out; which nodes really hold endpoints is read back from the pods.
import type { Kube, KubeObject } from '../../harness/kube/types.ts';

export interface Placement {
  /** The client pod and the hostNetwork pod. */
  client: string;
  /** The externalTrafficPolicy Local backend. */
  local: string;
  /** The web backends, in turn; every node but the last when there are two or more. */
  backendNodes: string[];
}

/** `nodes`: the schedulable nodes, workers first (nodeNames), so the node left out is the control plane. */
export function placePods(nodes: string[]): Placement {
  const client = nodes[0] ?? '';
  return { client, local: nodes[1] ?? client, backendNodes: nodes.length > 1 ? nodes.slice(0, -1) : nodes };
}

/** The pod's Ready condition is True. */
export function isReady(pod: KubeObject | undefined): boolean {
  const conditions = (pod?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The nodes the Ready pods matching `labelSelector` run on (spec.nodeName). */
export async function endpointNodes(kube: Kube, ns: string, labelSelector: string): Promise<string[]> {
  const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector });
  return [...new Set(pods.filter(isReady).map((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName ?? ''))].filter(Boolean);
}
