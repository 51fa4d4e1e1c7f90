// The policy test model: namespaces x, y, z (labelled ns=<name>) each holding pods a, b, c
// (labelled pod=<name>) that serve ports 80 and 81 on TCP and UDP (and SCTP when the cell has
// it), plus TCP 5432 and 8080 so the network guide's policies are tested on their own ports, and
// one porter container with the TCP ports of the range boundaries and of the per-pod named port.
// Scenarios use the logical names ("x", "x/a"); the model maps them to the run's namespaces.
import type { ClusterState, ContainerPort, PodInfo, PortProbe } from '../../harness/netpol/index.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import { porterContainer } from '../lib/porter.ts';
import { namespace, namespaceName, serverPod, servePortName, RUN_LABEL, type L4Protocol } from '../lib/workloads.ts';
import { liveCell } from '../lib/conformance.ts';

export const MODEL_NAMESPACES = ['x', 'y', 'z'] as const;
export const MODEL_POD_NAMES = ['a', 'b', 'c'] as const;
export type ModelNamespace = (typeof MODEL_NAMESPACES)[number];
export type ModelPodName = (typeof MODEL_POD_NAMES)[number];
/** "x/a" … "z/c". */
export type ModelPodKey = `${ModelNamespace}/${ModelPodName}`;

export const MODEL_POD_KEYS: ModelPodKey[] = MODEL_NAMESPACES.flatMap((ns) => MODEL_POD_NAMES.map((pod) => `${ns}/${pod}` as const));

/** Ports served on every model protocol. */
export const MODEL_PORTS = [80, 81];
/** TCP-only ports of the network guide's policies (PostgreSQL, the API on 8080). */
export const GUIDE_PORTS = [5432, 8080];
/**
 * TCP ports the boundary probes of the endPort scenarios reach besides the ports above (below,
 * ends, middle and above each range, boundaries.ts). A unit test keeps it in step with the catalogue.
 */
export const RANGE_PORTS = [85, 90, 91];
/**
 * A named port whose number differs per pod, so a CNI resolving it against any pod but the
 * destination (the source, the first pod a policy selects) opens the wrong port. Every pod serves
 * all three numbers; only its own carries the name.
 */
export const OWN_PORT_NAME = 'api';
export const OWN_PORTS: Record<ModelPodName, number> = { a: 9001, b: 9002, c: 9003 };
/** The container of each model pod that serves RANGE_PORTS and OWN_PORTS. */
export const PORTER_CONTAINER = 'porter';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The run's namespace for a logical model namespace, e.g. x → netpol-x-<runId>. */
export function realNamespace(ns: string): string {
  return namespaceName(`netpol-${ns}`);
}

export function modelProtocols(): L4Protocol[] {
  return liveCell().capabilities.includes('sctp') ? ['TCP', 'UDP', 'SCTP'] : ['TCP', 'UDP'];
}

export function baseNamespaceLabels(ns: ModelNamespace): Record<string, string> {
  return { ns };
}

export function basePodLabels(pod: string): Record<string, string> {
  return { pod };
}

/** The Namespace objects of the model. */
export function modelNamespaceObjects(): KubeObject[] {
  return MODEL_NAMESPACES.map((ns) => namespace(realNamespace(ns), baseNamespaceLabels(ns)));
}

function ownPortOf(pod: string): number {
  const port = OWN_PORTS[pod as ModelPodName];
  if (port === undefined) throw new Error(`"${pod}" is not a model pod (${MODEL_POD_NAMES.join(', ')})`);
  return port;
}

