// --kubeconfig: the suites run against a cluster cnimatrix did not create. The cell is described
// by --cni/--proxy-mode when given, else detected from what runs in the cluster.
import type { Kube } from '../kube/types.ts';
import { BadInputError } from '../model/errors.ts';
import type { CniName, ProxyMode } from '../model/cell.ts';
import { detectCni, detectProxyMode } from './detect.ts';

export interface ClusterDescription {
  cni?: CniName;
  proxyMode?: ProxyMode;
}

export async function describeExistingCluster(kube: Kube, given: ClusterDescription): Promise<{ cni: CniName; proxyMode: ProxyMode; detected: string[] }> {
  // Without nodes nothing runs: no CNI, no kube-proxy, no test pod. Said at once, not after a wait.
  if ((await kube.list('v1', 'Node')).length === 0) {
    throw new BadInputError(`the cluster at ${kube.server} (--kubeconfig) has no nodes: no pod can run in it`, 'join nodes to it (their kubelets register them), or point --kubeconfig at a cluster that has some');
  }
  const detected: string[] = [];
  let cni = given.cni;
  if (!cni) {
    cni = await detectCni(kube);
    if (!cni) {
      throw new BadInputError(
        `cannot tell which CNI the cluster at ${kube.server} runs: none of the known DaemonSets (kindnet, calico-node, kube-flannel-ds, cilium, weave-net) exists`,
        'name it with --cni',
      );
    }
    detected.push(`CNI ${cni} (from its DaemonSet)`);
  }
  let proxyMode = given.proxyMode;
  if (!proxyMode) {
    const finding = await detectProxyMode(kube);
    if ('unknown' in finding) throw new BadInputError(`cannot tell the cluster's kube-proxy mode: ${finding.unknown}`, 'name it with --proxy-mode (iptables, ipvs, nftables or none)');
    proxyMode = finding.mode;
    detected.push(`proxy mode ${proxyMode} (${finding.source})`);
  }
  return { cni, proxyMode, detected };
}

/** The ingress suite needs an IngressClass the cluster already has. */
export async function hasIngressClass(kube: Kube, name: string): Promise<boolean> {
  return (await kube.get({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', name })) !== undefined;
}
