// Runs the disruption monitor: one long exec of the monitor script in each client pod, stopped by
// creating its stop file, its output parsed into events (docs/probe-protocol.md).
import { connectCommand, fqdnDigCommand } from '../probe/commands.ts';
import type { ScriptProbe } from '../probe/script.ts';
import type { Kube } from '../kube/types.ts';
import type { MonitorRecord } from './disruption.ts';
import { buildMonitorScript, MONITOR_STOP_FILE, parseMonitorOutput, type HeldConnection } from './monitor-script.ts';
import { MONITOR_NAMESPACE, type MonitorPods } from './monitor-workload.ts';

export const MONITOR_TICK_MS = 200;
/** The probes' own bound: one lost probe costs a tick of this length. */
const PROBE_TIMEOUT_S = 1;
/** Resolved by CoreDNS itself (the API server's Service): a cache hit still crosses the pod network. */
const DNS_NAME = 'kubernetes.default.svc.cluster.local';

export interface RunningMonitor {
  /** Creates every stop file and returns what each source saw. */
  stop(): Promise<MonitorRecord[]>;
}

interface SourcePlan {
  pod: string;
  holds: HeldConnection[];
  probes: ScriptProbe[];
  targets: Record<string, string>;
}

function sourcePlans(pods: MonitorPods): SourcePlan[] {
  return (['a', 'b'] as const).map((side) => {
    const other = side === 'a' ? 'b' : 'a';
    const same = pods.servers[side];
    const cross = pods.servers[other];
    const targets: Record<string, string> = {
      'hold.same': `${same}:80`,
      'hold.cross': `${cross}:80`,
      'tcp.same': `${same}:80`,
      'tcp.cross': `${cross}:80`,
      'udp.same': `${same}:80/udp`,
      'udp.cross': `${cross}:80/udp`,
      'tcp.service': `${pods.serviceIp}:80`,
    };
    const probes: ScriptProbe[] = [
      { id: 'tcp.same', command: connectCommand(same, 80, 'TCP', PROBE_TIMEOUT_S) },
      { id: 'tcp.cross', command: connectCommand(cross, 80, 'TCP', PROBE_TIMEOUT_S) },
      { id: 'udp.same', command: connectCommand(same, 80, 'UDP', PROBE_TIMEOUT_S) },
      { id: 'udp.cross', command: connectCommand(cross, 80, 'UDP', PROBE_TIMEOUT_S) },
      { id: 'tcp.service', command: connectCommand(pods.serviceIp, 80, 'TCP', PROBE_TIMEOUT_S) },
    ];
    if (side === 'a') {
      probes.push({ id: 'dns', command: fqdnDigCommand(DNS_NAME, 'A', PROBE_TIMEOUT_S, 1) });
      targets['dns'] = `${DNS_NAME} A`;
    }
    if (pods.isolated !== undefined) {
      probes.push({ id: 'leak.same', command: connectCommand(pods.isolated[side], 80, 'TCP', PROBE_TIMEOUT_S) });
      probes.push({ id: 'leak.cross', command: connectCommand(pods.isolated[other], 80, 'TCP', PROBE_TIMEOUT_S) });
      targets['leak.same'] = `${pods.isolated[side]}:80`;
      targets['leak.cross'] = `${pods.isolated[other]}:80`;
    }
    return {
      pod: pods.clients[side],
      holds: [
        { id: 'hold.same', host: same, port: 80 },
        { id: 'hold.cross', host: cross, port: 80 },
      ],
      probes,
      targets,
    };
  });
}

/**
 * Starts the monitor in both client pods. It runs until `stop()`, or `maxSeconds` at most; an exec
 * that fails ends that source's record where its output ends.
 */
export async function startMonitor(kube: Kube, pods: MonitorPods, maxSeconds: number): Promise<RunningMonitor> {
  const plans = sourcePlans(pods);
  const target = (pod: string) => ({ namespace: MONITOR_NAMESPACE, pod, container: 'agnhost' });
  await Promise.all(plans.map((plan) => kube.exec(target(plan.pod), ['rm', '-f', MONITOR_STOP_FILE], { timeoutMs: 30_000 })));
  const runs = plans.map((plan) => {
    const script = buildMonitorScript({ holds: plan.holds, probes: plan.probes, tickMs: MONITOR_TICK_MS, maxSeconds });
    return kube
      .exec(target(plan.pod), ['/bin/bash', '-c', script], { timeoutMs: (maxSeconds + 60) * 1000 })
      .then((result) => ({ stdout: result.stdout, failure: result.exitCode === 0 ? undefined : `exit ${result.exitCode}: ${result.stderr.trim()}` }))
      .catch((error: unknown) => ({ stdout: '', failure: error instanceof Error ? error.message : String(error) }));
  });
  return {
    async stop() {
      await Promise.all(plans.map((plan) => kube.exec(target(plan.pod), ['touch', MONITOR_STOP_FILE], { timeoutMs: 30_000 })));
      const outputs = await Promise.all(runs);
      return plans.map((plan, i) => {
        const output = outputs[i]!;
        const events = parseMonitorOutput(output.stdout);
        if (output.failure !== undefined && events.length === 0) throw new Error(`the disruption monitor in ${MONITOR_NAMESPACE}/${plan.pod} failed: ${output.failure}`);
        return { source: plan.pod, targets: plan.targets, events };
      });
    },
  };
}
