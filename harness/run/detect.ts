// Reads what a live cluster really runs: the proxy mode from each node's kube-proxy itself (a
// DaemonSet, static pods or a systemd unit alike answer /proxyMode on the node), and the CNI from
// the DaemonSets the CNIs create.
import { conditionsOf, hasCondition } from '../kube/diagnose.ts';
import type { Kube } from '../kube/types.ts';
import { CNI_NAMES, PROXY_MODES, type CniName, type ProxyMode } from '../model/cell.ts';
import { nodeProxyModes } from './proxy-mode-probe.ts';

export type ProxyModeFinding = { mode: ProxyMode; source: string } | { unknown: string };

const isProxyMode = (mode: string): mode is ProxyMode => (PROXY_MODES as readonly string[]).includes(mode) && mode !== 'none';

/**
 * The proxy mode in effect, from what every node's kube-proxy answers. No answer on any node is
 * "none" only when kube-system runs no kube-proxy pod either: kube-proxy with its metrics address
 * moved or switched off is not told apart from its absence by asking, so that is left to the user.
 */
export async function detectProxyMode(kube: Kube): Promise<ProxyModeFinding> {
  // A probe pod on a node that is not Ready never starts: say so now rather than after its timeout.
  const notReady = (await kube.list('v1', 'Node')).filter((n) => !hasCondition(n, 'Ready'));
  if (notReady.length > 0) {
    const why = notReady.map((n) => `${n.metadata.name}: ${conditionsOf(n).find((c) => c.type === 'Ready')?.reason ?? 'no Ready condition'}`).join(', ');
    return { unknown: `${notReady.length === 1 ? 'a node is' : `${notReady.length} nodes are`} not Ready (${why}), so their kube-proxy cannot be asked` };
  }
  const answers = await nodeProxyModes(kube);
  if (answers.length === 0) return { unknown: 'no node ran the probe pod that asks kube-proxy' };
  const problems = answers.flatMap((a) => ('error' in a ? [`${a.node}: ${a.error}`] : []));
  if (problems.length > 0) return { unknown: `kube-proxy could not be asked on every node (${problems.join('; ')})` };
  const modes = new Set(answers.flatMap((a) => ('mode' in a ? [a.mode] : [])));
  const silent = answers.filter((a) => 'none' in a).map((a) => a.node);
  if (modes.size === 0) {
    const pods = await kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' });
    if (pods.length > 0) {
      return { unknown: `kube-proxy pods run (${pods.map((p) => p.metadata.name).join(', ')}) but no node's kube-proxy answers /proxyMode on 127.0.0.1:10249 (metrics address moved or off?)` };
    }
    return { mode: 'none', source: `no kube-proxy answers /proxyMode on ${answers.length === 1 ? 'the only node' : `any of the ${answers.length} nodes`}, and kube-system runs no kube-proxy pod` };
  }
  if (modes.size > 1 || silent.length > 0) {
    const said = answers.map((a) => `${a.node}: ${'mode' in a ? a.mode : 'no kube-proxy'}`).join(', ');
    return { unknown: `the nodes' kube-proxies disagree (${said})` };
  }
  const [mode] = [...modes] as [string];
  if (!isProxyMode(mode)) return { unknown: `kube-proxy reports mode "${mode}", which cnimatrix does not test` };
  return { mode, source: `kube-proxy's /proxyMode on ${answers.length === 1 ? 'the only node' : `all ${answers.length} nodes`}` };
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

/** The cluster's Kubernetes version as its kubelets report it (the first node's), if any node says. */
export async function clusterKubernetesVersion(kube: Kube): Promise<string | undefined> {
  const nodes = await kube.list('v1', 'Node');
  return nodes.map((n) => (n.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion).find((v) => v !== undefined && v !== '');
}
