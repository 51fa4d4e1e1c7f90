// A typed snapshot of the cluster objects the dataplane reads, taken from the API server's store
// at the start of every exec (so every probe sees the state of that moment).
import type { KubeObject, ObjectStore } from '../apiserver/index.ts';
import type { NetworkPolicy } from '../../../harness/netpol/types.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface SimContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
  hostPort?: number;
}

export interface SimContainer {
  name: string;
  image: string;
  args: string[];
  /** Environment variables with a literal value (valueFrom is not modelled). */
  env: Record<string, string>;
  ports: SimContainerPort[];
}

export interface SimPod {
  namespace: string;
  name: string;
  uid: string | undefined;
  /** When the pod was created (epoch ms; to the second unless the dataplane saw it created, pod-clock.ts). */
  createdAt: number;
  /** The controller owning the pod (ownerReferences with controller: true). */
  controller: { kind: string; name: string } | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ip: string | undefined;
  /** Every address (status.podIPs): the IPv6 one too on a dual-stack cluster. */
  ips: string[];
  node: string | undefined;
  hostNetwork: boolean;
  ready: boolean;
  running: boolean;
  containers: SimContainer[];
  dnsPolicy: string;
  dnsConfig: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] } | undefined;
  hostname: string | undefined;
  subdomain: string | undefined;
  volumes: unknown[];
}

export interface SimNode {
  name: string;
  ip: string;
  labels: Record<string, string>;
  ready: boolean;
}

export interface SimServicePort {
  name: string;
  port: number;
  targetPort: number | string;
  protocol: Protocol;
  nodePort?: number;
}

export interface SimService {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string | undefined;
  headless: boolean;
  externalName: string | undefined;
  selector: Record<string, string> | undefined;
  ports: SimServicePort[];
  sessionAffinity: 'ClientIP' | 'None';
  externalTrafficPolicy: 'Local' | 'Cluster';
}

export interface SimEndpoint {
  ip: string;
  ready: boolean;
  node: string | undefined;
  hostname: string | undefined;
  pod: { namespace: string; name: string } | undefined;
  /** Port name → port number and protocol, from the EndpointSlice. */
  ports: { name: string; port: number; protocol: Protocol }[];
}

