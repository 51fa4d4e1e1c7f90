// Installs the ingress controller the ingress suite needs, and waits until its admission webhook can
// answer (its Secret and CA exist, the controller serving it is Ready), which is when Ingress
// objects can be created.
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';
import { executeInstallSteps } from '../install-steps.ts';

export const installIngress: Action = {
  phase: 'install-ingress',
  skip: (ctx) =>
    !ctx.cell.ingress
      ? 'no suite of this run needs an ingress controller'
      : ctx.mode === 'existing'
        ? 'an existing cluster keeps its own ingress controller (--kubeconfig)'
        : ctx.alreadyInstalled
          ? 'the reused cluster has it already'
          : undefined,
  async run(ctx) {
    const ingress = ctx.cell.ingress;
    if (!ingress) return;
    const kube = requireKube(ctx);
    await executeInstallSteps(kube, ingress.installSteps, {
      cacheDir: ctx.cacheDir,
      log: ctx.log,
      preloaded: ctx.config.preload,
      signal: ctx.signal,
    });
    for (const step of ingress.readiness) {
      ctx.log(step.description);
      await kube.waitFor(step.condition, Math.min(step.timeoutMs, ctx.config.timeouts.ingressReady), ctx.signal);
    }
  },
};
