// What each kube-proxy mode needs and warns about, independent of the CNI.

import type { ProxyMode } from '../harness/model/cell.ts';
import type { HostPrereq } from './host-prereq.ts';

export interface ProxyModeInfo {
  mode: ProxyMode;
  description: string;
  /** Whether kind runs kube-proxy at all in this mode. */
  runsKubeProxy: boolean;
  /** Minimum Kubernetes minor for the mode, e.g. "1.31". */
  minKubernetes?: string;
  hostPrereqs: HostPrereq[];
  warnings: string[];
}

export const proxyModes: Record<ProxyMode, ProxyModeInfo> = {
  iptables: {
    mode: 'iptables',
    description: 'kube-proxy programs Services as iptables rules (kind default)',
    runsKubeProxy: true,
    hostPrereqs: [
      {
        kind: 'kernelModule',
        module: 'xt_recent',
        why: 'kube-proxy iptables mode implements Service sessionAffinity: ClientIP with the "recent" match',
        forSuites: ['services'],
      },
    ],
    warnings: [],
  },
  ipvs: {
    mode: 'ipvs',
    description: 'kube-proxy programs Services as IPVS virtual servers',
    runsKubeProxy: true,
    hostPrereqs: ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack'].map((module) => ({
      kind: 'kernelModule' as const,
      module,
      why: 'kube-proxy ipvs mode; kind nodes share the host kernel, so load it on the host (modprobe) before creating the cluster',
    })),
    warnings: [
      'ipvs: deprecated since Kubernetes 1.35; needs ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh, nf_conntrack on the host',
    ],
  },
  nftables: {
    mode: 'nftables',
    description: 'kube-proxy programs Services as nftables rules',
    runsKubeProxy: true,
    minKubernetes: '1.31',
    hostPrereqs: [
      { kind: 'kernelVersion', min: '5.13', why: 'kube-proxy nftables mode needs nftables features from Linux 5.13' },
    ],
    warnings: [
      'nftables: needs host kernel >= 5.13 and Kubernetes >= 1.31; NodePorts do not answer on 127.0.0.1 in this mode',
    ],
  },
  none: {
    mode: 'none',
    description: 'no kube-proxy; the CNI must replace it (Services, NodePorts, the kubernetes ClusterIP)',
    runsKubeProxy: false,
    hostPrereqs: [],
    warnings: [],
  },
};
