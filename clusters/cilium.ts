// Cilium, installed from a manifest rendered once from the official Helm chart (vendored under
// clusters/vendor, sha256-pinned) plus data transforms, so no helm binary is needed at run time.

import { MINUTE_MS, type CniProfile, type ProfileContext } from './profile.ts';
import { waitStep } from './install-step.ts';
import type { ManifestTransform } from './transform.ts';
import { cniVersions, componentImages, manifestPins } from './versions.ts';

const API_SERVER_PORT = '6443';

/** The Helm command that renders the vendored manifest; kept next to the profile that uses it. */
export const ciliumRenderCommand =
  `helm template cilium cilium --repo https://helm.cilium.io --version ${cniVersions.cilium.slice(1)} ` +
  '--namespace kube-system --set ipam.mode=kubernetes --set image.pullPolicy=IfNotPresent ' +
  '--set operator.replicas=1 --set kubeProxyReplacement=false';

export function ciliumTransforms(ctx: ProfileContext): ManifestTransform[] {
  const replacesKubeProxy = ctx.proxyMode === 'none';
  const transforms: ManifestTransform[] = [
    {
      op: 'setConfigMapData',
      target: { kind: 'ConfigMap', name: 'cilium-config', namespace: 'kube-system' },
      data: { 'kube-proxy-replacement': replacesKubeProxy ? 'true' : 'false', ipam: 'kubernetes' },
    },
  ];
  if (replacesKubeProxy) {
    // Without kube-proxy nothing serves the kubernetes ClusterIP, so agents and operator must reach
    // the API server directly: the control-plane container's name resolves on the kind network.
    const env = { KUBERNETES_SERVICE_HOST: `${ctx.clusterName}-control-plane`, KUBERNETES_SERVICE_PORT: API_SERVER_PORT };
    transforms.push(
      { op: 'setContainerEnv', target: { kind: 'DaemonSet', name: 'cilium', namespace: 'kube-system' }, env },
      { op: 'setContainerEnv', target: { kind: 'Deployment', name: 'cilium-operator', namespace: 'kube-system' }, env },
    );
  }
  return transforms;
}

const withKubeProxy = ['networkPolicy', 'sessionAffinity'] as const;

export const cilium: CniProfile = {
  name: 'cilium',
  displayName: 'Cilium',
  version: cniVersions.cilium,
  manifests: [manifestPins.cilium],
  kind: { disableDefaultCNI: true, podSubnet: '10.244.0.0/16', nodeMounts: [] },
  proxyModes: {
    iptables: { supported: true, capabilities: [...withKubeProxy] },
    ipvs: {
      supported: true,
      capabilities: [...withKubeProxy],
      caveats: ['Cilium next to kube-proxy ipvs is not in Cilium\'s tested kind setups'],
    },
    nftables: {
      supported: true,
      capabilities: [...withKubeProxy],
      caveats: ['Cilium next to kube-proxy nftables is not in Cilium\'s tested kind setups'],
    },
    none: {
      supported: true,
      capabilities: [...withKubeProxy, 'kubeProxyReplacement'],
      caveats: [
        'kubeProxyReplacement=true with k8sServiceHost=<cluster>-control-plane, k8sServicePort=6443',
        'socket-LB needs cgroup v2 and a private cgroupns per node; stale BPF programs on the shared host kernel can break parallel Cilium clusters',
      ],
    },
  },
  prepare: () => [],
  installSteps: (ctx) => [
    {
      kind: 'applyManifest',
      description: `apply Cilium ${cniVersions.cilium} (kube-proxy-replacement=${ctx.proxyMode === 'none'})`,
      manifest: manifestPins.cilium,
      transforms: ciliumTransforms(ctx),
    },
  ],
  readiness: [
    waitStep('cilium DaemonSet rolled out', { kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'cilium' }, 5 * MINUTE_MS),
    waitStep('cilium-operator available', { kind: 'deploymentAvailable', namespace: 'kube-system', name: 'cilium-operator' }, 5 * MINUTE_MS),
  ],
  hostPrereqs: [],
  images: [...componentImages.cilium],
  diagnostics: [
    { what: 'cilium agent pods and logs', namespace: 'kube-system', labelSelector: 'k8s-app=cilium', container: 'cilium-agent', collect: ['pods', 'logs', 'previousLogs', 'events'] },
    { what: 'cilium-operator pods and logs', namespace: 'kube-system', labelSelector: 'io.cilium/app=operator', collect: ['pods', 'logs'] },
  ],
  hostExclusive: 'Cilium clusters share the host kernel, where overlapping BPF programs of parallel clusters can crash agents',
  notes: [
    'Upstream publishes Cilium only as a Helm chart (quick-install.yaml stopped after 1.6). cnimatrix vendors one rendering of the chart, pinned by sha256, and adjusts it per cell with transforms.',
    `Render it with: ${ciliumRenderCommand} > clusters/vendor/cilium-${cniVersions.cilium}-kind.yaml`,
    'With proxy mode none: cilium-config kube-proxy-replacement=true and KUBERNETES_SERVICE_HOST/PORT on the agent and operator (the Helm values k8sServiceHost/k8sServicePort render to exactly these).',
  ],
};
