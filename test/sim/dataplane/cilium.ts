// `cilium-dbg status` in a Cilium agent pod: the lines of the real report that say what the agent
// does, KubeProxyReplacement first among them (True when cilium-config turns the replacement on).
import type { DataplaneContext } from './context.ts';
import type { SimPod } from './state.ts';

export interface CiliumDbgResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function isAgentPod(pod: SimPod): boolean {
  return pod.namespace === 'kube-system' && pod.containers.some((c) => c.name === 'cilium-agent');
}

export function ciliumDbg(ctx: DataplaneContext, pod: SimPod, args: string[]): CiliumDbgResult {
  if (ctx.cni?.name !== 'cilium' || !isAgentPod(pod)) return { stdout: '', stderr: 'sh: cilium-dbg: not found\n', exitCode: 127 };
  if (args[0] !== 'status') return { stdout: '', stderr: `Error: unknown command "${args[0] ?? ''}" for "cilium-dbg"\n`, exitCode: 1 };
  const node = ctx.state.nodes.find((n) => n.name === pod.node);
  const kpr = ctx.cni.replacesKubeProxy ? `True   [eth0   ${node?.ip ?? ''} (Direct Routing)]` : 'False';
  const lines = [
    'KVStore:                 Disabled',
    'Kubernetes:              Ok',
    `KubeProxyReplacement:    ${kpr}`,
    'Cilium:                  Ok',
    'IPAM:                    IPv4: kubernetes',
  ];
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
}
