// Confirms the proxy mode really in effect before any suite trusts the cell: every node's kube-proxy
// must report the requested mode; for none, no kube-proxy may answer and the CNI must confirm that
// it replaces kube-proxy.
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';
import { kubeProxyReplacementProblems, nodeProxyModes, type NodeProxyMode } from '../proxy-mode-probe.ts';

function mismatch(wanted: string, answer: NodeProxyMode): string | undefined {
  if ('error' in answer) return `${answer.node}: cannot ask kube-proxy: ${answer.error}`;
  if ('none' in answer) return wanted === 'none' ? undefined : `${answer.node}: no kube-proxy answers on 127.0.0.1:10249 although the cell asked for mode ${wanted}`;
  if (wanted === 'none') return `${answer.node}: kube-proxy is running (mode ${answer.mode}) although the cell asked for none`;
  return answer.mode === wanted ? undefined : `${answer.node}: kube-proxy runs in mode ${answer.mode} instead of ${wanted}`;
}

export const verifyProxyMode: Action = {
  phase: 'verify-proxy-mode',
  async run(ctx) {
    const kube = requireKube(ctx);
    const wanted = ctx.cell.proxyMode;
    const answers = await nodeProxyModes(kube, ctx.signal);
    if (answers.length === 0) throw new Error('no node ran the proxy-mode probe pod, so no kube-proxy could be asked');
    const problems = answers.map((a) => mismatch(wanted, a)).filter((p): p is string => p !== undefined);
    const check = ctx.cell.kubeProxyReplacementCheck;
    if (wanted === 'none' && check !== undefined) problems.push(...(await kubeProxyReplacementProblems(kube, check)));
    if (problems.length > 0) throw new Error(`proxy mode ${wanted} is not in effect: ${problems.join('; ')}`);
    ctx.log(
      wanted === 'none'
        ? `no kube-proxy on ${answers.length} nodes${check === undefined ? '' : `; ${check.what}`}`
        : `kube-proxy mode ${wanted} on all ${answers.length} nodes`,
    );
  },
};
