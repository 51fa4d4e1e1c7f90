// Waits for the cell to be usable: nodes Ready, the CNI rolled out, CoreDNS available. In a
// cluster cnimatrix did not create, an object that is not there will not appear by waiting: it is
// reported at once, with what to do.
import type { Kube, ObjectRef, WaitCondition } from '../../kube/types.ts';
import type { Action } from '../action.ts';
import { requireKube } from '../context.ts';
import { clusterKubernetesVersion } from '../detect.ts';

/** The object a wait is about, when it names one. */
function awaitedObject(condition: WaitCondition): ObjectRef | undefined {
  if (condition.kind === 'daemonSetRolledOut') return { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: condition.namespace, name: condition.name };
  if (condition.kind === 'deploymentAvailable') return { apiVersion: 'apps/v1', kind: 'Deployment', namespace: condition.namespace, name: condition.name };
  return undefined;
}

async function requirePresent(kube: Kube, condition: WaitCondition, cni: string): Promise<void> {
  const ref = awaitedObject(condition);
  if (!ref || (await kube.get(ref))) return;
  throw new Error(
    `${ref.kind} ${ref.namespace}/${ref.name} does not exist in this cluster, so ${cni}'s readiness cannot be checked; ` +
      `if the cluster runs another CNI (or ${cni} under other names), pass --cni with the one it runs`,
  );
}

export const waitReady: Action = {
  phase: 'wait-ready',
  async run(ctx) {
    const kube = requireKube(ctx);
    for (const step of ctx.cell.readiness) {
      ctx.status(`waiting: ${step.description}`);
      if (ctx.mode === 'existing') await requirePresent(kube, step.condition, ctx.cell.cni);
      await kube.waitFor(step.condition, Math.min(step.timeoutMs, ctx.config.timeouts.cniReady), ctx.signal);
      // Logged once true: a line saying "rolled out" must not precede the failure saying it was not.
      ctx.log(step.description);
    }
    const version = await clusterKubernetesVersion(kube);
    if (version) ctx.kubernetesVersion = version;
  },
};