export interface ClusterSnapshot {
  nodes: SimNode[];
  pods: SimPod[];
  services: SimService[];
  /** "ns/service" → endpoints from the Service's EndpointSlices. */
  endpoints: Map<string, SimEndpoint[]>;
  namespaces: Record<string, Record<string, string>>;
  policies: NetworkPolicy[];
  ingresses: KubeObject[];
  ingressClasses: KubeObject[];
  secrets: KubeObject[];
  configMaps: KubeObject[];
  daemonSets: KubeObject[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const protocolOf = (v: unknown): Protocol => (v === 'UDP' || v === 'SCTP' ? v : 'TCP');

export function serviceKey(s: { namespace: string; name: string }): string {
  return `${s.namespace}/${s.name}`;
}

export function podKeyOf(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

/** status.podIPs, or the lone status.podIP of an object written without the list. */
function podAddresses(status: Obj): string[] {
  const listed = arr(status.podIPs).map(obj).flatMap((p) => (str(p.ip) === undefined ? [] : [String(p.ip)]));
  if (listed.length > 0) return listed;
  const ip = str(status.podIP);
  return ip === undefined ? [] : [ip];
}

function controllerOf(o: KubeObject): SimPod['controller'] {
  const ref = arr(o.metadata['ownerReferences']).map(obj).find((r) => r.controller === true);
  return ref ? { kind: String(ref.kind ?? ''), name: String(ref.name ?? '') } : undefined;
}

/** `createdAt`: a finer creation time than creationTimestamp's whole seconds, when one is known. */
export function toPod(o: KubeObject, createdAt?: number): SimPod {
  const spec = obj(o.spec);
  const status = obj(o.status);
  const conditions = arr(status.conditions).map(obj);
  return {
    namespace: o.metadata.namespace ?? 'default',
    name: o.metadata.name,
    uid: o.metadata.uid,
    createdAt: createdAt ?? Date.parse(String(o.metadata['creationTimestamp'] ?? '')),
    controller: controllerOf(o),
    labels: o.metadata.labels ?? {},
    annotations: o.metadata.annotations ?? {},
    ip: str(status.podIP),
    ips: podAddresses(status),
    node: str(spec.nodeName),
    hostNetwork: spec.hostNetwork === true,
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    running: status.phase === 'Running',
    containers: arr(spec.containers).map(obj).map((c) => ({
      name: String(c.name ?? ''),
      image: String(c.image ?? ''),
      args: [...arr(c.command), ...arr(c.args)].map(String),
      env: Object.fromEntries(arr(c.env).map(obj).flatMap((e) => (typeof e.name === 'string' && typeof e.value === 'string' ? [[e.name, e.value]] : []))),
      ports: arr(c.ports).map(obj).map((p) => {
        const port: SimContainerPort = { containerPort: Number(p.containerPort), protocol: protocolOf(p.protocol) };
        if (str(p.name)) port.name = String(p.name);
        if (typeof p.hostPort === 'number') port.hostPort = p.hostPort;
        return port;
      }),
    })),
    dnsPolicy: str(spec.dnsPolicy) ?? 'ClusterFirst',
    dnsConfig: spec.dnsConfig ? (spec.dnsConfig as SimPod['dnsConfig']) : undefined,
    hostname: str(spec.hostname),
    subdomain: str(spec.subdomain),
    volumes: arr(spec.volumes),
  };
}

function toNode(o: KubeObject): SimNode {
  const status = obj(o.status);
  const internal = arr(status.addresses).map(obj).find((a) => a.type === 'InternalIP');
  return {
    name: o.metadata.name,
    ip: String(internal?.address ?? ''),
    labels: o.metadata.labels ?? {},
    ready: arr(status.conditions).map(obj).some((c) => c.type === 'Ready' && c.status === 'True'),
  };
}

function toService(o: KubeObject): SimService {
  const spec = obj(o.spec);
  const clusterIP = str(spec.clusterIP);
  return {
    namespace: o.metadata.namespace ?? 'default',
    name: o.metadata.name,
    type: str(spec.type) ?? 'ClusterIP',
    clusterIP: clusterIP === 'None' ? undefined : clusterIP,
    headless: clusterIP === 'None',
    externalName: str(spec.externalName),
    selector: spec.selector ? (spec.selector as Record<string, string>) : undefined,
    ports: arr(spec.ports).map(obj).map((p) => {
      const port: SimServicePort = {
        name: str(p.name) ?? '',
        port: Number(p.port),
        targetPort: (p.targetPort as number | string | undefined) ?? Number(p.port),
        protocol: protocolOf(p.protocol),
      };
      if (typeof p.nodePort === 'number') port.nodePort = p.nodePort;
      return port;
    }),
    sessionAffinity: spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None',
    externalTrafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
  };
}

function sliceEndpoints(slice: KubeObject): SimEndpoint[] {
  const ports = arr(slice.ports).map(obj).map((p) => ({ name: str(p.name) ?? '', port: Number(p.port), protocol: protocolOf(p.protocol) }));
  return arr(slice.endpoints).map(obj).flatMap((e) => {
    const target = obj(e.targetRef);
    const conditions = obj(e.conditions);
    return arr(e.addresses).map((ip) => ({
      ip: String(ip),
      // A nil ready condition means ready (EndpointSlice API semantics).
      ready: conditions.ready !== false,
      node: str(e.nodeName),
      hostname: str(e.hostname),
      pod: target.kind === 'Pod' ? { namespace: String(target.namespace ?? slice.metadata.namespace), name: String(target.name) } : undefined,
      ports,
    }));
  });
}

/** Reads every object kind the dataplane needs from the store; `createdAt` refines pods' creation times. */
export function snapshot(store: ObjectStore, createdAt: (pod: KubeObject) => number | undefined = () => undefined): ClusterSnapshot {
  const endpoints = new Map<string, SimEndpoint[]>();
  for (const slice of store.list('discovery.k8s.io/v1', 'EndpointSlice')) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!service) continue;
    const key = `${slice.metadata.namespace}/${service}`;
    endpoints.set(key, [...(endpoints.get(key) ?? []), ...sliceEndpoints(slice)]);
  }
  const namespaces: Record<string, Record<string, string>> = {};
  for (const ns of store.list('v1', 'Namespace')) {
    namespaces[ns.metadata.name] = { 'kubernetes.io/metadata.name': ns.metadata.name, ...(ns.metadata.labels ?? {}) };
  }
  return {
    nodes: store.list('v1', 'Node').map(toNode),
    pods: store.list('v1', 'Pod').map((p) => toPod(p, createdAt(p))),
    services: store.list('v1', 'Service').map(toService),
    endpoints,
    namespaces,
    policies: store.list('networking.k8s.io/v1', 'NetworkPolicy') as unknown as NetworkPolicy[],
    ingresses: store.list('networking.k8s.io/v1', 'Ingress'),
    ingressClasses: store.list('networking.k8s.io/v1', 'IngressClass'),
    secrets: store.list('v1', 'Secret'),
    configMaps: store.list('v1', 'ConfigMap'),
    daemonSets: store.list('apps/v1', 'DaemonSet'),
  };
}
