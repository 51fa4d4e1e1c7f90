// DNS conformance: Service, headless (Ready pods only), SRV, pod, PTR and ExternalName records,
// the pod resolver configuration, dnsPolicy None, and CoreDNS staying up while a replica is replaced.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { fqdnDigCommand, runBatch, settleWindowMs, describeResult, type ProbeResult } from '../harness/probe/index.ts';
import type { ExecTarget, Kube } from '../harness/kube/types.ts';
import { check, conformanceSuite, group, liveKube } from './lib/conformance.ts';
import { describeEndpoint, waitForPodEndpoint, type SliceEndpoint } from './lib/endpoints.ts';
import { deleteNamespaces, namespace, namespaceName } from './lib/workloads.ts';
import { COREDNS_NEGATIVE_CACHE_MS, DNS_CASES, describeQuery, digCommand, normaliseAnswers, sameSet, type DnsCase } from './dns/cases.ts';
import { formatResolvConf, ndots, parseResolvConf, type ResolvConf } from './dns/resolv.ts';
import {
  CLIENT_POD,
  CUSTOM_DNS_POD,
  CUSTOM_NDOTS,
  CUSTOM_SEARCH,
  dnsWorkloads,
  HEADLESS_SERVICE,
  loadDnsFixture,
  serviceClusterIp,
  UNREADY_BACKEND,
  WEB_SERVICE,
  type DnsFixture,
} from './dns/workloads.ts';

const SETUP_TIMEOUT_MS = 240_000;
const DIG_TIMEOUT_SECONDS = 10; // +time=2 +tries=2 over the search list stays well inside this

let kube: Kube;
let ns: string;
let fixture: DnsFixture;
let clientResolv: ResolvConf;
let unreadyEndpoint: SliceEndpoint;
const observed = new Map<string, ProbeResult>();

const client = (): ExecTarget => ({ namespace: ns, pod: CLIENT_POD });

async function readResolvConf(pod: string): Promise<ResolvConf> {
  const result = await kube.exec({ namespace: ns, pod }, ['cat', '/etc/resolv.conf'], { timeoutMs: 20_000 });
  if (result.exitCode !== 0) throw new Error(`cat /etc/resolv.conf in ${ns}/${pod} failed: ${result.stderr || result.stdout}`);
  return parseResolvConf(result.stdout);
}

/** Search-path queries run only when the search list keeps partial names inside cluster.local. */
function searchPathUsable(): boolean {
  return clientResolv.search.includes(`${ns}.svc.cluster.local`) && clientResolv.search.includes('svc.cluster.local') && clientResolv.search.includes('cluster.local');
}

function matches(c: DnsCase, result: ProbeResult | undefined): boolean {
  if (!result || result.outcome !== 'connected') return false;
  return sameSet(normaliseAnswers(c.query(fixture), result.output), c.expected(fixture));
}

/**
 * Queries every case in one exec, re-querying mismatches until they match or the window ends
 * (records appear with endpoint propagation). The window covers CoreDNS's negative cache, so an
 * early NXDOMAIN cannot outlast it.
 */
