// Builders for the objects suites create: run-labelled namespaces and agnhost pods placed on
// chosen nodes. Suites apply them through the kube adapter and remove their namespaces after.
import { testImages } from '../../clusters/versions.ts';
import { podIPs } from '../../harness/kube/pod-ips.ts';
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
 * netexec's /healthz answers 412 until its UDP or SCTP server has started, so it can only gate
 * containers that serve one of them; a TCP-only container is ready once its HTTP port accepts.
 */
export function netexecReadinessProbe(port: number, protocols: L4Protocol[]): Record<string, unknown> {
  const datagramServer = protocols.includes('UDP') || protocols.includes('SCTP');
  return { ...(datagramServer ? { httpGet: { path: '/healthz', port } } : { tcpSocket: { port } }), periodSeconds: 1 };
}

/**
 * The HTTP port of the container that serves SCTP on `port`: netexec always serves HTTP, and two
 * containers of one pod cannot share a port.
 */
export function sctpCompanionHttpPort(port: number): number {
  const companion = port + 20_000;
  if (companion > 65_535) throw new Error(`port ${port} cannot serve SCTP: its companion HTTP port ${companion} is out of range`);
  return companion;
}

function netexecContainer(name: string, args: string[], ports: { port: number; protocol: L4Protocol }[], readinessProbe: Record<string, unknown>) {
  return {
    name,
    image: testImages.agnhost,
    imagePullPolicy: 'IfNotPresent',
    args,
    ports: ports.map(({ port, protocol }) => ({ name: servePortName(port, protocol), containerPort: port, protocol })),
    readinessProbe,
    securityContext: {},
  };
}

/**
 * An agnhost pod with one netexec container per port (HTTP and UDP on that port), so any pod can be
 * a probe target, and a probe source (connect, curl, dig, /dial). SCTP, when asked, is served by a
 * container of its own (`sctp-<port>`): netexec's SCTP server exits on any read error
 * (agnhost netexec.go, startSCTPServer → assertNoError → log.Fatalf), which must not take the
 * port's TCP and UDP servers down with it.
 */
export function serverPod(spec: ServerPodSpec): KubeObject {
  const ports = spec.ports ?? [80];
  const protocols = spec.protocols ?? ['TCP', 'UDP'];
  const streamAndDatagram = protocols.filter((p) => p !== 'SCTP');
  const containers = ports.flatMap((port) => {
    const main = netexecContainer(
      `cont-${port}`,
      ['netexec', `--http-port=${port}`, `--udp-port=${protocols.includes('UDP') ? port : -1}`],
      streamAndDatagram.map((protocol) => ({ port, protocol })),
      netexecReadinessProbe(port, streamAndDatagram),
    );
    if (!protocols.includes('SCTP')) return [main];
    const http = sctpCompanionHttpPort(port);
    const sctp = netexecContainer(
      `sctp-${port}`,
      ['netexec', `--http-port=${http}`, '--udp-port=-1', `--sctp-port=${port}`],
      [{ port, protocol: 'SCTP' }],
      netexecReadinessProbe(http, ['SCTP']),
    );
    return [main, sctp];
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

/** Names of the cell's schedulable (not cordoned) nodes, control-plane last (suites prefer workers). */
export async function nodeNames(kube: Kube): Promise<string[]> {
  const nodes = (await kube.list('v1', 'Node')).filter((n) => (n['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable !== true);
  const isControlPlane = (n: KubeObject) => 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {});
  return [...nodes.filter((n) => !isControlPlane(n)), ...nodes.filter(isControlPlane)].map((n) => n.metadata.name);
}

/**
 * Why checks that cross nodes cannot run in this cell (fewer than 2 schedulable nodes), or
 * undefined when they can. A cell description without a node count is taken to have enough.
 */
export function crossNodeUnavailable(): string | undefined {
  const count = liveCell().schedulableNodes;
  return count !== undefined && count < 2 ? `needs 2 schedulable nodes; the cluster has ${count}` : undefined;
}

/** The IP of a pod once Ready. */
export async function podIp(kube: Kube, ns: string, name: string): Promise<string> {
  return (await podAddresses(kube, ns, name)).ip;
}

/** A pod's primary IP and every address it has (status.podIPs: one per family on a dual-stack cluster). */
export async function podAddresses(kube: Kube, ns: string, name: string): Promise<{ ip: string; ips: string[] }> {
  const pod = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name });
  const ip = (pod?.status as { podIP?: string } | undefined)?.podIP;
  if (!pod || !ip) throw new Error(`pod ${ns}/${name} has no IP yet (is it Running?)`);
  return { ip, ips: podIPs(pod) };
}

/** Deletes namespaces and waits until they are gone, so the next suite starts clean. */
export async function deleteNamespaces(kube: Kube, names: string[], timeoutMs = 120_000): Promise<void> {
  await Promise.all(
    names.map((name) => kube.delete({ apiVersion: 'v1', kind: 'Namespace', name }, { wait: true, timeoutMs })),
  );
}
