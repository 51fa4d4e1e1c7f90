// Which addresses an ipBlock peer can match. Kubernetes leaves it to the CNI whether ipBlocks see
// in-cluster addresses; Cilium's CIDR selectors never match pods or nodes (its identities decide
// those). For such a CNI every pod and node address inside an ipBlock is cut out of it as an extra
// except, so the policy engine matches only what is left: addresses outside the cluster.
import { cidrContains, parseCidr, parseIp } from '../../../harness/netpol/ip.ts';
import type { NetworkPolicy, NetworkPolicyPeer } from '../../../harness/netpol/types.ts';
import type { ClusterSnapshot } from './state.ts';

function hostRoute(ip: string): string {
  return `${ip}/${parseIp(ip)?.family === 6 ? 128 : 32}`;
}

/** The state's policies with every pod and node address removed from every ipBlock. */
export function ipBlocksWithoutClusterAddresses(state: ClusterSnapshot): NetworkPolicy[] {
  const clusterAddresses = [...state.pods.filter((p) => !p.hostNetwork).map((p) => p.ip), ...state.nodes.map((n) => n.ip)].flatMap((text) => {
    const address = text ? parseIp(text) : undefined;
    return text && address ? [{ text, address }] : [];
  });
  const narrow = (peers: NetworkPolicyPeer[] | undefined) => {
    for (const peer of peers ?? []) {
      const cidr = peer.ipBlock && parseCidr(peer.ipBlock.cidr);
      if (!peer.ipBlock || !cidr) continue;
      const inside = clusterAddresses.filter((a) => cidrContains(cidr, a.address)).map((a) => hostRoute(a.text));
      peer.ipBlock.except = [...(peer.ipBlock.except ?? []), ...inside];
    }
  };
  return state.policies.map((original) => {
    const policy = structuredClone(original);
    for (const rule of policy.spec.ingress ?? []) narrow(rule.from);
    for (const rule of policy.spec.egress ?? []) narrow(rule.to);
    return policy;
  });
}
