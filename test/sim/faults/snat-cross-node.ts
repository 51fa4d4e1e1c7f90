import type { SimFault } from './types.ts';

export const snatCrossNode: SimFault = {
  name: 'snat-cross-node',
  description: 'Cross-node pod traffic is masqueraded to the source node IP (the destination sees the node, not the pod).',
  connection(attempt, verdict) {
    if (!attempt.crossNode || !attempt.fromPod || attempt.fromPod.hostNetwork || !attempt.fromNodeIp) return verdict;
    return { ...verdict, clientIp: attempt.fromNodeIp };
  },
};
