// Calico via the Tigera operator, following Calico's kind guide: podSubnet 192.168.0.0/16 and an
// Installation whose IP pool uses the same CIDR.

import type { KubeObject } from '../harness/kube/types.ts';
import { MINUTE_MS, type CniProfile, type ProfileContext } from './profile.ts';
import { sctpModule } from './host-prereq.ts';
import { waitStep } from './install-step.ts';
import { cniVersions, componentImages, manifestPins } from './versions.ts';

// ipv6: Calico IPAM gives dual-stack or IPv6-only pod addresses from IPv6 IP pools (docs: networking/ipv6,
// "Configure dual stack or IPv6 only"); whether this cluster has them is probed.
const capabilities = ['networkPolicy', 'ipBlockMatchesPodIPs', 'sctp', 'ipv6', 'sessionAffinity'] as const;

/** The operator's Installation. IP pools cannot change after install, so the CIDR is set here. */
export function calicoInstallation(ctx: ProfileContext): KubeObject {
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: { name: 'default' },
    spec: {
      calicoNetwork: {
        linuxDataplane: ctx.proxyMode === 'nftables' ? 'Nftables' : 'Iptables',
        ipPools: [
          {
            name: 'default-ipv4-ippool',
            cidr: ctx.podSubnet,
            blockSize: 26,
            encapsulation: 'VXLANCrossSubnet',
            natOutgoing: 'Enabled',
            nodeSelector: 'all()',
          },
        ],
      },
    },
  };
}

export const calico: CniProfile = {
  name: 'calico',
  displayName: 'Calico (Tigera operator)',
  version: cniVersions.calico,
  manifests: [manifestPins.calicoOperatorCrds, manifestPins.calicoTigeraOperator],
  kind: { disableDefaultCNI: true, podSubnet: '192.168.0.0/16', nodeMounts: [] },
  proxyModes: {
    iptables: { supported: true, capabilities: [...capabilities] },
    ipvs: { supported: true, capabilities: [...capabilities] },
    nftables: {
      supported: true,
      capabilities: [...capabilities],
      caveats: ['uses Calico\'s Nftables dataplane (linuxDataplane: Nftables), a tech preview in Calico\'s docs'],
    },
    none: {
      supported: false,
      reason: 'Calico replaces kube-proxy only with its eBPF dataplane, which is unverified on kind: BPF programs live in the kernel all kind clusters share, and it needs the API server endpoint configured before install',
    },
  },
  prepare: () => [],
  installSteps: (ctx) => [
    {
      kind: 'applyManifest',
      description: 'create Calico operator CRDs (too large for apply)',
      manifest: manifestPins.calicoOperatorCrds,
      transforms: [],
    },
    {
      kind: 'applyManifest',
      description: 'create the Tigera operator',
      manifest: manifestPins.calicoTigeraOperator,
      transforms: [],
    },
    waitStep('Tigera operator available', { kind: 'deploymentAvailable', namespace: 'tigera-operator', name: 'tigera-operator' }, 3 * MINUTE_MS),
    waitStep('Installation CRD established', { kind: 'crdEstablished', name: 'installations.operator.tigera.io' }, MINUTE_MS),
    {
      kind: 'applyObjects',
      description: `apply Installation with IP pool ${ctx.podSubnet} (matches kind podSubnet)`,
      objects: [calicoInstallation(ctx)],
      mode: 'apply',
    },
  ],
  readiness: [
    waitStep('calico-node DaemonSet rolled out', { kind: 'daemonSetRolledOut', namespace: 'calico-system', name: 'calico-node' }, 5 * MINUTE_MS),
    waitStep('calico-kube-controllers available', { kind: 'deploymentAvailable', namespace: 'calico-system', name: 'calico-kube-controllers' }, 5 * MINUTE_MS),
  ],
  hostPrereqs: [sctpModule],
  images: [...componentImages.calico],
  diagnostics: [
    { what: 'Tigera operator pods and logs', namespace: 'tigera-operator', labelSelector: 'k8s-app=tigera-operator', collect: ['pods', 'logs', 'events'] },
    { what: 'calico-node pods and logs', namespace: 'calico-system', labelSelector: 'k8s-app=calico-node', collect: ['pods', 'logs', 'previousLogs', 'events'] },
    { what: 'calico-kube-controllers pods and logs', namespace: 'calico-system', labelSelector: 'k8s-app=calico-kube-controllers', collect: ['pods', 'logs'] },
  ],
  notes: [
    'Operator install: operator-crds.yaml and tigera-operator.yaml are created, not applied, because their CRDs exceed the server-side apply annotation limit.',
    'podSubnet 192.168.0.0/16 is Calico\'s documented kind setting; the Installation IP pool is generated with the same CIDR because pools cannot change after install.',
  ],
};
