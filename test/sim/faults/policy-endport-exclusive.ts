import type { SimFault } from './types.ts';
import { rewritePortEntries } from './policy-ports.ts';

export const policyEndPortExclusive: SimFault = {
  name: 'policy-endport-exclusive',
  description: 'endPort is taken as exclusive: a range of several ports loses its last port.',
  transformState: (state) =>
    rewritePortEntries(state, (entry) => {
      if (typeof entry.port === 'number' && entry.endPort !== undefined && entry.endPort > entry.port) entry.endPort -= 1;
    }),
};
