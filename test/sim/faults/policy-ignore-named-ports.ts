import { mapPolicies, type SimFault } from './types.ts';
import type { NetworkPolicyPort } from '../../../harness/netpol/types.ts';

// A port name no container can declare (names are at most 15 lowercase characters).
const UNRESOLVABLE_PORT_NAME = 'named-port-unresolved-by-fault';

function breakNamedPorts(ports: NetworkPolicyPort[] | undefined): void {
  for (const port of ports ?? []) if (typeof port.port === 'string') port.port = UNRESOLVABLE_PORT_NAME;
}

export const policyIgnoreNamedPorts: SimFault = {
  name: 'policy-ignore-named-ports',
  description: 'Named ports in policy rules never match any container port, so rules using them allow nothing.',
  transformState: (state) =>
    mapPolicies(state, (policy) => {
      for (const rule of policy.spec.ingress ?? []) breakNamedPorts(rule.ports);
      for (const rule of policy.spec.egress ?? []) breakNamedPorts(rule.ports);
      return policy;
    }),
};
