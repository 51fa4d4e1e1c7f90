// What the nodes' shared kernel does to containers: without SCTP, agnhost netexec serving
// --sctp-port fails to create its SCTP listener and exits 1 (test/real/agnhost-probes.test.ts),
// so kubelet backs off restarting that container, and its pod never becomes Ready.
import type { KubeObject, LogRequest, PodStartup } from '../apiserver/index.ts';
import type { SimFault } from '../faults/types.ts';
import { containerListeners } from './network.ts';
import { toPod } from './state.ts';

export function kernelStartup(pod: KubeObject, faults: readonly SimFault[]): PodStartup | undefined {
  if (!faults.some((f) => f.kernelWithoutSctp)) return undefined;
  const sim = toPod(pod);
  const crashing = sim.containers.filter((c) => c.args.includes('netexec') && containerListeners(c, sim).some((l) => l.protocol === 'SCTP')).map((c) => c.name);
  return crashing.length > 0 ? { state: 'crash', containers: crashing } : undefined;
}

/** Go's log prefix, as netexec's log.Fatalf prints it. */
function goLogTime(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
}

/** What such a container logged before it exited (agnhost 2.56 on a kernel without SCTP). */
export function kernelLogs(req: LogRequest, faults: readonly SimFault[]): string | undefined {
  if (!faults.some((f) => f.kernelWithoutSctp)) return undefined;
  const sim = toPod(req.pod);
  const container = sim.containers.find((c) => c.name === req.container);
  if (!container?.args.includes('netexec')) return undefined;
  const sctp = containerListeners(container, sim).find((l) => l.protocol === 'SCTP');
  const http = containerListeners(container, sim).find((l) => l.protocol === 'TCP');
  if (!sctp || !http) return undefined;
  return `Started HTTP server on port ${http.port}\n${goLogTime()} Error occurred: failed to create listener for SCTP address :${sctp.port}:protocol not supported\n`;
}
