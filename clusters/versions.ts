// Every pinned version cnimatrix uses, in one place.

import { UNVERIFIED_SHA256, type ManifestPin, type Pin } from './pin.ts';

/** Images the suites run in the cell's pods. */
export const testImages = {
  /** Servers (netexec) and clients (connect, curl, dig). Alpine-based: sh, curl, dig, base64. */
  agnhost: 'registry.k8s.io/e2e-test-images/agnhost:2.56',
  /** DNS client for the dns suite (dig, nslookup). */
  dnsutils: 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3',
} as const;

/** kind binary and node image: the node image is pinned by digest, as the kind release notes ask. */
export const kindPins = {
  minVersion: '0.33.0',
  nodeImage: 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
  kubernetesVersion: '1.37.0',
} as const;

export const cniVersions = {
  /** kindnet ships inside the node image; its version follows kind. */
  kindnet: `kind-v${kindPins.minVersion}`,
  /** v3.32.2 exists upstream, but only v3.32.1's manifests could be hashed when pinning (docs/pins.md). */
  calico: 'v3.32.1',
  flannel: 'v0.27.4',
  cilium: 'v1.19.6',
  weave: 'v2.9.0',
} as const;

export const ingressNginxVersion = 'controller-v1.15.1';

/**
 * The commit each release tag pointed to when its pin was recorded: raw URLs name the commit, not
 * the tag, so the pinned bytes cannot change (`git rev-parse <tag>^{commit}` in the upstream repo).
 */
export const upstreamCommits = {
  /** projectcalico/calico tag v3.32.1 */
  calico: '0ca9d1b93644778cafdf1812f3dda02ac0c361e8',
  /** flannel-io/flannel tag v0.27.4 */
  flannel: '20bdda0b238784fbfa623a1cf4c469645f531efa',
  /** flannel-io/flannel tag v0.27.3 */
  flannelV0273: 'b243632fbf70280bc46b949d9ea5ace5d91ef105',
  /** flannel-io/flannel tag v0.26.7 */
  flannelV0267: 'db296e3efd5368450c67bbd6ae21f42d357e8c83',
  /** rajch/weave tag v2.9.0 */
  weave: '8397222003c0d8ca2bebf0ac5c64448a4796dd18',
  /** kubernetes/ingress-nginx tag controller-v1.15.1 */
  ingressNginx: '0a5901f3c64f11e92e487799b8da3f00cca37515',
} as const;

/** cilium-cli release that installs Cilium (upstream's documented tool for kind; stable.txt of cilium/cilium-cli). */
export const ciliumCliVersion = 'v0.19.7';

/** containernetworking/plugins release Flannel's missing `bridge` plugin is taken from. */
export const cniPluginsVersion = 'v1.1.1';

/**
 * Every downloadable manifest. Where each sha256 came from is recorded in docs/pins.md.
 */
export const manifestPins = {
  calicoOperatorCrds: {
    id: 'calico-operator-crds',
    url: `https://raw.githubusercontent.com/projectcalico/calico/${upstreamCommits.calico}/manifests/operator-crds.yaml`,
    sha256: '192f8b2d934ef24b62e86b7e1a6e1762d1c8af26a916f78057bc13fa5ed60f71',
    provenance: `sha256 of the file at the commit tag ${cniVersions.calico} points to`,
    mode: 'create',
  },
  calicoTigeraOperator: {
    id: 'calico-tigera-operator',
    url: `https://raw.githubusercontent.com/projectcalico/calico/${upstreamCommits.calico}/manifests/tigera-operator.yaml`,
    sha256: 'f18e073794207d372606bc3ea6f8fd73972f86d6828f4ba666dfe0d4aa8ab07f',
    provenance: `sha256 of the file at the commit tag ${cniVersions.calico} points to`,
    mode: 'create',
  },
  flannel: {
    id: 'flannel',
    url: `https://raw.githubusercontent.com/flannel-io/flannel/${upstreamCommits.flannel}/Documentation/kube-flannel.yml`,
    sha256: '2242ee218f3c3e724e4efe5f31826a3e38cfdabf334de41aee2b12b48fd4818d',
    provenance: `sha256 of the file at the commit tag ${cniVersions.flannel} points to`,
    mode: 'apply',
  },
  flannelV0267: {
    id: 'flannel-v0.26.7',
    url: `https://raw.githubusercontent.com/flannel-io/flannel/${upstreamCommits.flannelV0267}/Documentation/kube-flannel.yml`,
    sha256: 'd3f539ef073032bdbd2d32900719400e0050a8ae1d00a9fef75d9d0f079c7d54',
    provenance: 'sha256 of the file at the commit tag v0.26.7 points to (the same bytes as Documentation/kube-flannel.yml in the flannel v0.26.7 Go module zip)',
    mode: 'apply',
  },
  flannelV0273: {
    id: 'flannel-v0.27.3',
    url: `https://raw.githubusercontent.com/flannel-io/flannel/${upstreamCommits.flannelV0273}/Documentation/kube-flannel.yml`,
    sha256: '2797f01352f60d8ba3f176c80566a416cd2a67bca0730e088828638c0343c07a',
    provenance: 'sha256 of the file at the commit tag v0.27.3 points to',
    mode: 'apply',
  },
  weave: {
    id: 'weave',
    // The template the fork's release script turns into the release asset (`:latest` → the
    // version); the weave profile makes the same substitution as a transform.
    url: `https://raw.githubusercontent.com/rajch/weave/${upstreamCommits.weave}/prog/weave-kube/weave-daemonset-k8s-1.11.yaml`,
    sha256: '259a149a91143a9450280e733aa0e16455a2b268eaa62b5aab1eb7af9bf016ce',
    provenance: `sha256 of the template at the commit tag ${cniVersions.weave} points to`,
    mode: 'apply',
  },
  ingressNginx: {
    id: 'ingress-nginx',
    url: `https://raw.githubusercontent.com/kubernetes/ingress-nginx/${upstreamCommits.ingressNginx}/deploy/static/provider/kind/deploy.yaml`,
    sha256: '2a3ae008c8786431115502644e77ab398fdebfb721a5d1195ed3089cde3299df',
    provenance: `sha256 of the file at the commit tag ${ingressNginxVersion} points to`,
    mode: 'apply',
  },
} as const satisfies Record<string, ManifestPin>;

