// A probe pod on every node (a DaemonSet of agnhost pause that tolerates every taint), asked one
// question per node through exec, then removed: how the run learns what each node really does.
import { testImages } from '../../clusters/versions.ts';
import type { ExecTarget, Kube, KubeObject } from '../kube/types.ts';

const PROBE_NAME = 'probe';
const ROLLOUT_TIMEOUT_MS = 2 * 60_000;
const NAMESPACE_GONE_TIMEOUT_MS = 2 * 60_000;

export interface NodeProbe {
  /** Namespace of its own, deleted afterwards. */
  namespace: string;
  /** In the node's network namespace, or on the pod network like the suites' pods. */
  hostNetwork: boolean;
}

function probeObjects(probe: NodeProbe): KubeObject[] {
  const labels = { app: PROBE_NAME };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: probe.namespace } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: PROBE_NAME, namespace: probe.namespace },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            ...(probe.hostNetwork ? { hostNetwork: true } : {}),
            // Every node, the control plane included.
            tolerations: [{ operator: 'Exists' }],
            terminationGracePeriodSeconds: 0,
            containers: [{ name: PROBE_NAME, image: testImages.agnhost, imagePullPolicy: 'IfNotPresent', args: ['pause'] }],
          },
        },
      },
    },
  ];
}

/**
 * Runs `ask` in the probe pod of every node; the answers come back in the order of the pods. An
 * aborted `signal` stops the rollout wait, and the probe's namespace is then deleted without waiting.
 */
export async function askEveryNode<T>(
  kube: Kube,
  probe: NodeProbe,
  ask: (target: ExecTarget, node: string, pod: KubeObject) => Promise<T>,
  signal?: AbortSignal,
): Promise<T[]> {
  await kube.apply(probeObjects(probe));
  try {
    await kube.waitFor({ kind: 'daemonSetRolledOut', namespace: probe.namespace, name: PROBE_NAME }, ROLLOUT_TIMEOUT_MS, signal);
    const pods = await kube.list('v1', 'Pod', { namespace: probe.namespace, labelSelector: `app=${PROBE_NAME}` });
    return await Promise.all(
      pods.map((pod) => {
        const node = String((pod['spec'] as { nodeName?: string } | undefined)?.nodeName ?? pod.metadata.name);
        return ask({ namespace: probe.namespace, pod: pod.metadata.name, container: PROBE_NAME }, node, pod);
      }),
    );
  } finally {
    // Waited for: the next probe of this cluster (detection, then verification) reuses the name.
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: probe.namespace }, { wait: signal?.aborted !== true, timeoutMs: NAMESPACE_GONE_TIMEOUT_MS });
  }
}
