import type { SimFault } from './types.ts';

export const policyUdpUnenforced: SimFault = {
  name: 'policy-udp-unenforced',
  description: 'NetworkPolicy is not applied to UDP: every UDP connection is allowed.',
  policyApplies: (attempt) => attempt.protocol !== 'UDP',
};
