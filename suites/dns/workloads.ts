// The objects the dns suite creates, and the facts its cases are stated in (the fixture).
import { testImages } from '../../clusters/versions.ts';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { liveCell } from '../lib/conformance.ts';
import { podIp, RUN_LABEL, serverPod } from '../lib/workloads.ts';

export const WEB_SERVICE = 'web';
export const HEADLESS_SERVICE = 'web-headless';
export const ALIAS_SERVICE = 'web-alias';
export const CLIENT_POD = 'dns-client';
export const CUSTOM_DNS_POD = 'dns-custom';
/** Backends that become Ready, and one whose readiness probe never passes. */
export const READY_BACKENDS = ['web-0', 'web-1'];
export const UNREADY_BACKEND = 'web-unready';
/** The search list of the dnsPolicy: None pod (only cluster names, so nothing leaves the cluster). */
export const CUSTOM_SEARCH = 'svc.cluster.local';
export const CUSTOM_NDOTS = '2';

const BACKEND_LABELS = { app: 'web' };

function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: { [RUN_LABEL]: liveCell().runId } }, spec };
}

function dnsClientPod(ns: string, name: string, extraSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { role: 'dns-client', [RUN_LABEL]: liveCell().runId } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'dnsutils', image: testImages.dnsutils, imagePullPolicy: 'IfNotPresent', command: ['sleep', '86400'] }],
      ...extraSpec,
    },
  };
}

/** Everything the dns suite applies in its namespace; `kubeDnsIp` is the cluster DNS ClusterIP. */
export function dnsWorkloads(ns: string, kubeDnsIp: string): KubeObject[] {
  const ports = [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }];
  const unready = serverPod({ namespace: ns, name: UNREADY_BACKEND, labels: BACKEND_LABELS });
  const [container] = (unready.spec as { containers: Record<string, unknown>[] }).containers;
  // Nothing listens on 81 in this pod, so it never becomes Ready and must not appear in DNS.
  if (container) container.readinessProbe = { tcpSocket: { port: 81 }, periodSeconds: 1 };
  return [
    ...READY_BACKENDS.map((name) => serverPod({ namespace: ns, name, labels: { ...BACKEND_LABELS, ready: 'expected' } })),
    unready,
    service(ns, WEB_SERVICE, { selector: BACKEND_LABELS, ports }),
    service(ns, HEADLESS_SERVICE, { clusterIP: 'None', selector: BACKEND_LABELS, ports }),
    service(ns, ALIAS_SERVICE, { type: 'ExternalName', externalName: `${WEB_SERVICE}.${ns}.svc.cluster.local` }),
    dnsClientPod(ns, CLIENT_POD),
    dnsClientPod(ns, CUSTOM_DNS_POD, {
      dnsPolicy: 'None',
      dnsConfig: { nameservers: [kubeDnsIp], searches: [CUSTOM_SEARCH], options: [{ name: 'ndots', value: CUSTOM_NDOTS }] },
    }),
  ];
}

/** The facts the cases are stated in, read from the API once the workloads are Ready. */
export interface DnsFixture {
  ns: string;
  kubeDnsIp: string;
  webServiceIp: string;
  /** IPs of the Ready pods behind the headless Service (per their Ready condition). */
  readyBackendIps: string[];
  /** The IP of the backend whose readiness probe never passes. */
  unreadyBackendIp: string;
  /** web-0's IP, and its pod DNS label a-b-c-d. */
  podIp: string;
  podDnsLabel: string;
}

export async function serviceClusterIp(kube: Kube, ns: string, name: string): Promise<string> {
  const svc = await kube.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name });
  const ip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  if (!ip || ip === 'None') throw new Error(`Service ${ns}/${name} has no ClusterIP`);
  return ip;
}

function isReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function readyPodIps(kube: Kube, ns: string, labelSelector: string): Promise<string[]> {
  const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector });
  return pods
    .filter(isReady)
    .map((pod) => (pod.status as { podIP?: string }).podIP)
    .filter((ip): ip is string => Boolean(ip))
    .sort();
}

export async function loadDnsFixture(kube: Kube, ns: string, kubeDnsIp: string): Promise<DnsFixture> {
  const ip = await podIp(kube, ns, READY_BACKENDS[0] ?? 'web-0');
  return {
    ns,
    kubeDnsIp,
    webServiceIp: await serviceClusterIp(kube, ns, WEB_SERVICE),
    readyBackendIps: await readyPodIps(kube, ns, 'app=web'),
    unreadyBackendIp: await podIp(kube, ns, UNREADY_BACKEND),
    podIp: ip,
    podDnsLabel: ip.replaceAll('.', '-').replaceAll(':', '-'),
  };
}
