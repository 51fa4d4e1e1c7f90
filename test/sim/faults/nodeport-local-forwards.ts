import type { SimFault } from './types.ts';

export const nodePortLocalForwards: SimFault = {
  name: 'nodeport-local-forwards',
  description: 'A NodePort with externalTrafficPolicy Local forwards to endpoints on other nodes when its node runs none (instead of dropping).',
  nodePortEndpoints: (service, _node, allowed, ready) => (service.externalTrafficPolicy === 'Local' && allowed.length === 0 ? ready : allowed),
};
