// A deliberately naive reading of the NetworkPolicy specification, written independently of the
// engine (no bitsets, no compilation; CIDRs via node:net BlockList), to cross-check it on many
// generated scenarios.
import { BlockList, isIPv6 } from 'node:net';
import type { ClusterState, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PodInfo, PortProbe } from '../../harness/netpol/index.ts';

function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const key of Object.keys(selector.matchLabels ?? {})) {
    if (labels[key] !== selector.matchLabels![key]) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const has = key(labels, expr.key);
    if (expr.operator === 'In' && !(has && expr.values!.includes(labels[expr.key]!))) return false;
    if (expr.operator === 'NotIn' && has && expr.values!.includes(labels[expr.key]!)) return false;
    if (expr.operator === 'Exists' && !has) return false;
    if (expr.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function key(labels: Record<string, string>, name: string): boolean {
  return Object.keys(labels).includes(name);
}

function familyOf(ip: string): 'ipv4' | 'ipv6' {
  return isIPv6(ip) ? 'ipv6' : 'ipv4';
}

const blockLists = new Map<string, BlockList>();

function inCidr(cidr: string, ip: string): boolean {
  const [network, prefix] = cidr.split('/') as [string, string];
  if (familyOf(network) !== familyOf(ip)) return false;
  let list = blockLists.get(cidr);
  if (!list) {
    list = new BlockList();
    list.addSubnet(network, Number(prefix), familyOf(network));
    blockLists.set(cidr, list);
  }
  return list.check(ip, familyOf(ip));
}

function podAddress(pod: PodInfo, family: 'ipv4' | 'ipv6'): string | undefined {
  return [pod.ip, ...(pod.ips ?? [])].find((ip) => familyOf(ip) === family);
}

function nsLabels(state: ClusterState, ns: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': ns, ...(state.namespaces[ns] ?? {}) };
}

function peerMatches(state: ClusterState, policy: NetworkPolicy, peer: NetworkPolicyPeer, pod: PodInfo, family: 'ipv4' | 'ipv6'): boolean {
  if (peer.ipBlock) {
    const address = podAddress(pod, family);
    if (address === undefined || !inCidr(peer.ipBlock.cidr, address)) return false;
    return !(peer.ipBlock.except ?? []).some((except) => inCidr(except, address));
  }
  const policyNs = policy.metadata.namespace ?? 'default';
  const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, nsLabels(state, pod.namespace)) : pod.namespace === policyNs;
  const podOk = peer.podSelector ? matches(peer.podSelector, pod.labels) : true;
  return nsOk && podOk;
}

function portMatches(ports: NetworkPolicyPort[] | undefined, probe: PortProbe, destination: PodInfo): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((entry) => {
    if ((entry.protocol ?? 'TCP') !== probe.protocol) return false;
    if (entry.port === undefined) return true;
    if (typeof entry.port === 'string') {
      return destination.containerPorts.some((cp) => cp.name === entry.port && cp.containerPort === probe.port && (cp.protocol ?? 'TCP') === probe.protocol);
    }
    const end = entry.endPort ?? entry.port;
    return probe.port >= entry.port && probe.port <= end;
  });
}

function types(policy: NetworkPolicy): string[] {
  if (policy.spec.policyTypes && policy.spec.policyTypes.length > 0) return policy.spec.policyTypes;
  return policy.spec.egress && policy.spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function selects(policy: NetworkPolicy, pod: PodInfo): boolean {
  return (policy.metadata.namespace ?? 'default') === pod.namespace && matches(policy.spec.podSelector, pod.labels);
}

/** Whether `from` may open a connection to `to` on `probe` (pod to pod, over `to`'s primary family). */
export function oracleAllowed(state: ClusterState, policies: NetworkPolicy[], from: PodInfo, to: PodInfo, probe: PortProbe): boolean {
  if (from === to) return true;
  const family = familyOf(to.ip);
  if (podAddress(from, family) === undefined) return false;

  const egressPolicies = policies.filter((p) => selects(p, from) && types(p).includes('Egress'));
  const egressOk =
    egressPolicies.length === 0 ||
    egressPolicies.some((p) =>
      (p.spec.egress ?? []).some(
        (rule) => portMatches(rule.ports, probe, to) && (!rule.to || rule.to.length === 0 || rule.to.some((peer) => peerMatches(state, p, peer, to, family))),
      ),
    );
  const ingressPolicies = policies.filter((p) => selects(p, to) && types(p).includes('Ingress'));
  const ingressOk =
    ingressPolicies.length === 0 ||
    ingressPolicies.some((p) =>
      (p.spec.ingress ?? []).some(
        (rule) => portMatches(rule.ports, probe, to) && (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerMatches(state, p, peer, from, family))),
      ),
    );
  return egressOk && ingressOk;
}
