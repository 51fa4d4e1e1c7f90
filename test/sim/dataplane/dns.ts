// Pod resolver configuration and CoreDNS's answers (kubeadm Corefile: kubernetes plugin for
// cluster.local and the reverse zones with `pods insecure`, everything else forwarded upstream,
// which in the sim is unreachable and answers SERVFAIL).
import type { DnsAnswer, DnsQuestion, DnsRecord, ResolvConf } from '../faults/types.ts';
import type { DataplaneContext } from './context.ts';
import { connect } from './network.ts';
import type { SimPod, SimService } from './state.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
const TTL = 30;
/** The resolver kind's node containers use (Docker's network gateway). */
export const NODE_RESOLVER = '172.18.0.1';

export function kubeDnsIp(ctx: DataplaneContext): string | undefined {
  return ctx.state.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns')?.clusterIP;
}

/** The pod's /etc/resolv.conf as kubelet writes it for its dnsPolicy and dnsConfig. */
export function resolvConf(ctx: DataplaneContext, pod: SimPod): ResolvConf {
  const clusterFirst = pod.dnsPolicy === 'ClusterFirstWithHostNet' || (pod.dnsPolicy === 'ClusterFirst' && !pod.hostNetwork);
  let conf: ResolvConf;
  if (pod.dnsPolicy === 'None') conf = { nameservers: [], searches: [], ndots: 1 };
  else if (clusterFirst) {
    conf = {
      nameservers: [kubeDnsIp(ctx) ?? ''],
      searches: [`${pod.namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN],
      ndots: 5,
    };
  } else conf = { nameservers: [NODE_RESOLVER], searches: [], ndots: 1 };
  const extra = pod.dnsConfig;
  if (extra) {
    conf = {
      nameservers: [...conf.nameservers, ...(extra.nameservers ?? [])].slice(0, 3),
      searches: [...conf.searches, ...(extra.searches ?? [])],
      ndots: Number(extra.options?.find((o) => o.name === 'ndots')?.value ?? conf.ndots),
    };
  }
  return ctx.faults.reduce((c, f) => (f.resolvConf ? f.resolvConf(pod, c) : c), conf);
}

export function renderResolvConf(conf: ResolvConf): string {
  const lines: string[] = [];
  if (conf.searches.length > 0) lines.push(`search ${conf.searches.join(' ')}`);
  for (const ns of conf.nameservers) lines.push(`nameserver ${ns}`);
  lines.push(`options ndots:${conf.ndots}`);
  return `${lines.join('\n')}\n`;
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function dashed(ip: string): string {
  return ip.replaceAll('.', '-');
}

function record(name: string, type: DnsRecord['type'], data: string): DnsRecord {
  return { name: fqdn(name), type, ttl: TTL, data };
}

function readyEndpointsOf(ctx: DataplaneContext, svc: SimService) {
  return (ctx.state.endpoints.get(`${svc.namespace}/${svc.name}`) ?? []).filter((e) => e.ready);
}

function endpointHostname(ctx: DataplaneContext, svc: SimService, ip: string, sliceHostname: string | undefined): string {
  if (sliceHostname) return sliceHostname;
  const pod = ctx.state.pods.find((p) => p.ip === ip && p.hostname && p.subdomain === svc.name);
  return pod?.hostname ?? dashed(ip);
}

const NXDOMAIN: DnsAnswer = { rcode: 'NXDOMAIN', records: [] };

/** CoreDNS stops following a CNAME chain once this many records precede it (backend_lookup.go). */
const MAX_CHAIN_RECORDS = 7;

function isInClusterDomain(name: string): boolean {
  return name === `${CLUSTER_DOMAIN}.` || name.endsWith(`.${CLUSTER_DOMAIN}.`);
}

/**
 * An ExternalName Service as CoreDNS's kubernetes plugin answers it (plugin/backend_lookup.go A/AAAA):
 * the CNAME, followed inside the cluster zone to the target's own records. A chain that ends without
 * records, loops, or points at the name itself leaves the answer empty (NOERROR, no data). A target
 * outside the zone would be looked up upstream, which the sim cannot reach: the CNAME alone.
 */
function externalNameAnswer(ctx: DataplaneContext, svc: SimService, name: string, type: string, chain: DnsRecord[]): DnsAnswer {
  const subject = { kind: 'external-name', service: svc } as const;
  const cname = record(name, 'CNAME', fqdn(svc.externalName!));
  if (type !== 'A' && type !== 'AAAA') return { rcode: 'NOERROR', records: [cname], subject };
  const target = cname.data.toLowerCase();
  const repeated = chain.some((r) => r.type === 'CNAME' && r.name === cname.name && r.data.toLowerCase() === target);
  if (target === name || repeated || chain.length > MAX_CHAIN_RECORDS) return { rcode: 'NOERROR', records: [], subject };
  if (!isInClusterDomain(target)) return { rcode: 'NOERROR', records: [cname], subject };
  const next = clusterAnswer(ctx, target, type, [...chain, cname]);
  return { rcode: 'NOERROR', records: next.records.length > 0 ? [cname, ...next.records] : [], subject };
}

function serviceAnswer(ctx: DataplaneContext, svc: SimService, name: string, type: string, chain: DnsRecord[]): DnsAnswer {
  if (svc.externalName) return externalNameAnswer(ctx, svc, name, type, chain);
  if (svc.headless) {
    const records = type === 'A' ? readyEndpointsOf(ctx, svc).map((e) => record(name, 'A', e.ip)) : [];
    return { rcode: 'NOERROR', records, subject: { kind: 'headless-service', service: svc } };
  }
  const records = type === 'A' && svc.clusterIP ? [record(name, 'A', svc.clusterIP)] : [];
  return { rcode: 'NOERROR', records, subject: { kind: 'service', service: svc } };
}

function srvAnswer(ctx: DataplaneContext, svc: SimService, portName: string, proto: string, name: string, type: string): DnsAnswer {
  const port = svc.ports.find((p) => p.name === portName && p.protocol.toLowerCase() === proto);
  if (!port) return NXDOMAIN;
  const base = `${svc.name}.${svc.namespace}.svc.${CLUSTER_DOMAIN}.`;
  if (type !== 'SRV') return { rcode: 'NOERROR', records: [], subject: { kind: 'srv', service: svc } };
  if (!svc.headless) {
    return { rcode: 'NOERROR', records: [record(name, 'SRV', `0 100 ${port.port} ${base}`)], subject: { kind: 'srv', service: svc } };
  }
  const endpoints = readyEndpointsOf(ctx, svc);
  const weight = endpoints.length > 0 ? Math.round(100 / endpoints.length) : 0;
  const records = endpoints.map((e) => {
    const target = `${endpointHostname(ctx, svc, e.ip, e.hostname)}.${base}`;
    const targetPort = e.ports.find((p) => p.name === port.name)?.port ?? port.port;
    return record(name, 'SRV', `0 ${weight} ${targetPort} ${target}`);
  });
  return { rcode: 'NOERROR', records, subject: { kind: 'srv', service: svc } };
}

function reverseAnswer(ctx: DataplaneContext, name: string): DnsAnswer {
  const octets = name.replace(/\.in-addr\.arpa\.?$/, '').split('.').reverse();
  if (octets.length !== 4) return NXDOMAIN;
  const ip = octets.join('.');
  const svc = ctx.state.services.find((s) => s.clusterIP === ip);
  if (svc) return { rcode: 'NOERROR', records: [record(name, 'PTR', `${svc.name}.${svc.namespace}.svc.${CLUSTER_DOMAIN}.`)], subject: { kind: 'ptr', service: svc } };
  for (const s of ctx.state.services) {
    const endpoint = readyEndpointsOf(ctx, s).find((e) => e.ip === ip);
    if (endpoint) {
      const host = endpointHostname(ctx, s, ip, endpoint.hostname);
      return { rcode: 'NOERROR', records: [record(name, 'PTR', `${host}.${s.name}.${s.namespace}.svc.${CLUSTER_DOMAIN}.`)], subject: { kind: 'ptr', service: s } };
    }
  }
  // Not a Service or endpoint address: fallthrough to upstream, which the sim cannot reach.
  return { rcode: 'SERVFAIL', records: [] };
}

/** `chain`: the CNAMEs already followed to reach `name` (empty for the client's own question). */
function clusterAnswer(ctx: DataplaneContext, name: string, type: string, chain: DnsRecord[] = []): DnsAnswer {
  const labels = name.replace(/\.$/, '').split('.');
  const zoneLabels = CLUSTER_DOMAIN.split('.').length;
  const local = labels.slice(0, labels.length - zoneLabels);
  const findService = (svcName: string | undefined, ns: string | undefined) =>
    ctx.state.services.find((s) => s.name === svcName && s.namespace === ns);
  if (local.at(-1) === 'svc') {
    const parts = local.slice(0, -1);
    if (parts.length === 2) {
      const svc = findService(parts[0], parts[1]);
      return svc ? serviceAnswer(ctx, svc, name, type, chain) : NXDOMAIN;
    }
    if (parts.length === 3 && parts[0]!.startsWith('_')) return NXDOMAIN;
    if (parts.length === 3) {
      const svc = findService(parts[1], parts[2]);
      if (!svc?.headless) return NXDOMAIN;
      const endpoint = readyEndpointsOf(ctx, svc).find((e) => endpointHostname(ctx, svc, e.ip, e.hostname) === parts[0]);
      if (!endpoint) return NXDOMAIN;
      return { rcode: 'NOERROR', records: type === 'A' ? [record(name, 'A', endpoint.ip)] : [], subject: { kind: 'headless-pod', service: svc } };
    }
    if (parts.length === 4 && parts[0]!.startsWith('_') && parts[1]!.startsWith('_')) {
      const svc = findService(parts[2], parts[3]);
      return svc ? srvAnswer(ctx, svc, parts[0]!.slice(1), parts[1]!.slice(1), name, type) : NXDOMAIN;
    }
    return NXDOMAIN;
  }
  if (local.at(-1) === 'pod' && local.length === 3) {
    const ip = local[0]!.replaceAll('-', '.');
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return NXDOMAIN;
    return { rcode: 'NOERROR', records: type === 'A' ? [record(name, 'A', ip)] : [], subject: { kind: 'pod' } };
  }
  return NXDOMAIN;
}

/** CoreDNS's answer to one fully qualified question. */
export function coreDnsAnswer(ctx: DataplaneContext, question: DnsQuestion): DnsAnswer {
  const name = question.name.toLowerCase();
  let answer: DnsAnswer;
  if (name.endsWith(`.${CLUSTER_DOMAIN}.`)) answer = clusterAnswer(ctx, name, question.type);
  else if (name.endsWith('.in-addr.arpa.')) answer = question.type === 'PTR' ? reverseAnswer(ctx, name) : { rcode: 'NOERROR', records: [] };
  else answer = { rcode: 'SERVFAIL', records: [] };
  return ctx.faults.reduce((a, f) => (f.dnsAnswer ? f.dnsAnswer(question, a) : a), answer);
}

export type DnsServerReply = { reached: false } | { reached: true; answer: DnsAnswer };

/** Sends one question to a nameserver over UDP 53 from the pod, through the network model. */
export function query(ctx: DataplaneContext, pod: SimPod, server: string, question: DnsQuestion): DnsServerReply {
  if (server === NODE_RESOLVER) {
    // The node's resolver forwards to the host, and nothing leaves the sim.
    return { reached: true, answer: { rcode: 'SERVFAIL', records: [] } };
  }
  const result = connect(ctx, pod, server, 53, 'UDP');
  if (result.outcome !== 'connected' || result.listener?.application !== 'coredns') return { reached: false };
  return { reached: true, answer: coreDnsAnswer(ctx, question) };
}

/** The names a resolver tries for `name` with a search list (ndots rule as in glibc/dig +search). */
export function candidateNames(name: string, conf: ResolvConf, useSearch: boolean): string[] {
  if (name.endsWith('.') || !useSearch) return [fqdn(name)];
  const dots = name.split('.').length - 1;
  const searched = conf.searches.map((s) => fqdn(`${name}.${s}`));
  return dots >= conf.ndots ? [fqdn(name), ...searched] : [...searched, fqdn(name)];
}

export function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
}

