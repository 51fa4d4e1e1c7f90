import type { SimFault } from './types.ts';

export const dnsNoSearchPath: SimFault = {
  name: 'dns-no-search-path',
  description: 'Pods get no search list in resolv.conf, so partial names (svc, svc.ns) do not resolve.',
  resolvConf: (_pod, conf) => ({ ...conf, searches: [] }),
};
