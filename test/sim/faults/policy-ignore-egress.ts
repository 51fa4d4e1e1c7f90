import { mapPolicies, type SimFault } from './types.ts';

export const policyIgnoreEgress: SimFault = {
  name: 'policy-ignore-egress',
  description: 'Egress rules of NetworkPolicies are not enforced; only ingress isolation applies.',
  transformState: (state) =>
    mapPolicies(state, (policy) => {
      const types = policy.spec.policyTypes ?? (policy.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      const kept = types.filter((t) => t !== 'Egress');
      if (kept.length === 0) return undefined;
      delete policy.spec.egress;
      policy.spec.policyTypes = kept;
      return policy;
    }),
};
