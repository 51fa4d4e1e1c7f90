import type { SimFault } from './types.ts';

const AFFINITY_ANNOTATION = 'nginx.ingress.kubernetes.io/affinity';

export const affinityIgnored: SimFault = {
  name: 'affinity-ignored',
  description: 'Service sessionAffinity: ClientIP and ingress cookie affinity are ignored.',
  transformState: (state) => ({
    ...state,
    services: state.services.map((s) => ({ ...s, sessionAffinity: 'None' })),
    ingresses: state.ingresses.map((ing) => {
      const copy = structuredClone(ing);
      if (copy.metadata.annotations) delete copy.metadata.annotations[AFFINITY_ANNOTATION];
      return copy;
    }),
  }),
};
