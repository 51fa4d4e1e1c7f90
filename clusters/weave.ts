// Weave Net, legacy: Weaveworks closed in 2024 and archived the project. cnimatrix uses the
// community fork rajch/weave v2.9.0 because the last upstream release (v2.8.1) breaks with the
// iptables-nft >= 1.8.8 that current kind node images ship.

import { MINUTE_MS, type CniProfile } from './profile.ts';
import { waitStep } from './install-step.ts';
import type { ManifestTransform } from './transform.ts';
import { cniVersions, componentImages, manifestPins } from './versions.ts';

// No ipv6: Weave Net works over IPv4 only (weaveworks/weave issue #19, "support IPv6", open).
const capabilities = ['networkPolicy', 'ipBlockMatchesPodIPs', 'sessionAffinity'] as const;
const IMAGE_TAG = cniVersions.weave.slice(1);

/**
 * The fork's release script makes its release asset from the pinned template by replacing each
 * image's `:latest` with the version; the same substitution, as transforms.
 */
const DAEMONSET = { kind: 'DaemonSet', name: 'weave-net', namespace: 'kube-system' };
const releaseImages: ManifestTransform[] = [
  ...['weave-kube', 'weave-npc'].map((image): ManifestTransform => ({
    op: 'replaceValue',
    target: DAEMONSET,
    from: `rajchaudhuri/${image}:latest`,
    to: `rajchaudhuri/${image}:${IMAGE_TAG}`,
  })),
  // The script also drops `imagePullPolicy: Always`, so preloaded images are used (--preload).
  { op: 'setImagePullPolicy', target: DAEMONSET, policy: 'IfNotPresent' },
];

export const weave: CniProfile = {
  name: 'weave',
  displayName: 'Weave Net (rajch fork)',
  version: cniVersions.weave,
  legacy: {
    reason: 'Weaveworks shut down in 2024 and archived weaveworks/weave; the fork has open bugs (rajch/weave #15, #24)',
    source: 'rajch/weave v2.9.0 (community fork): upstream v2.8.1 breaks with iptables-nft >= 1.8.8 (weave #3968), which kind node images ship; the fork defaults to the nft backend.',
  },
  manifests: [manifestPins.weave],
  kind: { disableDefaultCNI: true, podSubnet: '10.244.0.0/16', nodeMounts: [] },
  proxyModes: {
    iptables: { supported: true, capabilities: [...capabilities] },
    ipvs: { supported: true, capabilities: [...capabilities], caveats: ['weave with kube-proxy ipvs is untested by the fork'] },
    nftables: { supported: true, capabilities: [...capabilities], caveats: ['relies on the fork\'s nft backend'] },
    none: {
      supported: false,
      reason: 'Weave Net has no kube-proxy replacement: without kube-proxy nothing serves ClusterIPs, NodePorts or the kubernetes Service',
    },
  },
  prepare: () => [],
  installSteps: (ctx) => [
    {
      kind: 'applyManifest',
      description: `apply weave-daemonset-k8s-1.11.yaml (a kind: List) with images :${IMAGE_TAG} and IPALLOC_RANGE=${ctx.podSubnet}`,
      manifest: manifestPins.weave,
      transforms: [
        ...releaseImages,
        {
          op: 'setContainerEnv',
          target: DAEMONSET,
          container: 'weave',
          env: { IPALLOC_RANGE: ctx.podSubnet },
        },
      ],
    },
  ],
  readiness: [
    waitStep('weave-net DaemonSet rolled out', { kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'weave-net' }, 5 * MINUTE_MS),
  ],
  hostPrereqs: [],
  images: [...componentImages.weave],
  diagnostics: [
    { what: 'weave-net pods and logs (weave and weave-npc)', namespace: 'kube-system', labelSelector: 'name=weave-net', collect: ['pods', 'logs', 'previousLogs', 'events'] },
  ],
  notes: [
    'The manifest is the fork\'s template at the v2.9.0 commit (hashable there), with the release script\'s one change made as transforms: image tags :latest become :2.9.0 and imagePullPolicy: Always goes. It is one `kind: List`, unwrapped before the transforms.',
    'The release manifest carries no IPALLOC_RANGE (the hosted installer used to add it), so cnimatrix sets it to the kind podSubnet; otherwise weave allocates from 10.32.0.0/12 and disagrees with the node podCIDRs.',
  ],
};
