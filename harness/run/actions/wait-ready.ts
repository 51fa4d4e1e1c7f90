// Waits for the cell to be usable: nodes Ready, the CNI rolled out, CoreDNS available.
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';

export const waitReady: Action = {
  phase: 'wait-ready',
  async run(ctx) {
    const kube = requireKube(ctx);
    for (const step of ctx.cell.readiness) {
      ctx.log(step.description);
      await kube.waitFor(step.condition, Math.min(step.timeoutMs, ctx.config.timeouts.cniReady));
    }
    const nodes = await kube.list('v1', 'Node');
    const kubelet = (nodes[0]?.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion;
    if (kubelet) ctx.kubernetesVersion = kubelet;
  },
};
