// An upgrade cell for dataplane tests: the fixture's cluster (testing/fixture.ts) with its CNI
// agent as a real DaemonSet run by the sim's controllers, a disruption monitor exec'd in the client
// pod y/c, and the agent's template changed in place while the monitor runs.
import { buildMonitorScript, MONITOR_STOP_FILE, parseMonitorOutput, type MonitorEvent, type MonitorSpec } from '../../../harness/upgrade/monitor-script.ts';
import { startControllers } from '../apiserver/controllers/index.ts';
import type { ApiServerTiming, KubeObject, ObjectStore } from '../apiserver/index.ts';
import { execHarness, seededStore, type ExecHarness } from './fixture.ts';

export const TIMING: ApiServerTiming = { podStartMs: 50, podStopMs: 400, jobRunMs: 50, crdEstablishMs: 20, namespaceFinalizeMs: 50 };

const AGENTS = { 'kube-flannel-ds': 'kube-flannel', 'calico-node': 'calico-system' } as const;
export type AgentName = keyof typeof AGENTS;

function agentDaemonSet(name: AgentName, version: string): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: AGENTS[name] },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'agent', image: `example.org/${name}:${version}` }] } },
    },
  };
}

export interface UpgradeCell {
  store: ObjectStore;
  exec: ExecHarness;
  stop(): void;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rolledOut(store: ObjectStore, name: AgentName, generation: number): boolean {
  const ds = store.get('apps/v1', 'DaemonSet', AGENTS[name], name);
  const s = ds?.['status'] as { observedGeneration?: number; desiredNumberScheduled?: number; updatedNumberScheduled?: number; numberAvailable?: number } | undefined;
  const desired = s?.desiredNumberScheduled ?? 0;
  return desired > 0 && s?.observedGeneration === generation && s.updatedNumberScheduled === desired && s.numberAvailable === desired;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

/** The fixture's store with `agent` running from its controllers, rolled out at its first version. */
export async function startUpgradeCell(agent: AgentName, faults: string[] = []): Promise<UpgradeCell> {
  const store = seededStore({ cni: agent });
  for (const ds of store.list('apps/v1', 'DaemonSet').filter((d) => d.metadata.name === agent)) store.delete('apps/v1', 'DaemonSet', ds.metadata.namespace, ds.metadata.name);
  const exec = execHarness(store);
  exec.faults = faults;
  const controllers = startControllers({ store, timing: TIMING, podStartup: undefined });
  store.put(agentDaemonSet(agent, 'v1'));
  await until(() => rolledOut(store, agent, 1), `${agent} rolled out`);
  return { store, exec, stop: controllers.stop };
}

export interface MonitoredUpgrade {
  exitCode: number;
  events: MonitorEvent[];
  /** When the new template was applied, and when its rollout was complete. */
  upgradedAt: number;
  rolledOutAt: number;
  /** Node → when its new agent pod was created. */
  replacedAt: Map<string, number>;
}

/**
 * Runs the monitor in y/c while `agent` is upgraded in place: the monitor starts, the template
 * changes `leadMs` later, and the stop file comes `settleMs` after the rollout ends.
 */
export async function monitorUpgrade(cell: UpgradeCell, agent: AgentName, spec: MonitorSpec, opts: { leadMs?: number; settleMs?: number } = {}): Promise<MonitoredUpgrade> {
  const { store, exec } = cell;
  const created = new Map<string, number>();
  store.onChange(({ type, object }) => {
    if (type === 'ADDED' && object.kind === 'Pod' && object.metadata.uid) created.set(object.metadata.uid, Date.now());
  });
  await exec.run('y/c', ['rm', '-f', MONITOR_STOP_FILE]);
  const monitor = exec.run('y/c', ['/bin/bash', '-c', buildMonitorScript(spec)]);
  await sleep(opts.leadMs ?? 300);
  const ds = structuredClone(store.get('apps/v1', 'DaemonSet', AGENTS[agent], agent)!);
  (ds['spec'] as { template: unknown }).template = (agentDaemonSet(agent, 'v2')['spec'] as { template: unknown }).template;
  const upgradedAt = Date.now();
  store.put(ds);
  await until(() => rolledOut(store, agent, 2), `${agent} rolled out again`);
  const rolledOutAt = Date.now();
  await sleep(opts.settleMs ?? 300);
  await exec.run('y/c', ['touch', MONITOR_STOP_FILE]);
  const reply = await monitor;
  const replacedAt = new Map<string, number>();
  for (const pod of store.list('v1', 'Pod', { namespace: AGENTS[agent], labelSelector: `app=${agent}` })) {
    replacedAt.set(String((pod['spec'] as { nodeName?: string }).nodeName), created.get(pod.metadata.uid!)!);
  }
  return { exitCode: reply.exitCode, events: parseMonitorOutput(reply.stdout), upgradedAt, rolledOutAt, replacedAt };
}
