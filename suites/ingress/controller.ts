// Where the ingress controller listens: its pod IP (probed from a pod) and the InternalIP of its
// node, where the kind provider manifest binds hostPort 80/443 (probed from the external client).
import type { Kube, KubeObject } from '../../harness/kube/types.ts';

export const CONTROLLER_NAMESPACE = 'ingress-nginx';
export const CONTROLLER_SELECTOR = 'app.kubernetes.io/component=controller';

export interface ControllerAddress {
  pod: string;
  podIp: string;
  node: string;
  nodeIp: string;
}

function isReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function controllerAddress(kube: Kube): Promise<ControllerAddress> {
  const pods = await kube.list('v1', 'Pod', { namespace: CONTROLLER_NAMESPACE, labelSelector: CONTROLLER_SELECTOR });
  const pod = pods.find(isReady);
  if (!pod) {
    throw new Error(
      `no Ready ingress controller pod (${CONTROLLER_SELECTOR}) in namespace ${CONTROLLER_NAMESPACE}: found ${pods.length} pod(s); ` +
        'the run installs ingress-nginx before the suites when the cell has the ingress capability',
    );
  }
  const status = pod.status as { podIP?: string; hostIP?: string };
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
  if (!status.podIP || !status.hostIP) throw new Error(`ingress controller pod ${pod.metadata.name} has no pod IP or host IP yet`);
  return { pod: pod.metadata.name, podIp: status.podIP, node, nodeIp: status.hostIP };
}
