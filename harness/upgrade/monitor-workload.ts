// The pods the disruption monitor runs between while an upgrade rolls: on each of two nodes a
// netexec server and a client (the monitor's source), a ClusterIP Service over the servers, and,
// where the CNI enforces NetworkPolicy, a server on each node that a policy isolates.
import { testImages } from '../../clusters/versions.ts';
import type { Kube, KubeObject } from '../kube/types.ts';

export const MONITOR_NAMESPACE = 'cnimatrix-upgrade';
const READY_TIMEOUT_MS = 3 * 60_000;
const GONE_TIMEOUT_MS = 2 * 60_000;
const SERVICE = 'servers';

export interface MonitorPlacement {
  /** Two schedulable nodes, "a" and "b"; one node serves both roles when the cell has only one. */
  nodes: { a: string; b: string };
  /** Also place isolated servers behind a deny-all ingress policy (a CNI that enforces NetworkPolicy). */
  isolated: boolean;
}

export interface MonitorPods {
  clients: { a: string; b: string };
  servers: { a: string; b: string };
  isolated?: { a: string; b: string };
  serviceIp: string;
}

function pod(name: string, node: string, role: string, args: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: MONITOR_NAMESPACE, labels: { app: role } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      tolerations: [{ operator: 'Exists' }],
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'agnhost',
          image: testImages.agnhost,
          imagePullPolicy: 'IfNotPresent',
          args,
          ...(args[0] === 'netexec' ? { readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1 } } : {}),
        },
      ],
    },
  };
}

const SERVE = ['netexec', '--http-port=80', '--udp-port=80'];

export function monitorObjects(placement: MonitorPlacement): KubeObject[] {
  const { a, b } = placement.nodes;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MONITOR_NAMESPACE } },
    pod('client-a', a, 'monitor-client', ['pause']),
    pod('client-b', b, 'monitor-client', ['pause']),
    pod('server-a', a, 'monitor-server', SERVE),
    pod('server-b', b, 'monitor-server', SERVE),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: MONITOR_NAMESPACE },
      spec: {
        selector: { app: 'monitor-server' },
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'udp', port: 80, protocol: 'UDP' },
        ],
      },
    },
    ...(placement.isolated
      ? [
          pod('isolated-a', a, 'monitor-isolated', SERVE),
          pod('isolated-b', b, 'monitor-isolated', SERVE),
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'isolate', namespace: MONITOR_NAMESPACE },
            spec: { podSelector: { matchLabels: { app: 'monitor-isolated' } }, policyTypes: ['Ingress'] },
          },
        ]
      : []),
  ];
}

async function podIp(kube: Kube, name: string): Promise<string> {
  const found = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: MONITOR_NAMESPACE, name });
  const ip = (found?.['status'] as { podIP?: string } | undefined)?.podIP;
  if (ip === undefined || ip === '') throw new Error(`monitor pod ${MONITOR_NAMESPACE}/${name} has no IP`);
  return ip;
}

/** Creates the monitor's pods and waits until every one is Ready; returns their addresses. */
export async function deployMonitorPods(kube: Kube, placement: MonitorPlacement, signal?: AbortSignal): Promise<MonitorPods> {
  const objects = monitorObjects(placement);
  await kube.apply(objects);
  const pods = objects.filter((o) => o.kind === 'Pod').length;
  await kube.waitFor({ kind: 'podsReady', namespace: MONITOR_NAMESPACE, minCount: pods }, READY_TIMEOUT_MS, signal);
  const service = await kube.get({ apiVersion: 'v1', kind: 'Service', namespace: MONITOR_NAMESPACE, name: SERVICE });
  const serviceIp = (service?.['spec'] as { clusterIP?: string } | undefined)?.clusterIP;
  if (serviceIp === undefined || serviceIp === '') throw new Error(`Service ${MONITOR_NAMESPACE}/${SERVICE} has no ClusterIP`);
  return {
    clients: { a: 'client-a', b: 'client-b' },
    servers: { a: await podIp(kube, 'server-a'), b: await podIp(kube, 'server-b') },
    ...(placement.isolated ? { isolated: { a: await podIp(kube, 'isolated-a'), b: await podIp(kube, 'isolated-b') } } : {}),
    serviceIp,
  };
}

export async function removeMonitorPods(kube: Kube, wait: boolean): Promise<void> {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: MONITOR_NAMESPACE }, { wait, timeoutMs: GONE_TIMEOUT_MS });
}
