// The requests the services suite sends to learn which backend answered: curl /hostname over TCP,
// and over UDP netexec's /dial on the sender's own netexec, which sends `hostname` in a datagram
// from a new socket each time (so each request is a new flow for the proxy to balance).
import { curlCommand, dialCommand, DIAL_TIMEOUT_SECONDS, type Probe, type ProbeResult } from '../../harness/probe/index.ts';

export type ServiceProtocol = 'TCP' | 'UDP';

export const REQUEST_TIMEOUT_SECONDS = 5;

/**
 * One hostname request to host:port. A UDP one is sent by the sending pod's netexec on `dialPort`
 * (80 is where serverPod's netexec listens unless told otherwise).
 */
export function hostnameRequest(id: string, protocol: ServiceProtocol, host: string, port: number, dialPort = 80): Probe {
  if (protocol === 'TCP') return { id, command: curlCommand(host, port, '/hostname', REQUEST_TIMEOUT_SECONDS), timeoutSeconds: REQUEST_TIMEOUT_SECONDS };
  const command = dialCommand({ host, port, protocol: 'udp', request: 'hostname', localPort: dialPort });
  return { id, command, timeoutSeconds: DIAL_TIMEOUT_SECONDS };
}

export function hostnameRequests(prefix: string, count: number, make: (id: string) => Probe): Probe[] {
  return Array.from({ length: count }, (_, i) => make(`${prefix}-${i}`));
}

/** The backend that answered a hostname request, or undefined when none did. */
export function answeredBy(result: ProbeResult): string | undefined {
  // curl's body is the hostname alone; /dial's body is JSON whose first response is the answer.
  // Either way the first line of the detail is the name, once something non-empty came back.
  if (result.outcome !== 'connected' || !result.detail.body?.trim()) return undefined;
  return result.detail.firstLine;
}

export const answered = (result: ProbeResult): boolean => answeredBy(result) !== undefined;

/** "web-0×12, web-1×9" — who answered how often. */
export function tally(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => `${n}×${c}`).join(', ') || 'none';
}
