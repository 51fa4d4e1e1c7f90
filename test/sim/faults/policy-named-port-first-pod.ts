import { selectorMatches } from '../../../harness/netpol/labels.ts';
import { policyNamespace } from '../../../harness/netpol/types.ts';
import type { SimPod } from '../dataplane/state.ts';
import type { SimFault } from './types.ts';
import { rewritePortEntries } from './policy-ports.ts';

// A port name no container can declare (names are at most 15 lowercase characters).
const UNRESOLVABLE_PORT_NAME = 'named-port-unresolved-by-fault';

/** The number `name` has on `pod` for `protocol`, if the pod declares it. */
function portNumberOn(pod: SimPod | undefined, name: string, protocol: string): number | undefined {
  return pod?.containers.flatMap((c) => c.ports).find((p) => p.name === name && p.protocol === protocol)?.containerPort;
}

export const policyNamedPortFirstPod: SimFault = {
  name: 'policy-named-port-first-pod',
  description:
    'Named ports are resolved once per policy, against the first pod (by name) its podSelector selects, and that number is used for ' +
    'every destination, instead of each destination pod\'s own container ports.',
  transformState: (state) =>
    rewritePortEntries(state, (entry, policy) => {
      if (typeof entry.port !== 'string') return;
      const selected = state.pods
        .filter((p) => p.namespace === policyNamespace(policy) && p.ip && !p.hostNetwork && selectorMatches(policy.spec.podSelector, p.labels))
        .sort((a, b) => a.name.localeCompare(b.name));
      entry.port = portNumberOn(selected[0], entry.port, entry.protocol ?? 'TCP') ?? UNRESOLVABLE_PORT_NAME;
    }),
};
