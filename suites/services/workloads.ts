// The objects the services suite creates: three netexec backends, Services over them (ClusterIP,
// NodePort, ClientIP affinity, externalTrafficPolicy Local, no endpoints), a client pod and a
// hostNetwork pod for node-level checks.
import type { KubeObject } from '../../harness/kube/types.ts';
import { liveCell } from '../lib/conformance.ts';
import { RUN_LABEL, serverPod } from '../lib/workloads.ts';

export const BACKENDS = ['web-0', 'web-1', 'web-2'];
export const LOCAL_BACKEND = 'local-0';
export const CLIENT_POD = 'svc-client';
export const NODE_POD = 'svc-node';
/** netexec port of the hostNetwork pod: off 80/443, which the ingress controller holds as hostPorts. */
export const NODE_POD_PORT = 18080;

export const SERVICES = {
  clusterIp: 'web',
  nodePort: 'web-nodeport',
  sticky: 'web-sticky',
  local: 'web-local',
  empty: 'no-endpoints',
} as const;

function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { [RUN_LABEL]: liveCell().runId } },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }], ...spec },
  };
}

/** `nodeForPods` pins the client and hostNetwork pods; `localNode` hosts the eTP=Local backend. */
export function servicesWorkloads(ns: string, nodes: { client: string; local: string }): KubeObject[] {
  const web = { app: 'web' };
  return [
    ...BACKENDS.map((name) => serverPod({ namespace: ns, name, labels: { ...web, role: 'backend' } })),
    serverPod({ namespace: ns, name: LOCAL_BACKEND, labels: { app: 'local', role: 'backend' }, node: nodes.local }),
    serverPod({ namespace: ns, name: CLIENT_POD, labels: { role: 'client' }, node: nodes.client }),
    serverPod({ namespace: ns, name: NODE_POD, labels: { role: 'node' }, node: nodes.client, hostNetwork: true, ports: [NODE_POD_PORT], protocols: ['TCP'] }),
    service(ns, SERVICES.clusterIp, { selector: web }),
    service(ns, SERVICES.nodePort, { type: 'NodePort', selector: web }),
    service(ns, SERVICES.sticky, { selector: web, sessionAffinity: 'ClientIP' }),
    service(ns, SERVICES.local, { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'local' } }),
    service(ns, SERVICES.empty, { selector: { app: 'nothing-matches-this' } }),
  ];
}