/** One model pod: a netexec container per model port and one per guide port, and the porter container. */
export function modelPodObject(ns: ModelNamespace, pod: string): KubeObject {
  const base = { namespace: realNamespace(ns), name: pod, labels: basePodLabels(pod) };
  const modelPod = serverPod({ ...base, ports: MODEL_PORTS, protocols: modelProtocols() });
  const guidePod = serverPod({ ...base, ports: GUIDE_PORTS, protocols: ['TCP'] });
  const porterPorts = [...RANGE_PORTS, ...Object.values(OWN_PORTS)].map((port) => ({
    port,
    name: port === ownPortOf(pod) ? OWN_PORT_NAME : servePortName(port, 'TCP'),
  }));
  const spec = modelPod.spec as { containers: unknown[] };
  spec.containers = [...spec.containers, ...(guidePod.spec as { containers: unknown[] }).containers, porterContainer(PORTER_CONTAINER, porterPorts)];
  return modelPod;
}

/** Container ports of a model pod (the same in every namespace), as the policy engine needs them for named ports. */
export function modelContainerPorts(pod: string): ContainerPort[] {
  return (modelPodObject('x', pod).spec as { containers: { ports: ContainerPort[] }[] }).containers.flatMap((container) => container.ports);
}

/** Every port and protocol every model pod serves. */
export function modelProbes(): PortProbe[] {
  return modelContainerPorts(MODEL_POD_NAMES[0]).map((p) => ({ port: p.containerPort, protocol: p.protocol ?? 'TCP' }));
}

/** The model as it is now: labels (changed by steps) and the live pod IPs. */
export interface ModelState {
  namespaceLabels: Record<ModelNamespace, Record<string, string>>;
  podLabels: Record<ModelPodKey, Record<string, string>>;
  ips: Record<ModelPodKey, string>;
}

export function initialModelState(ips: Record<ModelPodKey, string>): ModelState {
  const namespaceLabels = Object.fromEntries(MODEL_NAMESPACES.map((ns) => [ns, baseNamespaceLabels(ns)])) as ModelState['namespaceLabels'];
  const podLabels = Object.fromEntries(MODEL_POD_KEYS.map((key) => [key, basePodLabels(key.split('/')[1]!)])) as ModelState['podLabels'];
  return { namespaceLabels, podLabels, ips };
}

/**
 * The engine's view of the model. Labels the cluster adds (the run label, the namespace name
 * label) are included so selectors see what the CNI sees.
 */
export function clusterStateOf(model: ModelState): ClusterState {
  const runId = liveCell().runId;
  const namespaces: ClusterState['namespaces'] = {};
  for (const ns of MODEL_NAMESPACES) {
    namespaces[ns] = { ...model.namespaceLabels[ns], [RUN_LABEL]: runId, [NAMESPACE_NAME_LABEL]: realNamespace(ns) };
  }
  const pods: PodInfo[] = MODEL_POD_KEYS.map((key) => {
    const [ns, name] = key.split('/') as [string, string];
    return { namespace: ns, name, labels: { ...model.podLabels[key], [RUN_LABEL]: runId }, ip: model.ips[key], containerPorts: modelContainerPorts(name) };
  });
  return { namespaces, pods };
}

function ipv4ToInt(ip: string): number {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`ipBlock scenarios need IPv4 pod IPs, got "${ip}"`);
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function networkNumber(value: number, prefix: number): number {
  return prefix === 0 ? 0 : Math.floor(value / 2 ** (32 - prefix));
}

function cidrText(value: number, prefix: number): string {
  const base = networkNumber(value, prefix) * 2 ** (32 - prefix);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/** The canonical network of `ip` with `prefix` bits, e.g. (10.244.1.5, 24) → 10.244.1.0/24. */
export function networkOf(ip: string, prefix: number): string {
  return cidrText(ipv4ToInt(ip), prefix);
}

/** The smallest IPv4 CIDR that holds every address (scenarios build ipBlocks from live IPs). */
export function coveringCidr(ips: string[]): string {
  const values = ips.map(ipv4ToInt);
  if (values.length === 0) throw new Error('coveringCidr needs at least one address');
  let prefix = 32;
  while (prefix > 0 && new Set(values.map((value) => networkNumber(value, prefix))).size > 1) prefix -= 1;
  return cidrText(values[0]!, prefix);
}
