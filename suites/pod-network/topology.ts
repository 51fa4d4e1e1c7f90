// The pods of the pod-network suite: two pods on one node, one on another, a hostNetwork pod
// standing in for the first node, and a ClusterIP Service in front of the pod on the second node.
// A cell with one schedulable node gets no second-node pod; the Service fronts the same-node pod.
import { isIPv6 } from 'node:net';
import type { ExecTarget, Kube, KubeObject } from '../../harness/kube/types.ts';
import { liveCell } from '../lib/conformance.ts';
import { crossNodeUnavailable, namespace, namespaceName, nodeNames, podAddresses, serverPod, type L4Protocol } from '../lib/workloads.ts';

/** netexec ports: 80 is probed; 8080 serves /dial (the source side of UDP/SCTP client-IP checks). */
export const SERVE_PORT = 80;
export const DIAL_PORT = 8080;
/** The hostNetwork pod's netexec port: unprivileged-looking and clear of ingress hostPorts 80/443. */
export const HOST_DIAL_PORT = 18080;
const SERVICE_NAME = 'echo';
const SERVICE_LABEL = { app: 'podnet-echo' };
const READY_TIMEOUT_MS = 180_000;

export interface PlacedPod {
  /** "<pod> on <node> (<ip>)", for messages. */
  label: string;
  name: string;
  node: string;
  ip: string;
  /** Its IPv6 address (status.podIPs) on a dual-stack cluster. */
  ipv6: string | undefined;
  exec: ExecTarget;
}

export interface Topology {
  namespace: string;
  /** Source pod on the first node. */
  client: PlacedPod;
  /** Second pod on the first node; the Service's only endpoint on a single-node cell. */
  sameNode: PlacedPod;
  /** Pod on the second node and the Service's only endpoint; absent on a single-node cell. */
  otherNode: PlacedPod | undefined;
  /** hostNetwork pod on the first node: its traffic comes from the node. */
  host: PlacedPod;
  serviceIp: string;
}

export function podNetworkProtocols(): L4Protocol[] {
  return liveCell().capabilities.includes('sctp') ? ['TCP', 'UDP', 'SCTP'] : ['TCP', 'UDP'];
}

export async function createTopology(kube: Kube): Promise<Topology> {
  const ns = namespaceName('podnet');
  const nodes = await nodeNames(kube);
  const crossNode = crossNodeUnavailable() === undefined;
  const [first] = nodes;
  const second = crossNode ? nodes[1] : undefined;
  if (!first) throw new Error('the cluster has no node to place the pod-network pods on');
  if (crossNode && !second) {
    throw new Error(`cross-node checks need 2 nodes, but the cluster lists only ${nodes.length} (${nodes.join(', ')})`);
  }
  const protocols = podNetworkProtocols();
  const runId = liveCell().runId;
  const specs = [
    { name: 'client', node: first, ports: [SERVE_PORT, DIAL_PORT] },
    { name: 'same-node', node: first, ports: [SERVE_PORT, DIAL_PORT], ...(second ? {} : { labels: SERVICE_LABEL }) },
    ...(second ? [{ name: 'other-node', node: second, ports: [SERVE_PORT, DIAL_PORT], labels: SERVICE_LABEL }] : []),
  ];
  const objects: KubeObject[] = [
    ...specs.map((spec) => serverPod({ namespace: ns, protocols, ...spec })),
    serverPod({ namespace: ns, name: 'host', node: first, ports: [HOST_DIAL_PORT], protocols: ['TCP', 'UDP'], hostNetwork: true }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE_NAME, namespace: ns },
      spec: { type: 'ClusterIP', selector: SERVICE_LABEL, ports: [{ name: 'http', port: SERVE_PORT, targetPort: SERVE_PORT, protocol: 'TCP' }] },
    },
  ];
  await kube.apply([namespace(ns)], { runId });
  await kube.apply(objects, { runId });
  await kube.waitFor({ kind: 'podsReady', namespace: ns, minCount: specs.length + 1 }, READY_TIMEOUT_MS);
  const place = async (name: string, node: string, container: string): Promise<PlacedPod> => {
    const { ip, ips } = await podAddresses(kube, ns, name);
    const ipv6 = ips.find((a) => isIPv6(a));
    return { name, node, ip, ipv6, label: `${name} on ${node} (${ip})`, exec: { namespace: ns, pod: name, container } };
  };
  const service = await kube.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name: SERVICE_NAME });
  const serviceIp = (service?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  if (!serviceIp || serviceIp === 'None') throw new Error(`Service ${ns}/${SERVICE_NAME} has no ClusterIP`);
  return {
    namespace: ns,
    client: await place('client', first, `cont-${SERVE_PORT}`),
    sameNode: await place('same-node', first, `cont-${SERVE_PORT}`),
    otherNode: second ? await place('other-node', second, `cont-${SERVE_PORT}`) : undefined,
    host: await place('host', first, `cont-${HOST_DIAL_PORT}`),
    serviceIp,
  };
}
