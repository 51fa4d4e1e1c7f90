import type { SimFault } from './types.ts';

// Without affinity each new UDP flow is balanced afresh; a rotation stands in for that balancing.
let rotation = 0;

export const affinityUdpIgnored: SimFault = {
  name: 'affinity-udp-ignored',
  description: 'sessionAffinity: ClientIP is honoured for TCP only: UDP flows to the same Service are spread over its endpoints.',
  selectEndpoint: (service, candidates, chosen, port) =>
    service.sessionAffinity === 'ClientIP' && port.protocol === 'UDP' ? (candidates[rotation++ % candidates.length] ?? chosen) : chosen,
};
