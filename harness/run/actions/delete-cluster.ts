// Deletes the cell's cluster unless --keep (or --reuse/--kubeconfig) says otherwise.
import { rm } from 'node:fs/promises';
import type { Action } from '../action.ts';
import type { CellContext } from '../context.ts';

function cellFailed(ctx: CellContext): boolean {
  return ctx.failedPhase !== undefined || ctx.tests.some((t) => t.status === 'fail' || t.status === 'error');
}

/** Why the cluster stays, or undefined when it is deleted. */
export function keepReason(ctx: CellContext): string | undefined {
  if (ctx.mode === 'existing') return 'the cluster is not cnimatrix\'s (--kubeconfig)';
  if (ctx.mode === 'reuse') return `kept for the next run (--reuse); \`cnimatrix clean\` deletes it`;
  if (!ctx.clusterExists) return 'no cluster was created';
  if (ctx.signal.aborted) return undefined;
  if (ctx.config.keep === 'all') return `kept (--keep all); KUBECONFIG=${ctx.kubeconfigPath}; delete it with \`kind delete cluster --name ${ctx.cell.clusterName}\``;
  if (ctx.config.keep === 'failed' && cellFailed(ctx)) {
    return `kept because the cell failed (--keep failed); KUBECONFIG=${ctx.kubeconfigPath}; delete it with \`kind delete cluster --name ${ctx.cell.clusterName}\``;
  }
  return undefined;
}

export const deleteCluster: Action = {
  phase: 'delete-cluster',
  skip: keepReason,
  async run(ctx) {
    ctx.log(`kind delete cluster --name ${ctx.cell.clusterName}`);
    await ctx.kind.deleteCluster(ctx.cell.clusterName);
    ctx.clusterExists = false;
    // The kubeconfig held the deleted cluster's credentials; kept clusters keep theirs.
    await rm(ctx.kubeconfigPath, { force: true });
  },
};