async function queryAllCases(): Promise<void> {
  const runnable = DNS_CASES.filter((c) => !c.viaSearchPath || searchPathUsable());
  const deadline = Date.now() + settleWindowMs() + COREDNS_NEGATIVE_CACHE_MS;
  let pending = runnable;
  for (;;) {
    const results = await runBatch(
      kube,
      client(),
      pending.map((c) => ({ id: c.id, command: digCommand(c.query(fixture), c.viaSearchPath), timeoutSeconds: DIG_TIMEOUT_SECONDS })),
    );
    for (const [id, result] of results) observed.set(id, result);
    pending = pending.filter((c) => !matches(c, observed.get(c.id)));
    if (pending.length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

conformanceSuite('dns', () => {
  beforeAll(async () => {
    kube = liveKube();
    ns = namespaceName('dns');
    const kubeDnsIp = await serviceClusterIp(kube, 'kube-system', 'kube-dns');
    await kube.apply([namespace(ns)]);
    await kube.apply(dnsWorkloads(ns, kubeDnsIp));
    await kube.waitFor({ kind: 'podsReady', namespace: ns, labelSelector: 'ready=expected', minCount: 2 }, 180_000);
    await kube.waitFor({ kind: 'podsReady', namespace: ns, labelSelector: 'role=dns-client', minCount: 2 }, 180_000);
    // Queried only once the unready backend runs and the headless Service's slice lists it
    // (ready=false): an answer cached before that could not show whether CoreDNS leaves it out.
    const unready = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: UNREADY_BACKEND };
    await kube.waitFor({ kind: 'exists', ref: unready, path: ['status', 'containerStatuses', '0', 'state', 'running'] }, 180_000);
    unreadyEndpoint = await waitForPodEndpoint(kube, ns, HEADLESS_SERVICE, UNREADY_BACKEND, 60_000);
    fixture = await loadDnsFixture(kube, ns, kubeDnsIp);
    clientResolv = await readResolvConf(CLIENT_POD);
    await queryAllCases();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (ns) await deleteNamespaces(kube, [ns]);
  }, 150_000);

  group('resolver configuration', () => {
    check('a ClusterFirst pod searches <ns>.svc.cluster.local, svc.cluster.local, cluster.local with ndots:5', { timeoutMs: 30_000 }, async () => {
      const want = [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
      const problems: string[] = [];
      if (!clientResolv.nameservers.includes(fixture.kubeDnsIp)) problems.push(`its nameserver is not the kube-dns ClusterIP ${fixture.kubeDnsIp}`);
      if (!sameSet(clientResolv.search.slice(0, 3), want)) problems.push(`its search list does not start with ${want.join(' ')}`);
      if (ndots(clientResolv) !== 5) problems.push(`ndots is ${ndots(clientResolv)}, not 5`);
      if (problems.length > 0) {
        throw new Error(`The pod resolver is misconfigured: ${problems.join('; ')}.\n  resolv.conf: ${formatResolvConf(clientResolv)}`);
      }
    });

    check('dnsPolicy None uses exactly the pod’s dnsConfig and resolves through it', { timeoutMs: 60_000 }, async () => {
      const conf = await readResolvConf(CUSTOM_DNS_POD);
      const problems: string[] = [];
      if (!sameSet(conf.nameservers, [fixture.kubeDnsIp])) problems.push(`nameservers are ${conf.nameservers.join(', ') || 'none'}, not only ${fixture.kubeDnsIp}`);
      if (!sameSet(conf.search, [CUSTOM_SEARCH])) problems.push(`search is "${conf.search.join(' ')}", not "${CUSTOM_SEARCH}"`);
      if (ndots(conf) !== Number(CUSTOM_NDOTS)) problems.push(`ndots is ${ndots(conf)}, not ${CUSTOM_NDOTS}`);
      if (problems.length > 0) {
        throw new Error(`A dnsPolicy: None pod did not get its dnsConfig: ${problems.join('; ')}.\n  resolv.conf: ${formatResolvConf(conf)}`);
      }
      // One dot < ndots:2, so the custom search domain is tried first: web.<ns>.svc.cluster.local.
      const name = `${WEB_SERVICE}.${ns}`;
      const results = await runBatch(kube, { namespace: ns, pod: CUSTOM_DNS_POD }, [
        { id: 'custom', command: ['dig', '+search', '+short', '+time=2', '+tries=2', name, 'A'], timeoutSeconds: DIG_TIMEOUT_SECONDS },
      ]);
      const result = results.get('custom');
      const answers = result?.outcome === 'connected' ? normaliseAnswers({ name, type: 'A' }, result.output) : [];
      if (!sameSet(answers, [fixture.webServiceIp])) {
        throw new Error(
          `A dnsPolicy: None pod cannot resolve ${name} through its custom search domain ${CUSTOM_SEARCH}: ` +
            `expected ${fixture.webServiceIp}, got ${answers.join(', ') || 'no answer'} (${result ? describeResult(result) : 'no result'}).`,
        );
      }
    });
  });

  group('records', () => {
    for (const c of DNS_CASES) {
      check(c.title, {}, async () => {
        const query = c.query(fixture);
        if (c.viaSearchPath && !searchPathUsable()) {
          throw new Error(
            `${c.defect}: the pod's search list (${clientResolv.search.join(' ') || 'empty'}) lacks the cluster domains, ` +
              `so ${describeQuery(query)} was not queried (it would leave the cluster).`,
          );
        }
        const result = observed.get(c.id);
        expect(result).toBeDefined();
        if (!matches(c, result)) {
          const got = result?.outcome === 'connected' ? normaliseAnswers(query, result.output) : [];
          throw new Error(
            `${c.defect}.\n  query:    ${describeQuery(query)}\n  expected: ${c.expected(fixture).join(', ') || '(no answer)'}\n` +
              `  got:      ${got.join(', ') || '(no answer)'}${result && result.outcome !== 'connected' ? ` — ${describeResult(result)}` : ''}`,
          );
        }
      });
    }

    check('headless Service A records leave out a pod that is not Ready', {}, async () => {
      // The answer the exact-set headless case was judged on, read here for the not-Ready pod alone.
      const headless = DNS_CASES.find((c) => c.id === 'headless-a')!;
      const query = headless.query(fixture);
      const result = observed.get(headless.id);
      const answers = result?.outcome === 'connected' ? normaliseAnswers(query, result.output) : [];
      const got = `\n  query: ${describeQuery(query)}\n  got:   ${answers.join(', ') || '(no answer)'}${result && result.outcome !== 'connected' ? ` — ${describeResult(result)}` : ''}`;
      if (fixture.readyBackendIps.includes(fixture.unreadyBackendIp)) {
        throw new Error(`${UNREADY_BACKEND} became Ready although its readiness probe checks a port nothing listens on: the kubelet's readiness probing is broken.`);
      }
      if (answers.includes(fixture.unreadyBackendIp)) {
        throw new Error(
          `The cluster DNS publishes a pod that is not Ready: the headless Service's A records include ${UNREADY_BACKEND} (${fixture.unreadyBackendIp}), ` +
            `whose EndpointSlice entry is ${describeEndpoint(unreadyEndpoint)}.${got}`,
        );
      }
      if (!answers.some((a) => fixture.readyBackendIps.includes(a))) {
        throw new Error(`The headless Service answered none of its Ready pods' IPs (${fixture.readyBackendIps.join(', ')}), so leaving out ${UNREADY_BACKEND} was not observed.${got}`);
      }
    });
  });

  group('availability', () => {
    check('CoreDNS keeps answering while one of its replicas is deleted', { timeoutMs: 240_000 }, async () => {
      const coredns = await kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
      const [victim, ...others] = coredns;
      if (!victim || others.length === 0) {
        throw new Error(`CoreDNS runs ${coredns.length} replica(s); this check needs at least 2 to delete one.`);
      }
      const name = `${WEB_SERVICE}.${ns}.svc.cluster.local`;
      await kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system', name: victim.metadata.name });
      const failures: string[] = [];
      let total = 0;
      // Ten rounds of five concurrent queries, about one round a second, cover the replacement gap.
      for (let round = 0; round < 10; round++) {
        const probes = Array.from({ length: 5 }, (_, i) => ({
          id: `r${round}-${i}`,
          command: fqdnDigCommand(name, 'A'),
          timeoutSeconds: DIG_TIMEOUT_SECONDS,
        }));
        const results = await runBatch(kube, client(), probes);
        for (const [id, result] of results) {
          total++;
          const answers = result.outcome === 'connected' ? normaliseAnswers({ name, type: 'A' }, result.output) : [];
          if (!sameSet(answers, [fixture.webServiceIp])) failures.push(`${id}: ${answers.join(',') || describeResult(result)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      await kube.waitFor({ kind: 'deploymentAvailable', namespace: 'kube-system', name: 'coredns' }, 180_000);
      if (failures.length > 0) {
        throw new Error(
          `CoreDNS stopped answering while replica ${victim.metadata.name} was replaced: ${failures.length} of ${total} queries for ${name} failed.\n  ` +
            failures.slice(0, 10).join('\n  '),
        );
      }
    });
  });
});
