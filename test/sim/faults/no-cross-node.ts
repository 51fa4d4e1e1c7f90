import type { SimFault } from './types.ts';

export const noCrossNode: SimFault = {
  name: 'no-cross-node',
  description: 'Pod traffic between different nodes is dropped (broken overlay): cross-node probes time out.',
  connection(attempt, verdict) {
    if (!attempt.crossNode) return verdict;
    return { ...verdict, outcome: 'timeout', reason: 'cross-node traffic dropped' };
  },
};
