// Everything one exec's probes are answered from: the (fault-transformed) cluster state, the CNI
// and kube-proxy in effect, the compiled policy engine, and memory that outlives a single exec
// (round-robin positions, ClientIP affinity, files pods wrote, when pods were created).
import { compilePolicies, type PolicyEngine } from '../../../harness/netpol/index.ts';
import { detectCni, kubeProxyMode, type CniTraits, type SimProxyMode } from '../cluster/cni.ts';
import type { SimFault } from '../faults/types.ts';
import { ipBlocksWithoutClusterAddresses } from './ipblock-scope.ts';
import { PodCreationClock } from './pod-clock.ts';
import type { ClusterSnapshot, SimNode, SimPod } from './state.ts';

export class DataplaneMemory {
  readonly roundRobin = new Map<string, number>();
  readonly clientAffinity = new Map<string, string>();
  /** Pod "ns/name" → path → contents of the files commands wrote (`> path`, touch): request bodies, certificates, the monitor's stop file. */
  readonly files = new Map<string, Map<string, string>>();
  readonly podClock = new PodCreationClock();
  #nextPort = 40000;

  ephemeralPort(): number {
    this.#nextPort = this.#nextPort >= 60999 ? 40000 : this.#nextPort + 1;
    return this.#nextPort;
  }

  nextIndex(key: string, size: number): number {
    const position = this.roundRobin.get(key) ?? 0;
    this.roundRobin.set(key, position + 1);
    return position % size;
  }
}

export interface DataplaneContext {
  state: ClusterSnapshot;
  faults: SimFault[];
  cni: CniTraits | undefined;
  /** kube-proxy's effective mode; undefined when kube-proxy is not installed. */
  proxyMode: SimProxyMode | undefined;
  engine: PolicyEngine;
  memory: DataplaneMemory;
}

export function buildContext(raw: ClusterSnapshot, faults: SimFault[], memory: DataplaneMemory): DataplaneContext {
  const state = faults.reduce((s, f) => (f.transformState ? f.transformState(s) : s), raw);
  const kubeProxyPods = state.pods.filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-proxy');
  const configured = kubeProxyMode(state.configMaps, state.daemonSets, kubeProxyPods.map((p) => p.containers.flatMap((c) => c.args)));
  const proxyMode = configured && faults.reduce((m, f) => (f.proxyMode ? f.proxyMode(m) : m), configured);
  const cni = detectCni(state.daemonSets, state.configMaps);
  const policies = cni && !cni.ipBlockMatchesClusterAddresses ? ipBlocksWithoutClusterAddresses(state) : state.policies;
  const engine = compilePolicies(
    {
      namespaces: state.namespaces,
      pods: state.pods
        .filter((p) => p.ip && !p.hostNetwork)
        .map((p) => ({
          namespace: p.namespace,
          name: p.name,
          labels: p.labels,
          ip: p.ip!,
          ...(p.node ? { hostIP: nodeByName(state, p.node)?.ip ?? '' } : {}),
          containerPorts: p.containers.flatMap((c) => c.ports.map((port) => ({ ...(port.name ? { name: port.name } : {}), containerPort: port.containerPort, protocol: port.protocol }))),
        })),
    },
    policies,
  );
  return { state, faults, cni, proxyMode, engine, memory };
}

export function nodeByName(state: ClusterSnapshot, name: string | undefined): SimNode | undefined {
  return state.nodes.find((n) => n.name === name);
}

/** The address a pod sends from: its pod IP, or its node's IP for hostNetwork pods. */
export function sourceIp(ctx: DataplaneContext, pod: SimPod): string {
  if (pod.hostNetwork) return nodeByName(ctx.state, pod.node)?.ip ?? '';
  return pod.ip ?? '';
}
