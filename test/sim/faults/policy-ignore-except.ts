import { mapPolicies, type SimFault } from './types.ts';
import type { NetworkPolicyPeer } from '../../../harness/netpol/types.ts';

function stripExcept(peers: NetworkPolicyPeer[] | undefined): void {
  for (const peer of peers ?? []) if (peer.ipBlock) delete peer.ipBlock.except;
}

export const policyIgnoreExcept: SimFault = {
  name: 'policy-ignore-except',
  description: 'ipBlock.except lists are ignored: the whole CIDR is allowed.',
  transformState: (state) =>
    mapPolicies(state, (policy) => {
      for (const rule of policy.spec.ingress ?? []) stripExcept(rule.from);
      for (const rule of policy.spec.egress ?? []) stripExcept(rule.to);
      return policy;
    }),
};
