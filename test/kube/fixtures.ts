// Test fixtures: a fake API server with a small kind-like cluster, and an adapter pointed at it.
import { createKube } from '../../harness/kube/index.ts';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../sim/apiserver/index.ts';

export interface NodeSpec {
  name: string;
  ready: boolean;
  /** 10.244.<index>.0/24 and 172.18.0.<index + 2>, like kind. */
  index: number;
  controlPlane?: boolean;
}

export function nodeObject(n: NodeSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        ...(n.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      },
    },
    spec: {
      podCIDR: `10.244.${n.index}.0/24`,
      ...(n.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      addresses: [{ type: 'InternalIP', address: `172.18.0.${n.index + 2}` }, { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'Ready', status: n.ready ? 'True' : 'False', reason: n.ready ? 'KubeletReady' : 'KubeletNotReady', message: n.ready ? 'kubelet is posting ready status' : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }],
    },
  };
}

export interface Cluster {
  server: ApiServer;
  kube: Kube;
}

/** A server with a control plane and two workers (all Ready unless `notReady` names them). */
export async function startCluster(opts: ApiServerOptions = {}, notReady: string[] = [], runId?: string): Promise<Cluster> {
  const server = await startApiServer(opts);
  const nodes: NodeSpec[] = [
    { name: 'kind-control-plane', index: 0, ready: true, controlPlane: true },
    { name: 'kind-worker', index: 1, ready: true },
    { name: 'kind-worker2', index: 2, ready: true },
  ];
  for (const n of nodes) server.store.put(nodeObject({ ...n, ready: !notReady.includes(n.name) }));
  const kube = createKube({ kubeconfig: server.kubeconfig('kind'), retry: { retries: 3, minTimeoutMs: 10 }, ...(runId ? { runId } : {}) });
  return { server, kube };
}

export function deployment(namespace: string, name: string, replicas = 2, image = 'registry.k8s.io/e2e-test-images/agnhost:2.53'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image, ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** Polls `probe` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs}ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
