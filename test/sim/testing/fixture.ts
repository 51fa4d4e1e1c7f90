// A hand-built cluster state for dataplane tests: three nodes, kube-proxy, a CNI, CoreDNS, two
// netexec servers behind a Service in namespace "x", and a client pod in namespace "y". Objects
// are written straight into an object store, as the API server's controllers would leave them.
import { MemoryStore } from '../apiserver/store.ts';
import type { KubeObject, ObjectStore } from '../apiserver/index.ts';
import { createDataplane, type DataplaneOptions } from '../dataplane/index.ts';
import { FAULT_CATALOGUE, resolveFaults } from '../faults/index.ts';

export const NODES = { cp: ['sim-control-plane', '172.18.0.2'], w1: ['sim-worker', '172.18.0.3'], w2: ['sim-worker2', '172.18.0.4'] } as const;
export const IPS = { a: '10.244.1.2', b: '10.244.2.2', c: '10.244.1.3', dns1: '10.244.0.2', dns2: '10.244.0.3', ingress: '10.244.0.4', svc: '10.96.0.20', dns: '10.96.0.10', headless: 'None' };

export interface FixtureOptions {
  cni?: 'kindnet' | 'calico-node' | 'cilium' | 'kube-flannel-ds' | 'weave-net';
  proxyMode?: 'iptables' | 'ipvs' | 'nftables' | 'none';
  /** CoreDNS pods Ready (default true). */
  dnsReady?: boolean;
}

function node(name: string, ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodSpec {
  ns: string;
  name: string;
  node: string;
  ip: string;
  labels?: Record<string, string>;
  containers?: Record<string, unknown>[];
  ready?: boolean;
  extraSpec?: Record<string, unknown>;
}

export function netexecContainer(port = 80, extraArgs: string[] = []): Record<string, unknown> {
  return {
    name: `cont-${port}`,
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.56',
    args: ['netexec', `--http-port=${port}`, `--udp-port=${port}`, ...extraArgs],
    ports: [
      { name: `serve-${port}-tcp`, containerPort: port, protocol: 'TCP' },
      { name: `serve-${port}-udp`, containerPort: port, protocol: 'UDP' },
    ],
  };
}

export function pod(spec: PodSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: spec.name, namespace: spec.ns, labels: spec.labels ?? {} },
    spec: { nodeName: spec.node, containers: spec.containers ?? [netexecContainer()], ...(spec.extraSpec ?? {}) },
    status: {
      phase: 'Running',
      podIP: spec.ip,
      conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }],
    },
  };
}

export function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

/** An EndpointSlice for a Service, one ready endpoint per pod. */
export function slice(ns: string, svc: string, pods: { name: string; ip: string; node: string; ready?: boolean; hostname?: string }[], ports: { name: string; port: number; protocol?: string }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: p.ready ?? true },
      nodeName: p.node,
      ...(p.hostname ? { hostname: p.hostname } : {}),
      targetRef: { kind: 'Pod', namespace: ns, name: p.name },
    })),
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
  };
}

function daemonSet(name: string, ns: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: ns, labels }, spec: { template: { metadata: { labels }, spec: {} } } };
}

