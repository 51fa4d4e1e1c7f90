// The objects the services suite creates: three netexec backends and one that never becomes Ready,
// Services over them (ClusterIP, NodePort, ClientIP affinity, each over TCP and UDP;
// externalTrafficPolicy Local; no endpoints), a client pod and a hostNetwork pod for node-level
// checks.
import type { KubeObject } from '../../harness/kube/types.ts';
import { liveCell } from '../lib/conformance.ts';
import { RUN_LABEL, serverPod } from '../lib/workloads.ts';
import type { Placement } from './placement.ts';

export const BACKENDS = ['web-0', 'web-1', 'web-2'];
/** Matches the web Services' selector, but its readiness probe never passes. */
export const UNREADY_BACKEND = 'web-unready';
export const LOCAL_BACKEND = 'local-0';
export const CLIENT_POD = 'svc-client';
export const NODE_POD = 'svc-node';
/** Port of the backends' netexec, for HTTP (TCP) and UDP alike. */
export const BACKEND_PORT = 80;
/** Nothing listens here in the unready backend, so a tcpSocket readiness probe of it always fails. */
const UNSERVED_PORT = 81;
/**
 * netexec port of the hostNetwork pod: off 80/443, which the ingress controller holds as hostPorts,
 * and off pod-network's 18080, so a node still holding that suite's pod cannot keep this one out.
 */
export const NODE_POD_PORT = 18081;

export const SERVICES = {
  clusterIp: 'web',
  nodePort: 'web-nodeport',
  sticky: 'web-sticky',
  local: 'web-local',
  empty: 'no-endpoints',
} as const;

export const WEB_SELECTOR = 'app=web';
export const LOCAL_SELECTOR = 'app=local';

const TCP_PORT = { name: 'http', port: BACKEND_PORT, targetPort: BACKEND_PORT, protocol: 'TCP' };
const UDP_PORT = { name: 'udp', port: BACKEND_PORT, targetPort: BACKEND_PORT, protocol: 'UDP' };

function service(ns: string, name: string, spec: Record<string, unknown>, ports = [TCP_PORT]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { [RUN_LABEL]: liveCell().runId } },
    spec: { ports, ...spec },
  };
}

function unreadyBackend(ns: string, node: string | undefined): KubeObject {
  const pod = serverPod({ namespace: ns, name: UNREADY_BACKEND, labels: { app: 'web', role: 'unready' }, node });
  const [container] = (pod.spec as { containers: Record<string, unknown>[] }).containers;
  if (container) container.readinessProbe = { tcpSocket: { port: UNSERVED_PORT }, periodSeconds: 1 };
  return pod;
}

export function servicesWorkloads(ns: string, placement: Placement): KubeObject[] {
  const web = { app: 'web' };
  const backendNode = (i: number) => placement.backendNodes[i % placement.backendNodes.length];
  return [
    ...BACKENDS.map((name, i) => serverPod({ namespace: ns, name, labels: { ...web, role: 'backend' }, node: backendNode(i) })),
    unreadyBackend(ns, backendNode(0)),
    serverPod({ namespace: ns, name: LOCAL_BACKEND, labels: { app: 'local', role: 'backend' }, node: placement.local }),
    serverPod({ namespace: ns, name: CLIENT_POD, labels: { role: 'client' }, node: placement.client }),
    serverPod({ namespace: ns, name: NODE_POD, labels: { role: 'node' }, node: placement.client, hostNetwork: true, ports: [NODE_POD_PORT], protocols: ['TCP'] }),
    service(ns, SERVICES.clusterIp, { selector: web }, [TCP_PORT, UDP_PORT]),
    service(ns, SERVICES.nodePort, { type: 'NodePort', selector: web }, [TCP_PORT, UDP_PORT]),
    service(ns, SERVICES.sticky, { selector: web, sessionAffinity: 'ClientIP' }, [TCP_PORT, UDP_PORT]),
    service(ns, SERVICES.local, { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'local' } }),
    service(ns, SERVICES.empty, { selector: { app: 'nothing-matches-this' } }),
  ];
}
