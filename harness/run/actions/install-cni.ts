// Installs the cell's CNI from its profile's steps (pinned, hash-checked manifests).
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';
import { cellStepOptions, executeInstallSteps } from '../install-steps.ts';

export const installCni: Action = {
  phase: 'install-cni',
  skip: (ctx) =>
    ctx.mode === 'existing'
      ? 'the cluster brings its own CNI (--kubeconfig)'
      : ctx.alreadyInstalled
        ? 'the reused cluster has it already'
        : ctx.cell.installSteps.length === 0
          ? `${ctx.cell.cni} is kind's built-in CNI`
          : undefined,
  async run(ctx) {
    await executeInstallSteps(requireKube(ctx), ctx.cell.installSteps, cellStepOptions(ctx));
  },
};
