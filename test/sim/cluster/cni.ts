// Which CNI a simulated cluster runs, read from its DaemonSets the way an operator would: a known
// DaemonSet name, or any DaemonSet whose pods mount the CNI config directory. The traits are the
// behaviours the dataplane model gives that CNI (see README.md, "How the sim maps to reality").
import type { KubeObject } from '../apiserver/index.ts';

export type SimCniName = 'kindnet' | 'calico' | 'cilium' | 'flannel' | 'weave' | 'unknown';

export interface CniTraits {
  name: SimCniName;
  /** NetworkPolicy is enforced. */
  enforcesPolicy: boolean;
  /** SCTP pod traffic works. */
  sctp: boolean;
  /** The CNI routes Service traffic itself (kube-proxy replacement). */
  replacesKubeProxy: boolean;
  /** ipBlock peers match in-cluster addresses (pod and node IPs), not only external ones. */
  ipBlockMatchesClusterAddresses: boolean;
}

const KNOWN_DAEMONSETS: Record<string, SimCniName> = {
  kindnet: 'kindnet',
  'calico-node': 'calico',
  cilium: 'cilium',
  'kube-flannel-ds': 'flannel',
  'weave-net': 'weave',
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function mountsCniConfig(ds: KubeObject): boolean {
  const podSpec = obj(obj(obj(ds.spec).template).spec);
  return arr(podSpec.volumes).some((v) => obj(obj(v).hostPath).path === '/etc/cni/net.d');
}

function containerNames(ds: KubeObject): string[] {
  const podSpec = obj(obj(obj(ds.spec).template).spec);
  return arr(podSpec.containers).map((c) => String(obj(c).name ?? ''));
}

/** The CNI DaemonSet, if any CNI is installed. */
export function cniDaemonSet(daemonSets: KubeObject[]): KubeObject | undefined {
  return daemonSets.find((ds) => ds.metadata.name in KNOWN_DAEMONSETS) ?? daemonSets.find(mountsCniConfig);
}

/**
 * Traits of the installed CNI; undefined when there is none (nodes then stay NotReady).
 * Flannel enforces policy only with its kube-network-policies companion (Helm netpol.enabled).
 * Cilium replaces kube-proxy unless its cilium-config says kube-proxy-replacement is off.
 */
export function detectCni(daemonSets: KubeObject[], configMaps: KubeObject[]): CniTraits | undefined {
  const ds = cniDaemonSet(daemonSets);
  if (!ds) return undefined;
  const name = KNOWN_DAEMONSETS[ds.metadata.name] ?? 'unknown';
  const withNetpolCompanion =
    daemonSets.some((d) => d.metadata.name === 'kube-network-policies') || containerNames(ds).includes('kube-network-policies');
  const ciliumConfig = configMaps.find((c) => c.metadata.name === 'cilium-config' && c.metadata.namespace === 'kube-system');
  const kpr = obj(ciliumConfig?.data)['kube-proxy-replacement'];
  return {
    name,
    enforcesPolicy: name === 'flannel' ? withNetpolCompanion : name !== 'unknown',
    // Flannel's VXLAN carries any IP protocol; Cilium drops SCTP unless cilium-config enables it.
    sctp: name === 'kindnet' || name === 'calico' || name === 'flannel' || (name === 'cilium' && obj(ciliumConfig?.data)['enable-sctp'] === 'true'),
    replacesKubeProxy: name === 'cilium' && kpr !== 'false' && kpr !== false,
    // Cilium decides in-cluster peers by identity; its CIDR selectors never match them.
    ipBlockMatchesClusterAddresses: name !== 'cilium',
  };
}

export type SimProxyMode = 'iptables' | 'ipvs' | 'nftables';

/**
 * kube-proxy's mode: from its ConfigMap when a DaemonSet runs it (kind writes `mode:` explicitly),
 * from `--proxy-mode` when it runs as static pods (`kubeProxyPodArgs`); undefined without kube-proxy.
 */
export function kubeProxyMode(configMaps: KubeObject[], daemonSets: KubeObject[], kubeProxyPodArgs: string[][] = []): SimProxyMode | undefined {
  const hasDaemonSet = daemonSets.some((d) => d.metadata.name === 'kube-proxy' && d.metadata.namespace === 'kube-system');
  // kube-proxy as static pods (kubeadm-style clusters, GKE): configured by their flags.
  const flag = kubeProxyPodArgs.flat().find((a) => a.startsWith('--proxy-mode='))?.slice('--proxy-mode='.length);
  if (!hasDaemonSet && kubeProxyPodArgs.length > 0) return flag === 'ipvs' || flag === 'nftables' ? flag : 'iptables';
  const cm = configMaps.find((c) => c.metadata.name === 'kube-proxy' && c.metadata.namespace === 'kube-system');
  if (!hasDaemonSet || !cm) return undefined;
  const conf = String(obj(cm.data)['config.conf'] ?? '');
  const mode = /^mode:\s*"?([a-z]*)"?\s*$/m.exec(conf)?.[1] ?? '';
  // kube-proxy's own default for an empty mode on Linux is iptables.
  return mode === 'ipvs' || mode === 'nftables' ? mode : 'iptables';
}
