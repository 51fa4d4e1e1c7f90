// The network-policy suite's x/y/z × a/b/c model, built for a benchmark process. The suite's own
// builders (suites/network-policy/model.ts) import the jest-only suite framework, so the same
// objects are built here from the same conventions: namespaces netpol-<ns>-<runId> labelled
// ns=<ns>, pods labelled pod=<name> with one netexec container per served port.
import { testImages } from '../clusters/versions.ts';
import { RUN_LABEL } from '../harness/kube/manifests.ts';
import type { Kube, KubeObject } from '../harness/kube/types.ts';
import type { CellInfo } from '../harness/model/cell.ts';
import type { ClusterState, ContainerPort, L4Protocol } from '../harness/netpol/index.ts';
import type { ProbeSource, ProbeTarget } from '../harness/probe/index.ts';

const NAMESPACES = ['x', 'y', 'z'] as const;
const POD_NAMES = ['a', 'b', 'c'] as const;
const MODEL_PORTS = [80, 81];
const GUIDE_PORTS = [5432, 8080];
/** Probes run in the first netexec container, as in the suite. */
const PROBE_CONTAINER = 'cont-80';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const MODEL_POD_KEYS = NAMESPACES.flatMap((ns) => POD_NAMES.map((pod) => `${ns}/${pod}`));

export interface BenchModel {
  namespaces: string[];
  sources: ProbeSource[];
  targets: ProbeTarget[];
  /** The engine's view of the live model (logical namespace names, live IPs). */
  state: ClusterState;
  realNamespace(ns: string): string;
}

function containers(cell: CellInfo) {
  const sctp = cell.capabilities.includes('sctp');
  // As suites/lib/workloads.ts serverPod: netexec's /healthz waits for a UDP or SCTP server, so a
  // TCP-only container is probed on its port; SCTP runs in a container of its own (HTTP on port + 20000).
  const container = (name: string, args: string[], port: number, protocols: L4Protocol[], ready: number) => ({
    name,
    image: testImages.agnhost,
    imagePullPolicy: 'IfNotPresent',
    args: ['netexec', ...args],
    ports: protocols.map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })),
    readinessProbe: protocols.includes('TCP') && !protocols.includes('UDP') ? { tcpSocket: { port: ready }, periodSeconds: 1 } : { httpGet: { path: '/healthz', port: ready }, periodSeconds: 1 },
  });
  const serve = (port: number, protocols: L4Protocol[]) => [
    container(`cont-${port}`, [`--http-port=${port}`, `--udp-port=${protocols.includes('UDP') ? port : -1}`], port, protocols.filter((p) => p !== 'SCTP'), port),
    ...(protocols.includes('SCTP') ? [container(`sctp-${port}`, [`--http-port=${port + 20_000}`, '--udp-port=-1', `--sctp-port=${port}`], port, ['SCTP'], port + 20_000)] : []),
  ];
  return [...MODEL_PORTS.flatMap((port) => serve(port, sctp ? ['TCP', 'UDP', 'SCTP'] : ['TCP', 'UDP'])), ...GUIDE_PORTS.flatMap((port) => serve(port, ['TCP']))];
}

/** Creates the model in the cell, waits until all 9 pods are Ready and reads their IPs. */
export async function deployModel(kube: Kube, cell: CellInfo): Promise<BenchModel> {
  const realNamespace = (ns: string) => `netpol-${ns}-${cell.runId}`.slice(0, 63);
  const podContainers = containers(cell);
  const namespaceObjects: KubeObject[] = NAMESPACES.map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: realNamespace(ns), labels: { ns, [RUN_LABEL]: cell.runId } },
  }));
  const podObjects: KubeObject[] = MODEL_POD_KEYS.map((key) => {
    const [ns, pod] = key.split('/') as [string, string];
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace: realNamespace(ns), labels: { pod, [RUN_LABEL]: cell.runId } },
      spec: { terminationGracePeriodSeconds: 0, tolerations: [{ operator: 'Exists' }], containers: podContainers },
    };
  });
  await kube.apply(namespaceObjects, { runId: cell.runId });
  await kube.apply(podObjects, { runId: cell.runId });
  await Promise.all(NAMESPACES.map((ns) => kube.waitFor({ kind: 'podsReady', namespace: realNamespace(ns), minCount: POD_NAMES.length }, 60_000)));

  const ips = new Map<string, string>();
  for (const key of MODEL_POD_KEYS) {
    const [ns, pod] = key.split('/') as [string, string];
    const object = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: realNamespace(ns), name: pod });
    const ip = (object?.status as { podIP?: string } | undefined)?.podIP;
    if (!ip) throw new Error(`model pod ${key} has no IP although it is Ready`);
    ips.set(key, ip);
  }
  const containerPorts = podContainers.flatMap((c) => c.ports) as ContainerPort[];
  return {
    namespaces: NAMESPACES.map(realNamespace),
    realNamespace,
    sources: MODEL_POD_KEYS.map((key) => {
      const [ns, pod] = key.split('/') as [string, string];
      return { key, pod: { namespace: realNamespace(ns), pod, container: PROBE_CONTAINER } };
    }),
    targets: MODEL_POD_KEYS.map((key) => ({ key, host: ips.get(key)! })),
    state: {
      namespaces: Object.fromEntries(NAMESPACES.map((ns) => [ns, { ns, [RUN_LABEL]: cell.runId, [NAMESPACE_NAME_LABEL]: realNamespace(ns) }])),
      pods: MODEL_POD_KEYS.map((key) => {
        const [ns, pod] = key.split('/') as [string, string];
        return { namespace: ns, name: pod, labels: { pod, [RUN_LABEL]: cell.runId }, ip: ips.get(key)!, containerPorts };
      }),
    },
  };
}

/** Deletes the model's namespaces and waits until they are gone, as the suite's teardown does. */
export async function deleteModel(kube: Kube, model: BenchModel): Promise<void> {
  await Promise.all(model.namespaces.map((name) => kube.delete({ apiVersion: 'v1', kind: 'Namespace', name }, { wait: true, timeoutMs: 60_000 })));
}
