// Reads what a live cluster really runs: kube-proxy's configured mode and the CNI, from the
// objects kind and the CNIs create (kube-system/kube-proxy ConfigMap, CNI DaemonSets).
import { parse as parseYaml } from 'yaml';
import type { Kube } from '../kube/types.ts';
import { CNI_NAMES, type CniName, type ProxyMode } from '../model/cell.ts';

/** The proxy mode kube-proxy is configured with, or "none" when the cluster has no kube-proxy. */
export async function readProxyMode(kube: Kube): Promise<ProxyMode | { unknown: string }> {
  const daemonSet = await kube.get({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' });
  if (!daemonSet) return 'none';
  const configMap = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' });
  const conf = (configMap?.data as Record<string, string> | undefined)?.['config.conf'];
  if (conf === undefined) return { unknown: 'kube-proxy runs but its ConfigMap kube-system/kube-proxy has no config.conf' };
  const mode = (parseYaml(conf) as { mode?: string } | null)?.mode;
  // kube-proxy treats an empty mode as its platform default, iptables on Linux.
  const effective = mode === undefined || mode === '' ? 'iptables' : mode;
  if (effective === 'iptables' || effective === 'ipvs' || effective === 'nftables') return effective;
  return { unknown: `kube-proxy is configured with mode "${effective}"` };
}

/** DaemonSets that identify each CNI, as their upstream manifests name them. */
const CNI_DAEMONSETS: Record<CniName, { namespace?: string; name: string }[]> = {
  kindnet: [{ namespace: 'kube-system', name: 'kindnet' }],
  calico: [{ name: 'calico-node' }],
  flannel: [{ name: 'kube-flannel-ds' }],
  cilium: [{ namespace: 'kube-system', name: 'cilium' }],
  weave: [{ namespace: 'kube-system', name: 'weave-net' }],
};

/** Which known CNI a cluster runs, from its DaemonSets; undefined when none is recognised. */
export async function detectCni(kube: Kube): Promise<CniName | undefined> {
  const daemonSets = await kube.list('apps/v1', 'DaemonSet');
  return CNI_NAMES.find((cni) =>
    CNI_DAEMONSETS[cni].some((want) =>
      daemonSets.some((ds) => ds.metadata.name === want.name && (want.namespace === undefined || ds.metadata.namespace === want.namespace)),
    ),
  );
}
