// Readiness probes as kubelet would find them, for the containers whose servers the model knows
// exactly (agnhost netexec, from its flags); probes of other images are taken to pass.
import type { KubeObject, PodStartup } from '../apiserver/index.ts';
import { containerListeners } from './network.ts';
import { toPod, type SimPod } from './state.ts';

interface ReadinessProbe {
  httpGet?: { port?: unknown; path?: unknown };
  tcpSocket?: { port?: unknown };
}

/** netexec's /healthz and /readyz answer 412 until its UDP or SCTP server runs (agnhost 2.56). */
const NETEXEC_GATED_PATHS = new Set(['/healthz', '/readyz']);

function passes(pod: SimPod, probe: ReadinessProbe): boolean {
  const port = Number(probe.httpGet?.port ?? probe.tcpSocket?.port);
  const owner = pod.containers.find((c) => containerListeners(c, pod).some((l) => l.port === port && l.protocol === 'TCP'));
  // Nothing listens there: the probe's connection is refused.
  if (!owner) return false;
  const path = String(probe.httpGet?.path ?? '/');
  if (!probe.httpGet || !owner.args.includes('netexec') || !NETEXEC_GATED_PATHS.has(path)) return true;
  return containerListeners(owner, pod).some((l) => l.protocol !== 'TCP');
}

/** The pod's netexec containers whose readiness probe never passes. */
export function neverReadyContainers(pod: KubeObject): string[] {
  const sim = toPod(pod);
  const declared = (pod.spec as { containers?: { name: string; readinessProbe?: ReadinessProbe }[] } | undefined)?.containers ?? [];
  return declared
    .filter((c) => c.readinessProbe && sim.containers.find((s) => s.name === c.name)?.args.includes('netexec') && !passes(sim, c.readinessProbe))
    .map((c) => c.name);
}

/** A pod startup hook for the API server: netexec containers with a failing probe stay unready. */
export function readinessStartup(pod: KubeObject): PodStartup | undefined {
  const unready = neverReadyContainers(pod);
  return unready.length > 0 ? { state: 'running', unready } : undefined;
}
