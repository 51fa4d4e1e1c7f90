// Name resolution for clients that use the system resolver (curl, agnhost connect, netexec's
// dialer): IP literals pass through; names go through the pod's resolv.conf to CoreDNS.
import { isIPv6 } from 'node:net';
import type { DataplaneContext } from './context.ts';
import { candidateNames, query, resolvConf } from './dns.ts';
import type { SimPod } from './state.ts';

export interface Resolution {
  ip?: string;
  /** Set when no server answered (the resolver timed out). */
  timedOut?: boolean;
  /** The nameserver a failed lookup names (Go: "lookup <host> on <server>:53: …"). */
  server?: string;
  /** The answer to the last name tried, when a server answered without an address. */
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function resolveHost(ctx: DataplaneContext, pod: SimPod, host: string): Resolution {
  // An address literal, of either family, is used as it is: Go's resolver never asks DNS for it.
  if (IPV4.test(host) || isIPv6(host) || host === 'localhost') return { ip: host === 'localhost' ? '127.0.0.1' : host };
  const conf = resolvConf(ctx, pod);
  let last: Pick<Resolution, 'server' | 'rcode'> | undefined;
  for (const name of candidateNames(host, conf, true)) {
    for (const server of conf.nameservers) {
      const reply = query(ctx, pod, server, { name, type: 'A', pod });
      if (!reply.reached) continue;
      last = { server, rcode: reply.answer.rcode };
      const a = reply.answer.records.find((r) => r.type === 'A');
      if (a) return { ip: a.data };
      break;
    }
  }
  return last ?? { timedOut: true, server: conf.nameservers[0] ?? '127.0.0.1' };
}

/**
 * The error text of a failed lookup as Go's resolver words it (agnhost connect, netexec /dial),
 * naming the last name's answer: NXDOMAIN (recorded from agnhost 2.56), SERVFAIL or no answer.
 */
export function lookupError(host: string, resolution: Resolution, localIp: string, localPort: number): string {
  const server = `${resolution.server}:53`;
  if (resolution.timedOut) return `lookup ${host} on ${server}: read udp ${localIp}:${localPort}->${server}: i/o timeout`;
  return `lookup ${host} on ${server}: ${resolution.rcode === 'SERVFAIL' ? 'server misbehaving' : 'no such host'}`;
}
