import type { SimFault } from './types.ts';

export const policyUnenforced: SimFault = {
  name: 'policy-unenforced',
  description: 'NetworkPolicy is not enforced at all (a CNI whose policy engine is switched off): every connection is allowed.',
  policyApplies: () => false,
};
