import type { SimFault } from './types.ts';

export const endpointsIncludeUnready: SimFault = {
  name: 'endpoints-include-unready',
  description: 'Endpoints of pods that are not Ready are used as ready: Service traffic and headless DNS records include them.',
  transformState: (state) => ({
    ...state,
    endpoints: new Map([...state.endpoints].map(([service, endpoints]) => [service, endpoints.map((e) => ({ ...e, ready: true }))])),
  }),
};
