import { isIPv6 } from 'node:net';
import type { SimFault } from './types.ts';

export const ipv6NoCrossNode: SimFault = {
  name: 'ipv6-no-cross-node',
  description:
    'IPv6 pod traffic between nodes is dropped (no IPv6 routes between the nodes\' pod prefixes), while IPv4 and same-node IPv6 work: cross-node IPv6 probes time out.',
  connection(attempt, verdict) {
    if (!attempt.crossNode || !isIPv6(attempt.toIp)) return verdict;
    return { ...verdict, outcome: 'timeout', reason: 'cross-node IPv6 traffic dropped' };
  },
};
