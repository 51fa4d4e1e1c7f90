// A CNI upgrade that opens a policy hole: from the moment a node's agent is replaced until the new
// agent is Ready (at least POLICY_LEAK_MIN_MS), NetworkPolicy is not enforced for that node's pods
// (an agent that flushes its rules on start and programs them again only once synced).
import { agentReplacements } from '../dataplane/agent-rollout.ts';
import type { SimFault } from './types.ts';

export const POLICY_LEAK_MIN_MS = 1_000;

// Nodes leaking in the state the model read last (transformState runs before any connection of a context).
let leaking = new Set<string>();

export const upgradePolicyLeak: SimFault = {
  name: 'upgrade-policy-leak',
  description: `From a node's CNI agent replacement until the new agent is Ready (at least ${POLICY_LEAK_MIN_MS} ms), NetworkPolicy is not enforced for that node's pods.`,
  transformState(state) {
    const now = Date.now();
    leaking = new Set([...agentReplacements(state)].filter(([, r]) => now >= r.at && (now < r.at + POLICY_LEAK_MIN_MS || !r.agent.ready)).map(([node]) => node));
    return state;
  },
  policyApplies(attempt, direction) {
    const [pod, node] = direction === 'egress' ? [attempt.fromPod, attempt.fromNode] : [attempt.toPod, attempt.toNode];
    return pod === undefined || pod.hostNetwork || node === undefined || !leaking.has(node);
  },
};