export function seededStore(opts: FixtureOptions = {}): ObjectStore {
  const store = new MemoryStore();
  const mode = opts.proxyMode ?? 'iptables';
  const put = (o: KubeObject) => store.put(o);
  for (const ns of ['default', 'kube-system', 'x', 'y', 'ingress-nginx']) {
    put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, ...(ns === 'y' ? { team: 'y' } : {}) } } });
  }
  for (const [name, ip] of Object.values(NODES)) put(node(name, ip));
  const cni = opts.cni ?? 'kindnet';
  put(daemonSet(cni, cni === 'calico-node' ? 'calico-system' : 'kube-system'));
  if (mode !== 'none') {
    put(daemonSet('kube-proxy', 'kube-system', { 'k8s-app': 'kube-proxy' }));
    put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': `kind: KubeProxyConfiguration\nmode: ${mode}\n` } });
    put(pod({ ns: 'kube-system', name: 'kube-proxy-w1', node: NODES.w1[0], ip: NODES.w1[1], labels: { 'k8s-app': 'kube-proxy' }, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.37.0' }], extraSpec: { hostNetwork: true } }));
  }
  const dnsContainer = {
    name: 'coredns',
    image: 'registry.k8s.io/coredns/coredns:v1.13.1',
    ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
  };
  const dnsReady = opts.dnsReady ?? true;
  put(pod({ ns: 'kube-system', name: 'coredns-1', node: NODES.cp[0], ip: IPS.dns1, labels: { 'k8s-app': 'kube-dns' }, containers: [dnsContainer], ready: dnsReady }));
  put(pod({ ns: 'kube-system', name: 'coredns-2', node: NODES.cp[0], ip: IPS.dns2, labels: { 'k8s-app': 'kube-dns' }, containers: [dnsContainer], ready: dnsReady }));
  put(service('kube-system', 'kube-dns', { clusterIP: IPS.dns, selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] }));
  put(slice('kube-system', 'kube-dns', [{ name: 'coredns-1', ip: IPS.dns1, node: NODES.cp[0], ready: dnsReady }, { name: 'coredns-2', ip: IPS.dns2, node: NODES.cp[0], ready: dnsReady }], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }]));

  put(pod({ ns: 'x', name: 'a', node: NODES.w1[0], ip: IPS.a, labels: { app: 'server', pod: 'a' } }));
  put(pod({ ns: 'x', name: 'b', node: NODES.w2[0], ip: IPS.b, labels: { app: 'server', pod: 'b' } }));
  put(pod({ ns: 'y', name: 'c', node: NODES.w1[0], ip: IPS.c, labels: { role: 'client' } }));
  put(pod({ ns: 'y', name: 'host', node: NODES.w1[0], ip: NODES.w1[1], labels: {}, extraSpec: { hostNetwork: true } }));
  const servers = [{ name: 'a', ip: IPS.a, node: NODES.w1[0], hostname: 'a' }, { name: 'b', ip: IPS.b, node: NODES.w2[0], hostname: 'b' }];
  put(service('x', 'svc', { clusterIP: IPS.svc, selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 'serve-80-tcp', protocol: 'TCP' }, { name: 'udp', port: 80, targetPort: 80, protocol: 'UDP' }] }));
  put(slice('x', 'svc', servers, [{ name: 'http', port: 80 }, { name: 'udp', port: 80, protocol: 'UDP' }]));
  put(service('x', 'headless', { clusterIP: 'None', selector: { app: 'server' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  put(slice('x', 'headless', servers, [{ name: 'http', port: 80 }]));
  put(service('x', 'empty', { clusterIP: '10.96.0.30', selector: { app: 'nothing' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  put(service('x', 'ext', { type: 'ExternalName', externalName: 'example.org' }));
  put(service('x', 'np', { type: 'NodePort', clusterIP: '10.96.0.40', selector: { app: 'server' }, externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30080, protocol: 'TCP' }] }));
  put(slice('x', 'np', servers, [{ name: 'http', port: 80 }]));
  return store;
}

/** Installs an ingress-nginx controller pod (and its IngressClass) on the control-plane node. */
export function addIngressController(store: ObjectStore): void {
  store.put({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  store.put(pod({
    ns: 'ingress-nginx',
    name: 'ingress-nginx-controller-1',
    node: NODES.cp[0],
    ip: IPS.ingress,
    labels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' },
    containers: [{ name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.15.1', ports: [{ name: 'http', containerPort: 80, hostPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, hostPort: 443, protocol: 'TCP' }] }],
  }));
}

export interface ExecHarness {
  store: ObjectStore;
  /** Runs argv in pod ns/name; returns the combined reply. */
  run(podRef: string, argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  faults: string[];
}

export function execHarness(store: ObjectStore, opts: Omit<DataplaneOptions, 'faults'> = {}): ExecHarness {
  const harness: ExecHarness = {
    store,
    faults: [],
    run: async (podRef, argv) => {
      const [ns, name] = podRef.split('/');
      const podObj = store.get('v1', 'Pod', ns, name!);
      if (!podObj) throw new Error(`fixture has no pod ${podRef}`);
      return dataplane.exec({ pod: podObj, container: 'c', command: argv, store });
    },
  };
  const dataplane = createDataplane({ ...opts, faults: () => resolveFaults(harness.faults, FAULT_CATALOGUE) });
  dataplane.watch(store);
  return harness;
}
