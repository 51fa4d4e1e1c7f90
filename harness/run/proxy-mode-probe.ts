// Asks the cluster which proxy mode is really in effect, rather than reading the configuration
// kind itself wrote: each node's kube-proxy answers /proxyMode on 127.0.0.1:10249 (its metrics
// address, reachable only from that node's network namespace), so a hostNetwork pod per node asks
// it; for proxy mode none, the CNI's own agent is asked whether it replaces kube-proxy.
import type { KubeProxyReplacementCheck } from '../../clusters/profile.ts';
import type { Kube } from '../kube/types.ts';
import { askEveryNode } from './node-probe.ts';

export const PROBE_NAMESPACE = 'cnimatrix-proxy-mode';
const PROXY_MODE_URL = 'http://127.0.0.1:10249/proxyMode';
/** curl's exit code when nothing listens: no kube-proxy on the node. */
const CURL_COULD_NOT_CONNECT = 7;

export type NodeProxyMode = { node: string; mode: string } | { node: string; none: true } | { node: string; error: string };

/** The proxy mode each node's kube-proxy reports (or that none listens there). */
export function nodeProxyModes(kube: Kube, signal?: AbortSignal): Promise<NodeProxyMode[]> {
  return askEveryNode(kube, { namespace: PROBE_NAMESPACE, hostNetwork: true }, async (target, node): Promise<NodeProxyMode> => {
    const result = await kube.exec(target, ['curl', '-sS', '--max-time', '5', PROXY_MODE_URL]);
    if (result.exitCode === 0) return { node, mode: result.stdout.trim() };
    if (result.exitCode === CURL_COULD_NOT_CONNECT) return { node, none: true };
    return { node, error: `curl ${PROXY_MODE_URL} exited ${result.exitCode}: ${result.stderr.trim()}` };
  }, signal);
}

/** Problems with the CNI's kube-proxy replacement, one per agent pod that does not confirm it. */
export async function kubeProxyReplacementProblems(kube: Kube, check: KubeProxyReplacementCheck): Promise<string[]> {
  const pods = await kube.list('v1', 'Pod', { namespace: check.namespace, labelSelector: check.labelSelector });
  if (pods.length === 0) return [`no pod in ${check.namespace} matches ${check.labelSelector} to ask (${check.what})`];
  const expected = new RegExp(check.expect, 'm');
  const problems: string[] = [];
  for (const pod of pods) {
    const result = await kube.exec({ namespace: check.namespace, pod: pod.metadata.name, container: check.container }, check.command);
    if (result.exitCode === 0 && expected.test(result.stdout)) continue;
    const said = result.stdout.split('\n').find((line) => /KubeProxyReplacement/i.test(line))?.trim() ?? result.stderr.trim();
    problems.push(`${pod.metadata.name}: \`${check.command.join(' ')}\` exited ${result.exitCode}${said ? ` (${said})` : ''}, expected ${check.what}`);
  }
  return problems;
}
