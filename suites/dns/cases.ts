// The DNS cases as data: a query from an ordinary (dnsPolicy ClusterFirst) pod → the exact answer
// set CoreDNS must return. Every name is under cluster.local, so no query leaves the cluster.
import { fqdnDigCommand } from '../../harness/probe/commands.ts';
import type { DnsFixture } from './workloads.ts';
import { ALIAS_SERVICE, HEADLESS_SERVICE, WEB_SERVICE } from './workloads.ts';

export type RecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'PTR';

export interface DnsCase {
  /** Stable id (probe id and test title key). */
  id: string;
  title: string;
  /** The record asked for, e.g. "web.ns.svc.cluster.local A", or a reverse lookup of an IP. */
  query: (f: DnsFixture) => { name: string; type: RecordType } | { reverse: string };
  /** The complete answer set, normalised (lower case; SRV as "port target"). Order is ignored. */
  expected: (f: DnsFixture) => string[];
  /** The query relies on the pod's search path (a partial name). */
  viaSearchPath?: boolean;
  /** The defect a mismatch means, in one sentence. */
  defect: string;
}

const svc = (f: DnsFixture, name: string) => `${name}.${f.ns}.svc.cluster.local`;

export const DNS_CASES: DnsCase[] = [
  {
    id: 'svc-fqdn',
    title: 'Service A record by its fully qualified name',
    query: (f) => ({ name: svc(f, WEB_SERVICE), type: 'A' }),
    expected: (f) => [f.webServiceIp],
    defect: 'the cluster DNS does not answer a Service name with its ClusterIP',
  },
  {
    id: 'svc-short',
    title: 'Service A record by its bare name through the search path',
    query: () => ({ name: WEB_SERVICE, type: 'A' }),
    expected: (f) => [f.webServiceIp],
    viaSearchPath: true,
    defect: 'a bare Service name does not resolve in its own namespace (search path <ns>.svc.cluster.local)',
  },
  {
    id: 'svc-ns',
    title: 'Service A record by name.namespace through the search path',
    query: (f) => ({ name: `${WEB_SERVICE}.${f.ns}`, type: 'A' }),
    expected: (f) => [f.webServiceIp],
    viaSearchPath: true,
    defect: 'name.namespace does not resolve (search path svc.cluster.local)',
  },
  {
    id: 'svc-ns-svc',
    title: 'Service A record by name.namespace.svc through the search path',
    query: (f) => ({ name: `${WEB_SERVICE}.${f.ns}.svc`, type: 'A' }),
    expected: (f) => [f.webServiceIp],
    viaSearchPath: true,
    defect: 'name.namespace.svc does not resolve (search path cluster.local)',
  },
  {
    id: 'headless-a',
    title: 'headless Service A records are exactly the IPs of its Ready pods',
    query: (f) => ({ name: svc(f, HEADLESS_SERVICE), type: 'A' }),
    expected: (f) => f.readyBackendIps,
    defect: 'a headless Service does not resolve to exactly the IPs of its Ready pods',
  },
  {
    id: 'srv-clusterip',
    title: 'SRV record for a named port of a ClusterIP Service',
    query: (f) => ({ name: `_http._tcp.${svc(f, WEB_SERVICE)}`, type: 'SRV' }),
    expected: (f) => [`80 ${svc(f, WEB_SERVICE)}.`],
    defect: 'the cluster DNS has no SRV record for a Service’s named port',
  },
  {
    id: 'srv-headless',
    title: 'SRV records for a named port of a headless Service, one per Ready pod',
    query: (f) => ({ name: `_http._tcp.${svc(f, HEADLESS_SERVICE)}`, type: 'SRV' }),
    expected: (f) => f.readyBackendIps.map((ip) => `80 ${ip.replaceAll('.', '-')}.${svc(f, HEADLESS_SERVICE)}.`),
    defect: 'the cluster DNS does not return one SRV record per Ready pod of a headless Service',
  },
  {
    id: 'pod-a',
    title: 'pod A record a-b-c-d.<ns>.pod.cluster.local',
    query: (f) => ({ name: `${f.podDnsLabel}.${f.ns}.pod.cluster.local`, type: 'A' }),
    expected: (f) => [f.podIp],
    defect: 'pod A records (a-b-c-d.<ns>.pod.cluster.local) are not served',
  },
  {
    id: 'ptr-svc',
    title: 'PTR record of a Service ClusterIP names the Service',
    query: (f) => ({ reverse: f.webServiceIp }),
    expected: (f) => [`${svc(f, WEB_SERVICE)}.`],
    defect: 'a reverse lookup of a Service ClusterIP does not return the Service name',
  },
  {
    id: 'externalname-cname',
    title: 'ExternalName Service is a CNAME to its in-cluster target',
    query: (f) => ({ name: svc(f, ALIAS_SERVICE), type: 'CNAME' }),
    expected: (f) => [`${svc(f, WEB_SERVICE)}.`],
    defect: 'an ExternalName Service is not answered with a CNAME to its externalName',
  },
  {
    id: 'externalname-a',
    title: 'ExternalName Service resolves through the CNAME to the target ClusterIP',
    query: (f) => ({ name: svc(f, ALIAS_SERVICE), type: 'A' }),
    expected: (f) => [`${svc(f, WEB_SERVICE)}.`, f.webServiceIp],
    defect: 'an A query for an ExternalName Service does not follow its CNAME to the target’s ClusterIP',
  },
];

/** The dig command of docs/probe-protocol.md for a case: partial names through the search list. */
export function digCommand(query: ReturnType<DnsCase['query']>, viaSearchPath = false): string[] {
  if ('reverse' in query) return ['dig', '+short', '-x', query.reverse];
  if (viaSearchPath) return ['dig', '+search', '+short', '+time=2', '+tries=2', query.name, query.type];
  return fqdnDigCommand(query.name, query.type);
}

/**
 * How long a missing record may keep being answered NXDOMAIN after it appears: kubeadm's Corefile
 * serves cluster.local with `ttl 30` and caches with `cache 30`, so a negative answer given before
 * a Service or its endpoints existed can outlive a short settle window by up to 30 s.
 */
export const COREDNS_NEGATIVE_CACHE_MS = 30_000;

export function describeQuery(query: ReturnType<DnsCase['query']>): string {
  return 'reverse' in query ? `PTR of ${query.reverse}` : `${query.name} ${query.type}`;
}

/** dig +short output → the normalised answer set (SRV "prio weight port target" → "port target"). */
export function normaliseAnswers(query: ReturnType<DnsCase['query']>, output: string): string[] {
  const lines = output
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line !== '' && !line.startsWith(';'));
  const isSrv = !('reverse' in query) && query.type === 'SRV';
  return lines.map((line) => (isSrv ? line.split(/\s+/).slice(2).join(' ') : line)).sort();
}

export function sameSet(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
