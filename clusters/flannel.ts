// Flannel (VXLAN). kind's node image lacks the `bridge` plugin Flannel delegates to, so cnimatrix
// extracts it from the pinned containernetworking tarball and mounts it into every node.

import { BadInputError } from '../harness/model/errors.ts';
import { MINUTE_MS, type CniProfile, type ProfileContext } from './profile.ts';
import { sctpModule } from './host-prereq.ts';
import { waitStep } from './install-step.ts';
import type { PrepareStep } from './prepare-step.ts';
import type { ManifestTransform } from './transform.ts';
import type { ManifestPin } from './pin.ts';
import { cniPluginsTarballs, cniPluginsVersion, cniVersions, flannelReleases } from './versions.ts';

// ipv6: flannel is dual-stack with EnableIPv6 and IPv6Network in net-conf.json (flannel-io/flannel
// Documentation/configuration.md); whether this cluster has it is probed.
const capabilities = ['sctp', 'ipv6', 'sessionAffinity'] as const;
const BRIDGE_STEP_ID = 'cni-bridge-plugin';

export function bridgePluginStep(arch: string): PrepareStep {
  const archive = cniPluginsTarballs[arch];
  if (archive === undefined) {
    throw new BadInputError(
      `no pinned cni-plugins tarball for host architecture "${arch}" (flannel needs its bridge plugin)`,
      `valid architectures: ${Object.keys(cniPluginsTarballs).join(', ')}; add a pin to clusters/versions.ts cniPluginsTarballs`,
    );
  }
  return {
      kind: 'extractFile',
      id: BRIDGE_STEP_ID,
      description: `extract bridge from cni-plugins-linux-${arch}-${cniPluginsVersion}.tgz (kind node images ship only host-local, loopback, ptp, portmap)`,
      archive,
      member: './bridge',
      dest: `cni-plugins/${cniPluginsVersion}/${arch}/bridge`,
      fileMode: 0o755,
  };
}

function flannelTransforms(ctx: ProfileContext): ManifestTransform[] {
  const netConf: Record<string, unknown> = { Network: ctx.podSubnet };
  if (ctx.proxyMode === 'nftables') netConf['EnableNFTables'] = true;
  return [
    {
      op: 'mergeConfigMapJson',
      target: { kind: 'ConfigMap', name: 'kube-flannel-cfg', namespace: 'kube-flannel' },
      key: 'net-conf.json',
      merge: netConf,
    },
  ];
}

/** Flannel at one of its known releases (clusters/versions.ts flannelReleases). */
function flannelAt(version: string, release: { manifest: ManifestPin; images: readonly string[] }): CniProfile {
  return {
    name: 'flannel',
    displayName: 'Flannel (VXLAN)',
    version,
    manifests: [release.manifest],
    kind: {
      disableDefaultCNI: true,
      podSubnet: '10.244.0.0/16',
      nodeMounts: [{ prepared: BRIDGE_STEP_ID, containerPath: '/opt/cni/bin/bridge', readOnly: true }],
    },
    proxyModes: {
      iptables: { supported: true, capabilities: [...capabilities] },
      ipvs: { supported: true, capabilities: [...capabilities] },
      nftables: {
        supported: true,
        capabilities: [...capabilities],
        caveats: ['net-conf.json gets EnableNFTables: true so flannel programs nftables like kube-proxy; unverified upstream on kind'],
      },
      none: {
        supported: false,
        reason: 'Flannel has no kube-proxy replacement: without kube-proxy nothing serves ClusterIPs, NodePorts or the kubernetes Service',
      },
    },
    prepare: (ctx) => [bridgePluginStep(ctx.arch)],
    installSteps: (ctx) => [
      {
        kind: 'applyManifest',
        description: `apply kube-flannel.yml with Network ${ctx.podSubnet}`,
        manifest: release.manifest,
        transforms: flannelTransforms(ctx),
      },
    ],
    readiness: [
      waitStep('kube-flannel DaemonSet rolled out', { kind: 'daemonSetRolledOut', namespace: 'kube-flannel', name: 'kube-flannel-ds' }, 5 * MINUTE_MS),
    ],
    hostPrereqs: [
      {
        kind: 'kernelModule',
        module: 'br_netfilter',
        why: 'flannel checks /proc/sys/net/bridge/bridge-nf-call-iptables and fails with "Failed to check br_netfilter" without it',
      },
      sctpModule,
    ],
    images: [...release.images],
    diagnostics: [
      { what: 'kube-flannel pods and logs', namespace: 'kube-flannel', labelSelector: 'app=flannel', collect: ['pods', 'logs', 'previousLogs', 'events'] },
    ],
    notes: [
      `Manifest is Documentation/kube-flannel.yml at the ${version} commit (images ${release.images.map((image) => image.split('/').pop()).join(', ')}): hashable there, unlike the release asset, which the release build makes from the same objects with kustomize.`,
      'The bridge plugin comes from the pinned cni-plugins tarball (sha256-checked), extracted into the cache and mounted read-only at /opt/cni/bin/bridge on every node; without it pods fail with `failed to find plugin "bridge"`.',
      'Flannel enforces no NetworkPolicy: the network-policy suite is skipped with that reason.',
    ],
  };
}

export const flannel: CniProfile = {
  ...flannelAt(cniVersions.flannel, flannelReleases[cniVersions.flannel]),
  // An upgrade cell installs one of these first, then upgrades in place to the version above.
  otherReleases: Object.fromEntries(
    Object.entries<{ manifest: ManifestPin; images: readonly string[] }>(flannelReleases)
      .filter(([version]) => version !== cniVersions.flannel)
      .map(([version, release]) => [version, flannelAt(version, release)]),
  ),
};
