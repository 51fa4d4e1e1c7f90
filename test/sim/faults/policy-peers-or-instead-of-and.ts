import { mapPolicies, type SimFault } from './types.ts';
import type { NetworkPolicyPeer } from '../../../harness/netpol/types.ts';

// The classic misreading of a peer with both selectors: "pods matching podSelector (in the
// policy's namespace) OR any pod in the selected namespaces" instead of their intersection.
function splitPeers(peers: NetworkPolicyPeer[] | undefined): NetworkPolicyPeer[] | undefined {
  return peers?.flatMap((peer) =>
    peer.podSelector && peer.namespaceSelector
      ? [{ namespaceSelector: peer.namespaceSelector }, { podSelector: peer.podSelector }]
      : [peer],
  );
}

export const policyPeersOrInsteadOfAnd: SimFault = {
  name: 'policy-peers-or-instead-of-and',
  description: 'A policy peer with both podSelector and namespaceSelector matches either selector instead of both.',
  transformState: (state) =>
    mapPolicies(state, (policy) => {
      for (const rule of policy.spec.ingress ?? []) {
        const from = splitPeers(rule.from);
        if (from) rule.from = from;
      }
      for (const rule of policy.spec.egress ?? []) {
        const to = splitPeers(rule.to);
        if (to) rule.to = to;
      }
      return policy;
    }),
};
