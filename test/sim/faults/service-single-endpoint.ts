import type { SimFault } from './types.ts';

export const serviceSingleEndpoint: SimFault = {
  name: 'service-single-endpoint',
  description: 'Service traffic always goes to the first ready endpoint (no load spreading).',
  selectEndpoint: (_service, candidates, chosen) => candidates[0] ?? chosen,
};
