// Evidence of the kube-proxy mode on a node, per mode, as data: where to look, what to run, and
// what the output must show for the test Service. All forms are in docs/probe-protocol.md.
import type { ProxyMode } from '../../harness/model/cell.ts';

export interface RuleEvidence {
  /** Where the command runs: the node's kube-proxy pod, or the hostNetwork agnhost pod. */
  where: 'kube-proxy' | 'node-pod';
  command: string[];
  /** What the output shows when the mode programs the Service at clusterIp:port. */
  programs: (output: string, service: { namespace: string; name: string; clusterIp: string; port: number }) => boolean;
  describe: string;
}

/** "10.96.0.12", 80 → "0A60000C:0050", the form /proc/net/ip_vs lists virtual services in. */
export function ipvsAddress(ip: string, port: number): string {
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  return `${ip.split('.').map((octet) => hex(Number(octet), 2)).join('')}:${hex(port, 4)}`;
}

export const RULE_EVIDENCE: Record<Exclude<ProxyMode, 'none'>, RuleEvidence> = {
  iptables: {
    where: 'kube-proxy',
    command: ['iptables-save', '-t', 'nat'],
    programs: (out, svc) =>
      out.split('\n').some((line) => line.startsWith('-A KUBE-SERVICES') && line.includes(`${svc.clusterIp}/32`) && line.includes('KUBE-SVC-')),
    describe: 'a KUBE-SERVICES rule jumping to a KUBE-SVC- chain for the Service ClusterIP (iptables-save -t nat)',
  },
  nftables: {
    where: 'kube-proxy',
    command: ['nft', 'list', 'table', 'ip', 'kube-proxy'],
    programs: (out, svc) => out.includes(svc.clusterIp) && out.includes(`${svc.namespace}/${svc.name}`),
    describe: 'the Service ClusterIP and name in table ip kube-proxy (nft list table ip kube-proxy)',
  },
  ipvs: {
    where: 'node-pod',
    command: ['cat', '/proc/net/ip_vs'],
    programs: (out, svc) => out.toUpperCase().includes(ipvsAddress(svc.clusterIp, svc.port)),
    describe: 'an IPVS virtual service for the Service ClusterIP:port (/proc/net/ip_vs)',
  },
};
