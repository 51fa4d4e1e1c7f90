// Rewrites of the port entries of every policy rule (ingress and egress), for the faults that
// break how a CNI matches ports.
import type { NetworkPolicy, NetworkPolicyPort } from '../../../harness/netpol/types.ts';
import type { ClusterSnapshot } from '../dataplane/state.ts';
import { mapPolicies } from './types.ts';

/** The state with `rewrite` applied, in place on copies, to every port entry of every rule. */
export function rewritePortEntries(state: ClusterSnapshot, rewrite: (entry: NetworkPolicyPort, policy: NetworkPolicy) => void): ClusterSnapshot {
  return mapPolicies(state, (policy) => {
    for (const rule of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) {
      for (const entry of rule.ports ?? []) rewrite(entry, policy);
    }
    return policy;
  });
}
