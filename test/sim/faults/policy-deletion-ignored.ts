// Stale rules: a CNI agent that misses policy deletions keeps enforcing every NetworkPolicy it
// ever saw, at its last spec. Updates still take effect; only removals are lost. The cluster
// process holds one cell, so one memory.
import type { NetworkPolicy } from '../../../harness/netpol/types.ts';
import type { SimFault } from './types.ts';

const seen = new Map<string, NetworkPolicy>();

export const policyDeletionIgnored: SimFault = {
  name: 'policy-deletion-ignored',
  description: 'A deleted NetworkPolicy keeps being enforced (stale rules left behind by the CNI agent).',
  transformState(state) {
    for (const policy of state.policies) seen.set(`${policy.metadata.namespace}/${policy.metadata.name}`, policy);
    return { ...state, policies: [...seen.values()] };
  },
};
