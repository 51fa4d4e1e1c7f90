// Name resolution for clients that use the system resolver (curl, agnhost connect, netexec's
// dialer): IP literals pass through; names go through the pod's resolv.conf to CoreDNS.
import type { DataplaneContext } from './context.ts';
import { candidateNames, query, resolvConf } from './dns.ts';
import type { SimPod } from './state.ts';

export interface Resolution {
  ip?: string;
  /** Set when no server answered (the resolver timed out). */
  timedOut?: boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function resolveHost(ctx: DataplaneContext, pod: SimPod, host: string): Resolution {
  if (IPV4.test(host) || host === 'localhost') return { ip: host === 'localhost' ? '127.0.0.1' : host };
  const conf = resolvConf(ctx, pod);
  let reached = false;
  for (const name of candidateNames(host, conf, true)) {
    for (const server of conf.nameservers) {
      const reply = query(ctx, pod, server, { name, type: 'A', pod });
      if (!reply.reached) continue;
      reached = true;
      const a = reply.answer.records.find((r) => r.type === 'A');
      if (a) return { ip: a.data };
      break;
    }
  }
  return reached ? {} : { timedOut: true };
}
