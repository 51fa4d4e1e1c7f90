import type { SimFault } from './types.ts';

type Obj = Record<string, unknown>;

export const ingressIgnoreHost: SimFault = {
  name: 'ingress-ignore-host',
  description: 'The ingress controller ignores rule hosts: every rule matches every Host header.',
  transformState: (state) => ({
    ...state,
    ingresses: state.ingresses.map((ing) => {
      const copy = structuredClone(ing);
      for (const rule of ((copy.spec as Obj | undefined)?.rules as Obj[] | undefined) ?? []) delete rule.host;
      return copy;
    }),
  }),
};
