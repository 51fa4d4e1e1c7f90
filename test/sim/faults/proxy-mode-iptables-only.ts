import type { SimFault } from './types.ts';

export const proxyModeIptablesOnly: SimFault = {
  name: 'proxy-mode-iptables-only',
  description: 'kube-proxy runs in iptables mode whatever mode its configuration asks for.',
  proxyMode: () => 'iptables',
};
