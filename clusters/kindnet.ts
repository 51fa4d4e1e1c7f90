// kindnet: kind's built-in CNI (ptp + host-local), with NetworkPolicy from the embedded
// kube-network-policies (nftables + nfqueue) since kind v0.24.0.

import { MINUTE_MS, type CniProfile } from './profile.ts';
import { sctpModule } from './host-prereq.ts';
import { waitStep } from './install-step.ts';
import { cniVersions } from './versions.ts';

// ipv6: kindnetd routes both families of a dual-stack or IPv6 kind cluster (kind's networking.ipFamily);
// whether this cluster has IPv6 is probed (pods' addresses), as cnimatrix's own cells are IPv4-only.
const withKubeProxy = ['networkPolicy', 'ipBlockMatchesPodIPs', 'sctp', 'ipv6', 'sessionAffinity'] as const;

export const kindnet: CniProfile = {
  name: 'kindnet',
  displayName: 'kindnet (kind default)',
  version: cniVersions.kindnet,
  manifests: [],
  kind: { disableDefaultCNI: false, podSubnet: '10.244.0.0/16', nodeMounts: [] },
  proxyModes: {
    iptables: { supported: true, capabilities: [...withKubeProxy] },
    ipvs: {
      supported: true,
      capabilities: [...withKubeProxy],
      caveats: ['kindnet with kube-proxy ipvs is not in kind\'s CI matrix'],
    },
    nftables: {
      supported: true,
      capabilities: [...withKubeProxy],
      caveats: ['kindnet with kube-proxy nftables is not in kind\'s CI matrix'],
    },
    none: {
      supported: false,
      reason: 'kindnet has no kube-proxy replacement: without kube-proxy nothing serves ClusterIPs, NodePorts or the kubernetes Service',
    },
  },
  prepare: () => [],
  installSteps: () => [],
  readiness: [
    waitStep('kindnet DaemonSet rolled out', { kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'kindnet' }, 3 * MINUTE_MS),
  ],
  hostPrereqs: [
    {
      kind: 'kernelModule',
      module: 'nfnetlink_queue',
      why: 'kindnet enforces NetworkPolicy by queueing packets to user space (nfqueue); without it policies do not apply',
      forSuites: ['network-policy'],
    },
    {
      kind: 'kernelModule',
      module: 'nft_queue',
      // Seen on the real lane (kernel without CONFIG_NFT_QUEUE): kindnetd failed open, every policy red.
      why: 'kindnet\'s nftables rules use the `queue` statement; without it every sync logs "syncing nftables rules … netlink receive: no such file or directory", kindnetd lets all traffic through and policies do not apply',
      forSuites: ['network-policy'],
    },
    sctpModule,
  ],
  images: [],
  diagnostics: [
    { what: 'kindnet pods and logs', namespace: 'kube-system', labelSelector: 'app=kindnet', collect: ['pods', 'logs', 'previousLogs'] },
  ],
  notes: [
    'kindnet ships in the node image, so it needs no manifest; disableDefaultCNI stays false.',
    'NetworkPolicy enforcement depends on the host\'s nfnetlink_queue and nft_queue: kindnetd fails open without them, so the network-policy checks are red there (real lane: 28 of 28 scenarios) and `cnimatrix doctor` names the missing module.',
  ],
};
