// Which CNI agent pods an upgrade replaced: the pods of every DaemonSet the new release's readiness
// waits for, before and after. An upgrade that replaced none exercised nothing, however green.
import type { WaitStep } from '../../clusters/install-step.ts';
import type { Kube } from '../kube/types.ts';

export interface AgentPods {
  /** `<namespace>/<DaemonSet>` → the uids of its pods. */
  byDaemonSet: Map<string, Set<string>>;
}

export interface AgentReplacement {
  /** Pods after the upgrade that did not exist before it, over all agent DaemonSets. */
  replaced: number;
  total: number;
  /** The DaemonSets looked at, e.g. kube-flannel/kube-flannel-ds. */
  daemonSets: string[];
}

export async function agentPods(kube: Kube, readiness: readonly WaitStep[]): Promise<AgentPods> {
  const byDaemonSet = new Map<string, Set<string>>();
  for (const step of readiness) {
    const c = step.condition;
    if (c.kind !== 'daemonSetRolledOut') continue;
    const ds = await kube.get({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: c.namespace, name: c.name });
    const labels = (ds?.['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {};
    const labelSelector = Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
    const pods = labelSelector === '' ? [] : await kube.list('v1', 'Pod', { namespace: c.namespace, labelSelector });
    byDaemonSet.set(`${c.namespace}/${c.name}`, new Set(pods.map((p) => String(p.metadata['uid'] ?? p.metadata.name))));
  }
  return { byDaemonSet };
}

export function replacement(before: AgentPods, after: AgentPods): AgentReplacement {
  let replaced = 0;
  let total = 0;
  for (const [daemonSet, pods] of after.byDaemonSet) {
    const old = before.byDaemonSet.get(daemonSet) ?? new Set<string>();
    total += pods.size;
    replaced += [...pods].filter((uid) => !old.has(uid)).length;
  }
  return { replaced, total, daemonSets: [...after.byDaemonSet.keys()] };
}
