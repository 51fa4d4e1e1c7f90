// A CNI agent that takes a moment to program: policy decisions use the policies and the pod and
// namespace labels as they stood POLICY_PROGRAMMING_DELAY_MS ago, so every change (a policy
// applied or deleted, a pod or namespace relabelled) takes effect that much later. Changes are
// noticed on the first probe after them; the cluster process holds one cell, so one history.
import type { NetworkPolicy } from '../../../harness/netpol/types.ts';
import type { ClusterSnapshot } from '../dataplane/state.ts';
import { podKeyOf } from '../dataplane/state.ts';
import type { SimFault } from './types.ts';

export const POLICY_PROGRAMMING_DELAY_MS = 3_000;

interface PolicyView {
  at: number;
  digest: string;
  policies: NetworkPolicy[];
  namespaces: Record<string, Record<string, string>>;
  podLabels: Map<string, Record<string, string>>;
}

const history: PolicyView[] = [];
/** Probes answered while a change was still being programmed. */
let lagging = 0;

function viewOf(state: ClusterSnapshot, at: number): PolicyView {
  const podLabels = new Map(state.pods.map((p) => [podKeyOf(p), p.labels]));
  const digest = JSON.stringify([state.policies.map((p) => [p.metadata.namespace, p.metadata.name, p.spec]), state.namespaces, [...podLabels]]);
  return { at, digest, policies: state.policies, namespaces: state.namespaces, podLabels };
}

/** The newest view at least the delay old (the first one while none is). */
function programmedView(now: number): PolicyView {
  let index = 0;
  for (let i = 0; i < history.length; i++) if (now - history[i]!.at >= POLICY_PROGRAMMING_DELAY_MS) index = i;
  history.splice(0, index);
  return history[0]!;
}

export const policyProgrammingDelay: SimFault = {
  name: 'policy-programming-delay',
  description: `NetworkPolicy changes (policies, pod and namespace labels) take effect ${POLICY_PROGRAMMING_DELAY_MS / 1000} s after they are made, as a CNI agent programming rules does.`,
  transformState(state) {
    const now = Date.now();
    const current = viewOf(state, now);
    if (history.at(-1)?.digest !== current.digest) history.push(current);
    const programmed = programmedView(now);
    if (programmed !== history.at(-1)) lagging++;
    return {
      ...state,
      policies: programmed.policies,
      namespaces: Object.fromEntries(Object.entries(state.namespaces).map(([ns, labels]) => [ns, programmed.namespaces[ns] ?? labels])),
      pods: state.pods.map((p) => ({ ...p, labels: programmed.podLabels.get(podKeyOf(p)) ?? p.labels })),
    };
  },
  effects: () => lagging,
};
