// Builders for the objects suites create: run-labelled namespaces and agnhost pods placed on
// chosen nodes. Suites apply them through the kube adapter and remove their namespaces after.
import { testImages } from '../../clusters/versions.ts';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { liveCell } from './conformance.ts';

export const RUN_LABEL = 'cnimatrix.io/run';

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A namespace name unique to this run: `<prefix>-<runId>` (kept within the 63-char limit). */
export function namespaceName(prefix: string): string {
  return `${prefix}-${liveCell().runId}`.slice(0, 63).replace(/-+$/, '');
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { ...labels, [RUN_LABEL]: liveCell().runId } },
  };
}

export interface ServerPodSpec {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** Pin to this node (kubernetes.io/hostname); omit to let the scheduler choose. */
  node?: string;
  /** Ports netexec serves; each gets named container ports `serve-<port>-<proto>`. */
  ports?: number[];
  protocols?: L4Protocol[];
  hostNetwork?: boolean;
}

/** The container port name the policy model uses for a port and protocol, e.g. serve-80-tcp. */
export function servePortName(port: number, protocol: L4Protocol): string {
  return `serve-${port}-${protocol.toLowerCase()}`;
}

/**
 * An agnhost pod with one netexec container per port (HTTP and UDP on that port, SCTP too when
 * asked), so any pod can be a probe target, and a probe source (connect, curl, dig, /dial).
 */
export function serverPod(spec: ServerPodSpec): KubeObject {
  const ports = spec.ports ?? [80];
  const protocols = spec.protocols ?? ['TCP', 'UDP'];
  const containers = ports.map((port) => {
    const args = ['netexec', `--http-port=${port}`, `--udp-port=${protocols.includes('UDP') ? port : -1}`];
    if (protocols.includes('SCTP')) args.push(`--sctp-port=${port}`);
    return {
      name: `cont-${port}`,
      image: testImages.agnhost,
      imagePullPolicy: 'IfNotPresent',
      args,
      ports: protocols.map((protocol) => ({ name: servePortName(port, protocol), containerPort: port, protocol })),
      readinessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 1 },
      securityContext: {},
    };
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { ...(spec.labels ?? {}), [RUN_LABEL]: liveCell().runId },
    },
    spec: {
      ...(spec.node ? { nodeSelector: { 'kubernetes.io/hostname': spec.node } } : {}),
      ...(spec.hostNetwork ? { hostNetwork: true } : {}),
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers,
    },
  };
}

/** Names of the cell's schedulable nodes, control-plane last (suites prefer workers). */
export async function nodeNames(kube: Kube): Promise<string[]> {
  const nodes = await kube.list('v1', 'Node');
  const isControlPlane = (n: KubeObject) => 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {});
  return [...nodes.filter((n) => !isControlPlane(n)), ...nodes.filter(isControlPlane)].map((n) => n.metadata.name);
}

/** Two distinct nodes for cross-node checks; fails clearly on a single-node cell. */
export async function twoNodes(kube: Kube): Promise<[string, string]> {
  const names = await nodeNames(kube);
  const [first, second] = names;
  if (!first || !second) {
    throw new Error(`cross-node checks need at least 2 nodes; the cell has ${names.length} (${names.join(', ')})`);
  }
  return [first, second];
}

/** The IP of a pod once Ready. */
export async function podIp(kube: Kube, ns: string, name: string): Promise<string> {
  const pod = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name });
  const ip = (pod?.status as { podIP?: string } | undefined)?.podIP;
  if (!ip) throw new Error(`pod ${ns}/${name} has no IP yet (is it Running?)`);
  return ip;
}

/** Deletes namespaces and waits until they are gone, so the next suite starts clean. */
export async function deleteNamespaces(kube: Kube, names: string[], timeoutMs = 120_000): Promise<void> {
  await Promise.all(
    names.map((name) => kube.delete({ apiVersion: 'v1', kind: 'Namespace', name }, { wait: true, timeoutMs })),
  );
}
