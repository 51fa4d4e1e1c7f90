import type { SimFault } from './types.ts';

type Obj = Record<string, unknown>;

export const ingressPrefixAsExact: SimFault = {
  name: 'ingress-prefix-as-exact',
  description: 'The ingress controller treats pathType Prefix as Exact: sub-paths of a prefix get 404.',
  transformState: (state) => ({
    ...state,
    ingresses: state.ingresses.map((ing) => {
      const copy = structuredClone(ing);
      for (const rule of ((copy.spec as Obj | undefined)?.rules as Obj[] | undefined) ?? []) {
        for (const path of ((rule.http as Obj | undefined)?.paths as Obj[] | undefined) ?? []) {
          if (path.pathType === 'Prefix') path.pathType = 'Exact';
        }
      }
      return copy;
    }),
  }),
};
