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
      why: 'kindnet enforces NetworkPolicy through nfqueue; without it the kindnet log shows "Could not process rule … queue num 100" and policies silently do not apply',
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
    'NetworkPolicy enforcement depends on the host\'s nfnetlink_queue: the network-policy suite starts with a default-deny smoke test so a missing module shows as a failure, not a silent pass.',
  ],
};
