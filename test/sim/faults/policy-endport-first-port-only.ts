import type { SimFault } from './types.ts';
import { rewritePortEntries } from './policy-ports.ts';

export const policyEndPortFirstPortOnly: SimFault = {
  name: 'policy-endport-first-port-only',
  description: 'endPort is ignored: a port range admits only its first port.',
  transformState: (state) =>
    rewritePortEntries(state, (entry) => {
      delete entry.endPort;
    }),
};
