import type { SimFault } from './types.ts';

export const registryUnreachable: SimFault = {
  name: 'registry-unreachable',
  description:
    'No registry can be reached (an offline machine, as the real lane): a pod whose image is neither in the node image nor loaded with `kind load` stays Pending in ImagePullBackOff.',
  registryUnreachable: true,
};
