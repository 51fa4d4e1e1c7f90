// Cilium, installed the way upstream documents for kind: `cilium install` (cilium-cli) renders the
// official Helm chart of the pinned version and applies it. cilium-cli comes from its pinned
// release tarball (sha256-checked, like the CNI plugin tarball), so nothing is produced by hand.

import { BadInputError } from '../harness/model/errors.ts';
import { MINUTE_MS, type CniProfile, type ProfileContext } from './profile.ts';
import { waitStep, type RunToolStep } from './install-step.ts';
import type { PrepareStep } from './prepare-step.ts';
import { ciliumCliTarballs, ciliumCliVersion, cniVersions, componentImages } from './versions.ts';

const API_SERVER_PORT = '6443';
export const CILIUM_CLI_STEP_ID = 'cilium-cli';

export function ciliumCliStep(arch: string): PrepareStep {
  const archive = ciliumCliTarballs[arch];
  if (archive === undefined) {
    throw new BadInputError(
      `no pinned cilium-cli tarball for host architecture "${arch}"`,
      `valid architectures: ${Object.keys(ciliumCliTarballs).join(', ')}; add a pin to clusters/versions.ts ciliumCliTarballs`,
    );
  }
  return {
    kind: 'extractFile',
    id: CILIUM_CLI_STEP_ID,
    description: `extract cilium from cilium-linux-${arch}.tar.gz (cilium-cli ${ciliumCliVersion})`,
    archive,
    member: 'cilium',
    dest: `cilium-cli/${ciliumCliVersion}/${arch}/cilium`,
    fileMode: 0o755,
  };
}

/** Helm values of the chart, per cell. */
export function ciliumValues(ctx: ProfileContext): Record<string, string> {
  const replacesKubeProxy = ctx.proxyMode === 'none';
  return {
    'ipam.mode': 'kubernetes',
    'operator.replicas': '1',
    'image.pullPolicy': 'IfNotPresent',
    kubeProxyReplacement: replacesKubeProxy ? 'true' : 'false',
    ...(replacesKubeProxy
      ? // Without kube-proxy nothing serves the kubernetes ClusterIP: agents and operator reach the
        // API server directly, at the control-plane container's name on the kind network.
        { k8sServiceHost: `${ctx.clusterName}-control-plane`, k8sServicePort: API_SERVER_PORT }
      : // Without the replacement Cilium implements no hostPort; the chained portmap plugin does, and
        // the ingress controller listens on hostPorts 80/443.
        { 'cni.chainingMode': 'portmap' }),
  };
}

export function ciliumInstallStep(ctx: ProfileContext): RunToolStep {
  const values = Object.entries(ciliumValues(ctx)).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  return {
    kind: 'runTool',
    description: `cilium install --version ${cniVersions.cilium.slice(1)} (kubeProxyReplacement=${ctx.proxyMode === 'none'})`,
    tool: CILIUM_CLI_STEP_ID,
    // --wait=false: readiness is checked by the profile's own waits, with their explanations.
    args: ['install', `--version=${cniVersions.cilium.slice(1)}`, '--wait=false', ...values],
    timeoutMs: 5 * MINUTE_MS,
  };
}

// No ipBlockMatchesPodIPs: Cilium decides traffic between in-cluster endpoints (pods, nodes) by
// identity, and its CIDR selectors (Kubernetes ipBlocks included) never match them; only nodes can
// be opted in (policy-cidr-match-mode=nodes). Upstream cilium/cilium
// Documentation/security/policy/layer3.rst, "IP/CIDR based" and "Selecting nodes with CIDR / ipBlock".
// ipv6: Cilium runs dual-stack with enable-ipv6 (Helm ipv6.enabled); whether this cluster has it is probed.
const withKubeProxy = ['networkPolicy', 'ipv6', 'sessionAffinity'] as const;

export const cilium: CniProfile = {
  name: 'cilium',
  displayName: 'Cilium (cilium-cli)',
  version: cniVersions.cilium,
  manifests: [],
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
  prepare: (ctx) => [ciliumCliStep(ctx.arch)],
  installSteps: (ctx) => [ciliumInstallStep(ctx)],
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
  kubeProxyReplacementCheck: {
    namespace: 'kube-system',
    labelSelector: 'k8s-app=cilium',
    container: 'cilium-agent',
    command: ['cilium-dbg', 'status'],
    expect: '^KubeProxyReplacement:\\s+True\\b',
    what: 'cilium-dbg status reports KubeProxyReplacement: True',
  },
  hostExclusive: 'Cilium clusters share the host kernel, where overlapping BPF programs of parallel clusters can crash agents',
  notes: [
    `Upstream publishes Cilium only as a Helm chart; cnimatrix runs the tool upstream documents for kind, cilium-cli ${ciliumCliVersion}, from its pinned release tarball, as \`cilium install --version=${cniVersions.cilium.slice(1)}\` with per-cell --set values (cilium-cli's own kind workflow installs the same way).`,
    'With kube-proxy (iptables, ipvs, nftables): cni.chainingMode=portmap, so hostPorts work; kind node images ship the portmap plugin.',
    'With proxy mode none: kubeProxyReplacement=true with k8sServiceHost/k8sServicePort naming the control-plane container, and verify-proxy-mode asks each agent (`cilium-dbg status`) that the replacement is on.',
  ],
};