const KIND_CNI_PLUGINS_PROVENANCE = "as kind's images/base/Dockerfile pins it (CNI_PLUGINS_<ARCH>_SHA256SUM) at kind commit ce7ef552e91b19badef6f851c1ea03f4d697ae5d";

/** containernetworking plugin tarballs per host architecture (the kind node runs the host's arch). */
export const cniPluginsTarballs: Record<string, Pin> = {
  amd64: {
    url: `https://github.com/containernetworking/plugins/releases/download/${cniPluginsVersion}/cni-plugins-linux-amd64-${cniPluginsVersion}.tgz`,
    sha256: 'b275772da4026d2161bf8a8b41ed4786754c8a93ebfb6564006d5da7f23831e5',
    provenance: KIND_CNI_PLUGINS_PROVENANCE,
  },
  arm64: {
    url: `https://github.com/containernetworking/plugins/releases/download/${cniPluginsVersion}/cni-plugins-linux-arm64-${cniPluginsVersion}.tgz`,
    sha256: '16484966a46b4692028ba32d16afd994e079dc2cc63fbc2191d7bfaf5e11f3dd',
    provenance: KIND_CNI_PLUGINS_PROVENANCE,
  },
};

/**
 * cilium-cli release tarballs per host architecture (the tool runs on the host). No sha256 could be
 * read offline; each release publishes `<asset>.sha256sum` next to the asset, which is the source.
 */
export const ciliumCliTarballs: Record<string, Pin> = Object.fromEntries(
  ['amd64', 'arm64'].map((arch) => {
    const url = `https://github.com/cilium/cilium-cli/releases/download/${ciliumCliVersion}/cilium-linux-${arch}.tar.gz`;
    return [arch, { url, sha256: UNVERIFIED_SHA256, provenance: 'not recorded: the release checksum file could not be read where the pins were recorded', checksumSource: `${url}.sha256sum` }];
  }),
);

/** Images each CNI or controller runs, for `kind load` preloading. Digests where upstream pins them. */
export const componentImages = {
  calico: [
    // The operator itself (tigera-operator.yaml); it then creates the calico/* workloads below.
    'quay.io/tigera/operator:v1.42.3',
    `quay.io/calico/node:${cniVersions.calico}`,
    `quay.io/calico/cni:${cniVersions.calico}`,
    `quay.io/calico/kube-controllers:${cniVersions.calico}`,
    `quay.io/calico/typha:${cniVersions.calico}`,
    `quay.io/calico/pod2daemon-flexvol:${cniVersions.calico}`,
    `quay.io/calico/csi:${cniVersions.calico}`,
    `quay.io/calico/node-driver-registrar:${cniVersions.calico}`,
  ],
  flannel: [
    `ghcr.io/flannel-io/flannel:${cniVersions.flannel}`,
    'ghcr.io/flannel-io/flannel-cni-plugin:v1.8.0-flannel1',
  ],
  cilium: [
    'quay.io/cilium/cilium:v1.19.6@sha256:0df5b2750b64c49843aba1d649e9eaf61467cb0645ad3171db6f6962c095ac92',
    'quay.io/cilium/operator-generic:v1.19.6@sha256:0db4ca4e06969d8904ee036617795d0e9c3228cf7b8d902ba74fc2bb98d2d665',
    'quay.io/cilium/cilium-envoy:v1.36.9-1782267392-edeb3f2af56c37c407efa1f63f0b32f595399bbc@sha256:767101fb8a5e38f055778cb43b7aa8eed80450b37f8121effac3d9de9e06dc99',
  ],
  weave: ['rajchaudhuri/weave-kube:2.9.0', 'rajchaudhuri/weave-npc:2.9.0'],
  ingressNginx: [
    'registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1',
    'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9@sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd',
  ],
} as const;

/** Flannel releases cnimatrix has pins for: cniVersions.flannel, and the ones an upgrade cell can start from. */
export const flannelReleases = {
  'v0.26.7': { manifest: manifestPins.flannelV0267, images: ['ghcr.io/flannel-io/flannel:v0.26.7', 'ghcr.io/flannel-io/flannel-cni-plugin:v1.6.2-flannel1'] },
  'v0.27.3': { manifest: manifestPins.flannelV0273, images: ['ghcr.io/flannel-io/flannel:v0.27.3', 'ghcr.io/flannel-io/flannel-cni-plugin:v1.7.1-flannel1'] },
  [cniVersions.flannel]: { manifest: manifestPins.flannel, images: componentImages.flannel },
} as const satisfies Record<string, { manifest: ManifestPin; images: readonly string[] }>;

/** Every pin in one list, for `cnimatrix pins verify`. */
export function allPins(): (Pin & { id: string })[] {
  return [
    ...Object.values(manifestPins).map(({ id, url, sha256, provenance }) => ({ id, url, sha256, provenance })),
    ...Object.entries(cniPluginsTarballs).map(([arch, pin]) => ({ id: `cni-plugins-${arch}`, ...pin })),
    ...Object.entries(ciliumCliTarballs).map(([arch, pin]) => ({ id: `cilium-cli-${arch}`, ...pin })),
  ];
}
